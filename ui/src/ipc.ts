// The only door between the page and the app: typed Tauri commands, mirroring
// src-tauri/src/models.rs. No token ever comes through; secrets only go in (typed by the person).
import { Channel, invoke } from "@tauri-apps/api/core";

/** Every command's error: the core's kind, a plain message and what to do about it. */
export interface IpcError {
  kind: string;
  message: string;
  hint: string;
}

export interface AppInfo {
  name: string;
  version: string;
  coreVersion: string;
}

export type Way = "app-password" | "app-password-paste" | "oauth2" | "password" | "oauth1" | "wordpress-com";

export interface WayView {
  way: Way;
  label: string;
  about: string;
  fallback: boolean;
  /** The person continues in their browser. */
  usesBrowser: boolean;
}

export interface SiteInfoView {
  name: string;
  description: string;
  url: string;
  home: string;
  https: boolean;
  timezone: string;
  namespaces: string[];
  iconUrl: string | null;
}

export interface SiteView {
  address: string;
  site: SiteInfoView;
  apiRoot: string;
  permalinks: string | null;
  ways: WayView[];
  recommended: Way | null;
  reason: string;
  notes: string[];
  local: boolean;
  wordpressCom: boolean;
  appPasswordViaLink: boolean;
}

export type Standing = "signed_in" | "expires_soon" | "expired" | "sign_in_again";

export interface AccountView {
  id: string;
  /** What the person is called on screen (display name, else login). */
  name: string;
  siteName: string;
  siteUrl: string;
  siteIconUrl: string | null;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  method: string;
  way: Way;
  standing: Standing;
  standingText: string;
  sessionOnly: boolean;
}

export interface SignedInView {
  account: AccountView;
  storedIn: string;
  notes: string[];
}

export interface AccountDetails {
  account: AccountView;
  profile: {
    /** What the person is called on screen (display name, else login). */
    name: string;
    /** "Display Name (login)". */
    who: string;
    userId: string | null;
    username: string;
    displayName: string;
    email: string | null;
    roles: string[];
    registered: string | null;
    capabilities: string;
    capabilityCount: number;
    avatarUrl: string | null;
  };
  site: SiteInfoView | null;
  offered: string[];
  session: {
    method: string;
    scope: string | null;
    expiresAt: number | null;
    lastRefresh: number | null;
    storedIn: string;
    clientId: string | null;
    createdAt: number;
  };
}

export interface SignInRequest {
  address: string;
  way: Way;
  clientId?: string;
  clientSecret?: string;
  redirectPort?: number;
  consumerKey?: string;
  consumerSecret?: string;
  username?: string;
  password?: string;
  sessionOnly?: boolean;
  /** The person ticked "Sign in without encryption" for a plain-http site elsewhere. */
  allowPlainHttp?: boolean;
}

export type Progress =
  | { stage: "browser"; url: string; waitingOn: string; timeoutSecs: number }
  | { stage: "finishing" };

export interface SettingsView {
  redirectPorts: number[];
  wpcomClientId: string | null;
  wpcomRedirectPort: number | null;
  logLevel: "error" | "warn" | "info" | "debug" | "trace";
  signInTimeoutSecs: number;
  logDir: string;
}

export interface SignedOutView {
  revoked: boolean;
  note: string | null;
}

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e && "hint" in e;
}

/** Any failure as an `IpcError`: the app's own, or one made for a failure inside the page. */
export function asIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return { kind: "internal", message: `Something went wrong inside the app: ${detail}.`, hint: "Try again; if it keeps happening, the log (Settings) says more." };
}

/** What a person reads when a command fails: the message, then what to do. */
export function errorText(e: unknown): string {
  const err = asIpcError(e);
  return err.hint ? `${err.message} ${err.hint}` : err.message;
}

/** The doctor's report: the `wpconnect.doctor/1` document (docs/doctor.md), keys as there. */
export type CheckStatus = "pass" | "warn" | "fail" | "skipped";

export interface Check {
  id: string;
  group: string;
  title: string;
  status: CheckStatus;
  finding: string;
  observed: Array<{ request: string; response: string }>;
  why: string;
  fix: string | null;
  skipped_because: string | null;
}

export interface Report {
  schema: string;
  site: string;
  site_url: string | null;
  live: boolean;
  checks: Check[];
  summary: { pass: number; warn: number; fail: number; skipped: number };
  exit_code: number;
  /** "12 passed, 1 warning, 2 failed, 5 skipped", in the core's words. */
  summaryLine: string;
}

export interface DoctorRequest {
  address: string;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  consumerKey?: string;
  consumerSecret?: string;
  live?: boolean;
}

export type DoctorProgress = { stage: "check"; check: Check } | { stage: "browser"; url: string; waitingOn: string };

