//! Every sign-in flow against the REAL auth plugins (tests/wordpress/wp-env.sh installs them,
//! unmodified, from ../shared/wordpress-plugins into the test WordPress 6.1): WP OAuth Server 4.4.0
//! and the WP REST API OAuth 1.0a server 0.4.4 on the "oauth" site, OAuth 2 for WordPress 0.2.0 on
//! the "wpapi" site. Clients and applications are registered from PHP the way an admin does in
//! wp-admin; the person at the browser is the scripted browser (it logs in on wp-login.php and
//! answers the plugins' own consent pages). What the server holds afterwards is checked on the
//! server (live tokens), not assumed.

// The verifier closures return the core's Result, whose Error is large by design.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;
use wpconnect_core::browser::Browser;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::oauth1::Consumer;
use wpconnect_core::profile::Profile;
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions, SignedIn};
use wpconnect_core::store::{AccountStatus, AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::upload::{UploadFile, UploadOptions};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, ErrorKind, HttpOptions, Method};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::{real_plugins, RealPlugins};

mod common;
use common::{Person, RefusingStore};
use wpconnect_testsupport::photos::photos;

const GRANTS: &str = "authorization_code refresh_token password";

fn http() -> HttpOptions {
    HttpOptions { timeout: Duration::from_secs(20), ..Default::default() }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn discover(url: &str) -> Discovered {
    Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(url)
        .await
        .unwrap()
}

/// A person's machine: an accounts file of its own, secrets in memory (the CLI's real-plugin
/// tests use the real Secret Service).
struct Machine {
    connect: Connect,
    store: Arc<MemoryStore>,
    _dir: tempfile::TempDir,
}

fn machine() -> Machine {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::new());
    let keyring: Arc<dyn SecretStore> = store.clone();
    Machine {
        connect: Connect::new(
            http(),
            AccountsFile::at(dir.path().join("accounts.json")),
            Ok(keyring),
        ),
        store,
        _dir: dir,
    }
}

impl Machine {
    fn secret(&self, account: &str, what: &str) -> Option<String> {
        use secrecy::ExposeSecret;
        self.store.get(&format!("{account}/{what}")).unwrap().map(|s| s.expose_secret().to_string())
    }
}

/// The author at the browser, played by the scripted browser in the background.
fn author(wp: &RealPlugins, consent: Consent) -> Person {
    Person::new(TestBrowser::new(&wp.wp.author_user, &wp.wp.author_password, consent))
}

fn opts() -> SignInOptions {
    SignInOptions { timeout: Duration::from_secs(40), ..Default::default() }
}

/// The author's profile as the test WordPress has it, field by field.
fn assert_author(wp: &RealPlugins, p: &Profile) {
    assert_eq!(p.username, wp.wp.author_user);
    assert_eq!(p.display_name, "Ada Author");
    assert_eq!(p.email.as_deref(), Some("author@wpconnect.test"));
    assert_eq!(p.roles, ["author"]);
    assert!(
        p.user_id.as_deref().is_some_and(|id| id.parse::<u64>().is_ok_and(|n| n > 1)),
        "a numeric user id: {:?}",
        p.user_id
    );
    assert!(
        p.registered.as_deref().is_some_and(|r| r.len() >= 10),
        "registration date: {:?}",
        p.registered
    );
    for cap in ["upload_files", "edit_posts", "publish_posts"] {
        assert!(
            p.capabilities.iter().any(|c| c == cap),
            "an author can {cap}: {:?}",
            p.capabilities
        );
    }
    assert!(
        !p.capabilities.iter().any(|c| c == "manage_options"),
        "an author is no admin: {:?}",
        p.capabilities
    );
}

