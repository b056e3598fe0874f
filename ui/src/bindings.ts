// Made from the Rust models in src-tauri (ts-rs): do not edit by hand. The test
// `bindings::tests::the_page_s_types_are_the_models` fails when this file is out of date;
// `WPCONNECT_WRITE_BINDINGS=1 cargo test -p wpconnect-desktop bindings` writes it anew.

export type IpcError = { kind: string, message: string, hint: string, };

export type AppInfo = { name: string, version: string, coreVersion: string, };

export type Way = "app-password" | "app-password-paste" | "oauth2" | "password" | "oauth1" | "wordpress-com";

export type WayView = { way: Way, label: string, 
/**
 * One sentence about what it involves.
 */
about: string, 
/**
 * A fallback, said so on screen.
 */
fallback: boolean, 
/**
 * The person continues in their browser ("Continue in your browser", the waiting screen).
 */
usesBrowser: boolean, };

export type SiteInfoView = { name: string, description: string, url: string, home: string, https: boolean, timezone: string, namespaces: Array<string>, iconUrl: string | null, };

export type SiteView = { 
/**
 * The address as typed (the key the sign-in uses).
 */
address: string, site: SiteInfoView, apiRoot: string, permalinks: string | null, ways: Array<WayView>, recommended: Way | null, reason: string, notes: Array<string>, 
/**
 * This site is on this computer (plain http is acceptable).
 */
local: boolean, wordpressCom: boolean, 
/**
 * An approved Application Password comes back through the `wpconnect:` link (not the
 * loopback): WordPress before 6.3 shows it to paste instead.
 */
appPasswordViaLink: boolean, };

export type SignInRequest = { address: string, way: Way, clientId?: string, clientSecret?: string, redirectPort?: number, consumerKey?: string, consumerSecret?: string, username?: string, password?: string, sessionOnly?: boolean, 
/**
 * The person ticked "Sign in without encryption" (plain http to a site elsewhere).
 */
allowPlainHttp?: boolean, };

export type Progress = { "stage": "browser", url: string, waitingOn: string, timeoutSecs: number, } | { "stage": "finishing" };

export type Standing = "signed_in" | "expires_soon" | "expired" | "sign_in_again";

export type AccountView = { id: string, 
/**
 * What the person is called on screen (display name, else login).
 */
name: string, siteName: string, siteUrl: string, siteIconUrl: string | null, username: string, displayName: string, avatarUrl: string | null, method: string, way: Way, standing: Standing, standingText: string, sessionOnly: boolean, };

export type SignedInView = { account: AccountView, storedIn: string, notes: Array<string>, };

export type ProfileView = { 
/**
 * What the person is called on screen (display name, else login).
 */
name: string, 
/**
 * "Display Name (login)", as the command line says it too.
 */
who: string, userId: string | null, username: string, displayName: string, email: string | null, roles: Array<string>, registered: string | null, capabilities: string, capabilityCount: number, 
/**
 * What the account may do, in a person's words ("write and publish posts", ...).
 */
can: Array<string>, avatarUrl: string | null, };

export type SessionView = { method: string, scope: string | null, expiresAt: number | null, lastRefresh: number | null, storedIn: string, clientId: string | null, createdAt: number, };

export type AccountDetails = { account: AccountView, profile: ProfileView, site: SiteInfoView | null, offered: Array<string>, session: SessionView, };

export type SignedOutView = { revoked: boolean, note: string | null, };

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

export type SettingsView = { redirectPorts: Array<number>, wpcomClientId: string | null, wpcomRedirectPort: number | null, logLevel: LogLevel, signInTimeoutSecs: number, 
/**
 * Where the log files are (read-only).
 */
logDir: string, };

export type DoctorRequestView = { address: string, clientId?: string, clientSecret?: string, redirectUri?: string, consumerKey?: string, consumerSecret?: string, live?: boolean, };

export type DoctorProgress = { "stage": "check", check: Check, } | { "stage": "browser", url: string, waitingOn: string, };

export type Status = "pass" | "warn" | "fail" | "skipped";

