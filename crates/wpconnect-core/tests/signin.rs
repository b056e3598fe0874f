//! Signing in to a WordPress-dialect site (WP OAuth Server, strict) on loopback: the browser flow
//! with PKCE, the password fallback, refresh, sign-out, and every way they go wrong.

use std::sync::Arc;
use std::time::Duration;

use url::Url;
use wpconnect_core::browser::Browser;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{
    AccountStatus, AccountsFile, KeyringStore, MemoryStore, SecretStore, Storage, SERVICE,
};
use wpconnect_core::upload::{UploadFile, UploadOptions};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, ErrorKind, HttpOptions};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

mod common;
use common::{Person, RefusingStore};

const SECRET: &str = "client-secret-&-more";

fn http() -> HttpOptions {
    HttpOptions { timeout: Duration::from_secs(5), ..Default::default() }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Fixture {
    site: OAuthSite,
    discovered: Discovered,
    connect: Connect,
    store: Arc<dyn SecretStore>,
    port: u16,
    _dir: tempfile::TempDir,
}

async fn fixture(knobs: Knobs, client: impl FnOnce(u16) -> Client) -> Fixture {
    fixture_in(Arc::new(MemoryStore::new()), knobs, client).await
}

async fn fixture_in(
    store: Arc<dyn SecretStore>,
    knobs: Knobs,
    client: impl FnOnce(u16) -> Client,
) -> Fixture {
    let port = free_port();
    let users = vec![User::new(7, "ada", "correct horse", "Ada Lovelace", &["author"])];
    let site = OAuthSite::start(knobs, vec![client(port)], users).await;
    let discovered = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(&site.url())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(store.clone()));
    Fixture { site, discovered, connect, store, port, _dir: dir }
}

fn confidential(port: u16) -> Client {
    Client::new("desk-app", Some(SECRET), &[&format!("http://127.0.0.1:{port}/callback")])
}

fn oauth_client(f: &Fixture, secret: bool) -> OAuth2Client {
    OAuth2Client {
        client_id: "desk-app".into(),
        client_secret: secret.then(|| ClientSecret::new(SECRET)),
        redirect_ports: vec![f.port],
        scope: None,
    }
}

/// The person at the browser, played by the scripted browser in the background.
fn ada(consent: Consent) -> Person {
    Person::new(TestBrowser::new("ada", "correct horse", consent))
}

fn opts(timeout: Duration) -> SignInOptions {
    SignInOptions { timeout, ..Default::default() }
}

