//! The system browser honours `$BROWSER` (its own test binary: it sets the process environment).

use std::time::{Duration, Instant};

use url::Url;
use wpconnect_core::browser::{Browser, SystemBrowser};
use wpconnect_core::ErrorKind;

#[test]
fn browser_variable_is_used_with_and_without_placeholder_and_failures_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("opened.txt");
    let script = dir.path().join("fake-browser");
    std::fs::write(&script, format!("#!/bin/sh\necho \"$@\" >> '{}'\n", out.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let url = Url::parse("http://127.0.0.1:9/oauth/authorize?state=x&client_id=y").unwrap();
    let wait_for = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if text.lines().count() >= n || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    // SAFETY: this test binary has this one test; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var("BROWSER", script.display().to_string()) };
    SystemBrowser.open(&url).unwrap();
    assert_eq!(wait_for(1).lines().next().unwrap(), url.as_str());

    // A list: the first that cannot start is skipped; `%s` places the address.
    unsafe {
        std::env::set_var(
            "BROWSER",
            format!("/nonexistent/browser:{} --new-tab %s", script.display()),
        )
    };
    SystemBrowser.open(&url).unwrap();
    assert_eq!(wait_for(2).lines().nth(1).unwrap(), format!("--new-tab {url}"));

    unsafe { std::env::set_var("BROWSER", "/nonexistent/browser") };
    let e = SystemBrowser.open(&url).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BrowserUnavailable);
    assert!(e.hint().contains("Open the address"), "{}", e.hint());
}