/// The site as the test WordPress is set up, field by field.
fn assert_site(wp: &RealPlugins, d: &Discovered, url: &str) {
    assert_eq!(d.site.name, wp.wp.name);
    assert_eq!(d.site.description, wp.wp.tagline);
    assert_eq!(d.site.url, url);
    assert_eq!(d.site.home, url);
    assert_eq!(d.site.timezone.as_deref(), Some(wp.wp.timezone.as_str()));
    assert!(
        d.site.gmt_offset == 1.0 || d.site.gmt_offset == 2.0,
        "Paris is UTC+1 or +2: {}",
        d.site.gmt_offset
    );
    assert!(!d.site.https);
    assert_eq!(d.api_root.as_str(), format!("{url}/wp-json/"));
}

async fn me_matches(m: &Machine, wp: &RealPlugins, done: &SignedIn, url: &str) {
    let me = m.connect.me(&done.account.id).await.unwrap();
    assert_author(wp, &me.profile);
    let site = me.site.expect("the site's info");
    assert_eq!(site.name, wp.wp.name);
    assert_eq!(site.url, url);
}

/// The signed-in author uploads a real photo (a position in it) with alt text, through the
/// plugin's credential.
async fn uploads_a_photo(m: &Machine, done: &SignedIn) {
    let dir = tempfile::tempdir().unwrap();
    let photo = photos(dir.path()).remove(0);
    let file = UploadFile::new(&photo).alt_text("Quai de Seine, ÄÖ");
    let report = m
        .connect
        .upload(&done.account.id, vec![file], UploadOptions::default(), &|_| {}, &Cancel::new())
        .await
        .unwrap();
    let media = report.files[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e} ({})", e.hint()));
    assert_eq!(media.alt_text, "Quai de Seine, ÄÖ");
    assert_eq!(media.title, "Été à Paris");
    assert!(!report.files[0].location_removed.is_empty());
}

/// The author signs in through the browser, allowing; the sign-in must succeed.
async fn browser_sign_in(
    m: &Machine,
    wp: &RealPlugins,
    d: &Discovered,
    client: OAuth2Client,
) -> SignedIn {
    m.connect
        .sign_in_browser(d, client, opts(), &author(wp, Consent::Allow), &Cancel::new(), |_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{e} ({})", e.hint()))
}

#[tokio::test]
async fn discovery_reads_each_plugin_site_in_one_round_trip() {
    let Some(wp) = real_plugins("discovery_reads_each_plugin_site_in_one_round_trip") else {
        return;
    };
    let d = discover(&wp.oauth_url).await;
    assert_site(&wp, &d, &wp.oauth_url);
    let o2 = d.methods.oauth2.as_ref().expect("WP OAuth Server advertised");
    assert_eq!(o2.server, wpconnect_core::site::OAuth2Server::WpOauthServer);
    assert_eq!(o2.token.as_str(), format!("{}/oauth/token", wp.oauth_url));
    let o1 = d.methods.oauth1.as_ref().expect("OAuth 1.0a advertised");
    assert!(o1.request.as_str().starts_with(&wp.oauth_url), "{}", o1.request);
    assert!(d.methods.application_passwords.is_some(), "a local site offers Application Passwords");
    assert!(
        d.metadata.is_none(),
        "the metadata documents cost two more round trips: read only by the doctor"
    );

    let d = discover(&wp.wpapi_url).await;
    assert_site(&wp, &d, &wp.wpapi_url);
    let o2 = d.methods.oauth2.as_ref().expect("OAuth 2 for WordPress advertised");
    assert!(o2.token.as_str().contains("oauth2/access_token"), "{}", o2.token);
}

#[tokio::test]
async fn oauth2_code_with_pkce_for_a_confidential_and_a_public_client() {
    let Some(wp) = real_plugins("oauth2_code_with_pkce_for_a_confidential_and_a_public_client")
    else {
        return;
    };
    let d = discover(&wp.oauth_url).await;
    for public in [false, true] {
        let port = free_port();
        let (id, secret) = wp.oauth2_client("oauth", port, GRANTS, public);
        assert_eq!(secret.is_empty(), public);
        let m = machine();
        let client = OAuth2Client {
            client_id: id.clone(),
            client_secret: (!public).then(|| ClientSecret::new(secret.clone())),
            redirect_ports: vec![port],
            scope: None,
        };
        let done = m
            .connect
            .sign_in_browser(
                &d,
                client,
                opts(),
                &author(&wp, Consent::Allow),
                &Cancel::new(),
                |_, _| {},
            )
            .await
            .unwrap_or_else(|e| panic!("public={public}: {e} ({})", e.hint()));
        assert_author(&wp, &done.profile);
        assert_eq!(done.account.method, Method::Oauth2);
        assert_eq!(done.account.status, AccountStatus::SignedIn);
        assert_eq!(done.account.site_name, wp.wp.name);
        assert!(done.account.expires_at.is_some(), "WP OAuth Server says when the token expires");
        let access = m.secret(&done.account.id, "access-token").expect("access token kept");
        assert!(m.secret(&done.account.id, "refresh-token").is_some(), "refresh token kept");
        assert!(wp.token_valid("oauth", &access), "the token is live on the server");
        me_matches(&m, &wp, &done, &wp.oauth_url).await;
        uploads_a_photo(&m, &done).await;

        let out = m.connect.sign_out(&done.account.id).await.unwrap();
        assert!(out.revoked, "public={public}: {:?}", out.revoke_problem);
        assert!(!wp.token_valid("oauth", &access), "revoked on the server");
        assert_eq!(
            wp.live_tokens("oauth", &id),
            (0, 0),
            "nothing of this client is live on the server"
        );
        // The server itself refuses the revoked token.
        let refused = reqwest::Client::new()
            .get(format!("{}/oauth/me/", wp.oauth_url))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 400, "WP OAuth Server refuses a revoked token");
    }
}

