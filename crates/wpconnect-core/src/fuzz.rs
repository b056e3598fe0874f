//! Entry points for the fuzz targets (`fuzz/`) and for the test that replays their corpus.
//!
//! One function per parser that reads what a server, a browser or the operating system hands
//! over. Each takes arbitrary bytes, runs the parser the app runs, and checks what must hold for
//! any input (beyond not panicking): a callback is accepted only with our state, an endpoint kept
//! after the origin check is on the site, a parsed address prints back to itself, an error never
//! repeats a token the answer carried. A broken promise panics, which is what a fuzzer reports.
//!
//! Not part of the library's interface: hidden from its documentation, stable only for `fuzz/`.

use std::collections::HashMap;

use url::Url;

use crate::error::Error;

/// A target: what it is fed is any bytes at all.
pub type Target = fn(&[u8]);

/// Every target: its name (the `fuzz/fuzz_targets/NAME.rs` file and corpus folder) and function.
pub const TARGETS: &[(&str, Target)] = &[
    ("rest_index", rest_index),
    ("links", links),
    ("token_response", token_response),
    ("oauth_error", oauth_error),
    ("loopback_request", loopback_request),
    ("oauth1_response", oauth1_response),
    ("wpconnect_url", wpconnect_url),
    ("stored_files", stored_files),
    ("site_address", site_address),
];

fn site() -> Url {
    Url::parse("https://blog.example/wp-json/").expect("a valid URL")
}

/// Split off the first byte (a selector), leaving the rest.
fn first(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((b, rest)) => (*b, rest),
        None => (0, data),
    }
}

/// Split at the first newline: (the line, what follows).
fn line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// An error as the person meets it: its message, hint and every view of it a test could print.
fn shown(e: &Error) -> String {
    format!("{e}\n{}\n{e:?}", e.hint())
}

/// A REST index as discovery reads it, then the origin check every endpoint goes through:
/// whatever the index names, what is kept is on the site (or at WordPress.com's own API).
pub fn rest_index(data: &[u8]) {
    let (selector, body) = first(data);
    let fetched_from = match selector % 3 {
        0 => site(),
        1 => Url::parse("http://127.0.0.1:8080/blog/?rest_route=/").expect("valid"),
        _ => Url::parse("https://public-api.wordpress.com/rest/v1.1/").expect("valid"),
    };
    let Ok(mut index) = crate::site::parse_index(body, &fetched_from) else { return };
    let wpcom = Url::parse("https://public-api.wordpress.com/").expect("valid");
    let refused = index.methods.keep_to_the_site(&fetched_from, &wpcom);
    let on_site = |u: &Url| {
        crate::http::same_origin(u, &fetched_from)
            || (u.scheme() == "https" && u.host() == fetched_from.host())
            || (u.scheme() == "https" && crate::site::is_wpcom_api_host(u))
            || crate::http::same_origin(u, &wpcom)
    };
    let m = &index.methods;
    let mut kept: Vec<&Url> = Vec::new();
    if let Some(o) = &m.oauth2 {
        kept.extend([&o.authorize, &o.token]);
        kept.extend(o.me.iter());
    }
    if let Some(o) = &m.oauth1 {
        kept.extend([&o.request, &o.authorize, &o.access]);
    }
    if let Some(a) = &m.application_passwords {
        kept.extend(a.authorization_url.iter());
    }
    for u in kept {
        assert!(on_site(u), "{u} was kept though the index came from {fetched_from}");
    }
    for r in &refused {
        assert!(!r.what.is_empty(), "a refusal names what was refused");
    }
}

/// The REST root a page advertises: `Link` header values on the first line, HTML after it.
/// Whatever is found is a web address (the next request goes there).
pub fn links(data: &[u8]) {
    let (header, html) = line(data);
    let base = Url::parse("https://blog.example/some/page/").expect("valid");
    let header = String::from_utf8_lossy(header);
    let found = [
        crate::discovery::links::api_root_from_link_headers(header.split('\r'), &base),
        crate::discovery::links::api_root_from_html(&String::from_utf8_lossy(html), &base),
    ];
    for root in found.into_iter().flatten() {
        assert!(matches!(root.scheme(), "http" | "https") && root.has_host(), "{root}");
    }
}

