//! OAuth 1.0a against the WordPress-dialect site playing the WP REST API OAuth1 plugin: the
//! three-legged flow through the loopback and out of band, and its errors.

#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Duration;

use url::Url;
use wpconnect_core::browser::Browser;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::oauth1::Consumer;
use wpconnect_core::secret::ClientSecret;
use wpconnect_core::session::{Connect, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, ErrorKind, HttpOptions, Method};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Knobs, OAuthSite, User};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

mod common;

fn http() -> HttpOptions {
    HttpOptions { timeout: Duration::from_secs(5), ..Default::default() }
}

async fn setup(
    callback: impl FnOnce(u16) -> String,
    skew: i64,
) -> (OAuthSite, Discovered, Connect, u16, tempfile::TempDir) {
    setup_knobs(callback, |k| k.clock_skew_secs = skew).await
}

async fn setup_knobs(
    callback: impl FnOnce(u16) -> String,
    knobs: impl FnOnce(&mut Knobs),
) -> (OAuthSite, Discovered, Connect, u16, tempfile::TempDir) {
    let port = free_port();
    let mut k = Knobs {
        oauth1_consumers: vec![("ck_desk".into(), "cs_desk_secret".into(), callback(port))],
        ..Default::default()
    };
    knobs(&mut k);
    let knobs = k;
    let site = OAuthSite::start(
        knobs,
        vec![],
        vec![User::new(5, "linus", "penguin-91", "Linus T", &["contributor"])],
    )
    .await;
    let discovered = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(&site.url())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(store));
    (site, discovered, connect, port, dir)
}

fn consumer() -> Consumer {
    Consumer { key: "ck_desk".into(), secret: ClientSecret::new("cs_desk_secret") }
}

/// The person in the browser; for `oob`, reads the verifier off the final page and hands it over.
struct Person {
    browser: TestBrowser,
    verifier: Option<std::sync::mpsc::Sender<String>>,
}

impl Browser for Person {
    fn open(&self, url: &Url) -> wpconnect_core::Result<()> {
        let (b, url, tx) = (self.browser.clone(), url.to_string(), self.verifier.clone());
        tokio::spawn(async move {
            if let Ok(v) = b.visit(&url).await {
                if let (Some(tx), Some(code)) = (
                    tx,
                    v.body.split("<code id=\"verifier\">").nth(1).and_then(|r| r.split('<').next()),
                ) {
                    let _ = tx.send(code.to_string());
                }
            }
        });
        Ok(())
    }
}

fn opts(timeout: Duration) -> SignInOptions {
    SignInOptions { timeout, ..Default::default() }
}

fn no_verifier() -> wpconnect_core::Result<String> {
    panic!("not an oob sign-in")
}

#[tokio::test]
async fn three_legged_through_the_registered_loopback_port() {
    let (site, discovered, connect, port, _dir) =
        setup(|p| format!("http://127.0.0.1:{p}/callback"), 0).await;
    assert!(discovered.methods.oauth1.is_some());
    let person =
        Person { browser: TestBrowser::new("linus", "penguin-91", Consent::Allow), verifier: None };
    let done = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(20)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap();
    assert_eq!(done.account.method, Method::Oauth1);
    assert_eq!(done.profile.username, "linus");
    assert_eq!(done.profile.display_name, "Linus T");
    // Later requests are signed afresh (new nonce, timestamp) and accepted.
    for _ in 0..2 {
        assert_eq!(connect.me(&done.account.id).await.unwrap().profile.username, "linus");
    }
    let reqs = site.server().requests();
    let request_token = reqs.iter().find(|r| r.path() == "/oauth1/request").unwrap();
    let auth = request_token.header("authorization").unwrap();
    assert!(
        auth.contains("oauth_signature_method=\"HMAC-SHA1\"")
            && auth.contains("oauth_callback=\"http%3A%2F%2F127.0.0.1"),
        "{auth}"
    );
    let out = connect.sign_out(&done.account.id).await.unwrap();
    assert!(!out.revoked);
    assert!(out.revoke_problem.unwrap().contains("wp-admin"));
    assert!(connect.accounts().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_band_the_person_copies_the_verifier() {
    let (_site, discovered, connect, _port, _dir) = setup(|_| "oob".into(), 0).await;
    let (tx, rx) = std::sync::mpsc::channel();
    let person = Person {
        browser: TestBrowser::new("linus", "penguin-91", Consent::Allow),
        verifier: Some(tx),
    };
    let done = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            None,
            opts(Duration::from_secs(20)),
            &person,
            &Cancel::new(),
            |_, _| {},
            || {
                Ok(format!(
                    "  {}\n",
                    rx.recv_timeout(Duration::from_secs(20)).expect("the person read the code")
                ))
            },
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "linus");
}

#[tokio::test]
async fn a_callback_the_site_does_not_know_says_what_to_register() {
    let (_site, discovered, connect, port, _dir) =
        setup(|_| "http://127.0.0.1:1/callback".into(), 0).await;
    let person =
        Person { browser: TestBrowser::new("linus", "penguin-91", Consent::Allow), verifier: None };
    let e = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(5)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oauth1);
    assert!(e.to_string().contains("Callback URL is invalid"), "{e}");
    assert!(e.hint().contains(&format!("http://127.0.0.1:{port}/callback")), "{}", e.hint());
}

