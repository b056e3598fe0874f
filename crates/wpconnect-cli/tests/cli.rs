//! The CLI's contract with scripts: exit codes, JSON documents, hints. Each test starts its own
//! server on loopback and runs the real binary with its own HOME.

mod common;
use common::*;
use wpconnect_testsupport::{wp, Reply, Server};

#[tokio::test]
async fn site_ok_json() {
    let s = Server::start(wp::typical).await;
    let out = wpconnect(&["site", &s.url(), "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["site"]["name"], "Typical Site");
    assert_eq!(doc["site"]["gmt_offset"], 2.0);
    assert_eq!(doc["recommended"]["method"], "application-passwords");
    assert_eq!(doc["methods"]["oauth2"], serde_json::Value::Null);
}

#[tokio::test]
async fn not_wordpress_exits_3_with_message_and_hint() {
    let s = Server::start(|_, _| Reply::html(200, "<html>just a page</html>")).await;
    let out = wpconnect(&["site", &s.url()]).await;
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("error: ") && err.contains("does not look like a WordPress site"),
        "{err}"
    );
    assert!(err.contains("hint: Check the address"), "{err}");
    assert!(stdout(&out).is_empty());

    let out = wpconnect(&["site", &s.url(), "--json"]).await;
    assert_eq!(out.status.code(), Some(3));
    let doc = json(&out);
    assert_eq!(doc["error"]["kind"], "not_wordpress");
    assert!(doc["error"]["message"].as_str().unwrap().contains("does not look like"));
    assert!(!doc["error"]["hint"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn html_instead_of_json_exits_3() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::html(
            503,
            "<html><body>Briefly unavailable for scheduled maintenance. Check \
             back in a minute.</body></html>",
        ),
    })
    .await;
    let out = wpconnect(&["site", &s.url(), "--json"]).await;
    assert_eq!(out.status.code(), Some(3));
    let doc = json(&out);
    assert_eq!(doc["error"]["kind"], "html_instead_of_json");
    assert!(doc["error"]["message"].as_str().unwrap().contains("maintenance"), "{doc}");
}

#[tokio::test]
async fn network_failures_exit_4() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = wpconnect(&["site", &format!("http://127.0.0.1:{port}"), "--json"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    assert_eq!(json(&out)["error"]["kind"], "connection_refused");

    let s = Server::start(|_, _| Reply::hang()).await;
    let out = wpconnect(&["site", &s.url(), "--timeout", "1"]).await;
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("did not answer within 1 second."), "{}", stderr(&out));
}

#[tokio::test]
async fn server_error_exits_5() {
    let s = Server::start(|req, base| match req.path() {
        "/" => wp::home_page(base),
        _ => Reply::json(500, r#"{"code":"internal_server_error","message":"There has been a critical error on this website."}"#),
    })
    .await;
    let out = wpconnect(&["site", &s.url(), "--json"]).await;
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(json(&out)["error"]["kind"], "server_error");
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let out = wpconnect(&["site", "ftp://example.com", "--json"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["kind"], "invalid_address");
    let out = wpconnect(&["site"]).await;
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    let out = wpconnect(&["site", "example.com", "--timeout", "0"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn wordpress_com_through_the_configured_api() {
    let api = Server::start(|req, _| match req.path() {
        "/rest/v1.1/sites/cats.wordpress.com" => Reply::json(200, r#"{"ID":7,"name":"Cats","description":"","URL":"https://cats.wordpress.com","options":{"timezone":"","gmt_offset":-5}}"#),
        _ => Reply::json(404, r#"{"error":"unknown_blog","message":"Unknown blog"}"#),
    })
    .await;
    let base = format!("{}/", api.url());
    let out =
        wpconnect_env(&["site", "cats.wordpress.com"], &[("WPCONNECT_WPCOM_API_BASE", &base)])
            .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("WordPress.com  blog ID 7"), "{text}");
    assert!(text.contains("Time zone      UTC-5"), "{text}");
    assert!(text.contains("WordPress.com sign-in: authorize at"), "{text}");
}