/// A token endpoint's answer (status and content type chosen by the first byte). Tokens come
/// back non-empty; an error never repeats the access or refresh token the answer carried.
pub fn token_response(data: &[u8]) {
    let (selector, body) = first(data);
    let status = [200, 200, 201, 400, 401, 403, 500, 503][usize::from(selector & 7)];
    let content_type =
        [Some("application/json"), Some("text/html; charset=UTF-8"), Some("text/plain"), None]
            [usize::from((selector >> 3) & 3)];
    let url = Url::parse("https://blog.example/oauth/token").expect("valid");
    match crate::oauth2::token::read_tokens(&url, status, content_type, body) {
        Ok(t) => assert!(!t.access.expose().is_empty(), "an empty access token was accepted"),
        Err(e) => {
            let shown = shown(&e);
            for secret in token_values(body) {
                assert!(!shown.contains(&secret), "the error repeats a token: {shown}");
            }
        }
    }
}

/// The `access_token` and `refresh_token` strings of a JSON answer, when each appears once in
/// it and is long enough to be a token (a short or repeated one may be any other word too).
fn token_values(body: &[u8]) -> Vec<String> {
    let Some(json) = crate::body::json_after_php_notices(body).or(Some(body)) else {
        return vec![];
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(crate::site::trim_json_prefix(json))
    else {
        return vec![];
    };
    let text = String::from_utf8_lossy(body);
    ["access_token", "refresh_token"]
        .into_iter()
        .filter_map(|k| v.get(k).and_then(|t| t.as_str()).map(str::to_string))
        .filter(|t| t.len() >= 12 && t.chars().all(|c| c.is_ascii_alphanumeric()))
        .filter(|t| text.matches(t.as_str()).count() == 1)
        .collect()
}

/// An OAuth error answer (`{error, error_description}`), read as every OAuth endpoint's refusal
/// is: always an error with something to say.
pub fn oauth_error(data: &[u8]) {
    let (selector, body) = first(data);
    let status = [400, 401, 403, 404, 429, 500, 502, 503][usize::from(selector & 7)];
    let content_type = if selector & 8 == 0 { Some("application/json") } else { None };
    let _ = crate::oauth2::token::oauth_error(body);
    let url = Url::parse("https://blog.example/oauth/token").expect("valid");
    let e = crate::oauth2::token::answer_error(&url, status, content_type, body);
    assert!(!e.to_string().trim().is_empty(), "an empty message for {e:?}");
    assert!(!e.hint().trim().is_empty(), "no remedy for {e:?}");
}

/// What a browser sends the loopback listener. `STATE` in the input stands for the sign-in's
/// real state (random each time), so the corpus can hold answers that match it. A code is
/// accepted only for a GET of the callback carrying exactly our state.
pub fn loopback_request(data: &[u8]) {
    let endpoints = crate::oauth2::Endpoints {
        server: crate::site::OAuth2Server::WpOauthServer,
        authorize: Url::parse("https://blog.example/oauth/authorize").expect("valid"),
        token: Url::parse("https://blog.example/oauth/token").expect("valid"),
        me: None,
        revoke: None,
    };
    let redirect = Url::parse("http://127.0.0.1:4000/callback").expect("valid");
    let request = crate::oauth2::AuthorizeRequest::new(&endpoints, "cid", &redirect, None, &[]);
    let head = String::from_utf8_lossy(data).replace("STATE", &request.state);
    let Some(crate::loopback::RequestLine::Get(target)) =
        crate::loopback::request_line(head.as_bytes())
    else {
        return;
    };
    if !crate::loopback::is_callback(&target) {
        return;
    }
    let params = crate::loopback::callback_params(&target);
    match request.judge(&params) {
        Ok(code) => {
            assert_eq!(params.get("state"), Some(&request.state), "a code without our state");
            assert_eq!(params.get("code"), Some(&code));
            assert!(!code.is_empty(), "an empty code was accepted");
        }
        Err(Error::StateMismatch) => {
            assert_ne!(params.get("state"), Some(&request.state), "our state was refused")
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// An OAuth 1.0a token endpoint's answer: status and content type from the first byte, the
/// `Date` header on the first line, the body after it. A pair comes back whole or not at all.
pub fn oauth1_response(data: &[u8]) {
    let (selector, rest) = first(data);
    let (date, body) = line(rest);
    let date = String::from_utf8_lossy(date);
    let answer = crate::oauth1::flow::Answer {
        status: [200, 200, 400, 401, 403, 500][usize::from(selector % 6)],
        content_type: [Some("application/x-www-form-urlencoded"), Some("text/html"), None]
            [usize::from((selector / 6) % 3)],
        date: (!date.is_empty()).then_some(&*date),
    };
    let url = Url::parse("https://blog.example/oauth1/request").expect("valid");
    let _ = crate::oauth1::parse_http_date(&date);
    match crate::oauth1::flow::read_token_pair(&url, &answer, body, None, 1_790_000_000) {
        Ok(pair) => {
            assert!(!pair.token.is_empty() && !pair.secret.expose().is_empty(), "half a pair")
        }
        Err(e) => assert!(!shown(&e).is_empty()),
    }
}

/// A `wpconnect:` address the operating system opens the app with (WordPress's approval of an
/// Application Password). `NONCE` stands for the sign-in's real nonce. The inbox hands over only
/// the answer with our nonce; an approval is taken only from the site we asked.
pub fn wpconnect_url(data: &[u8]) {
    let origin = Url::parse("https://blog.example").expect("valid");
    let back = crate::app_passwords::Return::Scheme(
        Url::parse(crate::app_passwords::SCHEME_CALLBACK).expect("valid"),
    );
    let authorize =
        Url::parse("https://blog.example/wp-admin/authorize-application.php").expect("valid");
    let request = crate::app_passwords::ApprovalRequest::new(&authorize, &origin, "app", &back);
    let text = String::from_utf8_lossy(data).replace("NONCE", &request.nonce);
    let Ok(url) = Url::parse(&text) else { return };
    let inbox = crate::app_passwords::CallbackInbox::new();
    let mut waiting = inbox.expect(&request.nonce);
    let taken = inbox.deliver(&url);
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(taken, params.get("nonce") == Some(&request.nonce), "delivered to the wrong wait");
    let Ok(params) = waiting.try_recv() else { return };
    if let Ok(approved) = request.judge(&params) {
        assert!(!approved.user_login.is_empty() && !approved.password.expose().is_empty());
        let reported = Url::parse(&params["site_url"]).expect("a site_url judged the same");
        let host = |u: &Url| u.host_str().map(|h| h.trim_start_matches("www.").to_string());
        assert_eq!(host(&reported), host(&origin), "an approval from another host");
        assert_eq!(reported.scheme(), origin.scheme(), "an approval over another scheme");
    }
}

/// The accounts file and the settings file as the app reads them back. What loads saves and
/// loads again unchanged; what does not load is a clear error about the file.
pub fn stored_files(data: &[u8]) {
    let path = std::path::Path::new("/config/wpconnect/file.json");
    match crate::store::accounts::read_accounts(path, data) {
        Ok(accounts) => {
            let doc = serde_json::json!({ "version": 1, "accounts": accounts });
            let again = crate::store::accounts::read_accounts(path, doc.to_string().as_bytes())
                .expect("what loaded, saved, loads");
            assert_eq!(
                serde_json::to_value(&again).expect("serializable"),
                serde_json::to_value(&accounts).expect("serializable")
            );
        }
        Err(e) => assert!(e.to_string().contains("file.json"), "the file is named: {e}"),
    }
    match crate::settings::read_settings(path, data) {
        Ok(settings) => {
            let _ = settings.validate();
            let text = serde_json::to_vec(&settings).expect("serializable");
            let again = crate::settings::read_settings(path, &text).expect("saved settings load");
            assert_eq!(again, settings);
        }
        Err(e) => assert!(e.to_string().contains("file.json"), "the file is named: {e}"),
    }
}

/// An address as typed. What parses is a web address with a host, and parsing what it prints
/// gives the same site.
pub fn site_address(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(a) = crate::address::SiteAddress::parse(text) else { return };
    assert!(!a.host.is_empty(), "no host: {a:?}");
    assert!(a.path.starts_with('/') && a.path.ends_with('/'), "path {:?}", a.path);
    for candidate in a.candidates() {
        assert!(matches!(candidate.scheme(), "http" | "https"), "{candidate}");
        let again = crate::address::SiteAddress::parse(candidate.as_str())
            .unwrap_or_else(|e| panic!("{candidate} (from {text:?}) does not parse again: {e}"));
        assert_eq!(again.host, a.host, "{text:?}");
        assert_eq!(again.path, a.path, "{text:?}");
        assert!(again.candidates().contains(&candidate), "{text:?}: {candidate} is not kept");
    }
}
