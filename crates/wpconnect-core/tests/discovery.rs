//! Discovery against local servers that behave like WordPress sites, and like the things that
//! stand in front of them when it goes wrong.

use std::time::Duration;

use wpconnect_core::discovery::Permalinks;
use wpconnect_core::site::OAuth2Server;
use wpconnect_core::{Discoverer, DiscoveryOptions, ErrorKind, HttpOptions, Method};
use wpconnect_testsupport::{wp, Reply, Resolver, Server};

fn discoverer() -> Discoverer {
    Discoverer::new(DiscoveryOptions {
        http: HttpOptions { timeout: Duration::from_secs(2), ..Default::default() },
        ..Default::default()
    })
}

#[tokio::test]
async fn typical_site_in_one_round_trip() {
    let s = Server::start(wp::typical).await;
    let d = discoverer().discover(&s.url()).await.unwrap();
    assert_eq!(d.site.name, "Typical Site");
    assert_eq!(d.site.timezone_label(), "Europe/Helsinki (UTC+2)");
    assert_eq!(d.api_root.as_str(), format!("{}/wp-json/", s.url()));
    assert_eq!(d.permalinks, Some(Permalinks::Pretty));
    assert_eq!(d.recommended.method, Some(Method::ApplicationPasswords));
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    let reqs = s.requests();
    assert!(reqs.len() <= 2, "at most the page and the guess: {reqs:?}");
    let guess = reqs.iter().find(|r| r.path() == "/wp-json/").expect("the guess was sent");
    assert!(guess.query().unwrap().starts_with("_fields="), "only the fields it reads: {guess:?}");
    assert!(guess.header("user-agent").unwrap().starts_with("wpconnect/"));
}

#[tokio::test]
async fn plain_permalinks_follow_the_link_header() {
    let s = Server::start(|req, base| match (req.path(), req.query()) {
        ("/index.php", Some(q))
            if q.starts_with("rest_route=%2F") || q.starts_with("rest_route=/") =>
        {
            Reply::json(200, wp::index(base, "Plain Site", wp::app_passwords(base)))
        }
        // With plain permalinks /wp-json/ is just the home page again.
        _ => Reply::html(200, "<html><head></head><body>home</body></html>")
            .header("Link", format!("<{base}/index.php?rest_route=/>; rel=\"https://api.w.org/\"")),
    })
    .await;
    let d = discoverer().discover(&s.url()).await.unwrap();
    assert_eq!(d.site.name, "Plain Site");
    assert_eq!(d.permalinks, Some(Permalinks::Plain));
    assert_eq!(d.api_root.as_str(), format!("{}/index.php?rest_route=/", s.url()));
    assert_eq!(
        s.request_count(),
        3,
        "page and guess in parallel, then the root: {:?}",
        s.requests()
    );
}

#[tokio::test]
async fn html_link_when_the_header_is_stripped() {
    let s = Server::start(|req, base| match req.path() {
        "/" => Reply::html(
            200,
            format!("<html><head><link rel='https://api.w.org/' href='{base}/api/'></head></html>"),
        ),
        "/api/" => Reply::json(200, wp::index(base, "Proxy Site", serde_json::json!([]))),
        _ => Reply::html(404, "<html>nope</html>"),
    })
    .await;
    let d = discoverer().discover(&s.url()).await.unwrap();
    assert_eq!(d.site.name, "Proxy Site");
    assert!(d.methods.is_empty());
    assert_eq!(d.recommended.method, None);
    assert!(d.recommended.reason.contains("switched off"), "{}", d.recommended.reason);
}

#[tokio::test]
async fn rest_route_as_the_last_resort() {
    let s = Server::start(|req, base| match req.query() {
        Some(q) if q.starts_with("rest_route") => {
            Reply::json(200, wp::index(base, "Hidden Site", wp::app_passwords(base)))
        }
        _ => Reply::html(200, "<html>a theme that prints no head</html>"),
    })
    .await;
    let d = discoverer().discover(&format!("{}/wp-admin/", s.url())).await.unwrap();
    assert_eq!(d.site.name, "Hidden Site");
    assert_eq!(d.permalinks, Some(Permalinks::Plain));
}

