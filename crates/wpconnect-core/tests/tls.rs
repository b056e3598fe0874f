//! https for real: test servers on loopback that speak TLS with certificates made for this run
//! (a throwaway authority the client is told to trust, through its configuration; never the
//! machine's). Sites are reached by name at default ports, as on the web: the test resolver sends
//! `blog.example` to the server's socket, which answers https and plain http on one port.
//!
//! Discovery and sign-in succeed over https; each certificate a person's computer must refuse
//! (self-signed, expired, issued for another name) is refused with its own plain message and never
//! leads to plain http; http redirects to https; the doctor's https branches.

use std::sync::Arc;
use std::time::Duration;

use wpconnect_core::doctor::{Doctor, DoctorRequest, Report, Status};
use wpconnect_core::http::Certificate;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, Error, ErrorKind, HttpOptions};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};
use wpconnect_testsupport::tls::{self_signed, Pki, ServerCert};
use wpconnect_testsupport::{wp, Reply, Resolver, Server};

mod common;
use common::Person;

/// A site on the web (not a local name, so no leniency for local development applies).
const NAME: &str = "blog.example";

fn http(pki: &Pki, server: &Server, name: &str) -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(5),
        resolver: Some(Arc::new(Resolver::new().map_to(name, server.addr()))),
        extra_roots: vec![Certificate::from_pem(pki.ca_pem().as_bytes()).unwrap()],
        ..Default::default()
    }
}

fn discoverer(http: HttpOptions) -> Discoverer {
    Discoverer::new(DiscoveryOptions { http, ..Default::default() })
}

/// A WordPress site at https://NAME/ whose plain http redirects to https (as a well-run host does).
async fn site(cert: &ServerCert, name: &str) -> Server {
    Server::start_https(cert, name, |req, base| {
        if !req.https {
            return Reply::redirect(
                301,
                format!("{}{}", base.replacen("http:", "https:", 1), req.target),
            );
        }
        wp::typical(req, base)
    })
    .await
}

async fn discover(
    pki: &Pki,
    cert: &ServerCert,
    typed: &str,
) -> (Server, Result<Discovered, Error>) {
    let server = site(cert, NAME).await;
    let d = discoverer(http(pki, &server, NAME)).discover(typed).await;
    (server, d)
}

#[tokio::test]
async fn discovery_over_https_with_a_trusted_certificate() {
    let pki = Pki::new();
    let (server, d) = discover(&pki, &pki.leaf(&[NAME]), NAME).await;
    let d = d.unwrap();
    assert_eq!(d.answered_at.as_str(), "https://blog.example/");
    assert_eq!(d.api_root.as_str(), "https://blog.example/wp-json/");
    assert_eq!(d.site.name, "Typical Site");
    assert!(d.site.https, "the connection used was https");
    assert!(d.notes.is_empty(), "nothing to warn about: {:?}", d.notes);
    let reqs = server.requests();
    assert!(
        !reqs.is_empty() && reqs.iter().all(|r| r.https),
        "every request went over TLS: {reqs:?}"
    );
}

#[tokio::test]
async fn the_same_site_without_the_trusted_authority_is_refused() {
    // The certificate is fine, but this client was not told to trust the test authority: what
    // every computer does with a private authority's certificate.
    let pki = Pki::new();
    let server = site(&pki.leaf(&[NAME]), NAME).await;
    let opts = HttpOptions { extra_roots: vec![], ..http(&pki, &server, NAME) };
    let e = discoverer(opts).discover(NAME).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.to_string().contains("not signed by an authority this computer trusts"), "{e}");
}

/// Each certificate a person's computer must refuse: its own message, a hint, and no request at
/// all (not even over plain http: a bad certificate never becomes a reason to drop encryption).
#[tokio::test]
async fn each_bad_certificate_is_refused_with_its_own_message_and_no_fallback_to_http() {
    let pki = Pki::new();
    let cases: [(&str, ServerCert, &str); 3] = [
        ("self-signed", self_signed(&[NAME]), "not signed by an authority this computer trusts"),
        ("expired", pki.expired(&[NAME]), "the certificate has expired"),
        (
            "another name",
            pki.leaf(&["other.example"]),
            "the certificate was issued for another name",
        ),
    ];
    for (what, cert, says) in cases {
        for typed in [NAME, "https://blog.example/"] {
            let (server, d) = discover(&pki, &cert, typed).await;
            let e = d.expect_err(what);
            assert_eq!(e.kind(), ErrorKind::Tls, "{what} ({typed}): {e}");
            let msg = e.to_string();
            assert!(
                msg.starts_with("The secure connection to https://blog.example/ failed:"),
                "{what}: {msg}"
            );
            assert!(msg.contains(says), "{what}: {msg}");
            assert!(e.hint().contains("certificate"), "{what}: {}", e.hint());
            assert!(
                server.requests().is_empty(),
                "{what} ({typed}): nothing was sent, not even over http: {:?}",
                server.requests()
            );
        }
    }
}

