//! The Debian and RPM packages the test command builds (`npx tauri bundle --bundles deb,rpm`),
//! unpacked under `tests/.state/{deb,rpm}`: what they install is right (the app, the `wpconnect`
//! command line with its manual pages and shell completions, icons, a desktop entry that opens
//! `wpconnect:` addresses, the WebKit dependency), the packaged (release) app starts and shows its
//! first screen, and the packaged (release) CLI keeps its conventions.

use std::path::{Path, PathBuf};
use std::time::Duration;

use wpconnect_gui_tests::App;

fn unpacked(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(d) => Some(PathBuf::from(d)),
        None if std::env::var_os("WPCONNECT_TEST_COMMAND").is_some() => {
            panic!("{var} is not set: scripts/test.sh builds and unpacks the packages")
        }
        None => {
            eprintln!(
                "\n*** SKIPPED: the package tests need the packages; run scripts/test.sh ***\n"
            );
            None
        }
    }
}

fn package_dir() -> Option<PathBuf> {
    unpacked("WPCONNECT_PACKAGE_DIR")
}

/// What both packages install: the app's entry and icons, and the command line with its manual
/// and completions; the packaged (release-built) CLI runs and keeps its conventions.
fn installs_the_app_and_the_command_line(dir: &Path, zsh_completions: &str) {
    let entry = std::fs::read_to_string(dir.join("usr/share/applications/WP Connect.desktop"))
        .expect("a desktop entry");
    assert!(entry.lines().any(|l| l == "Exec=wpconnect-desktop %u"), "{entry}");
    assert!(
        entry
            .lines()
            .any(|l| l.starts_with("MimeType=") && l.contains("x-scheme-handler/wpconnect")),
        "the entry opens wpconnect: addresses: {entry}"
    );
    for size in ["32x32", "128x128", "512x512"] {
        let icon = dir.join(format!("usr/share/icons/hicolor/{size}/apps/wpconnect-desktop.png"));
        assert!(
            std::fs::read(&icon).is_ok_and(|b| b.starts_with(b"\x89PNG")),
            "{}",
            icon.display()
        );
    }
    let man = dir.join("usr/share/man/man1");
    for page in ["wpconnect.1.gz", "wpconnect-login.1.gz", "wpconnect-doctor.1.gz"] {
        let bytes = std::fs::read(man.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(bytes.starts_with(&[0x1f, 0x8b]), "{page} is gzipped");
    }
    for (file, marker) in [
        ("usr/share/bash-completion/completions/wpconnect", "_wpconnect()"),
        (zsh_completions, "#compdef wpconnect"),
        ("usr/share/fish/vendor_completions.d/wpconnect.fish", "complete -c wpconnect"),
    ] {
        let text =
            std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(text.contains(marker), "{file}");
    }
    let cli = dir.join("usr/bin/wpconnect");
    let out = std::process::Command::new(&cli).arg("--version").output().expect("the CLI runs");
    let v = env!("CARGO_PKG_VERSION");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("wpconnect {v}\ncore: wpconnect-core {v}\nkeyring: the Secret Service (GNOME Keyring, KWallet)\n")
    );
    // The release profile aborts on panic; the CLI still exits 1 with its message, not 134.
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(&cli)
        .arg("accounts")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("WPCONNECT_TEST_PANIC", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("hint: please report it"), "{err}");
    let size = std::fs::metadata(dir.join("usr/bin/wpconnect-desktop")).expect("the app").len();
    assert!(size < 40 * 1024 * 1024, "a release build ({size} bytes)");
}

#[test]
fn the_rpm_package_installs_the_same_app_and_command_line() {
    let Some(dir) = unpacked("WPCONNECT_RPM_DIR") else { return };
    let info = std::fs::read_to_string(dir.join("rpm-info.txt")).expect("rpm -qip's record");
    assert!(info.lines().any(|l| l.starts_with("Name") && l.ends_with(": wp-connect")), "{info}");
    let requires = info.split("== requires").nth(1).unwrap_or_default();
    assert!(
        requires.contains("libwebkit2gtk-4.1.so.0"),
        "depends on the WebKit it needs: {requires}"
    );
    installs_the_app_and_the_command_line(&dir, "usr/share/zsh/site-functions/_wpconnect");
    if let Some(deb) = package_dir() {
        // The same release build in both (tauri patches a byte or two naming the package type).
        let len = |d: &Path| std::fs::metadata(d.join("usr/bin/wpconnect-desktop")).unwrap().len();
        assert_eq!(len(&dir), len(&deb), "both packages carry the one release build");
        let cli = |d: &Path| std::fs::read(d.join("usr/bin/wpconnect")).unwrap();
        assert!(cli(&dir) == cli(&deb), "and the one CLI");
    }
}

#[tokio::test]
async fn the_debian_package_installs_a_working_app_that_opens_its_links() {
    let Some(dir) = package_dir() else { return };
    let control =
        std::fs::read_to_string(dir.join("DEBIAN/control")).expect("the package's control file");
    assert!(control.contains("Package: wp-connect"), "{control}");
    assert!(control.contains("libwebkit2gtk-4.1-0"), "depends on the WebKit it needs: {control}");
    let control_section = control.lines().find(|l| l.starts_with("Section:")).unwrap_or_default();
    assert_eq!(control_section, "Section: net", "{control}");
    installs_the_app_and_the_command_line(&dir, "usr/share/zsh/vendor-completions/_wpconnect");
    let bin = dir.join("usr/bin/wpconnect-desktop");

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