#[tokio::test]
async fn a_port_the_app_picks_when_the_admin_registered_the_loopback_prefix() {
    // WP OAuth Server without "enforce redirect URI" matches the registered URI as a prefix, so an
    // admin who registers `http://127.0.0.1` lets the app listen on any free port.
    let Some(wp) =
        real_plugins("a_port_the_app_picks_when_the_admin_registered_the_loopback_prefix")
    else {
        return;
    };
    let d = discover(&wp.oauth_url).await;
    let v = wp.admin(
        "oauth",
        &["oauth2-client", "--redirect-uri", "http://127.0.0.1", "--grants", GRANTS],
    );
    let (id, secret) = (
        v["client_id"].as_str().unwrap().to_string(),
        v["client_secret"].as_str().unwrap().to_string(),
    );
    let m = machine();
    let client = OAuth2Client {
        client_id: id.clone(),
        client_secret: Some(ClientSecret::new(secret)),
        redirect_ports: vec![],
        scope: None,
    };
    let mut used = None;
    let person = author(&wp, Consent::Allow);
    let done = match m
        .connect
        .sign_in_browser(&d, client, opts(), &person, &Cancel::new(), |_, r| used = Some(r.clone()))
        .await
    {
        Ok(done) => done,
        Err(e) => panic!("{e} ({}); the browser: {:?}", e.hint(), person.visits().await),
    };
    assert_author(&wp, &done.profile);
    let used = used.expect("a redirect URI");
    assert!(used.as_str().starts_with("http://127.0.0.1:") && used.path() == "/callback", "{used}");
    assert_eq!(wp.live_tokens("oauth", &id), (1, 1));
}

