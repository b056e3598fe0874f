//! Thin commands: check, delegate to the core, return typed results or an `IpcError`.
//! Every decision about the protocol is the core's; these translate and nothing more.

use std::time::Duration;

use tauri::ipc::Channel;
use tauri::State;
use url::Url;
use wpconnect_core::browser::SystemBrowser;
use wpconnect_core::doctor::{Doctor, DoctorRequest, Progress as DoctorNews};
use wpconnect_core::oauth1::Consumer;
use wpconnect_core::present::device_name;
use wpconnect_core::session::{OAuth2Client, SignInOptions};
use wpconnect_core::signin::{ComesBack, Credentials, Interaction, Way};
use wpconnect_core::store::Storage;
use wpconnect_core::{Discovered, Error};

use crate::error::IpcError;
use crate::models::*;
use crate::AppState;

type Answer<T> = Result<T, IpcError>;

#[tauri::command]
pub fn app_info() -> Answer<AppInfo> {
    Ok(AppInfo {
        name: "WP Connect",
        version: env!("CARGO_PKG_VERSION"),
        core_version: wpconnect_core::VERSION,
    })
}

/// Find the site's REST API, what it is and how to sign in to it.
#[tauri::command]
pub async fn discover(state: State<'_, AppState>, address: String) -> Answer<SiteView> {
    let found = state.discoverer.discover(&address).await?;
    let view = SiteView::new(&address, &found, found.local());
    state.sites.lock().expect("not poisoned").insert(address, found);
    Ok(view)
}

/// The site discovered for `address` (again, if it was not this session).
async fn site_for(state: &AppState, address: &str) -> Result<Discovered, Error> {
    let known = state.sites.lock().expect("not poisoned").get(address).cloned();
    match known {
        Some(d) => Ok(d),
        None => state.discoverer.discover(address).await,
    }
}

#[tauri::command]
pub fn accounts(state: State<'_, AppState>) -> Answer<Vec<AccountView>> {
    account_views(&state.connect)
}

fn account_views(connect: &wpconnect_core::session::Connect) -> Answer<Vec<AccountView>> {
    Ok(connect.accounts()?.iter().map(AccountView::from).collect())
}

/// The script that gives the page, before its first paint, what the `accounts` command would:
/// `window.__WPCONNECT_BOOT__ = {accounts}` or `{error}` (JSON is a JavaScript expression).
pub fn boot_script(connect: &wpconnect_core::session::Connect) -> String {
    // Serialized directly (not through `Value`, which would sort the keys): the page compares it
    // with the command's answer as text.
    let info = json(&app_info().expect("app_info does not fail"));
    let boot = match account_views(connect) {
        Ok(accounts) => format!("{{\"appInfo\":{info},\"accounts\":{}}}", json(&accounts)),
        Err(error) => format!("{{\"appInfo\":{info},\"error\":{}}}", json(&error)),
    };
    format!("window.__WPCONNECT_BOOT__ = {boot};")
}

/// The page's start-up data when the app cannot start: the reason, and nothing else to do.
pub fn start_error_script(e: wpconnect_core::Error) -> String {
    let info = json(&app_info().expect("app_info does not fail"));
    format!(
        "window.__WPCONNECT_BOOT__ = {{\"appInfo\":{info},\"startError\":{}}};",
        json(&IpcError::from(e))
    )
}

/// Profile, site and session of one account, read from the site now.
#[tauri::command]
pub async fn account_details(
    state: State<'_, AppState>,
    account_id: String,
) -> Answer<AccountDetails> {
    let me = state.connect.me(&account_id).await?;
    Ok(AccountDetails::new(&state.connect.account(&account_id)?, &me))
}

