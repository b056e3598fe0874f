//! WP Connect's desktop shell: a window over `wpconnect-core`. Commands (in [`commands`]) only
//! translate between the page and the core; errors cross as [`error::IpcError`]
//! `{kind, message, hint}`; secrets never cross at all.

mod commands;
pub mod error;

pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!())
        .expect("WP Connect could not start its window");
}
