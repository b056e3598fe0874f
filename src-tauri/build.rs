fn main() {
    // App commands go through Tauri's permission system like plugin commands do.
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["app_info"])),
    )
    .expect("tauri build step");
}
