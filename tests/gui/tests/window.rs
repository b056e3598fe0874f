//! The desktop window starts and shows the core it runs on.

use std::time::Duration;

use wpconnect_gui_tests::{app_under_test, App};

#[tokio::test]
async fn window_starts_and_shows_the_core_version() {
    let Some(bin) = app_under_test() else { return };
    let config = tempfile::tempdir().unwrap();
    let c = config.path().display().to_string();
    let app = App::launch(&bin, &[("WPCONNECT_CONFIG_DIR", c.as_str())]).await;
    assert_eq!(app.title().await, "WP Connect");
    // What the installer calls the app, and the core library's version: read from the manifests,
    // not from a constant compiled into this test.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("src-tauri/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let app_version =
        conf["version"].as_str().expect("tauri.conf.json names a version").to_string();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let workspace_package =
        manifest.split("[workspace.package]").nth(1).expect("[workspace.package]");
    let core_version = workspace_package
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .expect("a workspace version")
        .trim_matches('"');
    let line = app
        .wait_for_text("[data-testid=core-version]", Duration::from_secs(20), |t| t != "Starting…")
        .await;
    assert_eq!(
        line,
        format!("WP Connect {app_version} · core {core_version}"),
        "the page got its answer from the core"
    );
    assert!(
        app.text("[data-testid=no-accounts]").await.contains("No sites yet"),
        "a first launch says what to do"
    );
    assert_eq!(app.text(".brand").await, "WP Connect");
    let shot = app.screenshot("01-start").await;
    app.assert_picture_of_the_page(&shot).await;
    app.close().await;
}

/// With nowhere private to keep its files, the app says so in its window (and does not fall back
/// to a shared temporary folder, where another user could read or replace them).
#[tokio::test]
async fn without_a_folder_of_its_own_the_window_says_why_it_cannot_start() {
    let Some(bin) = app_under_test() else { return };
    let app = App::launch(&bin, &[("WPCONNECT_CONFIG_DIR", "relative/folder")]).await;
    let heading = app
        .wait_for_text("[data-testid=cannot-start]", Duration::from_secs(20), |t| !t.is_empty())
        .await;
    assert_eq!(heading, "WP Connect cannot start");
    assert_eq!(
        app.text("[data-testid=error-message]").await,
        "WP Connect has nowhere to keep its settings and accounts list: WPCONNECT_CONFIG_DIR is \
         \"relative/folder\", which is not an absolute folder."
    );
    assert!(app
        .text("[data-testid=error-hint]")
        .await
        .contains("does not fall back to a shared temporary folder"));
    assert!(!app.exists("header nav").await, "nothing else to do until it can start");
    assert!(!std::path::Path::new("relative/folder").exists(), "nothing was written anywhere");
    app.close().await;
}
