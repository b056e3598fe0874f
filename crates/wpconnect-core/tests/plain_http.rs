//! Plain http and "on this computer": judged by the addresses a site's name resolves to, never by
//! the name. `http://blog.local/` reached through the network (a proxy on loopback stands in for
//! it, and the name resolves to nothing here) gets no credential unless the person chose to sign
//! in without encryption; that choice is recorded with the account and holds for it alone. The
//! same name resolving to this computer is a local site, and the credential goes straight to the
//! loopback address it resolved to.

use std::sync::Arc;
use std::time::Duration;

use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, ErrorKind, Face, HttpOptions};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};
use wpconnect_testsupport::tls::Pki;
use wpconnect_testsupport::Resolver;

const NAME: &str = "blog.local";
const SECRET: &str = "client-secret";

async fn site() -> OAuthSite {
    let pki = Pki::new();
    let users = vec![User::new(7, "ada", "correct horse", "Ada Lovelace", &["author"])];
    // One server answers https://blog.local and http://blog.local; only http is used here.
    OAuthSite::start_https(
        &pki.leaf(&[NAME]),
        NAME,
        Knobs::default(),
        vec![Client::new("desk-app", Some(SECRET), &["http://127.0.0.1/callback"])],
        users,
    )
    .await
}

fn client() -> OAuth2Client {
    OAuth2Client {
        client_id: "desk-app".into(),
        client_secret: Some(ClientSecret::new(SECRET)),
        redirect_ports: vec![],
        scope: None,
    }
}

async fn discover(http: &HttpOptions) -> Discovered {
    Discoverer::new(DiscoveryOptions { http: http.clone(), ..Default::default() })
        .discover(&format!("http://{NAME}"))
        .await
        .unwrap()
}

fn connect(http: &HttpOptions, dir: &std::path::Path, store: Arc<dyn SecretStore>) -> Connect {
    Connect::new(http.clone(), AccountsFile::at(dir.join("accounts.json")), Ok(store))
}

/// Requests to the token endpoint, and any that carried a password or an Authorization header.
fn credentialed(site: &OAuthSite) -> usize {
    site.server()
        .requests()
        .iter()
        .filter(|r| {
            r.path().starts_with("/oauth/token")
                || r.header("authorization").is_some()
                || String::from_utf8_lossy(&r.body).contains("password=")
        })
        .count()
}

#[tokio::test]
async fn a_local_name_reached_through_the_network_gets_no_credential_unless_the_person_chooses() {
    let site = site().await;
    // The name resolves to nothing on this computer; the "network" (a proxy on loopback) reaches
    // it.
    let http = HttpOptions {
        timeout: Duration::from_secs(5),
        resolver: Some(Arc::new(Resolver::new())),
        http_proxy: Some(url::Url::parse(&format!("http://{}", site.server().addr())).unwrap()),
        ..Default::default()
    };
    let found = discover(&http).await;
    assert_eq!(found.answered_at.as_str(), "http://blog.local/");
    assert!(
        site.server().requests().iter().all(|r| r.proxied),
        "discovery went through the network"
    );
    assert!(!found.local(), "a .local name is not this computer by its name");
    assert!(found.plain_http_elsewhere());
    assert!(!found.site.https);

    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let c = connect(&http, dir.path(), store.clone());
    let e = c
        .sign_in_password(
            &found,
            client(),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InsecureConnection);
    assert_eq!(
        e.to_string(),
        "http://blog.local/oauth/token is not https, and your password is \
         only sent over an encrypted connection (or to this computer)."
    );
    let (cli, app) = (e.hint_for(Face::CommandLine), e.hint_for(Face::Desktop));
    assert!(cli.contains("--allow-plain-http") && !cli.contains("tick"), "{cli}");
    assert!(app.contains("Sign in without encryption") && !app.contains("--"), "{app}");
    assert_eq!(credentialed(&site), 0, "neither the password nor the client secret left");
    assert!(c.accounts().unwrap().is_empty());

    // The person chooses, knowingly: signed in, and the choice is kept with the account.
    let chosen = SignInOptions { allow_plain_http: true, ..Default::default() };
    let done = c
        .sign_in_password(&found, client(), "ada", Password::new("correct horse"), chosen)
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    let account = c.account(&done.account.id).unwrap();
    assert!(account.plain_http);
    assert!(site.server().requests().iter().all(|r| r.proxied));

    // Another run of the program (a new Connect on the same accounts file and keyring) uses the
    // account over plain http because the account says so.
    let again = Connect::new(
        http.clone(),
        AccountsFile::at(dir.path().join("accounts.json")),
        Ok(store.clone()),
    );
    let me = again.me(&done.account.id).await.unwrap();
    assert_eq!(me.profile.display_name, "Ada Lovelace");
    // Elsewhere (other accounts, no such choice), the same sign-in is still refused.
    let other_dir = tempfile::tempdir().unwrap();
    let stranger = connect(&http, other_dir.path(), Arc::new(MemoryStore::new()));
    let e = stranger
        .sign_in_password(
            &found,
            client(),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::InsecureConnection,
        "the choice belongs to the account that made it"
    );
}

