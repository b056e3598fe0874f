//! WP Connect's desktop shell: a window over `wpconnect-core`. Commands (in [`commands`]) only
//! translate between the page and the core; what crosses is in [`models`]; errors cross as
//! [`error::IpcError`] `{kind, message, hint}`; secrets never cross out at all.
//!
//! Single-instance is registered first, then deep-link: a second launch carrying a
//! `wpconnect://auth/callback?...` URL (the way the operating system opens the app's scheme) hands
//! it to the running instance, whose [`CallbackInbox`] gives it to the sign-in waiting for it.
//! The window's size and place are remembered (window-state plugin); logs go to the platform's
//! log directory, redacted ([`logging`]).

// The core's one Error is large by design (it carries what the person needs to read).
#![allow(clippy::result_large_err)]

#[cfg(test)]
mod bindings;
mod commands;
pub mod error;
mod logging;
mod models;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;
use wpconnect_core::app_passwords::CallbackInbox;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::session::Connect;
use wpconnect_core::settings::SettingsFile;
use wpconnect_core::store::{AccountsFile, LazyKeyring, SecretStore};
use wpconnect_core::{Discovered, Discoverer, HttpOptions};

/// What the commands share.
pub struct AppState {
    pub connect: Connect,
    pub discoverer: Discoverer,
    pub inbox: Arc<CallbackInbox>,
    /// Sites discovered this session, by the address typed.
    pub sites: Mutex<HashMap<String, Discovered>>,
    pub settings: SettingsFile,
    pub log_dir: PathBuf,
    /// The sign-in waiting on the browser, to cancel.
    pub signing_in: Running,
    /// Photos from the page, kept until they are uploaded.
    pub staging: wpconnect_core::upload::Staging,
    /// The upload under way, to cancel.
    pub uploading: Running,
}

/// The one operation of a kind under way (a sign-in waiting on the browser, an upload), to cancel.
/// Beginning a new one cancels the one before.
#[derive(Default)]
pub struct Running(Mutex<Option<Cancel>>);

impl Running {
    pub fn begin(&self) -> Cancel {
        let cancel = Cancel::new();
        if let Some(old) = self.0.lock().expect("not poisoned").replace(cancel.clone()) {
            old.cancel();
        }
        cancel
    }

    /// `cancel`'s operation is over (a newer one, if any, stays).
    pub fn end(&self, cancel: &Cancel) {
        let mut current = self.0.lock().expect("not poisoned");
        if current.as_ref().is_some_and(|c| c.same(cancel)) {
            *current = None;
        }
    }

    /// Cancel what is under way; false when nothing was.
    pub fn cancel(&self) -> bool {
        self.0.lock().expect("not poisoned").take().map(|c| c.cancel()).is_some()
    }
}

fn deliver(inbox: &CallbackInbox, urls: impl IntoIterator<Item = url::Url>) {
    for url in urls {
        if url.scheme() == "wpconnect" {
            let taken = inbox.deliver(&url);
            tracing::info!(taken, "a wpconnect: address arrived");
        }
    }
}

/// Where settings, logs and the accounts list live: the system's folders for this user (or
/// `WPCONNECT_CONFIG_DIR` / `WPCONNECT_LOG_DIR`), never a shared temporary folder.
fn files(
    app: &tauri::App,
) -> Result<(SettingsFile, PathBuf, AccountsFile, PathBuf), wpconnect_core::Error> {
    let settings = SettingsFile::default_location()?;
    let staging = wpconnect_core::store::config_dir()?.join("upload-staging");
    let accounts = AccountsFile::default_location()?;
    let log_dir = wpconnect_core::store::chosen_dir("WPCONNECT_LOG_DIR", "logs", || {
        app.path().app_log_dir().ok()
    })?;
    Ok((settings, log_dir, accounts, staging))
}

pub fn run() {
    let started = std::time::Instant::now();
    let inbox = Arc::new(CallbackInbox::new());
    let from_second = inbox.clone();
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(move |app, argv, _cwd| {
            // The deep-link feature forwards URLs to the deep-link plugin; the rest of argv is
            // read here too, so a URL reaches the inbox however the second launch passed it.
            deliver(&from_second, argv.iter().filter_map(|a| url::Url::parse(a).ok()));
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .setup(move |app| {
            let config = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .cloned()
                .expect("tauri.conf.json has the main window");
            let (settings, log_dir, accounts, staging) = match files(app) {
                Ok(found) => found,
                Err(e) => {
                    // Nowhere private to keep settings, logs or the accounts list: say so in the
                    // window instead of using a shared temporary folder.
                    eprintln!(
                        "WP Connect cannot start: {e} {}",
                        e.hint_for(wpconnect_core::Face::Desktop)
                    );
                    let boot = commands::start_error_script(e);
                    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                        .initialization_script(&boot)
                        .build()?;
                    return Ok(());
                }
            };
            logging::init(&log_dir, settings.load().map(|s| s.log_level).unwrap_or_default());
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                plugins_ms = started.elapsed().as_millis(),
                "WP Connect started"
            );
            // Connected on first use: showing the accounts needs no keyring.
            let keyring: Arc<dyn SecretStore> = Arc::new(LazyKeyring::new());
            let connect = Connect::new(HttpOptions::from_environment(), accounts, Ok(keyring));
            // The window is made here (not from the config) to hand the page what its first screen
            // shows, so the first paint needs no round trip. Nothing secret is in it.
            let boot = commands::boot_script(&connect);
            let setup_ms = started.elapsed().as_millis();
            tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                .initialization_script(&boot)
                .build()?;
            tracing::info!(setup_ms, window_ms = started.elapsed().as_millis(), "window created");
            app.manage(AppState {
                connect,
                discoverer: Discoverer::new(wpconnect_core::DiscoveryOptions {
                    http: HttpOptions::from_environment(),
                    ..Default::default()
                }),
                inbox: inbox.clone(),
                sites: Mutex::new(HashMap::new()),
                settings,
                log_dir,
                signing_in: Running::default(),
                staging: wpconnect_core::upload::Staging::new(staging),
                uploading: Running::default(),
            });
            // A sign-in the app was killed in the middle of may have left secrets in the
            // keyring for an account never written: end them (on the site too) in the background.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                if let Some(id) = handle.state::<AppState>().connect.finish_interrupted().await {
                    tracing::info!(account = %id, "an interrupted sign-in was cleaned up");
                }
            });
            // The `wpconnect:` scheme: Linux packages declare it in the .desktop file, macOS in
            // the bundle's Info.plist (both from tauri.conf.json), Windows installers in the
            // registry; a Windows copy run without its installer registers it for this user here.
            #[cfg(windows)]
            if let Err(e) = app.deep_link().register_all() {
                tracing::warn!(error = %e, "the wpconnect: scheme could not be registered");
            }
            let on_open = inbox.clone();
            app.deep_link().on_open_url(move |event| deliver(&on_open, event.urls()));
            if let Ok(Some(urls)) = app.deep_link().get_current() {
                deliver(&inbox, urls);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::discover,
            commands::accounts,
            commands::account_details,
            commands::sign_in,
            commands::cancel_sign_in,
            commands::refresh,
            commands::sign_out,
            commands::open_site,
            commands::get_settings,
            commands::save_settings,
            commands::reveal_logs,
            commands::check_configuration,
            commands::stage_upload,
            commands::upload,
            commands::cancel_upload,
            commands::open_on_site,
            commands::set_zoom,
            commands::diagnostic_report,
        ])
        .run(tauri::generate_context!())
        .expect("WP Connect could not start its window");
}
