//! Application Passwords in the desktop app, the answer coming back through the app's
//! `wpconnect:` URL scheme: the scripted person approves on the site's Authorize Application page,
//! WordPress sends the browser to `wpconnect://auth/callback?...`, and the "operating system" (the
//! test browser) starts the app a second time with that URL, which must reach the running instance.
//!
//! The site is the WordPress-dialect server playing an https site on WordPress 6.3+ whose
//! environment is not "local" (so WordPress would refuse a plain-http loopback return address):
//! real TLS at `https://localhost:PORT`, with a certificate from the test CA the app and the
//! browser trust through `SSL_CERT_FILE`. The project's real WordPress (6.1) empties a
//! custom-scheme `success_url` on its approval page (esc_url), so there the person is shown the
//! password to paste instead.

use std::time::Duration;

use serde_json::json;
use wpconnect_gui_tests::{app_under_test, App};
use wpconnect_testsupport::dialect::{Knobs, OAuthSite, User};
use wpconnect_testsupport::tls::Pki;

#[tokio::test]
async fn a_second_launch_with_the_callback_url_completes_the_sign_in() {
    let Some(bin) = app_under_test() else { return };
    let pki = Pki::new();
    let site = OAuthSite::start_https(
        &pki.leaf(&["localhost"]),
        "localhost",
        Knobs { app_passwords: true, local_environment: false, ..Default::default() },
        vec![],
        vec![User::new(4, "ada", "analytical-engine", "Ada Author", &["author"])],
    )
    .await;
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), pki.ca_pem()).unwrap();
    let ca_file = ca.path().display().to_string();
    let browser = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/debug/wpconnect-test-browser");
    assert!(browser.is_file(), "{} is built by scripts/test.sh", browser.display());
    let config = tempfile::tempdir().unwrap();
    let log =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.state/deep-link-browser.log");
    let _ = std::fs::remove_file(&log);
    let (b, c, l, a) = (
        browser.display().to_string(),
        config.path().display().to_string(),
        log.display().to_string(),
        bin.display().to_string(),
    );
    let app = App::launch(
        &bin,
        &[
            ("BROWSER", b.as_str()),
            ("WPCONNECT_TEST_BROWSER_USER", "ada"),
            ("WPCONNECT_TEST_BROWSER_PASSWORD", "analytical-engine"),
            ("WPCONNECT_TEST_BROWSER_SCHEME_HANDLER", a.as_str()),
            ("WPCONNECT_TEST_BROWSER_LOG", l.as_str()),
            ("WPCONNECT_CONFIG_DIR", c.as_str()),
            // The app and the browser it starts trust the test CA (rustls reads it on Linux).
            ("SSL_CERT_FILE", ca_file.as_str()),
        ],
    )
    .await;
    // Through the window: find the site, Application Passwords (recommended), continue.
    app.click("[data-testid=nav-add]").await;
    app.fill("[data-testid=address]", &site.url()).await;
    app.click("[data-testid=find-site]").await;
    app.wait_for("[data-testid=site-card], [data-testid=error]", Duration::from_secs(30)).await;
    assert!(
        app.text("[data-testid=sign-in-form]").await.contains("shows you a new password"),
        "says what happens on older WordPress"
    );
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", Duration::from_secs(50)).await;
    if app.exists("[data-testid=error]").await {
        panic!(
            "sign-in failed: {}; the browser's log: {:?}",
            app.text("[data-testid=error]").await,
            std::fs::read_to_string(&log)
        );
    }
    app.open_details().await;
    let done = app.text("[data-testid=signed-in]").await;
    assert!(done.contains("Ada Author") && done.contains("Application Passwords"), "{done}");
    assert!(done.contains("Secret Service"), "{done}");
    let trail = std::fs::read_to_string(&log).unwrap();
    assert!(
        trail.starts_with("handed wpconnect:"),
        "the answer went through a second launch: {trail}"
    );
    let accounts = std::fs::read_to_string(config.path().join("accounts.json")).unwrap();
    assert!(accounts.contains("application-passwords"));

    // No secret crosses into the page: what the accounts command returns has no password.
    let listed = app.invoke("accounts", json!({}), Duration::from_secs(10)).await.unwrap();
    assert!(
        !listed.to_string().contains("\"password\":") && !listed.to_string().contains("token"),
        "{listed}"
    );
    let id = listed[0]["id"].clone();

    // The password that came through the link (on a command line) was swapped for a fresh one:
    // the site holds one, not the one it handed over.
    let names = site.app_password_names();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(site.counters().app_passwords_created_over_rest, 1, "exchanged over REST");
    assert_eq!(
        site.app_passwords_from_urls_live(),
        0,
        "the one in the wpconnect: URL no longer works"
    );

    // Sign out deletes the password on the site.
    let out =
        app.invoke("sign_out", json!({"accountId": id}), Duration::from_secs(30)).await.unwrap();
    assert_eq!(out["revoked"], true, "{out}");
    assert!(site.app_password_names().is_empty(), "deleted on the site");
    // An unknown account is a {kind, message, hint} error.
    let err = app
        .invoke("sign_out", json!({"accountId": "nobody@nowhere"}), Duration::from_secs(30))
        .await
        .unwrap_err();
    assert_eq!(err["kind"], "no_such_account", "{err}");
    assert!(err["hint"].as_str().is_some_and(|h| !h.is_empty()));
    app.close().await;
}
