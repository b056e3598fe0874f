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
    let core = env!("CARGO_PKG_VERSION"); // one workspace version for every crate
    let line = app
        .wait_for_text("[data-testid=core-version]", Duration::from_secs(20), |t| t != "Starting…")
        .await;
    assert_eq!(line, format!("WP Connect {core} · core {core}"), "the page got its answer from the core");
    assert!(app.text("[data-testid=no-accounts]").await.contains("No sites yet"), "a first launch says what to do");
    assert_eq!(app.text(".brand").await, "WP Connect");
    let shot = app.screenshot("01-start").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000, "a real picture of the window");
    app.close().await;
}
