//! A hostile (or tampered) site: its REST index names sign-in endpoints on another host. The
//! credentials they would receive (a code and PKCE verifier, a client secret, a password, an
//! Application Password, an OAuth 1.0a signature) must never leave for it: each method that
//! depends on such an endpoint is not offered, the person is told which host was refused, and the
//! other host receives nothing at all. The site is served over real TLS at `blog.example`; the
//! other host, `evil.example`, records every request it gets.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use wpconnect_core::doctor::{Doctor, DoctorRequest, Status};
use wpconnect_core::http::Certificate;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, ErrorKind, HttpOptions};
use wpconnect_testsupport::tls::Pki;
use wpconnect_testsupport::{wp, Reply, Resolver, Server};

const SITE: &str = "blog.example";

struct World {
    _site: Server,
    evil: Server,
    http: HttpOptions,
}

/// The site at https://blog.example, its index's `authentication` given; evil.example beside it.
async fn world(
    authentication: impl Fn(&str) -> serde_json::Value + Send + Sync + 'static,
) -> World {
    let pki = Pki::new();
    // The other host has a valid certificate of its own, as anyone can get for their domain.
    let evil = Server::start_https(&pki.leaf(&["evil.example"]), "evil.example", |_, _| {
        Reply::json(200, r#"{"access_token":"evil","token_type":"Bearer"}"#)
    })
    .await;
    let evil_base = "https://evil.example".to_string();
    let site = Server::start_https(&pki.leaf(&[SITE]), SITE, move |req, base| match req.path() {
        "/" => wp::home_page(base),
        "/wp-json/" => Reply::json(200, wp::index(base, "Blog", authentication(&evil_base))),
        _ => Reply::html(404, "<html><body>Not found</body></html>"),
    })
    .await;
    let resolver = Resolver::new().map_to(SITE, site.addr()).map_to("evil.example", evil.addr());
    let http = HttpOptions {
        timeout: Duration::from_secs(5),
        resolver: Some(Arc::new(resolver)),
        extra_roots: vec![Certificate::from_pem(pki.ca_pem().as_bytes()).unwrap()],
        ..Default::default()
    };
    World { _site: site, evil, http }
}

impl World {
    async fn discover(&self) -> Discovered {
        Discoverer::new(DiscoveryOptions { http: self.http.clone(), ..Default::default() })
            .discover(SITE)
            .await
            .unwrap()
    }
    fn connect(&self) -> Connect {
        let dir = tempfile::tempdir().unwrap().keep();
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        Connect::new(self.http.clone(), AccountsFile::at(dir.join("accounts.json")), Ok(store))
    }
    #[track_caller]
    fn evil_got_nothing(&self) {
        assert!(
            self.evil.requests().is_empty(),
            "the other host received: {:?}",
            self.evil.requests()
        );
    }
}

fn client() -> OAuth2Client {
    OAuth2Client {
        client_id: "desk-app".into(),
        client_secret: Some(ClientSecret::new("s3cret")),
        redirect_ports: vec![],
        scope: None,
    }
}

#[tokio::test]
async fn a_token_endpoint_on_another_host_gets_no_password_and_no_secret() {
    let w = world(|evil| {
        json!({
            "oauth2": {
                "authorize": "https://blog.example/oauth/authorize",
                "token": format!("{evil}/oauth/token"),
                "me": "https://blog.example/oauth/me",
                "version": "2.0",
                "software": "WP OAuth Server",
            },
        })
    })
    .await;
    let d = w.discover().await;
    assert!(d.methods.oauth2.is_none(), "OAuth2 is not offered");
    assert_eq!(d.foreign_endpoints.len(), 1);
    let note = d.notes.iter().find(|n| n.contains("evil.example")).expect("the person is told");
    assert!(note.contains("the OAuth2 token endpoint") && note.contains("blog.example"), "{note}");
    let e = w
        .connect()
        .sign_in_password(
            &d,
            client(),
            "ada",
            Password::new("correct horse"),
            SignInOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoSignInMethod, "{e}");
    w.evil_got_nothing();
}

#[tokio::test]
async fn a_wordpress_com_look_alike_with_its_token_elsewhere_is_not_wordpress_com() {
    let w = world(|evil| {
        json!({
            "oauth2": {
                "authorize": "https://public-api.wordpress.com/oauth2/authorize",
                "token": format!("{evil}/oauth2/token"),
            },
        })
    })
    .await;
    let d = w.discover().await;
    assert!(d.methods.oauth2.is_none());
    assert!(d.wordpress_com.is_none());
    assert_eq!(
        d.foreign_endpoints.iter().map(|f| f.what).collect::<Vec<_>>(),
        ["the OAuth2 token endpoint"]
    );
    let e = w
        .connect()
        .sign_in_browser(
            &d,
            client(),
            SignInOptions::default(),
            &wpconnect_core::browser::NoBrowser,
            &Cancel::new(),
            |_, _| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoSignInMethod, "{e}");
    w.evil_got_nothing();
}

#[tokio::test]
async fn an_approval_page_or_oauth1_endpoints_elsewhere_are_refused_and_pasting_still_works_on_the_site(
) {
    let w = world(|evil| {
        json!({
            "application-passwords": {"endpoints": {"authorization": format!("{evil}/wp-admin/authorize-application.php")}},
            "oauth1": {"request": "https://blog.example/oauth1/request", "authorize": "https://blog.example/oauth1/authorize", "access": format!("{evil}/oauth1/access"), "version": "0.1"}
        })
    })
    .await;
    let d = w.discover().await;
    assert!(d.methods.oauth1.is_none());
    let ap = d
        .methods
        .application_passwords
        .clone()
        .expect("Application Passwords stay offered (to paste)");
    assert_eq!(ap.authorization_url, None, "but not through the other host's page");
    assert_eq!(d.foreign_endpoints.len(), 2);
    let e = w
        .connect()
        .sign_in_app_password_scheme(
            &d,
            "desk",
            SignInOptions::default(),
            &wpconnect_core::browser::NoBrowser,
            &Cancel::new(),
            &wpconnect_core::app_passwords::CallbackInbox::new(),
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoSignInMethod, "{e}");
    w.evil_got_nothing();
}

#[tokio::test]
async fn the_doctor_fails_foreign_endpoints_with_the_fix() {
    let w = world(|evil| {
        json!({
            "oauth2": {
                "authorize": format!("{evil}/oauth/authorize"),
                "token": format!("{evil}/oauth/token"),
            },
        })
    })
    .await;
    let opts = DiscoveryOptions { http: w.http.clone(), ..Default::default() };
    let r = Doctor::new(opts)
        .run(
            &DoctorRequest::new(SITE),
            &wpconnect_core::browser::NoBrowser,
            &Cancel::new(),
            &|_| {},
        )
        .await;
    let c = r.check("methods.same_site").expect("the check");
    assert_eq!(c.status, Status::Fail, "{c:#?}");
    assert!(c.finding.contains("evil.example"), "{c:#?}");
    assert!(c.fix.as_deref().unwrap().contains("authentication"), "{c:#?}");
    assert_eq!(r.exit_code, 2);
    w.evil_got_nothing();
}