/// Sign in the way the person chose. Progress (the address the browser was sent to) goes to
/// `progress`; the answer is the account, never a token.
#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    request: SignInRequest,
    progress: Channel<Progress>,
) -> Answer<SignedInView> {
    let site = site_for(&state, &request.address).await?;
    let settings = state.settings.load()?;
    let timeout = Duration::from_secs(settings.sign_in_timeout_secs);
    let opts = SignInOptions {
        storage: if request.session_only { Storage::Session } else { Storage::Keyring },
        timeout,
        allow_plain_http: request.allow_plain_http,
    };
    let with = credentials(request, &settings)?;
    let tell = |p: Progress| {
        let _ = progress.send(p);
    };
    if with.way() == Way::Password {
        tell(Progress::Finishing);
    }
    let cancel = state.signing_in.begin();
    let waiting = |url: &Url, back: ComesBack<'_>| {
        let waiting_on = match back {
            ComesBack::To(r) => r.to_string(),
            ComesBack::AppLink => "this app's wpconnect: link".into(),
            ComesBack::TypedCode => String::new(),
        };
        tell(Progress::Browser {
            url: url.to_string(),
            waiting_on,
            timeout_secs: timeout.as_secs(),
        });
    };
    let no_code = || Err(missing("the verification code"));
    let ui = Interaction {
        browser: &SystemBrowser,
        cancel: &cancel,
        inbox: Some(&state.inbox),
        waiting: &waiting,
        code: &no_code,
    };
    let done = state.connect.sign_in(&site, with, opts, ui).await;
    state.signing_in.end(&cancel);
    let done = done?;
    tracing::info!(account = %done.account.id, method = done.account.method.label(), "signed in");
    Ok((&done).into())
}

fn missing(what: &str) -> Error {
    Error::InvalidInput {
        what: format!("To sign in this way, {what} is needed"),
        reason: "fill it in and try again".into(),
    }
}

fn required(v: Option<String>, what: &str) -> Result<String, Error> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).ok_or_else(|| missing(what))
}

/// What the page sent, as the core's credentials for the chosen way (the one place the shell
/// maps its input).
fn credentials(
    r: SignInRequest,
    settings: &wpconnect_core::settings::Settings,
) -> Result<Credentials, Error> {
    Ok(match r.way {
        Way::AppPassword => Credentials::AppPassword { device: device_name() },
        Way::AppPasswordPaste => Credentials::AppPasswordPaste {
            username: required(r.username, "your WordPress username")?,
            password: r.password.ok_or_else(|| missing("the Application Password"))?,
        },
        Way::Oauth2 => Credentials::Oauth2(oauth2_client(&r, settings)?),
        Way::WordpressCom => Credentials::WordpressCom(oauth2_client(&r, settings)?),
        Way::Password => Credentials::Password {
            client: oauth2_client(&r, settings)?,
            username: required(r.username, "your username")?,
            password: r.password.ok_or_else(|| missing("your password"))?,
        },
        Way::Oauth1 => Credentials::Oauth1 {
            consumer: Consumer {
                key: required(r.consumer_key, "the consumer key")?,
                secret: r.consumer_secret.ok_or_else(|| missing("the consumer secret"))?,
            },
            callback_port: Some(
                r.redirect_port
                    .ok_or_else(|| missing("the callback port registered with the application"))?,
            ),
        },
    })
}

fn oauth2_client(
    r: &SignInRequest,
    settings: &wpconnect_core::settings::Settings,
) -> Result<OAuth2Client, Error> {
    let wpcom = r.way == Way::WordpressCom;
    let client_id = r.client_id.clone().filter(|c| !c.trim().is_empty()).or_else(|| {
        if wpcom {
            settings.wpcom_client_id.clone()
        } else {
            None
        }
    });
    let redirect_ports = match (r.redirect_port, wpcom) {
        (Some(p), _) => vec![p],
        (None, true) => settings.wpcom_redirect_port.into_iter().collect(),
        (None, false) => settings.redirect_ports.clone(),
    };
    Ok(OAuth2Client {
        client_id: required(client_id, "the client ID")?,
        client_secret: r.client_secret.clone().filter(|s| !s.expose().is_empty()),
        redirect_ports,
        scope: None,
    })
}

/// Stop the sign-in that is waiting for the browser.
#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) -> Answer<bool> {
    Ok(state.signing_in.cancel())
}

/// Refresh the account's tokens now.
#[tauri::command]
pub async fn refresh(state: State<'_, AppState>, account_id: String) -> Answer<AccountView> {
    let account = state.connect.account(&account_id)?;
    state.connect.refresh(&account_id, account.expires_at).await?;
    Ok((&state.connect.account(&account_id)?).into())
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>, account_id: String) -> Answer<SignedOutView> {
    let out = state.connect.sign_out(&account_id).await?;
    tracing::info!(account = %account_id, revoked = out.revoked, "signed out");
    Ok(SignedOutView { revoked: out.revoked, note: out.revoke_problem })
}

