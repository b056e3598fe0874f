//! Thin commands: check, delegate to the core, return typed results or an `IpcError`.

use serde::Serialize;

use crate::error::IpcError;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    name: &'static str,
    version: &'static str,
    core_version: &'static str,
}

#[tauri::command]
pub fn app_info() -> Result<AppInfo, IpcError> {
    Ok(AppInfo { name: "WP Connect", version: env!("CARGO_PKG_VERSION"), core_version: wpconnect_core::VERSION })
}

/// What the page sees of a sign-in: who, where, how. Never a token.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedInView {
    account_id: String,
    site_name: String,
    username: String,
    display_name: String,
    method: &'static str,
    stored_in: String,
}

/// Sign in with an Application Password approved in the person's browser; WordPress's answer
/// comes back through the app's `wpconnect:` URL scheme.
#[tauri::command]
pub async fn sign_in_app_password(state: tauri::State<'_, crate::AppState>, address: String) -> Result<SignedInView, IpcError> {
    use wpconnect_core::browser::SystemBrowser;
    use wpconnect_core::loopback::Cancel;
    use wpconnect_core::session::SignInOptions;
    let site = wpconnect_core::Discoverer::new(Default::default()).discover(&address).await?;
    let device = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "this computer".into());
    let site_url = url::Url::parse(&site.site.url).unwrap_or_else(|_| site.answered_at.clone());
    // Local sites answer on the loopback (every WordPress version); others through our URL scheme.
    let done = if wpconnect_core::app_passwords::loopback_possible(&site_url) {
        state.connect.sign_in_app_password_browser(&site, &device, SignInOptions::default(), &SystemBrowser, &Cancel::new(), |_, _| {}).await?
    } else {
        state
            .connect
            .sign_in_app_password_scheme(&site, &device, SignInOptions::default(), &SystemBrowser, &Cancel::new(), &state.inbox, |_| {})
            .await?
    };
    Ok(SignedInView {
        account_id: done.account.id,
        site_name: done.account.site_name,
        username: done.profile.username,
        display_name: done.profile.display_name,
        method: done.account.method.label(),
        stored_in: done.stored_in,
    })
}

/// What signing out did, for the page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedOutView {
    revoked: bool,
    note: Option<String>,
}

#[tauri::command]
pub async fn sign_out(state: tauri::State<'_, crate::AppState>, account_id: String) -> Result<SignedOutView, IpcError> {
    let out = state.connect.sign_out(&account_id).await?;
    Ok(SignedOutView { revoked: out.revoked, note: out.revoke_problem })
}