#[tokio::test]
async fn a_skewed_clock_is_reported_from_the_servers_date() {
    let (_site, discovered, connect, port, _dir) =
        setup(|p| format!("http://127.0.0.1:{p}/callback"), 40 * 60).await;
    let person =
        Person { browser: TestBrowser::new("linus", "penguin-91", Consent::Allow), verifier: None };
    let e = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(5)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oauth1);
    assert!(e.to_string().contains("clock is 40 minutes behind"), "{e}");
    assert!(e.hint().contains("clock"), "{}", e.hint());
}

#[tokio::test]
async fn a_wrong_consumer_secret_is_named() {
    let (_site, discovered, connect, port, _dir) =
        setup(|p| format!("http://127.0.0.1:{p}/callback"), 0).await;
    let person =
        Person { browser: TestBrowser::new("linus", "penguin-91", Consent::Allow), verifier: None };
    let wrong = Consumer { key: "ck_desk".into(), secret: ClientSecret::new("not-it") };
    let e = connect
        .sign_in_oauth1(
            &discovered,
            wrong,
            Some(port),
            opts(Duration::from_secs(5)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("signature"), "{e}");
    assert!(e.hint().contains("consumer secret"), "{}", e.hint());
}

#[tokio::test]
async fn cancel_on_the_sites_page_leads_nowhere_so_the_app_times_out() {
    let (_site, discovered, connect, port, _dir) =
        setup(|p| format!("http://127.0.0.1:{p}/callback"), 0).await;
    let person = common::Person::new(TestBrowser::new("linus", "penguin-91", Consent::Deny));
    let e = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(2)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CallbackTimeout);
    assert!(e.hint().contains("browser"), "{}", e.hint());
    assert!(connect.accounts().unwrap().is_empty());
    // The timeout came because the person pressed Cancel: they ended on the site's empty page.
    let v = person.only_visit().await;
    assert!(v.url.contains("/oauth1/authorize") && v.status == 200 && v.body.is_empty(), "{v:?}");
    assert!(
        v.trail.iter().all(|u| !u.contains(&format!(":{port}/"))),
        "never sent back to the app: {:?}",
        v.trail
    );
}

#[tokio::test]
async fn clock_trouble_after_sign_in_is_named_and_loses_nothing() {
    let (site, discovered, connect, port, _dir) =
        setup(|p| format!("http://127.0.0.1:{p}/callback"), 0).await;
    let person =
        Person { browser: TestBrowser::new("linus", "penguin-91", Consent::Allow), verifier: None };
    let done = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(20)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap();
    site.set(|k| k.clock_skew_secs = 2 * 3600);
    let e = connect.me(&done.account.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oauth1, "{e}");
    assert!(e.hint().contains("clock"), "{}", e.hint());
    assert_eq!(
        connect.account(&done.account.id).unwrap().status,
        wpconnect_core::store::AccountStatus::SignedIn
    );
    site.set(|k| k.clock_skew_secs = 0);
    assert_eq!(connect.me(&done.account.id).await.unwrap().profile.username, "linus");
}