#[tokio::test]
async fn password_grant_wrong_then_right() {
    let Some(wp) = real_plugins("password_grant_wrong_then_right") else { return };
    let d = discover(&wp.oauth_url).await;
    let (id, secret) = wp.oauth2_client("oauth", free_port(), GRANTS, false);
    let client = || OAuth2Client {
        client_id: id.clone(),
        client_secret: Some(ClientSecret::new(secret.clone())),
        redirect_ports: vec![],
        scope: None,
    };
    let m = machine();
    let e = m
        .connect
        .sign_in_password(
            &d,
            client(),
            &wp.wp.author_user,
            Password::new("not-the-password"),
            opts(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongPassword, "{e}");
    assert!(m.connect.accounts().unwrap().is_empty());
    assert_eq!(wp.live_tokens("oauth", &id), (0, 0));

    let done = m
        .connect
        .sign_in_password(
            &d,
            client(),
            &wp.wp.author_user,
            Password::new(wp.wp.author_password.clone()),
            opts(),
        )
        .await
        .unwrap();
    assert_author(&wp, &done.profile);
    assert!(done.notes.iter().any(|n| n.contains("fallback")), "{:?}", done.notes);
    me_matches(&m, &wp, &done, &wp.oauth_url).await;
    assert_eq!(wp.live_tokens("oauth", &id), (1, 1));
}

#[tokio::test]
async fn a_sign_in_that_fails_after_the_tokens_were_issued_leaves_none_live() {
    let Some(wp) =
        real_plugins("a_sign_in_that_fails_after_the_tokens_were_issued_leaves_none_live")
    else {
        return;
    };
    let d = discover(&wp.oauth_url).await;
    let port = free_port();
    let (id, secret) = wp.oauth2_client("oauth", port, GRANTS, false);
    let dir = tempfile::tempdir().unwrap();
    let keyring: Arc<dyn SecretStore> = Arc::new(RefusingStore);
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(keyring));
    let client = OAuth2Client {
        client_id: id.clone(),
        client_secret: Some(ClientSecret::new(secret)),
        redirect_ports: vec![port],
        scope: None,
    };
    let person = author(&wp, Consent::Allow);
    let e = connect
        .sign_in_browser(&d, client.clone(), opts(), &person, &Cancel::new(), |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyringLocked, "{e}; the browser: {:?}", person.visits().await);
    assert_eq!(
        wp.live_tokens("oauth", &id),
        (0, 0),
        "the issued tokens were revoked before the error was shown"
    );
    let e = connect
        .sign_in_password(
            &d,
            client,
            &wp.wp.author_user,
            Password::new(wp.wp.author_password.clone()),
            opts(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyringLocked, "{e}");
    assert_eq!(wp.live_tokens("oauth", &id), (0, 0));
    assert!(connect.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn refresh_on_the_real_server_and_two_processes_using_one_refresh_token() {
    let Some(wp) =
        real_plugins("refresh_on_the_real_server_and_two_processes_using_one_refresh_token")
    else {
        return;
    };
    let d = discover(&wp.oauth_url).await;
    let (id, secret) = wp.oauth2_client("oauth", free_port(), GRANTS, false);
    let client = OAuth2Client {
        client_id: id.clone(),
        client_secret: Some(ClientSecret::new(secret)),
        redirect_ports: vec![],
        scope: None,
    };
    let m = machine();
    let done = m
        .connect
        .sign_in_password(
            &d,
            client,
            &wp.wp.author_user,
            Password::new(wp.wp.author_password.clone()),
            opts(),
        )
        .await
        .unwrap();
    let account = done.account.id.clone();
    let first_access = m.secret(&account, "access-token").unwrap();
    let first_refresh = m.secret(&account, "refresh-token").unwrap();

    // A refresh: a new access token, live; the account still signed in.
    let expiry = |m: &Machine| m.connect.account(&account).unwrap().expires_at;
    let fresh = m
        .connect
        .refresh(&account, expiry(&m))
        .await
        .unwrap_or_else(|e| panic!("{e} ({})", e.hint()));
    let fresh = fresh.expose().to_string();
    assert_ne!(fresh, first_access, "a new access token");
    assert!(wp.token_valid("oauth", &fresh));
    let second_refresh = m.secret(&account, "refresh-token").unwrap();
    assert_ne!(
        second_refresh, first_refresh,
        "WP OAuth Server issues a new refresh token with each refresh"
    );

    // The CLI and the app hold the same stored refresh token and refresh at once: on WP OAuth
    // Server's defaults an old refresh token keeps working, so both succeed and nobody is asked
    // to sign in again.
    let other = Connect::new(
        http(),
        AccountsFile::at(m._dir.path().join("accounts.json")),
        Ok(m.store.clone() as Arc<dyn SecretStore>),
    );
    tokio::time::sleep(Duration::from_secs(3)).await; // past the "refreshed a moment ago" window
    let seen = expiry(&m);
    let (a, b) = tokio::join!(m.connect.refresh(&account, seen), other.refresh(&account, seen));
    a.unwrap_or_else(|e| panic!("{e}"));
    b.unwrap_or_else(|e| panic!("{e}"));
    let after = m.connect.account(&account).unwrap();
    assert_eq!(after.status, AccountStatus::SignedIn);
    me_matches(&m, &wp, &done, &wp.oauth_url).await;

    // What each refresh replaced was ended on the server (WP OAuth Server would keep it live):
    // signing out leaves no token of this client live.
    assert!(!wp.token_valid("oauth", &first_access), "the replaced access token was revoked");
    m.connect.sign_out(&account).await.unwrap();
    assert_eq!(wp.live_tokens("oauth", &id), (0, 0), "no token live after sign-out");
}

#[tokio::test]
async fn oauth1_with_a_registered_port_and_with_oob() {
    let Some(wp) = real_plugins("oauth1_with_a_registered_port_and_with_oob") else { return };
    let d = discover(&wp.oauth_url).await;

    // A registered loopback callback.
    let port = free_port();
    let (key, secret) = wp.oauth1_consumer("oauth", &format!("http://127.0.0.1:{port}/callback"));
    let m = machine();
    let consumer = Consumer { key: key.clone(), secret: ClientSecret::new(secret) };
    let done = m
        .connect
        .sign_in_oauth1(
            &d,
            consumer,
            Some(port),
            opts(),
            &author(&wp, Consent::Allow),
            &Cancel::new(),
            |_, _| {},
            || unreachable!("no verifier to type with a callback"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e} ({})", e.hint()));
    assert_author(&wp, &done.profile);
    assert_eq!(done.account.method, Method::Oauth1);
    me_matches(&m, &wp, &done, &wp.oauth_url).await;
    uploads_a_photo(&m, &done).await;
    let out = m.connect.sign_out(&done.account.id).await.unwrap();
    assert!(!out.revoked);
    assert!(out.revoke_problem.unwrap().contains("wp-admin"), "says where to revoke the app");

    // "oob": the site shows a verification code, which the person types into the app.
    let (key, secret) = wp.oauth1_consumer("oauth", "oob");
    let m = machine();
    let shown = Arc::new(Mutex::new(None::<String>));
    let person = OobPerson {
        browser: TestBrowser::new(&wp.wp.author_user, &wp.wp.author_password, Consent::Allow),
        shown: shown.clone(),
    };
    let consumer = Consumer { key, secret: ClientSecret::new(secret) };
    let done = m
        .connect
        .sign_in_oauth1(
            &d,
            consumer,
            None,
            opts(),
            &person,
            &Cancel::new(),
            |_, redirect| assert!(redirect.is_none()),
            || Ok(shown.lock().unwrap().clone().expect("the page showed a verification code")),
        )
        .await
        .unwrap_or_else(|e| panic!("{e} ({})", e.hint()));
    assert_author(&wp, &done.profile);
    me_matches(&m, &wp, &done, &wp.oauth_url).await;
}

/// The person for "oob": goes through the pages at once and reads the code the site shows.
struct OobPerson {
    browser: TestBrowser,
    shown: Arc<Mutex<Option<String>>>,
}

impl Browser for OobPerson {
    fn open(&self, url: &Url) -> wpconnect_core::Result<()> {
        let (b, url, shown) = (self.browser.clone(), url.to_string(), self.shown.clone());
        // Done before the app asks for the code, on a runtime of its own (the site is another
        // process).
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let visit = rt.block_on(b.visit(&url)).expect("the authorization pages");
            // "Your verification token is <code>…</code>": the plugin's wp_kses() call is given its
            // allowed tags as a plain list, so on WordPress the <code> tag itself is stripped.
            let after = visit
                .body
                .split("verification token is")
                .nth(1)
                .unwrap_or_else(|| panic!("no code on the page: {}", visit.body));
            let code = after
                .trim_start()
                .trim_start_matches("<code>")
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .map(str::to_string);
            *shown.lock().unwrap() = code;
        })
        .join()
        .unwrap();
        Ok(())
    }
}

#[tokio::test]
async fn plain_permalinks_both_plugins_through_their_query_variables() {
    // On plain permalinks the plugins still advertise /oauth/token and /oauth1/request, which
    // WordPress answers with its home page; only ?oauth= and ?rest_oauth1= reach them.
    let Some(wp) = real_plugins("plain_permalinks_both_plugins_through_their_query_variables")
    else {
        return;
    };
    let url = wp.url_of("oauthplain").to_string();
    let d = discover(&url).await;
    assert_eq!(d.permalinks, Some(wpconnect_core::Permalinks::Plain));
    assert_eq!(d.api_root.as_str(), format!("{url}/index.php?rest_route=/"));
    let o2 = d.methods.oauth2.clone().expect("WP OAuth Server");
    assert_eq!(o2.token.as_str(), format!("{url}/index.php?oauth=token"));
    assert_eq!(
        d.methods.oauth1.clone().expect("OAuth 1.0a").request.as_str(),
        format!("{url}/index.php?rest_oauth1=request")
    );

    // OAuth2 with PKCE through the browser, and sign-out revoking on the server.
    let port = free_port();
    let (id, secret) = wp.oauth2_client("oauthplain", port, GRANTS, false);
    let m = machine();
    let client = OAuth2Client {
        client_id: id.clone(),
        client_secret: Some(ClientSecret::new(secret)),
        redirect_ports: vec![port],
        scope: None,
    };
    let done = browser_sign_in(&m, &wp, &d, client).await;
    assert_author(&wp, &done.profile);
    me_matches(&m, &wp, &done, &url).await;
    assert_eq!(wp.live_tokens("oauthplain", &id), (1, 1));
    let out = m.connect.sign_out(&done.account.id).await.unwrap();
    assert!(out.revoked, "{:?}", out.revoke_problem);
    assert_eq!(wp.live_tokens("oauthplain", &id), (0, 0), "revoked through ?oauth=revoke");

    // OAuth 1.0a: signed token requests to index.php, the route in the signed body.
    let port = free_port();
    let (key, secret) =
        wp.oauth1_consumer("oauthplain", &format!("http://127.0.0.1:{port}/callback"));
    let m = machine();
    let done = m
        .connect
        .sign_in_oauth1(
            &d,
            Consumer { key, secret: ClientSecret::new(secret) },
            Some(port),
            opts(),
            &author(&wp, Consent::Allow),
            &Cancel::new(),
            |_, _| {},
            || unreachable!("no verifier to type with a callback"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e} ({})", e.hint()));
    assert_author(&wp, &done.profile);
    me_matches(&m, &wp, &done, &url).await;
}

#[tokio::test]
async fn the_rest_api_teams_oauth2_plugin_signs_in_with_its_consent_page() {
    let Some(wp) = real_plugins("the_rest_api_teams_oauth2_plugin_signs_in_with_its_consent_page")
    else {
        return;
    };
    let d = discover(&wp.wpapi_url).await;
    let port = free_port();
    let (id, secret) = wp.oauth2_client("wpapi", port, "authorization_code", false);
    let m = machine();
    let client = OAuth2Client {
        client_id: id,
        client_secret: Some(ClientSecret::new(secret)),
        redirect_ports: vec![port],
        scope: None,
    };
    // Cancel on its consent page: the plugin sends the browser back with an error.
    let e = m
        .connect
        .sign_in_browser(
            &d,
            client.clone(),
            SignInOptions { timeout: Duration::from_secs(15), ..opts() },
            &author(&wp, Consent::Deny),
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::AccessDenied | ErrorKind::Oauth | ErrorKind::CallbackTimeout),
        "{e:?}"
    );
    assert!(m.connect.accounts().unwrap().is_empty());

    let done = browser_sign_in(&m, &wp, &d, client).await;
    assert_author(&wp, &done.profile);
    me_matches(&m, &wp, &done, &wp.wpapi_url).await;
    let out = m.connect.sign_out(&done.account.id).await.unwrap();
    assert!(!out.revoked, "this plugin offers apps no revocation");
    assert!(out.revoke_problem.is_some());
}

mod doctor {
    //! The doctor's verdicts against the real WP OAuth Server, with each setting it judges switched
    //! on the real plugin (on the "oauthdoc" site, which no other test uses: one test, in order).

    use super::*;
    use wpconnect_core::browser::NoBrowser;
    use wpconnect_core::doctor::{Doctor, DoctorRequest, Report, Status};

    async fn run(req: &DoctorRequest, browser: &dyn Browser) -> Report {
        let opts = DiscoveryOptions { http: http(), ..Default::default() };
        Doctor::new(opts).run(req, browser, &Cancel::new(), &|_| {}).await
    }

    #[track_caller]
    fn verdict(r: &Report, id: &str, want: Status, finding_has: &str) {
        let c = r.check(id).unwrap_or_else(|| panic!("no check {id}"));
        assert_eq!(c.status, want, "{id}: {c:#?}");
        assert!(
            c.finding.contains(finding_has),
            "{id}: {:?} does not say {finding_has:?}",
            c.finding
        );
    }

    #[tokio::test]
    async fn verdicts_follow_the_real_plugins_settings() {
        let Some(wp) = real_plugins("verdicts_follow_the_real_plugins_settings") else { return };
        let set = |name: &str, value: &str| {
            wp.admin("oauthdoc", &["option", name, value]);
        };
        set("enabled", "1");
        set("require_exact_redirect_uri", "0");
        wp.admin("oauthdoc", &["set-option", "wpconnect_test_refresh_single_use", "0"]);
        let port = free_port();
        let (id, secret) = wp.oauth2_client("oauthdoc", port, GRANTS, false);
        let redirect = Url::parse(&format!("http://127.0.0.1:{port}/callback")).unwrap();
        let req = DoctorRequest {
            client_id: Some(id.clone()),
            client_secret: Some(ClientSecret::new(secret.clone())),
            redirect_uri: Some(redirect.clone()),
            wait: Duration::from_secs(40),
            ..DoctorRequest::new(wp.oauthdoc_url.clone())
        };

        // "Enforce Redirect URI" off (the plugin's default): a prefix match on the same host and
        // port, so a look-alike path is accepted and another port is not.
        let r = run(&req, &NoBrowser).await;
        verdict(&r, "oauth2.server", Status::Pass, "answers");
        verdict(&r, "oauth2.client", Status::Pass, &id);
        verdict(&r, "oauth2.redirect_uri", Status::Pass, "accepts");
        verdict(&r, "oauth2.redirect_matching", Status::Warn, "look-alike");
        verdict(&r, "oauth2.loopback_port", Status::Pass, "Only the registered port is accepted");
        verdict(&r, "oauth2.grant.authorization_code", Status::Pass, "Enabled");
        verdict(&r, "oauth2.grant.refresh_token", Status::Skipped, "");
        verdict(&r, "oauth2.grant.password", Status::Skipped, "");
        let matching = r.check("oauth2.redirect_matching").unwrap();
        assert!(
            matching.observed.iter().any(|e| e.response.contains("/oauth/authorize/")),
            "the canonical redirect was followed before judging: {matching:#?}"
        );

        // On: exact matching; a random port is still refused, and the look-alike now too.
        set("require_exact_redirect_uri", "1");
        let r = run(&req, &NoBrowser).await;
        verdict(&r, "oauth2.redirect_uri", Status::Pass, "accepts");
        verdict(&r, "oauth2.redirect_matching", Status::Pass, "refused");
        verdict(&r, "oauth2.loopback_port", Status::Pass, "is refused");
        set("require_exact_redirect_uri", "0");

        // Grants per client: a client without the refresh and password grants.
        let (narrow, narrow_secret) =
            wp.oauth2_client("oauthdoc", port, "authorization_code", false);
        // WP OAuth Server checks a made-up refresh token or user before the client's grant types,
        // so without --live the doctor says it cannot tell (it used to say "Enabled": wrong here).
        let narrow_req = DoctorRequest {
            client_id: Some(narrow.clone()),
            client_secret: Some(ClientSecret::new(narrow_secret)),
            ..req.clone()
        };
        let r = run(&narrow_req, &NoBrowser).await;
        verdict(&r, "oauth2.grant.authorization_code", Status::Pass, "Enabled");
        verdict(&r, "oauth2.grant.refresh_token", Status::Skipped, "");
        verdict(&r, "oauth2.grant.password", Status::Skipped, "");
        // With --live a real refresh token tells.
        let r =
            run(&DoctorRequest { live: true, ..narrow_req }, &author(&wp, Consent::Allow)).await;
        verdict(&r, "oauth2.grant.refresh_token", Status::Warn, "not enabled");
        assert_eq!(
            wp.live_tokens("oauthdoc", &narrow),
            (0, 0),
            "every token the doctor obtained was revoked"
        );

        // A wrong secret.
        let r = run(
            &DoctorRequest {
                client_secret: Some(ClientSecret::new("not-the-secret")),
                ..req.clone()
            },
            &NoBrowser,
        )
        .await;
        verdict(&r, "oauth2.client", Status::Fail, "refused");

        // The server switched off.
        set("enabled", "0");
        let r = run(&req, &NoBrowser).await;
        set("enabled", "1");
        verdict(&r, "oauth2.server", Status::Fail, "switched off");

        // --live: the author signs in once; PKCE is honoured when sent (a wrong verifier is
        // refused), /oauth/me answers behind WordPress's canonical redirect, and refresh tokens
        // keep working after use unless the site makes them single-use.
        let live = DoctorRequest { live: true, ..req.clone() };
        let r = run(&live, &author(&wp, Consent::Allow)).await;
        verdict(&r, "live.me", Status::Pass, "");
        verdict(&r, "live.pkce", Status::Pass, "");
        verdict(&r, "live.state", Status::Pass, "");
        verdict(&r, "live.code_reuse", Status::Pass, "");
        verdict(&r, "live.revocation", Status::Pass, "");
        verdict(&r, "live.refresh_rotation", Status::Warn, "");
        verdict(&r, "oauth2.grant.refresh_token", Status::Pass, "real refresh token");
        assert_eq!(
            wp.live_tokens("oauthdoc", &id),
            (0, 0),
            "every token the doctor obtained was revoked"
        );

        wp.admin("oauthdoc", &["set-option", "wpconnect_test_refresh_single_use", "1"]);
        let r = run(&live, &author(&wp, Consent::Allow)).await;
        wp.admin("oauthdoc", &["set-option", "wpconnect_test_refresh_single_use", "0"]);
        verdict(&r, "live.refresh_rotation", Status::Pass, "");
        verdict(&r, "live.me", Status::Pass, "");
        assert_eq!(wp.live_tokens("oauthdoc", &id), (0, 0));
    }
}
