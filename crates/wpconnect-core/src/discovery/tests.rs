//! The decisions of the discovery state machine and the index quirks, from recorded fixtures.

use super::index::{same_root, without_fields};
use super::*;
use crate::error::ErrorKind;
use crate::site::OAuth2Server;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name)).as_slice()
    };
}

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn index(body: &[u8]) -> RestIndex {
    read_index(
        &u("https://x.example/wp-json/?_fields=x"),
        200,
        Some("application/json; charset=UTF-8"),
        body,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn real_wordpress_6_1_index() {
    let ix = index(fixture!("index-wp61-local.json"));
    assert_eq!(ix.site.name, "WP Connect Test Site");
    assert_eq!(ix.site.description, "Where sign-ins are proven");
    assert_eq!(ix.site.url, "http://127.0.0.1:8881");
    assert_eq!(ix.site.gmt_offset, 1.0, "gmt_offset arrives as a string");
    assert_eq!(ix.site.timezone_label(), "Europe/Paris (UTC+1)");
    assert_eq!(ix.site.icon_url, None, "empty icon is no icon");
    assert!(!ix.site.https);
    assert_eq!(ix.site.namespaces.len(), 4);
    let ap = ix.methods.application_passwords.unwrap();
    assert_eq!(
        ap.authorization_url.unwrap().as_str(),
        "http://127.0.0.1:8881/wp-admin/authorize-application.php"
    );
    assert!(ix.methods.oauth1.is_none() && ix.methods.oauth2.is_none());
}

#[test]
fn bom_empty_authentication_and_false_icon() {
    let ix = index(fixture!("index-bom-empty-auth.json"));
    assert_eq!(ix.site.name, "BOM Site");
    assert!(ix.methods.is_empty(), "authentication: [] means none");
    assert_eq!(ix.site.icon_url, None, "site_icon_url: false");
    assert_eq!(ix.site.timezone, None, "empty timezone_string");
    assert_eq!(ix.site.timezone_label(), "UTC");
    assert!(ix.site.https);
}

#[test]
fn wp_oauth_server_flat_shape() {
    let ix = index(fixture!("index-wp-oauth-server.json"));
    let o = ix.methods.oauth2.unwrap();
    assert_eq!(o.server, OAuth2Server::WpOauthServer);
    assert_eq!(o.authorize.as_str(), "https://oauth.example/oauth/authorize");
    assert_eq!(o.token.as_str(), "https://oauth.example/oauth/token");
    assert_eq!(o.me.unwrap().as_str(), "https://oauth.example/oauth/me");
    assert_eq!(o.software.as_deref(), Some("WP OAuth Server"));
    assert_eq!(ix.site.timezone_label(), "UTC+5:30");
    assert_eq!(ix.site.icon_url.as_deref(), Some("https://oauth.example/icon.png"));
}

#[test]
fn feature_plugin_shape_oauth1_and_empty_app_passwords() {
    let ix = index(fixture!("index-feature-plugin-oauth1.json"));
    let o = ix.methods.oauth2.unwrap();
    assert_eq!(o.server, OAuth2Server::FeaturePlugin);
    assert_eq!(o.token.as_str(), "https://fp.example/blog/wp-json/oauth2/access_token");
    assert_eq!(o.grant_types, ["authorization_code", "implicit"]);
    let o1 = ix.methods.oauth1.unwrap();
    assert_eq!(o1.access.as_str(), "https://fp.example/blog/oauth1/access");
    assert_eq!(o1.version.as_deref(), Some("0.1"));
    let ap = ix.methods.application_passwords.unwrap();
    assert_eq!(ap.authorization_url, None, "{{}} advertises the method without an approval page");
    assert_eq!(ix.site.gmt_offset, -3.0, "numeric gmt_offset");
    assert_eq!(ix.site.description, "", "missing description");
}

#[test]
fn jetpack_points_oauth2_at_wordpress_com() {
    let ix = index(fixture!("index-jetpack.json"));
    assert_eq!(ix.methods.oauth2.unwrap().server, OAuth2Server::WordpressCom);
}

#[test]
fn missing_keys_fall_back_to_where_it_answered() {
    let ix = index(fixture!("index-missing-keys.json"));
    assert_eq!(ix.site.name, "");
    assert_eq!(ix.site.url, "https://x.example");
    assert_eq!(ix.site.home, "https://x.example");
    assert!(ix.methods.is_empty());
}

fn read_err(status: u16, ct: &str, body: &[u8]) -> Error {
    read_index(&u("https://x.example/wp-json/?_fields=name"), status, Some(ct), body)
        .expect_err("should fail")
}

#[test]
fn answers_that_are_not_an_index() {
    let e = read_err(200, "application/json", fixture!("not-an-index.json"));
    assert_eq!(e.kind(), ErrorKind::NotWordpress);
    assert!(e.to_string().contains("no \"namespaces\""), "{e}");
    assert_eq!(
        e.to_string().matches("_fields").count(),
        0,
        "our own query parameter is not shown: {e}"
    );

    let e = read_err(200, "application/json", b"{\"name\": \"x\", ");
    assert_eq!(e.kind(), ErrorKind::InvalidJson);
    assert!(e.to_string().contains("{\\\"name\\\""), "{e}");

    let e = read_err(
        200,
        "text/html; charset=UTF-8",
        b"<!DOCTYPE html><html><head><title>Site is \
          undergoing maintenance</title></head><body>Briefly unavailable for scheduled \
          maintenance. \
          Check back in a minute.</body></html>",
    );
    assert_eq!(e.kind(), ErrorKind::HtmlInsteadOfJson);
    let msg = e.to_string();
    assert!(msg.contains("maintenance or coming-soon page"), "{msg}");
    assert!(msg.contains("The page says: \"Site is undergoing maintenance\""), "{msg}");
    assert!(!msg.contains('<'), "no markup shown: {msg}");

    // PHP warnings printed before the JSON.
    let e = read_err(
        200,
        "application/json",
        b"<br />\n<b>Warning</b>:  Undefined variable $x in \
          <b>/var/www/functions.php</b>{\"name\":\"x\"}",
    );
    assert_eq!(e.kind(), ErrorKind::HtmlInsteadOfJson);
}

#[test]
fn blocked_answers() {
    let e = read_err(401, "application/json", br#"{"code":"rest_login_required","message":"REST API restricted to authenticated users.","data":{"status":401}}"#);
    assert_eq!(e.kind(), ErrorKind::RestApiBlocked);
    assert!(e.to_string().contains("closed to visitors who are not signed in"), "{e}");
    assert!(e.to_string().contains("rest_login_required"), "{e}");
    assert!(e.hint().contains("allow the REST API index"), "{}", e.hint());

    let e = read_err(
        403,
        "text/html",
        b"<html><title>Wordfence</title><body>Your access to this \
          site has been limited by the site owner</body></html>",
    );
    assert_eq!(e.kind(), ErrorKind::RestApiBlocked);
    assert!(e.to_string().contains("blocked"), "{e}");
    match &e {
        Error::RestApiBlocked { snippet: Some(s), .. } => assert!(s.contains("Wordfence")),
        other => panic!("{other:?}"),
    }

    let e = read_err(
        404,
        "application/json",
        br#"{"code":"rest_disabled","message":"The REST API is disabled on this site."}"#,
    );
    assert_eq!(e.kind(), ErrorKind::RestApiBlocked);
    assert!(e.to_string().contains("missing or disabled"), "{e}");

    let e = read_err(500, "text/html", b"<html>Fatal error</html>");
    assert_eq!(e.kind(), ErrorKind::ServerError);
    let e =
        read_err(503, "text/html", b"<html>Briefly unavailable for scheduled maintenance.</html>");
    assert_eq!(e.kind(), ErrorKind::HtmlInsteadOfJson);
    let e = read_err(404, "text/html", b"<html>Not found</html>");
    assert_eq!(e.kind(), ErrorKind::HtmlInsteadOfJson);
    let e = read_err(418, "text/plain", b"teapot");
    assert_eq!(e.kind(), ErrorKind::NotWordpress);
}

#[test]
fn every_error_has_a_hint() {
    for e in [
        read_err(401, "application/json", b"{}"),
        read_err(200, "application/json", b"nope"),
        read_err(200, "text/html", b"<p>"),
        read_err(500, "text/plain", b""),
    ] {
        assert!(e.hint().len() > 20, "{e:?}");
    }
}

fn guess() -> Url {
    u("https://x.example/wp-json/")
}
fn base() -> Url {
    u("https://x.example/")
}
fn html404() -> Error {
    read_err(404, "text/html", b"<html>Not found</html>")
}

#[test]
fn decision_page_links_another_root() {
    // Plain permalinks: /wp-json/ is the home page, the Link header names ?rest_route=/.
    let next = after_probes(
        &guess(),
        html404(),
        PageOutcome::Root(u("https://x.example/index.php?rest_route=/")),
    );
    assert!(
        matches!(next, Next::Fetch(ref x) if x.as_str() == "https://x.example/index.php?rest_route=/"),
        "{next:?}"
    );
}

#[test]
fn decision_page_links_the_guessed_root() {
    // The guess *was* the root: its failure is the answer (no extra request).
    let blocked = read_err(403, "text/html", b"<html>Wordfence</html>");
    let next = after_probes(&guess(), blocked, PageOutcome::Root(guess()));
    assert!(matches!(next, Next::Fail(Error::RestApiBlocked { status: 403, .. })), "{next:?}");
}

#[test]
fn decision_no_link_tries_rest_route_at_the_answered_base() {
    let page = PageOutcome::NoLink {
        url: u("https://www.x.example/blog/?p=1"),
        looks_like_wordpress: false,
    };
    let next = after_probes(&guess(), html404(), page);
    assert!(
        matches!(next, Next::Fetch(ref x) if x.as_str() == "https://www.x.example/blog/?rest_route=/"),
        "{next:?}"
    );
}

#[test]
fn decision_both_failed_reports_the_deeper_error() {
    let refused = Error::ConnectionRefused { url: base() };
    let tls = Error::Tls { url: base(), detail: "x".into() };
    let next = after_probes(&guess(), refused, PageOutcome::Failed(tls));
    assert!(matches!(next, Next::Fail(Error::Tls { .. })), "{next:?}");
    let timeout = Error::Timeout { url: base(), after: std::time::Duration::from_secs(1) };
    let next = after_probes(&guess(), html404(), PageOutcome::Failed(timeout));
    assert!(matches!(next, Next::Fail(Error::HtmlInsteadOfJson { .. })), "{next:?}");
}

#[test]
fn decision_after_rest_route() {
    let url = u("https://x.example/?rest_route=/");
    let not_found = || read_err(404, "text/html", b"<html>x</html>");
    let home_page = || read_err(200, "text/html", b"<html>Welcome</html>");
    assert_eq!(after_rest_route(&url, home_page(), false).kind(), ErrorKind::NotWordpress);
    let e = after_rest_route(&url, not_found(), true);
    assert!(e.to_string().contains("looks like WordPress"), "{e}");
    assert_eq!(after_rest_route(&url, home_page(), true).kind(), ErrorKind::HtmlInsteadOfJson);
    let blocked =
        read_err(401, "application/json", br#"{"code":"rest_login_required","message":"m"}"#);
    assert_eq!(after_rest_route(&url, blocked, false).kind(), ErrorKind::RestApiBlocked);
    let waf = read_err(200, "text/html", b"<html>Access denied by Sucuri</html>");
    assert_eq!(after_rest_route(&url, waf, false).kind(), ErrorKind::HtmlInsteadOfJson);
    let t = Error::Timeout { url: url.clone(), after: std::time::Duration::from_secs(1) };
    assert_eq!(after_rest_route(&url, t, false).kind(), ErrorKind::Timeout);
    let e = after_rest_route(&url, not_found(), false);
    assert!(
        !e.to_string().contains("rest_route=/ does"),
        "the query is not in the site's address: {e}"
    );
}

#[test]
fn best_error_prefers_what_learned_most() {
    let a = (base(), Error::ConnectionRefused { url: base() });
    let b = (u("http://x.example/"), Error::NotWordpress { url: base(), detail: "d".into() });
    assert_eq!(best_error(vec![a, b]).kind(), ErrorKind::NotWordpress);
    let a = (base(), Error::Tls { url: base(), detail: "d".into() });
    let b = (u("http://x.example/"), Error::ConnectionRefused { url: base() });
    assert_eq!(best_error(vec![a, b]).kind(), ErrorKind::Tls);
}

#[test]
fn snippets_are_one_readable_line() {
    assert_eq!(snippet(b"\xEF\xBB\xBF  <html>\n\n  <body>\tHi</body>"), "<html> <body> Hi</body>");
    let long = "x".repeat(500);
    assert_eq!(snippet(long.as_bytes()).chars().count(), 161);
    assert_eq!(snippet(b"\xff\xfe bad utf8"), "\u{fffd}\u{fffd} bad utf8");
}

#[test]
fn fields_parameter_round_trip() {
    let r = u("http://s.example/index.php?rest_route=/");
    let f = with_fields(&r);
    assert!(f.as_str().contains("_fields=name%2Cdescription"), "{f}");
    assert_eq!(without_fields(&f).as_str(), "http://s.example/index.php?rest_route=/");
    assert!(same_root(&f, &r));
}
