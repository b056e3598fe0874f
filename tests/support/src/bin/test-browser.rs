//! `wpconnect-test-browser URL`: the scripted browser as a command, for `$BROWSER` in tests of
//! the CLI and the desktop app. The person it plays comes from the environment:
//! `WPCONNECT_TEST_BROWSER_USER`, `WPCONNECT_TEST_BROWSER_PASSWORD`,
//! `WPCONNECT_TEST_BROWSER_CONSENT` (`allow`, the default, or `deny`). With
//! `WPCONNECT_TEST_BROWSER_LOG` set, it appends where it ended to that file.

use wpconnect_testsupport::browser::{Consent, TestBrowser};

#[tokio::main]
async fn main() {
    let url = std::env::args().nth(1).expect("usage: wpconnect-test-browser URL");
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let consent = if env("WPCONNECT_TEST_BROWSER_CONSENT") == "deny" { Consent::Deny } else { Consent::Allow };
    let b = TestBrowser::new(&env("WPCONNECT_TEST_BROWSER_USER"), &env("WPCONNECT_TEST_BROWSER_PASSWORD"), consent);
    let line = match b.visit(&url).await {
        Ok(v) => format!("{} {}\n", v.status, v.url),
        Err(e) => format!("error {e}\n"),
    };
    if let Ok(log) = std::env::var("WPCONNECT_TEST_BROWSER_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = f.write_all(line.as_bytes());
        }
    }
}