#[tokio::test]
async fn the_same_name_resolving_here_is_a_local_site_reached_directly() {
    let site = site().await;
    let http = HttpOptions {
        timeout: Duration::from_secs(5),
        resolver: Some(Arc::new(Resolver::new().map_to(NAME, site.server().addr()))),
        ..Default::default()
    };
    let found = discover(&http).await;
    assert!(found.local(), "every address of blog.local is a loopback one");
    assert!(!found.plain_http_elsewhere());
    let dir = tempfile::tempdir().unwrap();
    let c = connect(&http, dir.path(), Arc::new(MemoryStore::new()));
    let done = c
        .sign_in_password(
            &found,
            client(),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    assert!(!c.account(&done.account.id).unwrap().plain_http);
    let token = site
        .server()
        .requests()
        .into_iter()
        .find(|r| r.path().starts_with("/oauth/token"))
        .expect("the token request");
    assert!(!token.proxied);
    assert_eq!(
        token.header("host"),
        Some("blog.local"),
        "sent to the loopback address under the site's own name"
    );
}

#[test]
fn addresses_decide_not_names() {
    use std::net::SocketAddr;
    use wpconnect_core::http::all_loopback;
    let a = |s: &str| s.parse::<SocketAddr>().unwrap();
    assert!(all_loopback(&[a("127.0.0.1:80"), a("[::1]:80")]));
    assert!(all_loopback(&[a("127.0.0.2:8080")]));
    assert!(all_loopback(&[a("[::ffff:127.0.0.1]:80")]));
    assert!(!all_loopback(&[]), "a name that resolved to nothing is not known to be here");
    assert!(
        !all_loopback(&[a("192.168.1.20:80")]),
        "a LAN address (blog.local on the office network)"
    );
    assert!(
        !all_loopback(&[a("127.0.0.1:80"), a("10.0.0.5:80")]),
        "one address elsewhere is enough to send it elsewhere"
    );
}

#[tokio::test]
async fn a_name_is_looked_up_once_and_the_credential_goes_where_the_check_looked() {
    // DNS that says "this computer" for the check and something else after (a rebinding
    // attacker's): the request with the credential goes to the address that was checked, without
    // asking again; the next request asks again, and an answer that is not here gets nothing.
    use wpconnect_core::http::Http;
    let site = site().await;
    let resolver = Arc::new(Resolver::new().map_once(NAME, site.server().addr()));
    let http = Http::new(HttpOptions {
        timeout: Duration::from_secs(5),
        resolver: Some(resolver.clone()),
        ..Default::default()
    });
    let me = url::Url::parse(&format!("http://{NAME}/wp-json/wp/v2/users/me")).unwrap();
    let bearer = || {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::AUTHORIZATION, "Bearer not-a-real-token".parse().unwrap());
        h
    };
    let answer = http.send(reqwest::Method::GET, me.clone(), bearer(), None).await.unwrap();
    assert_eq!(answer.status, 401, "the site answered (the token is made up)");
    assert_eq!(resolver.lookups(), 1, "checked once, sent to that address");
    let reached = site
        .server()
        .requests()
        .into_iter()
        .filter(|r| r.header("authorization").is_some())
        .count();
    assert_eq!(reached, 1);

    let e = http.send(reqwest::Method::GET, me, bearer(), None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InsecureConnection, "{e}");
    assert_eq!(
        site.server()
            .requests()
            .into_iter()
            .filter(|r| r.header("authorization").is_some())
            .count(),
        1,
        "nothing more was sent"
    );
}