#[tokio::test]
async fn html_where_json_was_expected_names_the_cause() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::html(
            200,
            "<!DOCTYPE \
             html><html><head><title>Wordfence</title></head><body>Your access to this site has \
             been limited by the site owner</body></html>",
        ),
    })
    .await;
    let e = discoverer().discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HtmlInsteadOfJson);
    let msg = e.to_string();
    assert!(msg.contains("Wordfence security plugin"), "{msg}");
    assert!(msg.contains("The page says: \"Wordfence\""), "what the page says: {msg}");
    assert!(e.hint().contains("security or maintenance plugin"), "{}", e.hint());
    assert_eq!(
        s.request_count(),
        2,
        "the page named the failed guess as the root: no more requests"
    );
}

#[tokio::test]
async fn forbidden_rest_root() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::json(403, r#"{"code":"rest_forbidden","message":"REST API disabled by Disable REST API plugin","data":{"status":403}}"#),
    })
    .await;
    let e = discoverer().discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RestApiBlocked);
    assert!(e.to_string().contains("HTTP 403, rest_forbidden"), "{e}");
    assert!(e.hint().contains("firewall"), "{}", e.hint());
}

#[tokio::test]
async fn unauthorized_rest_root() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::json(401, r#"{"code":"rest_login_required","message":"REST API restricted to authenticated users."}"#),
    })
    .await;
    let e = discoverer().discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RestApiBlocked);
    assert!(e.to_string().contains("not signed in"), "{e}");
}

#[tokio::test]
async fn a_server_that_hangs_times_out() {
    let s = Server::start(|_, _| Reply::hang()).await;
    let d = Discoverer::new(DiscoveryOptions {
        http: HttpOptions { timeout: Duration::from_millis(700), ..Default::default() },
        ..Default::default()
    });
    let started = std::time::Instant::now();
    let e = d.discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    // The first of the two probes to give up names its address; 0.7 s, as a person reads it.
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("{}/", s.url()))
            && msg.ends_with(" did not answer within 1 second."),
        "{msg}"
    );
    assert!(started.elapsed() < Duration::from_secs(5), "gave up promptly");
}

#[tokio::test]
async fn redirect_loop() {
    let s = Server::start(|req, base| match req.path() {
        "/a/" => Reply::redirect(302, format!("{base}/b/")),
        "/b/" => Reply::redirect(301, format!("{base}/a/")),
        p if p.starts_with("/a/") => Reply::redirect(302, format!("{base}/b/wp-json/")),
        _ => Reply::redirect(302, format!("{base}/a/wp-json/")),
    })
    .await;
    let e = discoverer().discover(&format!("{}/a/", s.url())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooManyRedirects, "{e}");
    assert!(e.to_string().contains("in a loop"), "{e}");
    assert!(e.hint().contains("Settings > General"), "{}", e.hint());
}

#[tokio::test]
async fn endless_redirects_stop_at_the_limit() {
    let s = Server::start(|req, base| {
        let n: u32 = req
            .path()
            .trim_matches('/')
            .split('/')
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        Reply::redirect(302, format!("{base}/{}/", n + 1))
    })
    .await;
    let e = discoverer().discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooManyRedirects);
    assert!(!e.to_string().contains("loop"), "{e}");
    assert!(s.request_count() <= 2 * 12, "bounded: {}", s.request_count());
}

#[tokio::test]
async fn invalid_json() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::json(200, r#"{"name":"Broken","namespaces":["wp/v2"],"#),
    })
    .await;
    let e = discoverer().discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidJson);
    assert!(e.to_string().contains("{\\\"name\\\":\\\"Broken\\\""), "{e}");
    assert!(e.hint().contains("PHP"), "{}", e.hint());
}

