//! The Debian package the test command builds (`npx tauri bundle --bundles deb`), unpacked under
//! `tests/.state/deb`: what it installs is right (the binary, icons, a desktop entry that opens
//! `wpconnect:` addresses, the WebKit dependency), and the packaged (release) app starts and
//! shows its first screen.

use std::path::PathBuf;
use std::time::Duration;

use wpconnect_gui_tests::App;

fn package_dir() -> Option<PathBuf> {
    match std::env::var_os("WPCONNECT_PACKAGE_DIR") {
        Some(d) => Some(PathBuf::from(d)),
        None if std::env::var_os("WPCONNECT_TEST_COMMAND").is_some() => {
            panic!("WPCONNECT_PACKAGE_DIR is not set: scripts/test.sh builds and unpacks the .deb")
        }
        None => {
            eprintln!("\n*** SKIPPED: the package test needs the .deb; run scripts/test.sh ***\n");
            None
        }
    }
}

#[tokio::test]
async fn the_debian_package_installs_a_working_app_that_opens_its_links() {
    let Some(dir) = package_dir() else { return };
    let control =
        std::fs::read_to_string(dir.join("DEBIAN/control")).expect("the package's control file");
    assert!(control.contains("Package: wp-connect"), "{control}");
    assert!(control.contains("libwebkit2gtk-4.1-0"), "depends on the WebKit it needs: {control}");
    let entry = std::fs::read_to_string(dir.join("usr/share/applications/WP Connect.desktop"))
        .expect("a desktop entry");
    assert!(
        entry.lines().any(|l| l == "Exec=wpconnect-desktop %u"),
        "the entry passes the opened address on: {entry}"
    );
    assert!(
        entry
            .lines()
            .any(|l| l.starts_with("MimeType=") && l.contains("x-scheme-handler/wpconnect")),
        "{entry}"
    );
    for size in ["32x32", "128x128", "512x512"] {
        let icon = dir.join(format!("usr/share/icons/hicolor/{size}/apps/wpconnect-desktop.png"));
        assert!(
            std::fs::read(&icon).is_ok_and(|b| b.starts_with(b"\x89PNG")),
            "{}",
            icon.display()
        );
    }
    let bin = dir.join("usr/bin/wpconnect-desktop");
    let size = std::fs::metadata(&bin).expect("the app binary").len();
    assert!(size < 40 * 1024 * 1024, "a release build ({size} bytes)");

    let config = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let (c, l) = (config.path().display().to_string(), logs.path().display().to_string());
    let app = App::launch(
        &bin,
        &[("WPCONNECT_CONFIG_DIR", c.as_str()), ("WPCONNECT_LOG_DIR", l.as_str())],
    )
    .await;
    app.wait_for("[data-testid=no-accounts]", Duration::from_secs(30)).await;
    let version = env!("CARGO_PKG_VERSION");
    let line = app
        .wait_for_text("[data-testid=core-version]", Duration::from_secs(20), |t| t != "Starting…")
        .await;
    assert_eq!(line, format!("WP Connect {version} · core {version}"));
    app.close().await;
    assert!(
        std::fs::read_to_string(logs.path().join("wpconnect.log"))
            .unwrap_or_default()
            .contains("WP Connect started"),
        "logs where it is told"
    );
}