#[tokio::test]
async fn the_server_refuses_a_replayed_nonce_and_the_app_never_sends_one() {
    let (site, discovered, connect, port, _dir) =
        setup(|p| format!("http://127.0.0.1:{p}/callback"), 0).await;
    let person =
        Person { browser: TestBrowser::new("linus", "penguin-91", Consent::Allow), verifier: None };
    let done = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(20)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap();
    connect.me(&done.account.id).await.unwrap();
    // Replaying a request the app signed, byte for byte, is refused: the dialect server is strict.
    let signed = site
        .server()
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path() == "/wp-json/wp/v2/users/me")
        .unwrap();
    let replay = reqwest::Client::new()
        .get(format!("{}{}", site.url(), signed.target))
        .header("authorization", signed.header("authorization").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert!(replay.text().await.unwrap().contains("json_oauth1_nonce_already_used"));
    // Every request the app signed carried its own nonce.
    let nonces: Vec<String> = site
        .server()
        .requests()
        .iter()
        .filter_map(|r| {
            r.header("authorization").filter(|a| a.starts_with("OAuth ")).map(|a| {
                a.split("oauth_nonce=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
            })
        })
        .collect();
    let unique: std::collections::HashSet<_> = nonces.iter().collect();
    assert!(nonces.len() >= 4);
    assert_eq!(unique.len(), nonces.len() - 1, "all fresh but the one replayed by the test");
}

#[tokio::test]
async fn plain_permalinks_sign_in_through_the_query_variable_endpoints() {
    // The index advertises /oauth1/request, /oauth1/authorize, /oauth1/access; with plain
    // permalinks those paths are the home page, only `?rest_oauth1=` reaches the plugin.
    let (site, discovered, connect, port, _dir) =
        setup_knobs(|p| format!("http://127.0.0.1:{p}/callback"), |k| k.plain_permalinks = true)
            .await;
    let ep = discovered.methods.oauth1.clone().unwrap();
    assert_eq!(ep.request.as_str(), format!("{}/index.php?rest_oauth1=request", site.url()));
    assert_eq!(ep.authorize.as_str(), format!("{}/index.php?rest_oauth1=authorize", site.url()));
    let person = common::Person::new(TestBrowser::new("linus", "penguin-91", Consent::Allow));
    let done = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(20)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "linus");
    assert_eq!(connect.me(&done.account.id).await.unwrap().profile.display_name, "Linus T");
    // The token requests carried the route in their signed body, to /index.php.
    let reqs = site.server().requests();
    let posts: Vec<_> = reqs
        .iter()
        .filter(|r| r.method == "POST" && r.path() == "/index.php")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    let token_posts: Vec<_> = posts.iter().filter(|b| !b.contains("oauth_token=")).collect();
    assert_eq!(token_posts, ["rest_oauth1=request", "rest_oauth1=access"], "{posts:?}");
}

#[tokio::test]
async fn requests_are_signed_with_the_sites_home_url_as_the_plugin_checks_them() {
    // The site calls itself http://localhost:PORT but is reached at 127.0.0.1:PORT: the plugin
    // builds the signature base from its home URL, so the client must too.
    let (site, _, connect, port, _dir) =
        setup(|p| format!("http://127.0.0.1:{p}/callback"), 0).await;
    let home = site.url().replace("127.0.0.1", "localhost");
    site.set(|k| k.advertised_url = Some(home.clone()));
    let discovered = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(&site.url())
        .await
        .unwrap();
    assert_eq!(discovered.site.url, home);
    let person = common::Person::new(TestBrowser::new("linus", "penguin-91", Consent::Allow));
    let done = connect
        .sign_in_oauth1(
            &discovered,
            consumer(),
            Some(port),
            opts(Duration::from_secs(20)),
            &person,
            &Cancel::new(),
            |_, _| {},
            no_verifier,
        )
        .await
        .unwrap();
    assert_eq!(connect.me(&done.account.id).await.unwrap().profile.username, "linus");
}