#[tokio::test]
async fn not_a_wordpress_site() {
    let s = Server::start(|req, _| match req.path() {
        "/" => Reply::html(200, "<html><head><title>My static site</title></head></html>"),
        _ => Reply::html(404, "<html>404</html>"),
    })
    .await;
    let e = discoverer().discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotWordpress, "{e}");
    assert!(e.to_string().contains("does not look like a WordPress site"), "{e}");
    assert!(!e.to_string().contains("rest_route=/ does"), "{e}");
    assert_eq!(s.request_count(), 3);
}

#[tokio::test]
async fn response_too_large() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::json(200, format!("{{\"namespaces\":[\"{}\"]}}", "x".repeat(9 * 1024 * 1024))),
    })
    .await;
    let e = discoverer().discover(&s.url()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ResponseTooLarge, "{e}");
}

#[tokio::test]
async fn redirect_to_where_the_site_lives() {
    let real = Server::start(wp::typical).await;
    let target = real.url();
    let front =
        Server::start(move |req, _| Reply::redirect(301, format!("{target}{}", req.target))).await;
    let d = discoverer().discover(&front.url()).await.unwrap();
    assert_eq!(d.answered_at.as_str(), format!("{}/", real.url()));
    assert!(d.notes.iter().any(|n| n.contains("redirects: the site lives at")), "{:?}", d.notes);
}

#[tokio::test]
async fn bare_address_falls_back_from_https_to_http_and_says_so() {
    let s = Server::start(wp::typical).await;
    let d = discoverer().discover(&format!("127.0.0.1:{}", s.port())).await.unwrap();
    assert_eq!(d.site.name, "Typical Site");
    assert!(d.answered_at.as_str().starts_with("http://"));
    let note = &d.notes[0];
    assert!(note.contains(&format!("https://127.0.0.1:{}/ did not work", s.port())), "{note}");
    assert!(note.contains("does not speak https"), "{note}");
}

#[tokio::test]
async fn https_that_fails_is_a_tls_error() {
    let s = Server::start(wp::typical).await;
    let e = discoverer().discover(&format!("https://127.0.0.1:{}", s.port())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.hint().contains("certificate"), "{}", e.hint());
}

#[tokio::test]
async fn unknown_host_and_refused_connection() {
    let d = Discoverer::new(DiscoveryOptions {
        http: HttpOptions {
            resolver: Some(std::sync::Arc::new(Resolver::new())),
            ..Default::default()
        },
        ..Default::default()
    });
    let e = d.discover("no-such-site.example").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Dns, "{e}");
    assert!(e.to_string().contains("no-such-site.example"), "{e}");

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = discoverer().discover(&format!("http://127.0.0.1:{port}")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
}

#[tokio::test]
async fn names_resolve_through_the_test_resolver() {
    let s = Server::start(wp::typical).await;
    let d = Discoverer::new(DiscoveryOptions {
        http: HttpOptions {
            resolver: Some(std::sync::Arc::new(Resolver::new().map("blog.example"))),
            ..Default::default()
        },
        ..Default::default()
    });
    let found = d.discover(&format!("http://blog.example:{}/", s.port())).await.unwrap();
    assert_eq!(found.site.name, "Typical Site");
    assert_eq!(s.requests()[0].header("host"), Some(format!("blog.example:{}", s.port()).as_str()));
}

