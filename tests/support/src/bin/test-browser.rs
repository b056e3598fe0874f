//! `wpconnect-test-browser URL`: the scripted browser as a command, for `$BROWSER` in tests of
//! the CLI and the desktop app. The person it plays comes from the environment:
//! `WPCONNECT_TEST_BROWSER_USER`, `WPCONNECT_TEST_BROWSER_PASSWORD`,
//! `WPCONNECT_TEST_BROWSER_CONSENT` (`allow`, the default, or `deny`). With
//! `WPCONNECT_TEST_BROWSER_LOG` set, it appends where it ended to that file. When the site sends
//! it to an address that is not http(s) (the app's `wpconnect:` scheme), it does what the
//! operating system does: starts `WPCONNECT_TEST_BROWSER_SCHEME_HANDLER` with the URL.
//! `WPCONNECT_TEST_BROWSER_DELAY_MS` makes the person take that long before the page loads (to see
//! the app's waiting screen, or cancel it).

use wpconnect_testsupport::browser::{Consent, TestBrowser};

#[tokio::main]
async fn main() {
    let url = std::env::args().nth(1).expect("usage: wpconnect-test-browser URL");
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let consent = if env("WPCONNECT_TEST_BROWSER_CONSENT") == "deny" {
        Consent::Deny
    } else {
        Consent::Allow
    };
    if let Ok(ms) = env("WPCONNECT_TEST_BROWSER_DELAY_MS").parse::<u64>() {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    let b = TestBrowser::new(
        &env("WPCONNECT_TEST_BROWSER_USER"),
        &env("WPCONNECT_TEST_BROWSER_PASSWORD"),
        consent,
    );
    let line = match b.visit_until(&url, |u| u.scheme() != "http" && u.scheme() != "https").await {
        Ok(v) if v.status == 0 => match std::env::var("WPCONNECT_TEST_BROWSER_SCHEME_HANDLER") {
            Ok(handler) => match std::process::Command::new(&handler).arg(&v.url).status() {
                // Only where it went: the URL itself carries the new password.
                Ok(st) => format!(
                    "handed {}:{} to {handler} ({st})\n",
                    v.url.split(':').next().unwrap_or(""),
                    "//…"
                ),
                Err(e) => format!("error starting {handler}: {e}\n"),
            },
            Err(_) => format!("error no handler for {}\n", v.url),
        },
        Ok(v) => {
            // Where it ended, and (for diagnosis) the page's first paragraph of notices, if any.
            let notice =
                v.body.split("<p>").nth(1).map(|p| p.split('<').next().unwrap_or("")).unwrap_or("");
            format!("{} {} {}\n", v.status, v.url, notice.chars().take(200).collect::<String>())
        }
        Err(e) => format!("error {e}\n"),
    };
    if let Ok(log) = std::env::var("WPCONNECT_TEST_BROWSER_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = f.write_all(line.as_bytes());
        }
    }
}
