// The only door between the page and the app: typed Tauri commands over the types made from
// src-tauri/src/models.rs. No token ever comes through; secrets only go in (typed by the person).
import { Channel, invoke } from "@tauri-apps/api/core";

import type {
  AccountDetails,
  AccountView,
  AppInfo,
  DoctorProgress,
  DoctorRequestView,
  IpcError,
  Progress,
  ReportView,
  SettingsView,
  SignedInView,
  SignedOutView,
  SignInRequest,
  SiteView,
  StagedView,
  Status,
  UploadFileView,
  UploadNews,
  UploadRequestView,
  UploadResultView,
} from "./bindings";

// Every type that crosses is made from the Rust models (./bindings.ts, by ts-rs; a Rust test fails
// when it is out of date). The names the screens use, where they differ from the models':
export type * from "./bindings";
/** The doctor's report: the `wpconnect.doctor/1` document (docs/doctor.md), keys as there. */
export type Report = ReportView;
export type CheckStatus = Status;
export type DoctorRequest = DoctorRequestView;
export type UploadRequest = UploadRequestView;
export type UploadFileRequest = UploadFileView;
export type UploadProgress = UploadNews;
export type UploadResult = UploadResultView;

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
  /** Zoom the page; the factor in use comes back. */
  setZoom(factor: number): Promise<number>;
  /** The diagnostic report, as text with no secret in it. */
  diagnosticReport(): Promise<string>;
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
  setZoom: (factor) => invoke("set_zoom", { factor }),
  diagnosticReport: () => invoke("diagnostic_report"),
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
