//! Helpers shared by the core's integration suites.

#![allow(dead_code)]

use wpconnect_core::store::SecretStore;

/// A keyring that refuses every write (locked while the person was in the browser, say).
pub struct RefusingStore;

impl SecretStore for RefusingStore {
    fn set(&self, _: &str, _: &str) -> wpconnect_core::Result<()> {
        Err(wpconnect_core::Error::KeyringLocked {
            store: "the test keyring".into(),
            detail: "locked".into(),
        })
    }
    fn get(&self, _: &str) -> wpconnect_core::Result<Option<secrecy::SecretString>> {
        Ok(None)
    }
    fn delete(&self, _: &str) -> wpconnect_core::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "a keyring that refuses writes".into()
    }
}

/// The person at the browser, played by the scripted browser in the background. Each visit's
/// outcome is kept, so a test can assert what the site showed them (a timeout test must know
/// the browser reached the page it expected, not merely that nothing came back).
pub struct Person {
    browser: wpconnect_testsupport::browser::TestBrowser,
    visits: std::sync::Mutex<Vec<tokio::task::JoinHandle<Result<Visit, String>>>>,
}

pub use wpconnect_testsupport::browser::Visit;

impl Person {
    pub fn new(browser: wpconnect_testsupport::browser::TestBrowser) -> Person {
        Person { browser, visits: Default::default() }
    }

    /// Where each visit so far ended (waiting for the ones still going).
    pub async fn visits(&self) -> Vec<Result<Visit, String>> {
        let handles: Vec<_> = std::mem::take(&mut *self.visits.lock().unwrap());
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap_or_else(|e| Err(format!("the browser task failed: {e}"))));
        }
        out
    }

    /// The one visit this sign-in made.
    pub async fn only_visit(&self) -> Visit {
        let mut v = self.visits().await;
        assert_eq!(v.len(), 1, "one browser visit: {v:?}");
        v.remove(0).expect("the browser visit went through")
    }
}

impl wpconnect_core::browser::Browser for Person {
    fn open(&self, url: &url::Url) -> wpconnect_core::Result<()> {
        let (b, url) = (self.browser.clone(), url.to_string());
        self.visits.lock().unwrap().push(tokio::spawn(async move { b.visit(&url).await }));
        Ok(())
    }
}

/// WP Connect's items in the Secret Service, counted by another client of it (`secret-tool`).
pub fn keyring_items() -> usize {
    let out = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", wpconnect_core::store::SERVICE])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    [out.stdout, out.stderr]
        .iter()
        .map(|b| String::from_utf8_lossy(b).lines().filter(|l| l.starts_with("[/")).count())
        .sum()
}
