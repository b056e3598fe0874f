/// Every app command; each has an `allow-<name>` permission the main window's capability grants.
const COMMANDS: &[&str] = &[
    "app_info",
    "discover",
    "accounts",
    "account_details",
    "sign_in",
    "cancel_sign_in",
    "refresh",
    "sign_out",
    "open_site",
    "get_settings",
    "save_settings",
    "reveal_logs",
    "check_configuration",
    "stage_upload",
    "upload",
    "cancel_upload",
    "open_on_site",
    "set_zoom",
    "diagnostic_report",
];

fn main() {
    // App commands go through Tauri's permission system like plugin commands do.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