#[tokio::test]
async fn browser_sign_in_with_pkce_stores_tokens_in_the_keyring_only() {
    // The real keyring (a Secret Service), as the app uses it.
    if !wpconnect_testsupport::keyring_here(
        "browser_sign_in_with_pkce_stores_tokens_in_the_keyring_only",
    ) {
        return;
    }
    let f = fixture_in(
        Arc::new(KeyringStore::open().expect("the Secret Service answers")),
        Knobs::default(),
        confidential,
    )
    .await;
    let mut shown = None;
    let done = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &ada(Consent::Allow),
            &Cancel::new(),
            |u, r| shown = Some((u.clone(), r.clone())),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    assert_eq!(done.profile.display_name, "Ada Lovelace");
    assert_eq!(done.profile.roles, ["author"]);
    assert!(done.profile.avatar_url.is_some(), "enriched from /wp/v2/users/me");
    assert_eq!(done.account.status, AccountStatus::SignedIn);
    let (authorize, redirect) = shown.unwrap();
    assert_eq!(redirect.as_str(), format!("http://127.0.0.1:{}/callback", f.port));
    let q: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");

    // What the server received: S256 challenge, verifier at the token endpoint, Basic client auth,
    // Referer.
    let reqs = f.site.server().requests();
    let token_req = reqs.iter().find(|r| r.path() == "/oauth/token").unwrap();
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&token_req.body).into_owned().collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code_verifier"].len(), 43);
    assert!(!form.contains_key("client_secret"), "the secret went in the Basic header");
    assert_eq!(
        form["client_id"], "desk-app",
        "the id goes in the body too (some servers require it)"
    );
    assert!(token_req.header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(token_req.header("referer").unwrap(), format!("{}/", f.site.url()));

    // The secrets are in the store; the accounts file holds none of them.
    let id = &done.account.id;
    let access = f.store.get(&format!("{id}/access-token")).unwrap().expect("access token stored");
    use secrecy::ExposeSecret;
    assert!(f.site.access_token_valid(access.expose_secret()));
    let file = std::fs::read_to_string(f._dir.path().join("accounts.json")).unwrap();
    assert!(!file.contains(access.expose_secret()), "no token in the accounts file");
    assert!(!file.contains(SECRET), "no client secret in the accounts file");
    assert!(file.contains("\"user_login\": \"ada\""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            std::fs::metadata(f._dir.path().join("accounts.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "owner-only permissions");
    }
    // The listener is closed after its one callback.
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", f.port)).is_err(),
        "loopback listener closed"
    );

    // Another client of the Secret Service sees the token: it is really there, not in a mock.
    let lookup = |key: String| {
        let out = std::process::Command::new("secret-tool")
            .args(["lookup", "service", SERVICE, "username", &key])
            .output()
            .expect("secret-tool");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(lookup(format!("{id}/access-token")), access.expose_secret());
    // Signing out leaves nothing behind, there or on the server.
    f.connect.sign_out(id).await.unwrap();
    assert_eq!(lookup(format!("{id}/access-token")), "");
    assert_eq!(lookup(format!("{id}/refresh-token")), "");
    assert!(!f.site.access_token_valid(access.expose_secret()));
}

#[tokio::test]
async fn a_public_client_sends_its_id_in_the_body() {
    let f = fixture(Knobs { consent_screen: true, ..Default::default() }, |p| {
        Client::new("desk-app", None, &[&format!("http://127.0.0.1:{p}/callback")])
    })
    .await;
    let done = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, false),
            opts(Duration::from_secs(20)),
            &ada(Consent::Allow),
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    let reqs = f.site.server().requests();
    let token_req = reqs.iter().find(|r| r.path() == "/oauth/token").unwrap();
    assert!(token_req.header("authorization").is_none());
    assert!(String::from_utf8_lossy(&token_req.body).contains("client_id=desk-app"));
}

#[tokio::test]
async fn denied_consent_is_its_own_error_and_nothing_is_stored() {
    let f = fixture(Knobs { consent_screen: true, ..Default::default() }, confidential).await;
    let e = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &ada(Consent::Deny),
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e}");
    assert!(e.to_string().contains("declined"), "{e}");
    assert!(f.connect.accounts().unwrap().is_empty());
}

/// A page that tries its luck first (a forged `state` on the callback, and idle connections that
/// send nothing), then the person signs in for real. What the forged request got back is kept.
struct Forger {
    person: TestBrowser,
    idle: usize,
    real: bool,
    forged_answer: Arc<std::sync::Mutex<Option<(u16, String)>>>,
}

impl Browser for Forger {
    fn open(&self, url: &Url) -> wpconnect_core::Result<()> {
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        let redirect = Url::parse(&q["redirect_uri"]).unwrap();
        let cb = format!("{redirect}?code=stolen&state=not-yours");
        let (person, url, idle, real, answer) = (
            self.person.clone(),
            url.to_string(),
            self.idle,
            self.real,
            self.forged_answer.clone(),
        );
        tokio::spawn(async move {
            // Connections that never send a request (they would each have held the old listener 10
            // s).
            let mut held = Vec::new();
            for _ in 0..idle {
                held.push(
                    tokio::net::TcpStream::connect((
                        redirect.host_str().unwrap(),
                        redirect.port().unwrap(),
                    ))
                    .await
                    .unwrap(),
                );
            }
            let r = reqwest::get(cb).await.unwrap();
            *answer.lock().unwrap() = Some((r.status().as_u16(), r.text().await.unwrap()));
            if real {
                let _ = person.visit(&url).await;
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(held);
        });
        Ok(())
    }
}

#[tokio::test]
async fn a_forged_callback_is_refused_and_the_real_one_still_signs_in() {
    let f = fixture(Knobs::default(), confidential).await;
    let forger = Forger {
        person: TestBrowser::new("ada", "correct horse", Consent::Allow),
        idle: 20,
        real: true,
        forged_answer: Default::default(),
    };
    let started = std::time::Instant::now();
    let done = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &forger,
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "idle connections did not hold the callback off: {:?}",
        started.elapsed()
    );
    let (status, page) =
        forger.forged_answer.lock().unwrap().clone().expect("the forged callback was answered");
    assert_eq!(status, 400);
    assert!(page.contains("Not for this sign-in"), "{page}");
    assert_eq!(
        f.site.counters().token_requests,
        1,
        "only the real code was exchanged, never the forged one"
    );
}

#[tokio::test]
async fn a_wrong_state_alone_ends_as_a_state_mismatch_when_the_wait_runs_out() {
    let f = fixture(Knobs::default(), confidential).await;
    let forger = Forger {
        person: TestBrowser::new("ada", "correct horse", Consent::Allow),
        idle: 0,
        real: false,
        forged_answer: Default::default(),
    };
    let e = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(2)),
            &forger,
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StateMismatch);
    assert_eq!(f.site.counters().token_requests, 0, "the forged code was never exchanged");
    assert!(f.connect.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn exact_matching_with_an_unregistered_port_times_out_with_advice() {
    // The registered URI has another port: the server shows the browser a 400 and never calls back.
    let f =
        fixture(Knobs { exact_redirect: true, ..Default::default() }, |_| confidential(1)).await;
    let person = ada(Consent::Allow);
    let e = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(2)),
            &person,
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CallbackTimeout);
    assert!(e.hint().contains("browser"), "{}", e.hint());
    // The timeout came from the server's refusal, shown to the person in the browser.
    let v = person.only_visit().await;
    assert_eq!(v.status, 400, "{v:?}");
    assert!(
        v.url.contains("/oauth/authorize") && v.body.contains("redirect_uri_mismatch"),
        "{v:?}"
    );
    let authorize =
        f.site.server().requests().into_iter().find(|r| r.path() == "/oauth/authorize").unwrap();
    assert!(authorize.query().unwrap().contains("code_challenge_method=S256"));
}