/** A photo handed to the app, kept until it is uploaded. */
export interface StagedView {
  stagedId: string;
  name: string;
  bytes: number;
}

export interface UploadFileRequest {
  stagedId: string;
  altText?: string;
  title?: string;
  caption?: string;
}

export interface UploadRequest {
  accountId: string;
  files: UploadFileRequest[];
  keepLocation?: boolean;
  draftPost?: string;
}

export type UploadProgress =
  | { stage: "prepared"; index: number; name: string; bytes: number; removed: string[] }
  | { stage: "progress"; index: number; sent: number; bytes: number; batchSent: number; batchBytes: number }
  | { stage: "retrying"; index: number; because: string }
  | { stage: "finished"; index: number; ok: boolean };

/** A media item in the site's library (the core's `Media`: keys as there). */
export interface Media {
  id: number;
  title: string;
  alt_text: string;
  caption: string;
  mime_type: string;
  source_url: string;
  link: string | null;
  edit_link: string;
  width: number | null;
  height: number | null;
  sizes: Array<{ name: string; width: number; height: number; url: string }>;
}

export interface UploadedView {
  stagedId: string;
  name: string;
  locationRemoved: string[];
  media: Media | null;
  error: IpcError | null;
}

export interface UploadResult {
  files: UploadedView[];
  post: { Ok: { id: number; title: string; edit_link: string } } | { Err: IpcError } | null;
  cancelled: boolean;
  uploaded: number;
  failed: number;
}

/** The commands, as one object the screens receive (and tests replace). */
export interface Api {
  appInfo(): Promise<AppInfo>;
  discover(address: string): Promise<SiteView>;
  accounts(): Promise<AccountView[]>;
  accountDetails(accountId: string): Promise<AccountDetails>;
  signIn(request: SignInRequest, onProgress: (p: Progress) => void): Promise<SignedInView>;
  cancelSignIn(): Promise<boolean>;
  refresh(accountId: string): Promise<AccountView>;
  signOut(accountId: string): Promise<SignedOutView>;
  openSite(accountId: string): Promise<void>;
  getSettings(): Promise<SettingsView>;
  saveSettings(settings: SettingsView): Promise<SettingsView>;
  revealLogs(): Promise<string>;
  checkConfiguration(request: DoctorRequest, onProgress: (p: DoctorProgress) => void): Promise<Report>;
  stageUpload(file: File): Promise<StagedView>;
  upload(request: UploadRequest, onProgress: (p: UploadProgress) => void): Promise<UploadResult>;
  cancelUpload(): Promise<boolean>;
  openOnSite(accountId: string, url: string): Promise<void>;
}

export const tauriApi: Api = {
  appInfo: () => invoke("app_info"),
  discover: (address) => invoke("discover", { address }),
  accounts: () => invoke("accounts"),
  accountDetails: (accountId) => invoke("account_details", { accountId }),
  signIn: (request, onProgress) => {
    const progress = new Channel<Progress>();
    progress.onmessage = onProgress;
    return invoke("sign_in", { request, progress });
  },
  cancelSignIn: () => invoke("cancel_sign_in"),
  refresh: (accountId) => invoke("refresh", { accountId }),
  signOut: (accountId) => invoke("sign_out", { accountId }),
  openSite: (accountId) => invoke("open_site", { accountId }),
  getSettings: () => invoke("get_settings"),
  saveSettings: (settings) => invoke("save_settings", { settings }),
  revealLogs: () => invoke("reveal_logs"),
  checkConfiguration: (request, onProgress) => {
    const progress = new Channel<DoctorProgress>();
    progress.onmessage = onProgress;
    return invoke("check_configuration", { request, progress });
  },
  stageUpload: async (file) => invoke("stage_upload", new Uint8Array(await file.arrayBuffer()), { headers: { "x-file-name": encodeURIComponent(file.name) } }),
  upload: (request, onProgress) => {
    const progress = new Channel<UploadProgress>();
    progress.onmessage = onProgress;
    return invoke("upload", { request, progress });
  },
  cancelUpload: () => invoke("cancel_upload"),
  openOnSite: (accountId, url) => invoke("open_on_site", { accountId, url }),
};

/** What the app hands the page before its first paint (see `boot_script` in the shell). */
export interface Boot {
  appInfo?: AppInfo;
  accounts?: AccountView[];
  error?: IpcError;
  /** The app could not start (nowhere private to keep its files): shown, and nothing else. */
  startError?: IpcError;
}

/** The start-up data, once: later screens ask the app. */
export function takeBoot(): Boot | undefined {
  const w = window as unknown as { __WPCONNECT_BOOT__?: Boot };
  const boot = w.__WPCONNECT_BOOT__;
  delete w.__WPCONNECT_BOOT__;
  return boot;
}
