//! Application Passwords for a site on https: WordPress (6.3+, played by the dialect server, over
//! real TLS) sends the browser to `wpconnect://auth/callback?...`; the operating system hands that
//! to the app, which gives it to the CallbackInbox. The site is named `.test` but its environment
//! is not "local": WordPress would refuse a plain-http (loopback) return address there.

use std::sync::Arc;
use std::time::Duration;

use url::Url;
use wpconnect_core::app_passwords::CallbackInbox;
use wpconnect_core::browser::Browser;
use wpconnect_core::http::Certificate;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::session::{Connect, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::{Discoverer, DiscoveryOptions, ErrorKind, HttpOptions, Method};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Knobs, OAuthSite, User};
use wpconnect_testsupport::tls::Pki;
use wpconnect_testsupport::Resolver;

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

const NAME: &str = "blog.test";

struct Site {
    s: OAuthSite,
    pki: Pki,
}

async fn site() -> Site {
    let pki = Pki::new();
    let s = OAuthSite::start_https(
        &pki.leaf(&[NAME]),
        NAME,
        Knobs { app_passwords: true, local_environment: false, ..Default::default() },
        vec![],
        vec![User::new(4, "ada", "analytical", "Ada L", &["author"])],
    )
    .await;
    Site { s, pki }
}

impl Site {
    fn http(&self) -> HttpOptions {
        HttpOptions {
            resolver: Some(Arc::new(Resolver::new().map_to(NAME, self.s.server().addr()))),
            extra_roots: vec![Certificate::from_pem(self.pki.ca_pem().as_bytes()).unwrap()],
            ..Default::default()
        }
    }
    fn person(&self, consent: Consent) -> TestBrowser {
        TestBrowser::new("ada", "analytical", consent)
            .with_tls(self.pki.ca_pem(), &[(NAME, self.s.server().addr())])
    }
    /// Sign in through the URL scheme with a fresh store, the person answering `consent`:
    /// the outcome, and the Connect (to look at its accounts).
    async fn sign_in_via_link(
        &self,
        discovered: &wpconnect_core::Discovered,
        consent: Consent,
    ) -> (wpconnect_core::Result<wpconnect_core::session::SignedIn>, Connect, tempfile::TempDir)
    {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let connect =
            Connect::new(self.http(), AccountsFile::at(dir.path().join("a.json")), Ok(store));
        let inbox = Arc::new(CallbackInbox::new());
        let os = Os(self.person(consent), inbox.clone());
        let opts = SignInOptions { timeout: Duration::from_secs(20), ..Default::default() };
        let done = connect
            .sign_in_app_password_scheme(
                discovered,
                "desk",
                opts,
                &os,
                &Cancel::new(),
                &inbox,
                |_| {},
            )
            .await;
        (done, connect, dir)
    }