fn wpcom_api() -> impl Fn(&wpconnect_testsupport::Request, &str) -> Reply {
    |req, _| match req.path() {
        "/rest/v1.1/sites/cats.wordpress.com" | "/rest/v1.1/sites/jp.example" => Reply::json(
            200,
            r#"{"ID":4242,"name":"Cat Pics","description":"Daily cats","URL":"https://cats.wordpress.com","jetpack":false,"is_private":false,"options":{"timezone":"Europe/Oslo","gmt_offset":1}}"#,
        ),
        _ => Reply::json(404, r#"{"error":"unknown_blog","message":"Unknown blog"}"#),
    }
}

#[tokio::test]
async fn wordpress_com_site_from_the_configurable_api() {
    let api = Server::start(wpcom_api()).await;
    let d = Discoverer::new(DiscoveryOptions {
        wpcom_api_base: format!("{}/", api.url()).parse().unwrap(),
        ..Default::default()
    });
    let found = d.discover("cats.wordpress.com").await.unwrap();
    assert_eq!(found.site.name, "Cat Pics");
    assert_eq!(found.site.timezone_label(), "Europe/Oslo (UTC+1)");
    assert_eq!(found.wordpress_com.as_ref().unwrap().id, 4242);
    assert_eq!(found.recommended.method, Some(Method::WordpressCom));
    let o = found.methods.oauth2.unwrap();
    assert_eq!(o.server, OAuth2Server::WordpressCom);
    assert_eq!(o.authorize.as_str(), format!("{}/oauth2/authorize", api.url()));

    let e = d.discover("https://nobody.wordpress.com/wp-admin").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotWordpress);
    assert!(e.to_string().contains("WordPress.com has no site by that name"), "{e}");
}

#[tokio::test]
async fn jetpack_site_is_looked_up_on_wordpress_com() {
    let api = Server::start(wpcom_api()).await;
    let site = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::json(
            200,
            wp::index(
                base,
                "JP",
                serde_json::json!({"oauth2": {
            "authorize": "https://public-api.wordpress.com/oauth2/authorize",
            "token": "https://public-api.wordpress.com/oauth2/token"}}),
            ),
        ),
    })
    .await;
    let d = Discoverer::new(DiscoveryOptions {
        http: HttpOptions {
            resolver: Some(std::sync::Arc::new(Resolver::new().map("jp.example"))),
            ..Default::default()
        },
        wpcom_api_base: format!("{}/", api.url()).parse().unwrap(),
        ..Default::default()
    });
    let found = d.discover(&format!("http://jp.example:{}", site.port())).await;
    // The index names 127.0.0.1 as home, so WordPress.com is asked about that host.
    let found = found.unwrap();
    assert_eq!(found.recommended.method, Some(Method::WordpressCom));
    assert_eq!(api.request_count(), 1, "WordPress.com asked once: {:?}", api.requests());
}

#[tokio::test]
async fn wp_oauth_server_metadata_is_a_hint_with_warnings() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        "/wp-json/" => Reply::json(200, wp::index(base, "OAuth", serde_json::json!({"oauth2": {
            "authorize": format!("{base}/oauth/authorize"), "token": format!("{base}/oauth/token"),
            "me": format!("{base}/oauth/me"), "version": "2.0", "software": "WP OAuth Server"}}))),
        "/.well-known/openid-configuration" => Reply::json(200, format!(
            r#"{{"issuer":"{}","authorization_endpoint":"{}/oauth/authorize","token_endpoint":"{}/oauth/token","grant_types_supported":["authorization_code","Array"]}}"#,
            base.replace("http://", "https://"), base.replace("http://", "https://"), base.replace("http://", "https://"))),
        _ => Reply::html(404, "<html></html>"),
    })
    .await;
    let plain = discoverer().discover(&s.url()).await.unwrap();
    assert!(plain.metadata.is_none(), "metadata documents are read only when asked for");
    assert!(
        !s.requests().iter().any(|r| r.path().starts_with("/.well-known/")),
        "no well-known request by default: {:?}",
        s.requests()
    );
    let d = Discoverer::new(DiscoveryOptions { metadata: true, ..DiscoveryOptions::default() });
    let found = d.discover(&s.url()).await.unwrap();
    assert_eq!(found.recommended.method, Some(Method::Oauth2));
    assert!(found.recommended.reason.contains("WP OAuth Server"));
    let m = found.metadata.expect("metadata read");
    let w = m.warnings.join(" | ");
    assert!(w.contains("answers over http"), "{w}");
    assert!(w.contains("PKCE support is not advertised"), "{w}");
    assert!(w.contains("\"Array\""), "{w}");
}