/// Open the account's site in the person's browser.
#[tauri::command]
pub fn open_site(state: State<'_, AppState>, account_id: String) -> Answer<()> {
    use wpconnect_core::browser::Browser;
    let account = state.connect.account(&account_id)?;
    Ok(SystemBrowser.open(&account.site_url)?)
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Answer<SettingsView> {
    Ok(SettingsView::new(&state.settings.load()?, &state.log_dir))
}

#[tauri::command]
pub fn save_settings(state: State<'_, AppState>, settings: SettingsView) -> Answer<SettingsView> {
    let s = settings.into_settings();
    state.settings.save(&s)?;
    crate::logging::set_level(s.log_level);
    Ok(SettingsView::new(&s, &state.log_dir))
}

/// Zoom the page (the page's Ctrl+= / Ctrl+- / Ctrl+0): the webview's own zoom, so the text grows
/// and the layout reflows as at the system's scaling. Returns the factor in use (50 % to 300 %).
#[tauri::command]
pub fn set_zoom(webview: tauri::Webview, factor: f64) -> Answer<f64> {
    let factor = if factor.is_finite() { factor.clamp(0.5, 3.0) } else { 1.0 };
    webview.set_zoom(factor).map_err(|e| IpcError {
        kind: "internal".into(),
        message: format!("The page could not be zoomed ({e})."),
        hint: "Use the system's display scaling instead.".into(),
    })?;
    Ok(factor)
}

/// The diagnostic report (Settings, "Copy diagnostic report"): text with no secret in it, for
/// the person to read, then paste to whoever helps them.
#[tauri::command]
pub async fn diagnostic_report(state: State<'_, AppState>) -> Answer<String> {
    let log = state.log_dir.join(wpconnect_core::store::LOG_FILE);
    let report = wpconnect_core::report::build(wpconnect_core::report::ReportInputs {
        program: format!("WP Connect {}", env!("CARGO_PKG_VERSION")),
        connect: &state.connect,
        settings: state.settings.load(),
        log_file: Some(&log),
        discovery: wpconnect_core::DiscoveryOptions {
            http: wpconnect_core::HttpOptions::from_environment(),
            ..Default::default()
        },
        check_sites: true,
    })
    .await;
    Ok(report.to_text())
}

/// Show the log folder in the file manager; returns its path.
#[tauri::command]
pub fn reveal_logs(state: State<'_, AppState>) -> Answer<String> {
    std::fs::create_dir_all(&state.log_dir)
        .map_err(|e| Error::ConfigFile { path: state.log_dir.clone(), detail: e.to_string() })?;
    wpconnect_core::browser::open_folder(&state.log_dir)?;
    Ok(state.log_dir.display().to_string())
}

/// The configuration doctor: every check that applies, each settled one sent to `progress`; the
/// report (the same document as `wpconnect doctor --json`, with no secret in it).
#[tauri::command]
pub async fn check_configuration(
    state: State<'_, AppState>,
    request: DoctorRequestView,
    progress: Channel<DoctorProgress>,
) -> Answer<ReportView> {
    let redirect_uri = match given(request.redirect_uri) {
        Some(u) => Some(Url::parse(&u).map_err(|e| Error::InvalidInput {
            what: format!("The redirect URI \"{u}\""),
            reason: e.to_string(),
        })?),
        None => None,
    };
    let settings = state.settings.load()?;
    let req = DoctorRequest {
        client_id: given(request.client_id),
        redirect_uri,
        consumer_key: given(request.consumer_key),
        client_secret: request.client_secret.filter(|s| !s.expose().is_empty()),
        consumer_secret: request.consumer_secret.filter(|s| !s.expose().is_empty()),
        live: request.live,
        wait: Duration::from_secs(settings.sign_in_timeout_secs),
        face: wpconnect_core::Face::Desktop,
        ..DoctorRequest::new(request.address.trim())
    };
    let cancel = state.signing_in.begin();
    let tell = move |p: DoctorNews| {
        let _ = progress.send(match p {
            DoctorNews::Finished(check) => DoctorProgress::Check { check },
            DoctorNews::SignIn { url, redirect_uri } => DoctorProgress::Browser {
                url: url.to_string(),
                waiting_on: redirect_uri.to_string(),
            },
        });
    };
    let discovery = wpconnect_core::DiscoveryOptions {
        http: wpconnect_core::HttpOptions::from_environment(),
        ..Default::default()
    };
    let report = Doctor::new(discovery).run(&req, &SystemBrowser, &cancel, &tell).await;
    state.signing_in.end(&cancel);
    tracing::info!(site = %report.site, summary = %report.summary_line(), "configuration checked");
    Ok(ReportView { summary_line: report.summary_line(), report })
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serializes")
}

/// A photo from the page (the request's body is its bytes; the `x-file-name` header its name,
/// percent-encoded), kept privately until it is uploaded.
#[tauri::command]
pub fn stage_upload(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Answer<StagedView> {
    let unreadable = |what: &str| Error::InvalidInput {
        what: "The photo".into(),
        reason: format!("its {what} did not arrive; add it again"),
    };
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(unreadable("bytes").into());
    };
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .ok_or_else(|| unreadable("name"))?;
    let staged_id = state.staging.stage(&name, bytes)?;
    Ok(StagedView { staged_id, name, bytes: bytes.len() as u64 })
}

/// What the person typed in an optional field: trimmed, and nothing when it is blank.
fn given(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("n={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Upload staged photos to the account's media library; each step sent to `progress`. Uploaded
/// photos leave the staging folder; failed ones stay, for a retry.
#[tauri::command]
pub async fn upload(
    state: State<'_, AppState>,
    request: UploadRequestView,
    progress: Channel<UploadNews>,
) -> Answer<UploadResultView> {
    use wpconnect_core::upload::{DraftPost, PostLayout, UploadFile, UploadOptions};
    let mut files = Vec::with_capacity(request.files.len());
    for f in &request.files {
        let mut u = UploadFile::new(state.staging.path(&f.staged_id)?);
        u.meta.alt_text = given(f.alt_text.clone());
        u.meta.title = given(f.title.clone());
        u.meta.caption = given(f.caption.clone());
        files.push(u);
    }
    let opts = UploadOptions {
        keep_location: request.keep_location,
        draft_post: given(request.draft_post)
            .map(|title| DraftPost { title, layout: PostLayout::Gallery }),
        ..Default::default()
    };
    let cancel = state.uploading.begin();
    let tell = move |e| {
        let _ = progress.send(UploadNews::from(e));
    };
    let report = state.connect.upload(&request.account_id, files, opts, &tell, &cancel).await;
    state.uploading.end(&cancel);
    let report = report?;
    let views = report
        .files
        .iter()
        .zip(&request.files)
        .map(|(f, asked)| {
            if f.outcome.is_ok() {
                state.staging.remove(&asked.staged_id);
            }
            UploadedView {
                staged_id: asked.staged_id.clone(),
                name: f.name.clone(),
                location_removed: f.location_removed.clone(),
                media: f.outcome.as_ref().ok().cloned(),
                error: f.outcome.as_ref().err().cloned().map(IpcError::from),
            }
        })
        .collect();
    tracing::info!(uploaded = report.uploaded(), failed = report.failed(), "upload finished");
    Ok(UploadResultView {
        uploaded: report.uploaded(),
        failed: report.failed(),
        cancelled: report.cancelled,
        post: report.post.map(|p| p.map_err(IpcError::from)),
        files: views,
    })
}

#[tauri::command]
pub fn cancel_upload(state: State<'_, AppState>) -> Answer<bool> {
    Ok(state.uploading.cancel())
}

/// Open a page of the account's site (an uploaded photo's wp-admin page, say) in the browser:
/// only addresses on the site itself.
#[tauri::command]
pub fn open_on_site(state: State<'_, AppState>, account_id: String, url: String) -> Answer<()> {
    let account = state.connect.account(&account_id)?;
    let url = Url::parse(&url)
        .ok()
        .filter(|u| wpconnect_core::http::same_origin(u, &account.site_url))
        .ok_or_else(|| Error::InvalidInput {
            what: format!("The address {url}"),
            reason: format!("it is not on {}", account.site_url),
        })?;
    use wpconnect_core::browser::Browser;
    Ok(SystemBrowser.open(&url)?)
}
