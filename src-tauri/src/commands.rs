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