#[tokio::test]
async fn a_web_site_whose_https_port_speaks_plain_http_is_not_downgraded() {
    // What an attacker who answers the https port with plain http gets: an error, not the http
    // copy.
    let pki = Pki::new();
    let plain = Server::start(wp::typical).await;
    let e = discoverer(http(&pki, &plain, NAME)).discover(NAME).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.to_string().contains("does not speak https"), "{e}");
    assert!(
        plain.requests().is_empty(),
        "nothing was asked over plain http: {:?}",
        plain.requests()
    );
}

#[tokio::test]
async fn typed_http_is_redirected_to_https_and_the_site_is_secure() {
    let pki = Pki::new();
    let (server, d) = discover(&pki, &pki.leaf(&[NAME]), "http://blog.example").await;
    let d = d.unwrap();
    assert_eq!(d.answered_at.as_str(), "https://blog.example/");
    assert!(d.site.https);
    let reqs = server.requests();
    assert!(reqs.iter().any(|r| !r.https), "the typed http address was asked first");
    // Plain http only ever answered with the redirect (the handler serves nothing else there).
    assert!(
        reqs.iter().any(|r| r.https && r.path().starts_with("/wp-json")),
        "the index was read over https: {reqs:?}"
    );
}

#[tokio::test]
async fn an_index_claiming_https_over_plain_http_is_not_called_secure() {
    // A downgraded connection: the page came over plain http but says "url": "https://…".
    let pki = Pki::new();
    let server = Server::start_https(&pki.leaf(&["shop.example"]), "shop.example", |req, _| {
        wp::typical(req, "https://shop.example")
    })
    .await;
    let d = discoverer(http(&pki, &server, "shop.example"))
        .discover("http://shop.example/")
        .await
        .unwrap();
    assert_eq!(d.site.url, "https://shop.example", "what the index claims");
    assert!(!d.site.https, "but the connection was plain http");
}

