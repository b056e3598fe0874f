fn main() {
    // App commands go through Tauri's permission system like plugin commands do.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["app_info", "sign_in_app_password", "sign_out"])),
    )
    .expect("tauri build step");
}