    async fn discover(&self) -> wpconnect_core::Discovered {
        Discoverer::new(DiscoveryOptions { http: self.http(), ..Default::default() })
            .discover(NAME)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn approval_through_the_url_scheme_then_sign_out_deletes_it() {
    let site = site().await;
    let s = &site.s;
    let discovered = site.discover().await;
    assert!(discovered.site.https);
    assert!(
        !wpconnect_core::app_passwords::loopback_possible(&discovered.site_url()),
        "an https site: not the loopback"
    );
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect = Connect::new(site.http(), AccountsFile::at(dir.path().join("a.json")), Ok(store));
    let inbox = Arc::new(CallbackInbox::new());
    let os = Os(site.person(Consent::Allow), inbox.clone());
    let mut opened = None;
    let done = connect
        .sign_in_app_password_scheme(
            &discovered,
            "desk",
            SignInOptions { timeout: Duration::from_secs(20), ..Default::default() },
            &os,
            &Cancel::new(),
            &inbox,
            |u| opened = Some(u.clone()),
        )
        .await
        .unwrap();
    let q: std::collections::HashMap<_, _> = opened.unwrap().query_pairs().into_owned().collect();
    assert!(q["success_url"].starts_with("wpconnect://auth/callback?nonce="));
    assert_eq!(done.account.method, Method::ApplicationPasswords);
    assert_eq!(done.profile.display_name, "Ada L");
    // The password in the wpconnect: URL (a command line anyone on the computer can read) was
    // swapped at once for one made over REST; the site holds only that one, under the name the
    // person approved with a new tag.
    let names = s.app_password_names();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("WP Connect on desk ("));
    assert_eq!(s.counters().app_passwords_created_over_rest, 1);
    assert_eq!(
        s.app_passwords_from_urls_live(),
        0,
        "the password that travelled in the URL no longer works"
    );
    assert_eq!(
        connect.me(&done.account.id).await.unwrap().profile.display_name,
        "Ada L",
        "the kept one works"
    );
    assert!(connect.sign_out(&done.account.id).await.unwrap().revoked);
    assert!(s.app_password_names().is_empty(), "deleted on the site");
}

#[tokio::test]
async fn when_the_site_will_not_make_a_fresh_password_nothing_is_kept_or_left_live() {
    let site = site().await;
    let s = &site.s;
    s.set(|k| k.app_password_create_fails = Some(403));
    let discovered = site.discover().await;
    let (done, connect, _dir) = site.sign_in_via_link(&discovered, Consent::Allow).await;
    let e = done.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AppPasswordNotExchanged, "{e}");
    assert_eq!(
        e.to_string(),
        "WordPress approved WP Connect, but did not let it swap the password sent through your \
         browser for one of its own (HTTP 403, rest_cannot_create_application_passwords), so \
         nothing was kept."
    );
    assert!(e.hint().contains("paste"), "{}", e.hint());
    assert!(s.app_password_names().is_empty(), "the approved password was deleted on the site");
    assert!(connect.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn rejection_through_the_url_scheme() {
    let site = site().await;
    let s = &site.s;
    let discovered = site.discover().await;
    let (done, connect, _dir) = site.sign_in_via_link(&discovered, Consent::Deny).await;
    let e = done.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert!(s.app_password_names().is_empty());
    assert!(connect.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn wordpress_refuses_a_plain_http_return_address_on_a_site_that_is_not_local() {
    // What the loopback flow would meet on this site: WordPress's own refusal, on its page.
    let site = site().await;
    let discovered = site.discover().await;
    let page = discovered.methods.application_passwords.clone().unwrap().authorization_url.unwrap();
    let mut url = page.clone();
    url.query_pairs_mut()
        .append_pair("app_name", "x")
        .append_pair("success_url", "http://127.0.0.1:9/callback");
    let v = site.person(Consent::Allow).visit(url.as_str()).await.unwrap();
    assert_eq!(v.status, 500);
    assert!(v.body.contains("The URL must be served over a secure connection."), "{}", v.body);
    assert!(site.s.app_password_names().is_empty());
    // And the core does not try: sign-in through the loopback is refused before the browser.
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect = Connect::new(site.http(), AccountsFile::at(dir.path().join("a.json")), Ok(store));
    let nobody = wpconnect_core::browser::NoBrowser;
    let e = connect
        .sign_in_app_password_browser(
            &discovered,
            "desk",
            SignInOptions::default(),
            &nobody,
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoSignInMethod, "{e}");
    assert!(e.to_string().contains("paste"), "{e}");
}

#[tokio::test]
async fn an_answer_naming_the_site_over_plain_http_is_not_from_the_site_we_asked() {
    // The approval came back saying `site_url=http://blog.test`: the host is right, the scheme
    // is not the https connection discovery verified. Nothing is sent with that password.
    let site = site().await;
    let s = &site.s;
    let discovered = site.discover().await;
    s.set(|k| k.advertised_url = Some(format!("http://{NAME}")));
    let before = s.server().requests().len();
    let (done, connect, _dir) = site.sign_in_via_link(&discovered, Consent::Allow).await;
    let e = done.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SiteMismatch, "{e}");
    assert_eq!(
        e.to_string(),
        "The answer came from http://blog.test, not from https://blog.test/, so it was not used."
    );
    let after: Vec<_> = s
        .server()
        .requests()
        .into_iter()
        .skip(before)
        .filter(|r| r.header("authorization").is_some())
        .collect();
    assert!(after.is_empty(), "the password was not used: {after:?}");
    assert!(connect.accounts().unwrap().is_empty());
}