export type Exchange = { 
/**
 * `GET https://…` or `POST https://… grant_type=password&username=…&password=[redacted]`.
 */
request: string, 
/**
 * `HTTP 400 {"error":"invalid_grant",…}`: the status and a redacted excerpt of the body, or
 * what went wrong on the way.
 */
response: string, };

export type Check = { 
/**
 * Stable identifier (`transport.https`, …), serialized as that string.
 */
id: string, 
/**
 * The part of the id before the first dot.
 */
group: string, title: string, status: Status, 
/**
 * What was found, in one or two sentences.
 */
finding: string, 
/**
 * What was sent and what came back.
 */
observed: Array<Exchange>, 
/**
 * Why this matters.
 */
why: string, 
/**
 * What the admin should change, in their terms (`None` when nothing needs changing).
 */
fix: string | null, 
/**
 * For a skipped check: why it was not run.
 */
skipped_because: string | null, 
/**
 * For a pass that only holds because the check does not apply here: why ("the site is on
 * this computer"). A window shows "Not needed" rather than "Pass".
 */
not_needed: string | null, };

export type Summary = { pass: number, warn: number, fail: number, skipped: number, };

export type Report = { schema: string, 
/**
 * What the admin typed.
 */
site: string, 
/**
 * Where the site answered (`None` when it could not be reached).
 */
site_url: string | null, 
/**
 * Whether the `--live` checks were asked for.
 */
live: boolean, checks: Array<Check>, summary: Summary, 
/**
 * 0: every check passed (or was skipped); 1: warnings; 2: failures.
 */
exit_code: number, };

export type ReportView = { summaryLine: string, schema: string, 
/**
 * What the admin typed.
 */
site: string, 
/**
 * Where the site answered (`None` when it could not be reached).
 */
site_url: string | null, 
/**
 * Whether the `--live` checks were asked for.
 */
live: boolean, checks: Array<Check>, summary: Summary, 
/**
 * 0: every check passed (or was skipped); 1: warnings; 2: failures.
 */
exit_code: number, };

export type StagedView = { stagedId: string, name: string, bytes: number, };

export type UploadRequestView = { accountId: string, files: Array<UploadFileView>, keepLocation?: boolean, 
/**
 * A draft post of the uploaded photos (a gallery), with this title.
 */
draftPost?: string, };

export type UploadFileView = { stagedId: string, altText?: string, title?: string, caption?: string, };

export type UploadNews = { "stage": "prepared", index: number, name: string, bytes: number, removed: Array<string>, } | { "stage": "progress", index: number, sent: number, bytes: number, batchSent: number, batchBytes: number, } | { "stage": "retrying", index: number, because: string, } | { "stage": "finished", index: number, ok: boolean, };

export type MediaSize = { name: string, width: number, height: number, url: string, };

export type Media = { id: number, title: string, alt_text: string, 
/**
 * The caption as typed (no HTML added).
 */
caption: string, description: string, mime_type: string, 
/**
 * The file as stored (the original upload, or WordPress's `-scaled` copy of a big photo).
 */
source_url: string, 
/**
 * The item's own page on the site.
 */
link: string | null, 
/**
 * Where to edit it in wp-admin.
 */
edit_link: string, width: number | null, height: number | null, 
/**
 * Bytes stored, as WordPress reports them (6.0 and later).
 */
file_size: number | null, 
/**
 * The sizes WordPress made (thumbnail, medium, large, …).
 */
sizes: Array<MediaSize>, };

export type DraftPostCreated = { id: number, title: string, 
/**
 * Where to go on writing it in wp-admin.
 */
edit_link: string, 
/**
 * Its preview address on the site.
 */
link: string | null, };

export type UploadResultView = { files: Array<UploadedView>, post: { Ok : DraftPostCreated } | { Err : IpcError } | null, cancelled: boolean, uploaded: number, failed: number, };

export type UploadedView = { stagedId: string, name: string, locationRemoved: Array<string>, media: Media | null, error: IpcError | null, };
