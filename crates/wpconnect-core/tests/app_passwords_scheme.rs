//! Application Passwords for a site that is not local: WordPress (6.3+, played by the dialect
//! server) sends the browser to `wpconnect://auth/callback?...`; the operating system hands that
//! to the app, which gives it to the CallbackInbox.

use std::sync::Arc;
use std::time::Duration;

use url::Url;
use wpconnect_core::app_passwords::CallbackInbox;
use wpconnect_core::browser::Browser;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::session::{Connect, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::{Discoverer, DiscoveryOptions, ErrorKind, HttpOptions, Method};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Knobs, OAuthSite, User};

/// The person's browser plus the operating system: a `wpconnect:` address goes to the app.
struct Os(TestBrowser, Arc<CallbackInbox>);

impl Browser for Os {
    fn open(&self, url: &Url) -> wpconnect_core::Result<()> {
        let (b, inbox, url) = (self.0.clone(), self.1.clone(), url.to_string());
        tokio::spawn(async move {
            if let Ok(v) = b.visit_until(&url, |u| u.scheme() == "wpconnect").await {
                if v.status == 0 {
                    inbox.deliver(&Url::parse(&v.url).unwrap());
                }
            }
        });
        Ok(())
    }
}

async fn site() -> OAuthSite {
    OAuthSite::start(
        Knobs { app_passwords: true, advertised_url: Some("https://remote.example".into()), ..Default::default() },
        vec![],
        vec![User::new(4, "ada", "analytical", "Ada L", &["author"])],
    )
    .await
}

#[tokio::test]
async fn approval_through_the_url_scheme_then_sign_out_deletes_it() {
    let s = site().await;
    let discovered = Discoverer::new(DiscoveryOptions::default()).discover(&s.url()).await.unwrap();
    assert!(!wpconnect_core::app_passwords::loopback_possible(&Url::parse(&discovered.site.url).unwrap()), "a remote https site");
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect = Connect::new(HttpOptions::default(), AccountsFile::at(dir.path().join("a.json")), Ok(store));
    let inbox = Arc::new(CallbackInbox::new());
    let os = Os(TestBrowser::new("ada", "analytical", Consent::Allow), inbox.clone());
    let mut opened = None;
    let done = connect
        .sign_in_app_password_scheme(&discovered, "desk", SignInOptions { timeout: Duration::from_secs(20), ..Default::default() }, &os, &Cancel::new(), &inbox, |u| opened = Some(u.clone()))
        .await
        .unwrap();
    let q: std::collections::HashMap<_, _> = opened.unwrap().query_pairs().into_owned().collect();
    assert!(q["success_url"].starts_with("wpconnect://auth/callback?nonce="));
    assert_eq!(done.account.method, Method::ApplicationPasswords);
    assert_eq!(done.profile.display_name, "Ada L");
    assert_eq!(s.app_password_names().len(), 1);
    assert!(s.app_password_names()[0].starts_with("WP Connect on desk ("));
    assert!(connect.sign_out(&done.account.id).await.unwrap().revoked);
    assert!(s.app_password_names().is_empty(), "deleted on the site");
}

#[tokio::test]
async fn rejection_through_the_url_scheme() {
    let s = site().await;
    let discovered = Discoverer::new(DiscoveryOptions::default()).discover(&s.url()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect = Connect::new(HttpOptions::default(), AccountsFile::at(dir.path().join("a.json")), Ok(store));
    let inbox = Arc::new(CallbackInbox::new());
    let os = Os(TestBrowser::new("ada", "analytical", Consent::Deny), inbox.clone());
    let e = connect
        .sign_in_app_password_scheme(&discovered, "desk", SignInOptions { timeout: Duration::from_secs(20), ..Default::default() }, &os, &Cancel::new(), &inbox, |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert!(s.app_password_names().is_empty());
}
