//! WP Connect's desktop shell: a window over `wpconnect-core`. Commands (in [`commands`]) only
//! translate between the page and the core; errors cross as [`error::IpcError`]
//! `{kind, message, hint}`; secrets never cross at all.
//!
//! Single-instance is registered first, then deep-link: a second launch carrying a
//! `wpconnect://auth/callback?...` URL (the way the operating system opens the app's scheme) hands
//! it to the running instance, whose [`CallbackInbox`] gives it to the sign-in waiting for it.

mod commands;
pub mod error;

use std::sync::Arc;

use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;
use wpconnect_core::app_passwords::CallbackInbox;
use wpconnect_core::session::Connect;
use wpconnect_core::store::{AccountsFile, KeyringStore, SecretStore};
use wpconnect_core::HttpOptions;

/// What the commands share.
pub struct AppState {
    pub connect: Connect,
    pub inbox: Arc<CallbackInbox>,
}

fn deliver(inbox: &CallbackInbox, urls: impl IntoIterator<Item = url::Url>) {
    for url in urls {
        if url.scheme() == "wpconnect" {
            let taken = inbox.deliver(&url);
            tracing::info!(taken, "a wpconnect: address arrived");
        }
    }
}

pub fn run() {
    let inbox = Arc::new(CallbackInbox::new());
    let accounts = AccountsFile::default_location().unwrap_or_else(|_| AccountsFile::at(std::env::temp_dir().join("wpconnect-accounts.json")));
    let keyring = KeyringStore::open().map(|k| Arc::new(k) as Arc<dyn SecretStore>);
    let state = AppState { connect: Connect::new(HttpOptions::default(), accounts, keyring), inbox: inbox.clone() };
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
        .manage(state)
        .setup(move |app| {
            let on_open = inbox.clone();
            app.deep_link().on_open_url(move |event| deliver(&on_open, event.urls()));
            if let Ok(Some(urls)) = app.deep_link().get_current() {
                deliver(&inbox, urls);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::app_info, commands::sign_in_app_password, commands::sign_out])
        .run(tauri::generate_context!())
        .expect("WP Connect could not start its window");
}