// --- Signing in over https ------------------------------------------------------------------

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn browser_and_password_sign_in_over_https() {
    let pki = Pki::new();
    let port = free_port();
    let client =
        Client::new("desk-app", Some("s3cret"), &[&format!("http://127.0.0.1:{port}/callback")]);
    let users = vec![User::new(7, "ada", "correct horse", "Ada Lovelace", &["author"])];
    let site =
        OAuthSite::start_https(&pki.leaf(&[NAME]), NAME, Knobs::default(), vec![client], users)
            .await;
    let opts = http(&pki, site.server(), NAME);
    let discovered = discoverer(opts.clone()).discover(NAME).await.unwrap();
    assert!(discovered.site.https);
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect = Connect::new(opts, AccountsFile::at(dir.path().join("accounts.json")), Ok(store));
    let oauth = || OAuth2Client {
        client_id: "desk-app".into(),
        client_secret: Some(ClientSecret::new("s3cret")),
        redirect_ports: vec![port],
        scope: None,
    };

    let person = Person::new(
        TestBrowser::new("ada", "correct horse", Consent::Allow)
            .with_tls(pki.ca_pem(), &[(NAME, site.server().addr())]),
    );
    let sign_in = SignInOptions { timeout: Duration::from_secs(20), ..Default::default() };
    let done = connect
        .sign_in_browser(&discovered, oauth(), sign_in, &person, &Cancel::new(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");
    assert!(person
        .only_visit()
        .await
        .url
        .starts_with(&format!("http://127.0.0.1:{port}/callback")));
    let me = connect.me(&done.account.id).await.unwrap();
    assert_eq!(me.profile.display_name, "Ada Lovelace");

    let done = connect
        .sign_in_password(
            &discovered,
            oauth(),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, "ada");

    let reqs = site.server().requests();
    assert!(reqs.iter().any(|r| r.path() == "/oauth/token"));
    let plain: Vec<_> = reqs.iter().filter(|r| !r.https).map(|r| &r.target).collect();
    assert!(plain.is_empty(), "no request to the site went over plain http: {plain:?}");
}

// --- The doctor's https checks ----------------------------------------------------------------

async fn doctor(opts: HttpOptions, address: &str) -> Report {
    let opts = DiscoveryOptions { http: opts, ..Default::default() };
    Doctor::new(opts)
        .run(
            &DoctorRequest::new(address),
            &wpconnect_core::browser::NoBrowser,
            &Cancel::new(),
            &|_| {},
        )
        .await
}

#[track_caller]
fn check(r: &Report, id: &str, want: Status, says: &str) {
    let c = r.check(id).unwrap_or_else(|| panic!("no check {id}"));
    assert_eq!(c.status, want, "{id}: {c:#?}");
    assert!(c.finding.contains(says), "{id}: {c:#?}");
}

#[tokio::test]
async fn doctor_passes_a_trusted_certificate_and_the_redirect_to_https() {
    let pki = Pki::new();
    let server = site(&pki.leaf(&[NAME]), NAME).await;
    let r = doctor(http(&pki, &server, NAME), NAME).await;
    check(&r, "transport.https", Status::Pass, "answers over https at https://blog.example/");
    check(&r, "transport.certificate", Status::Pass, "certificate is trusted");
    check(&r, "transport.http_redirect", Status::Pass, "http://blog.example/ redirects to https");
}

#[tokio::test]
async fn doctor_fails_each_certificate_that_cannot_be_trusted() {
    let pki = Pki::new();
    for (cert, says) in [
        (self_signed(&[NAME]), "not signed by an authority this computer trusts"),
        (pki.expired(&[NAME]), "has expired"),
        (pki.leaf(&["other.example"]), "issued for another name"),
    ] {
        let server = site(&cert, NAME).await;
        let r = doctor(http(&pki, &server, NAME), "https://blog.example").await;
        check(&r, "transport.certificate", Status::Fail, says);
        assert!(r
            .check("transport.certificate")
            .unwrap()
            .fix
            .as_deref()
            .unwrap()
            .contains("certificate issued for this exact name"));
        assert_eq!(r.check("rest.reachable").unwrap().status, Status::Fail);
        assert_eq!(r.exit_code, 2);
    }
}

#[tokio::test]
async fn doctor_fails_a_remote_site_served_over_plain_http() {
    // A site elsewhere (plain http goes through a proxy standing in for the network): plain http
    // is a failure, whether https also works there (the site's own address says http) or its
    // https is broken.
    let pki = Pki::new();
    let through_the_network = |server: &Server| HttpOptions {
        http_proxy: Some(format!("http://{}", server.addr()).parse().unwrap()),
        ..http(&pki, server, "shop.example")
    };
    let both = Server::start_https(&pki.leaf(&["shop.example"]), "shop.example", |req, _| {
        wp::typical(req, "http://shop.example")
    })
    .await;
    let r = doctor(through_the_network(&both), "http://shop.example").await;
    assert!(both.requests().iter().any(|r| r.proxied), "plain http went through the network");
    check(
        &r,
        "transport.https",
        Status::Fail,
        "https works, but the site calls itself http://shop.example and answered over plain http",
    );
    check(&r, "transport.certificate", Status::Pass, "trusted certificate");

    let broken = Server::start_https(&pki.expired(&["shop.example"]), "shop.example", |req, _| {
        wp::typical(req, "http://shop.example")
    })
    .await;
    let r = doctor(through_the_network(&broken), "http://shop.example").await;
    check(
        &r,
        "transport.https",
        Status::Fail,
        "its https does not work (the certificate has expired)",
    );
    check(&r, "transport.certificate", Status::Fail, "has expired");
    let fix = r.check("transport.https").unwrap().fix.clone().unwrap();
    assert!(fix.contains("Let's Encrypt"), "{fix}");

    // The same name resolving to this computer (no proxy) is a local environment.
    let r = doctor(http(&pki, &both, "shop.example"), "http://shop.example").await;
    check(
        &r,
        "transport.https",
        Status::Pass,
        "shop.example is this computer: every address it resolves to is a loopback one",
    );
}