#[tokio::test]
async fn cancel_stops_waiting() {
    let f = fixture(Knobs::default(), confidential).await;
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c2.cancel();
    });
    struct Nobody;
    impl Browser for Nobody {
        fn open(&self, _: &Url) -> wpconnect_core::Result<()> {
            Ok(())
        }
    }
    let e = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(60)),
            &Nobody,
            &cancel,
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", f.port)).is_err(),
        "listener closed on cancel"
    );
}

#[tokio::test]
async fn password_fallback_right_and_wrong() {
    let f = fixture(Knobs::default(), confidential).await;
    let e = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("wrong"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongPassword);
    assert!(f.connect.accounts().unwrap().is_empty());
    let done = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    assert!(done.notes.iter().any(|n| n.contains("fallback")), "{:?}", done.notes);
    let file = std::fs::read_to_string(f._dir.path().join("accounts.json")).unwrap();
    assert!(!file.contains("correct horse"));
}

#[tokio::test]
async fn grant_not_enabled_wrong_secret_disabled_server_and_html() {
    let f = fixture(Knobs::default(), |p| confidential(p).grants(&["authorization_code"])).await;
    let e = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oauth);
    assert!(e.to_string().contains("not allowed to use the password grant"), "{e}");
    assert!(e.hint().contains("User Credentials"), "{}", e.hint());

    let f = fixture(Knobs::default(), confidential).await;
    let mut client = oauth_client(&f, true);
    client.client_secret = Some(ClientSecret::new("wrong"));
    let before = f.site.counters().token_requests;
    let e = f
        .connect
        .sign_in_password(
            &f.discovered,
            client,
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("client ID or client secret"), "{e}");
    assert_eq!(f.site.counters().token_requests - before, 2, "Basic, then the body as a fallback");

    f.site.set(|k| k.disabled = true);
    let e = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OauthServerDisabled, "{e}");

    f.site.set(|k| {
        k.disabled = false;
        k.html_token_endpoint = true;
    });
    let e = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HtmlInsteadOfJson);
    assert!(e.to_string().contains("Wordfence"), "{e}");
}

#[tokio::test]
async fn the_password_never_goes_over_plain_http_to_a_remote_site() {
    let f = fixture(Knobs::default(), confidential).await;
    let mut remote = f.discovered.clone();
    let oauth = remote.methods.oauth2.as_mut().unwrap();
    oauth.token = Url::parse("http://blog.example/oauth/token").unwrap();
    let e = f
        .connect
        .sign_in_password(
            &remote,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InsecureConnection);
    assert_eq!(f.site.counters().token_requests, 0);
}

async fn signed_in(f: &Fixture) -> String {
    f.connect
        .sign_in_password(
            &f.discovered,
            oauth_client(f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap()
        .account
        .id
}

#[tokio::test]
async fn refresh_before_expiry_is_single_flight() {
    // Tokens that live 60 s are inside the refresh margin at once.
    let f = fixture(
        Knobs {
            access_ttl: Duration::from_secs(60),
            token_delay: Duration::from_millis(300),
            ..Default::default()
        },
        confidential,
    )
    .await;
    let id = signed_in(&f).await;
    let c = Arc::new(f.connect);
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (c, id) = (c.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            c.access_token(&id).await.map(|t| t.expose().to_string())
        }));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert_eq!(f.site.counters().refresh_grants, 1, "five callers, one refresh");
    assert!(tokens.iter().all(|t| t == &tokens[0]), "all share the new token");
    assert!(f.site.access_token_valid(&tokens[0]));
    assert!(c.account(&id).unwrap().last_refresh.is_some());
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries() {
    let f = fixture(Knobs::default(), confidential).await;
    let id = signed_in(&f).await;
    f.site.expire_access_tokens();
    let me = f.connect.me(&id).await.unwrap();
    assert_eq!(me.profile.username, "ada");
    assert_eq!(me.site.unwrap().name, "Dialect Site", "the site's info comes along");
    assert_eq!(f.site.counters().refresh_grants, 1);
}

#[tokio::test]
async fn a_refused_refresh_asks_to_sign_in_again_and_loses_nothing_else() {
    let f = fixture(Knobs::default(), confidential).await;
    let id = signed_in(&f).await;
    f.site.expire_access_tokens();
    f.site.revoke_refresh_tokens();
    let e = f.connect.me(&id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignInAgain, "{e}");
    let account = f.connect.account(&id).unwrap();
    assert!(matches!(account.status, AccountStatus::SignInAgain { .. }));
    assert_eq!(account.user_login, "ada", "the account is still there");
}

#[tokio::test]
async fn a_refresh_that_fails_for_the_servers_sake_keeps_the_account_signed_in() {
    // The token endpoint behind a security page (HTML), switched off (503), or too slow: none of
    // these says the person's sign-in ended, so none may ask them to sign in again or lose a
    // token. Once the server is back, the same refresh token works. (WP OAuth Server's default:
    // a used refresh token stays valid, so a refresh whose answer never arrived loses nothing.)
    let knobs = || Knobs { refresh_reusable: true, ..Default::default() };
    let f = fixture(knobs(), confidential).await;
    let id = signed_in(&f).await;
    type Fault = (&'static str, fn(&mut Knobs), ErrorKind);
    let faults: [Fault; 3] = [
        ("an HTML page", |k| k.html_token_endpoint = true, ErrorKind::HtmlInsteadOfJson),
        ("a 503", |k| k.disabled = true, ErrorKind::ServerError),
        ("no answer in time", |k| k.token_delay = Duration::from_secs(8), ErrorKind::Timeout),
    ];
    for (what, fault, kind) in faults {
        f.site.expire_access_tokens();
        let refresh_before = f
            .store
            .get(&format!("{id}/refresh-token"))
            .unwrap()
            .map(|s| secrecy::ExposeSecret::expose_secret(&s).to_string());
        f.site.set(fault);
        let e = f.connect.me(&id).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{what}: {e}");
        assert_ne!(e.kind(), ErrorKind::SignInAgain);
        assert!(!e.hint().is_empty(), "{what}");
        let account = f.connect.account(&id).unwrap();
        assert_eq!(account.status, AccountStatus::SignedIn, "{what}: still signed in");
        let refresh_after = f
            .store
            .get(&format!("{id}/refresh-token"))
            .unwrap()
            .map(|s| secrecy::ExposeSecret::expose_secret(&s).to_string());
        assert_eq!(refresh_after, refresh_before, "{what}: the refresh token is kept");
        f.site.set(|k| *k = knobs());
        assert_eq!(
            f.connect.me(&id).await.unwrap().profile.username,
            "ada",
            "{what}: works again once the server does"
        );
    }
}

#[tokio::test]
async fn an_expired_refresh_token_asks_to_sign_in_again() {
    let f = fixture(
        Knobs { refresh_ttl: Duration::from_millis(300), ..Default::default() },
        confidential,
    )
    .await;
    let id = signed_in(&f).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    f.site.expire_access_tokens();
    let e = f.connect.me(&id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignInAgain, "{e}");
    assert!(matches!(f.connect.account(&id).unwrap().status, AccountStatus::SignInAgain { .. }));
}

#[tokio::test]
async fn signing_in_again_to_the_same_account_revokes_the_tokens_it_replaces() {
    let f = fixture(Knobs::default(), confidential).await;
    let first = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &ada(Consent::Allow),
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap();
    let old_access = f.store.get(&format!("{}/access-token", first.account.id)).unwrap().unwrap();
    assert_eq!(f.site.live_tokens(), (1, 1));
    // The same person, site and method: one account, and the new sign-in replaces the old.
    let again = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(again.account.id, first.account.id);
    assert_eq!(f.connect.accounts().unwrap().len(), 1);
    assert_eq!(f.site.live_tokens(), (1, 1), "only the new pair is live on the server");
    assert!(
        !f.site.access_token_valid(secrecy::ExposeSecret::expose_secret(&old_access)),
        "the replaced token was revoked"
    );
    assert!(again.notes.iter().all(|n| !n.contains("could not be ended")), "{:?}", again.notes);
    assert_eq!(f.connect.me(&again.account.id).await.unwrap().profile.username, "ada");
}

#[tokio::test]
async fn php_notices_before_the_token_answer_are_read_past_and_never_quoted() {
    let f =
        fixture(Knobs { php_notice_before_json: true, ..Default::default() }, confidential).await;
    let done = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    assert_eq!(f.site.live_tokens(), (1, 1));
    // A refused grant behind the same notice: an error that quotes the page, never a token.
    f.site.revoke_refresh_tokens();
    f.site.expire_access_tokens();
    let e = f.connect.me(&done.account.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignInAgain, "{e}");
    for t in f.site.issued_tokens() {
        assert!(!format!("{e} {e:?} {}", e.hint()).contains(&t), "{e:?}");
    }
}

#[tokio::test]
async fn a_site_claiming_another_sites_address_gets_its_own_account() {
    // Two sites, both calling themselves https://same.example, each with a user "ada".
    let f = fixture(
        Knobs { advertised_url: Some("https://same.example".into()), ..Default::default() },
        confidential,
    )
    .await;
    let first = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    let first_token = f.store.get(&format!("{}/access-token", first.account.id)).unwrap().unwrap();
    let other = OAuthSite::start(
        Knobs { advertised_url: Some("https://same.example".into()), ..Default::default() },
        vec![confidential(f.port)],
        vec![User::new(7, "ada", "other horse", "Not Ada", &["author"])],
    )
    .await;
    let other_discovered = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(&other.url())
        .await
        .unwrap();
    let second = f
        .connect
        .sign_in_password(
            &other_discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("other horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert_ne!(second.account.id, first.account.id, "two accounts, not one replaced by the other");
    assert_eq!(f.connect.accounts().unwrap().len(), 2);
    assert!(
        f.site.access_token_valid(secrecy::ExposeSecret::expose_secret(&first_token)),
        "the first site's sign-in is untouched"
    );
    assert_eq!(f.connect.me(&first.account.id).await.unwrap().profile.display_name, "Ada Lovelace");
    assert_eq!(f.connect.me(&second.account.id).await.unwrap().profile.display_name, "Not Ada");
}

#[tokio::test]
async fn sign_out_revokes_then_forgets() {
    let f = fixture(Knobs::default(), confidential).await;
    let id = signed_in(&f).await;
    let token = f.connect.access_token(&id).await.unwrap().expose().to_string();
    let out = f.connect.sign_out(&id).await.unwrap();
    assert!(out.revoked, "{out:?}");
    assert!(!f.site.access_token_valid(&token), "revoked on the server");
    assert!(f.connect.accounts().unwrap().is_empty());
    assert!(f.store.get(&format!("{id}/access-token")).unwrap().is_none());
    assert!(f.store.get(&format!("{id}/refresh-token")).unwrap().is_none());
}

#[tokio::test]
async fn sign_out_with_the_site_down_still_forgets_and_says_so() {
    let f = fixture(Knobs::default(), confidential).await;
    let id = signed_in(&f).await;
    let Fixture { site, connect, store, .. } = f;
    drop(site);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let out = connect.sign_out(&id).await.unwrap();
    assert!(!out.revoked);
    assert!(out.revoke_problem.unwrap().contains("could not be revoked"));
    assert!(connect.accounts().unwrap().is_empty());
    assert!(store.get(&format!("{id}/access-token")).unwrap().is_none());
}

#[tokio::test]
async fn a_host_that_strips_the_authorization_header_is_detected_and_worked_around() {
    let f = fixture(Knobs { strip_authorization: true, ..Default::default() }, confidential).await;
    let done = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert!(done.account.strips_authorization);
    assert!(done.notes.iter().any(|n| n.contains("Authorization header")), "{:?}", done.notes);
    assert_eq!(f.connect.me(&done.account.id).await.unwrap().profile.username, "ada");
}

#[tokio::test]
async fn expires_in_as_a_string_and_session_only_storage() {
    let f = fixture(Knobs { expires_in_as_string: true, ..Default::default() }, confidential).await;
    let done = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions { storage: Storage::Session, ..Default::default() },
        )
        .await
        .unwrap();
    assert!(done.account.expires_at.is_some());
    assert!(done.stored_in.contains("this session only"));
    assert!(
        f.store.get(&format!("{}/access-token", done.account.id)).unwrap().is_none(),
        "not in the keyring"
    );
    assert_eq!(f.connect.accounts().unwrap().len(), 1);
    assert!(!f._dir.path().join("accounts.json").exists(), "session accounts are never written");
}

#[tokio::test]
async fn no_keyring_is_a_clear_error_unless_session_only() {
    let f = fixture(Knobs::default(), confidential).await;
    let dir = tempfile::tempdir().unwrap();
    let connect = Connect::new(
        http(),
        AccountsFile::at(dir.path().join("accounts.json")),
        Err(wpconnect_core::Error::KeyringUnavailable {
            store: "the Secret Service".into(),
            detail: "no D-Bus session".into(),
        }),
    );
    let e = connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyringUnavailable);
    assert!(e.hint().contains("session only"), "{}", e.hint());
    assert_eq!(
        f.site.counters().token_requests,
        0,
        "nothing was sent before the keyring was known to work"
    );
    connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions { storage: Storage::Session, ..Default::default() },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn wordpress_com_site_signs_in_with_its_own_rules() {
    let port = free_port();
    let users = vec![User::new(91, "wpuser", "wp-pass", "WP User", &["author"])];
    let api = OAuthSite::start(
        Knobs { wordpress_com: true, ..Default::default() },
        vec![Client::new("55555", Some(SECRET), &[&format!("http://127.0.0.1:{port}/callback")])],
        users,
    )
    .await;
    let base = Url::parse(&format!("{}/", api.url())).unwrap();
    let discovered = Discoverer::new(DiscoveryOptions {
        http: http(),
        wpcom_api_base: base,
        ..Default::default()
    })
    .discover("dialect.wordpress.com")
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let keyring: Arc<dyn SecretStore> = store.clone();
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(keyring));
    let client = OAuth2Client {
        client_id: "55555".into(),
        client_secret: Some(ClientSecret::new(SECRET)),
        redirect_ports: vec![port],
        scope: None,
    };
    let mut opened = None;
    let done = connect
        .sign_in_browser(
            &discovered,
            client,
            opts(Duration::from_secs(20)),
            &Person::new(TestBrowser::new("wpuser", "wp-pass", Consent::Allow)),
            &Cancel::new(),
            |u, _| opened = Some(u.clone()),
        )
        .await
        .unwrap();
    let q: std::collections::HashMap<_, _> = opened.unwrap().query_pairs().into_owned().collect();
    assert_eq!(q["blog"], "4242", "the site is named to WordPress.com");
    assert_eq!(done.account.method, wpconnect_core::Method::WordpressCom);
    assert_eq!(done.profile.username, "wpuser");
    assert_eq!(done.profile.avatar_url.as_deref(), Some("https://127.0.0.1/avatar/wpcom.png"));
    assert_eq!(done.account.expires_at, None, "WordPress.com tokens do not expire");
    let token_req =
        api.server().requests().into_iter().find(|r| r.path() == "/oauth2/token").unwrap();
    assert!(
        token_req.header("authorization").is_none(),
        "credentials in the body for WordPress.com"
    );
    assert!(String::from_utf8_lossy(&token_req.body).contains("client_secret="));

    let me = connect.me(&done.account.id).await.unwrap();
    assert_eq!(me.profile.display_name, "WP User");
    assert_eq!(me.site.unwrap().name, "Dialect on WordPress.com");
    // Uploads go to WordPress.com's API for the site, with the same token.
    let photo = dir.path().join("wpcom.jpg");
    std::fs::write(&photo, b"\xFF\xD8\xFF\xE0 a jpeg").unwrap();
    let file = UploadFile::new(&photo).alt_text("On WordPress.com");
    let report = connect
        .upload(&done.account.id, vec![file], UploadOptions::default(), &|_| {}, &Cancel::new())
        .await
        .unwrap();
    let media = report.files[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(media.alt_text, "On WordPress.com");
    assert!(
        api.server().requests().iter().any(|r| r.path() == "/wp/v2/sites/4242/media"),
        "sent to /wp/v2/sites/4242/media"
    );
    let out = connect.sign_out(&done.account.id).await.unwrap();
    assert!(!out.revoked);
    assert!(out.revoke_problem.unwrap().contains("wordpress.com/me/security"));
    assert!(connect.accounts().unwrap().is_empty());
}

/// The person, who also remembers where the browser was sent back to.
struct Recording(TestBrowser, Arc<std::sync::Mutex<Vec<String>>>);

impl Browser for Recording {
    fn open(&self, url: &Url) -> wpconnect_core::Result<()> {
        let (b, seen, url) = (self.0.clone(), self.1.clone(), url.to_string());
        tokio::spawn(async move {
            if let Ok(v) = b.visit(&url).await {
                seen.lock().unwrap().extend(v.trail);
            }
        });
        Ok(())
    }
}

#[tokio::test]
async fn an_ephemeral_port_where_the_server_allows_any_loopback_port() {
    // WP OAuth Server without "enforce redirect URI" matches a prefix: `http://127.0.0.1` admits
    // every port.
    let f =
        fixture(Knobs::default(), |_| Client::new("desk-app", Some(SECRET), &["http://127.0.0.1"]))
            .await;
    let mut client = oauth_client(&f, true);
    client.redirect_ports.clear();
    let mut used = None;
    let done = f
        .connect
        .sign_in_browser(
            &f.discovered,
            client,
            opts(Duration::from_secs(20)),
            &ada(Consent::Allow),
            &Cancel::new(),
            |_, r| used = Some(r.clone()),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    let used = used.unwrap();
    assert_ne!(used.port(), Some(f.port), "a port the app chose, not a registered one");
    assert_eq!(done.account.redirect_uri, Some(used));
}

#[tokio::test]
async fn a_replayed_callback_finds_the_door_shut_and_the_code_spent() {
    let f = fixture(Knobs::default(), confidential).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let person = Recording(TestBrowser::new("ada", "correct horse", Consent::Allow), seen.clone());
    f.connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &person,
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let callback = seen
        .lock()
        .unwrap()
        .iter()
        .find(|u| u.contains("/callback?"))
        .cloned()
        .expect("the browser came back");
    assert!(reqwest::get(&callback).await.is_err(), "the listener took one callback and closed");
    // The code inside it cannot be exchanged again either.
    let code = Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let again = reqwest::Client::new()
        .post(format!("{}/oauth/token", f.site.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=authorization_code&code={code}&client_id=desk-app&client_secret=client-secret-%26-more&redirect_uri=http%3A%2F%2F127.0.0.1%3A{}%2Fcallback", f.port))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("invalid_grant"));
}

#[tokio::test]
async fn an_expired_code_is_explained() {
    let f = fixture(Knobs { code_ttl: Duration::ZERO, ..Default::default() }, confidential).await;
    let e = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &ada(Consent::Allow),
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Oauth);
    assert!(e.to_string().contains("expired"), "{e}");
    assert!(e.hint().contains("30 seconds"), "{}", e.hint());
    assert!(f.connect.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn a_server_that_drops_state_is_not_trusted() {
    let f = fixture(Knobs { drop_state: true, ..Default::default() }, confidential).await;
    let e = f
        .connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &ada(Consent::Allow),
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StateMismatch);
    assert_eq!(f.site.counters().token_requests, 0);
}

#[tokio::test]
async fn a_server_that_ignores_pkce_still_signs_in() {
    // Old plugin versions ignore the challenge; signing in must still work (the doctor flags it).
    let f = fixture(Knobs { pkce_ignored: true, ..Default::default() }, confidential).await;
    f.connect
        .sign_in_browser(
            &f.discovered,
            oauth_client(&f, true),
            opts(Duration::from_secs(20)),
            &ada(Consent::Allow),
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_sign_in_that_fails_after_tokens_were_issued_revokes_them() {
    let f = fixture(Knobs::default(), confidential).await;
    let keyring: Arc<dyn SecretStore> = Arc::new(RefusingStore);
    let connect =
        Connect::new(http(), AccountsFile::at(f._dir.path().join("refusing.json")), Ok(keyring));
    let e = connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyringLocked, "{e}");
    let issued = f.site.issued_tokens();
    assert_eq!(issued.len(), 2, "one access and one refresh token were issued: {issued:?}");
    assert!(
        issued.iter().all(|t| !f.site.access_token_valid(t)),
        "no issued token is still live on the site"
    );
    assert_eq!(
        f.site.counters().revocations,
        2,
        "the refresh and the access token were revoked before the error was shown"
    );
    assert!(connect.accounts().unwrap().is_empty(), "no half account was recorded");
}

#[tokio::test]
async fn a_token_endpoint_that_wants_the_client_id_in_the_body_gets_it() {
    let f = fixture(Knobs { client_id_in_body: true, ..Knobs::default() }, confidential).await;
    let done = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
}

#[tokio::test]
async fn the_canonical_trailing_slash_redirect_is_followed_with_the_token() {
    let f = fixture(Knobs::default(), confidential).await;
    let done = f
        .connect
        .sign_in_password(
            &f.discovered,
            oauth_client(&f, true),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    let access = f.store.get(&format!("{}/access-token", done.account.id)).unwrap().unwrap();
    use secrecy::ExposeSecret;
    let http = wpconnect_core::http::Http::new(http());
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", access.expose_secret()).parse().unwrap(),
    );
    let me = Url::parse(&format!("{}/oauth/me", f.site.url())).unwrap();
    let answer = http.send(reqwest::Method::GET, me.clone(), headers, None).await.unwrap();
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(answer.redirects, [me], "WordPress's 301 was followed");
    assert_eq!(answer.url.path(), "/oauth/me/");
    let reqs = f.site.server().requests();
    let slash = reqs.iter().find(|r| r.path() == "/oauth/me/").unwrap();
    assert!(
        slash.header("authorization").is_some_and(|h| h.starts_with("Bearer ")),
        "the token went along, to the same origin"
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_is_refused_and_never_carries_the_credential() {
    use wpconnect_testsupport::{Reply, Server};
    let elsewhere = Server::start(|_, _| Reply::json(200, "{}")).await;
    let target = format!("{}/collect", elsewhere.url());
    let site = Server::start(move |req, base| match req.path() {
        "/me" => Reply::redirect(301, format!("{base}/me/")),
        "/me/" => Reply::redirect(302, target.clone()),
        _ => Reply::json(404, "{}"),
    })
    .await;
    let http = wpconnect_core::http::Http::new(http());
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, "Bearer secret-token-value".parse().unwrap());
    let e = http
        .send(
            reqwest::Method::GET,
            Url::parse(&format!("{}/me", site.url())).unwrap(),
            headers,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RedirectRefused, "{e}");
    assert!(
        e.to_string().contains(&elsewhere.url()),
        "the message names where it wanted to go: {e}"
    );
    assert_eq!(elsewhere.request_count(), 0, "nothing was sent to the other host");
    assert_eq!(site.request_count(), 2, "the same-origin hop was followed");
    assert!(!e.hint().is_empty());
}
