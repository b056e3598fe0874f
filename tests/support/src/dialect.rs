//! The WordPress-dialect test server: a site running the WP OAuth Server plugin, as strict as the
//! real one described in `shared/wordpress-auth-facts.md`, with knobs for the settings and the
//! defects real sites have. It exists for what cannot run here (the plugin's protocol); the real
//! WordPress harness covers core.
//!
//! What it does like the real plugin: `/oauth/authorize` sends a visitor who is not logged in to
//! `wp-login.php` and back; usually no consent screen; codes live 30 s and work once; PKCE is
//! honoured when a challenge is sent but the method defaults to `plain`; redirect URIs match
//! exactly (enforce mode) or by case-insensitive prefix on the same host and port; a mismatch is
//! a 400 JSON error, not a redirect; client auth by HTTP Basic (form-encoded id and secret) or the
//! form body; `invalid_client` is a 400; a wrong password is a 401 `invalid_grant`; a grant the
//! client may not use is `unauthorized_client`; a disabled server answers every endpoint with 503
//! "temporarily unavailable"; `/oauth/me` takes the token from the header or a parameter and says
//! "Invalid token" with a 400; refresh returns a new pair; `/oauth/revoke` (RFC 7009); WordPress's
//! canonical 301 from `/oauth/authorize` and `/oauth/me` to the same path with a trailing slash.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;
use sha2::Digest as _;

use crate::{Reply, Request, Server};

/// Settings of the site and its OAuth server (the plugin's options, and its hosting's quirks).
#[derive(Debug, Clone)]
pub struct Knobs {
    /// "Enforce redirect URI" (`require_exact_redirect_uri`): exact match; else, as WP OAuth
    /// Server does, a case-insensitive prefix of the string (so a registered `http://127.0.0.1`
    /// admits every loopback port, and `http://127.0.0.1.example` too).
    pub exact_redirect: bool,
    /// The plugin's server switched off: every endpoint answers 503.
    pub disabled: bool,
    /// The hosting strips the Authorization header before WordPress sees it.
    pub strip_authorization: bool,
    /// The server ignores `code_challenge` (an old or broken plugin).
    pub pkce_ignored: bool,
    /// The old refresh token keeps working after a refresh.
    pub refresh_reusable: bool,
    /// A consent screen (Allow / Deny) after login; the real plugin usually has none.
    pub consent_screen: bool,
    /// `expires_in` sent as a string ("3600"), as some versions do.
    pub expires_in_as_string: bool,
    /// A security plugin in front of the token endpoint answers with an HTML page.
    pub html_token_endpoint: bool,
    /// PHP's display_errors is on and a plugin raises a notice: the token endpoint's answer opens
    /// with `<br />\n<b>Notice</b>: ...` before its JSON.
    pub php_notice_before_json: bool,
    /// Plain permalinks: no rewrite rules, so the paths the plugins advertise (`/oauth/token`,
    /// `/oauth1/request`, `/wp-json/`) reach the home page; only `?oauth=`, `?rest_oauth1=` and
    /// `?rest_route=` work.
    pub plain_permalinks: bool,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub code_ttl: Duration,
    /// Answers of `/oauth/token` are delayed by this much (to make concurrent refreshes overlap).
    pub token_delay: Duration,
    /// Play WordPress.com's public API instead (`/oauth2/authorize`, `/oauth2/token`,
    /// `/rest/v1.1/me`, `/rest/v1.1/sites/<site>`): exact redirect URIs, client credentials in the
    /// body only, tokens that neither expire nor refresh, `blog_id` and `blog_url` in the answer.
    pub wordpress_com: bool,
    /// A defect: the server does not echo `state` back.
    pub drop_state: bool,
    /// Injected latency before every answer (a round trip, for benchmarks).
    pub latency: Duration,
    /// WP REST API OAuth1 consumers: `(key, secret, registered callback or "oob")`. When any are
    /// given, the site advertises `oauth1` and serves `/oauth1/request|authorize|access`.
    pub oauth1_consumers: Vec<(String, String, String)>,
    /// Application Passwords as WordPress 6.3+ serves them (`authorize-application.php` keeping a
    /// custom-scheme `success_url`, Basic auth on REST, introspect and delete).
    pub app_passwords: bool,
    /// `wp_get_environment_type() === 'local'` (the test WordPress is): plain-http return
    /// addresses for Application Passwords are accepted only then.
    pub local_environment: bool,
    /// The site's own address as its REST index reports it (`url`, `home`, `site_url`), when it
    /// is not the loopback address the test reaches it at (a "remote" https site, say).
    pub advertised_url: Option<String>,
    /// The server's clock runs this many seconds ahead (OAuth1 timestamps are checked ±15 min;
    /// every answer's `Date` header shows it).
    pub clock_skew_secs: i64,
    /// Application Passwords are in use on the site (someone created one at some point): newer
    /// WordPress then answers a wrong Basic `Authorization` header on REST requests with its own
    /// error (`invalid_username`, `incorrect_password`) instead of as anonymous (WordPress 6.1
    /// answers `rest_not_logged_in` either way: leave this off to play it).
    pub app_passwords_in_use: bool,
    /// WordPress's canonical redirect, as real sites with pretty permalinks ending in `/` have it
    /// (on by default, as WordPress does): a GET of `/oauth/authorize` or `/oauth/me` answers 301
    /// to the same address with a trailing slash, the query kept.
    pub canonical_slash: bool,
    /// The token endpoint wants `client_id` in the form body even when the client authenticates
    /// with HTTP Basic (the WP REST API team's OAuth 2 plugin: a REST route whose `client_id`
    /// argument is required), and says so as a REST error.
    pub client_id_in_body: bool,
    /// A fault: creating an Application Password over REST answers with this status (WordPress's
    /// `rest_cannot_create_application_passwords`, a security plugin, a full disk).
    pub app_password_create_fails: Option<u16>,
    /// A fault: after this many uploads are stored, every access token stops working (the site's
    /// clock, or an admin, ended them before the app expected).
    pub expire_access_after_uploads: Option<usize>,
    /// The biggest upload the site takes, as PHP's `upload_max_filesize` (WordPress then answers
    /// with PHP's own message).
    pub upload_max_bytes: Option<usize>,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            exact_redirect: false,
            disabled: false,
            strip_authorization: false,
            pkce_ignored: false,
            refresh_reusable: false,
            consent_screen: false,
            expires_in_as_string: false,
            html_token_endpoint: false,
            php_notice_before_json: false,
            plain_permalinks: false,
            access_ttl: Duration::from_secs(3600),
            refresh_ttl: Duration::from_secs(86400),
            code_ttl: Duration::from_secs(30),
            token_delay: Duration::ZERO,
            wordpress_com: false,
            drop_state: false,
            latency: Duration::ZERO,
            oauth1_consumers: Vec::new(),
            app_passwords: false,
            local_environment: true,
            advertised_url: None,
            clock_skew_secs: 0,
            app_passwords_in_use: false,
            canonical_slash: true,
            client_id_in_body: false,
            app_password_create_fails: None,
            expire_access_after_uploads: None,
            upload_max_bytes: None,
        }
    }
}

/// A registered OAuth client.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    /// `None`: a public client.
    pub secret: Option<String>,
    /// Registered redirect URIs (the plugin stores them space-separated).
    pub redirect_uris: Vec<String>,
    /// Grants the client may use: "authorization_code", "password", "refresh_token", ...
    pub grants: Vec<String>,
}

impl Client {
    pub fn new(id: &str, secret: Option<&str>, redirect_uris: &[&str]) -> Self {
        Client {
            id: id.into(),
            secret: secret.map(Into::into),
            redirect_uris: redirect_uris.iter().map(|s| s.to_string()).collect(),
            grants: ["authorization_code", "password", "refresh_token"].map(String::from).to_vec(),
        }
    }
    pub fn grants(mut self, grants: &[&str]) -> Self {
        self.grants = grants.iter().map(|s| s.to_string()).collect();
        self
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub login: String,
    pub password: String,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
}

impl User {
    pub fn new(id: u64, login: &str, password: &str, display_name: &str, roles: &[&str]) -> Self {
        User {
            id,
            login: login.into(),
            password: password.into(),
            email: format!("{login}@dialect.test"),
            display_name: display_name.into(),
            roles: roles.iter().map(|s| s.to_string()).collect(),
        }
    }
}

#[derive(Debug)]
struct Code {
    client_id: String,
    user_id: u64,
    redirect_uri: String,
    challenge: Option<(String, String)>,
    issued: Instant,
    used: bool,
}

#[derive(Debug, Clone)]
struct Token {
    client_id: String,
    user_id: u64,
    expires: Instant,
    scope: String,
    revoked: bool,
}

/// What the server counted, for tests to assert.
#[derive(Debug, Default, Clone)]
pub struct Counters {
    pub token_requests: usize,
    pub refresh_grants: usize,
    pub revocations: usize,
    /// Application Passwords created over REST (`POST .../application-passwords`).
    pub app_passwords_created_over_rest: usize,
    /// Upload requests that reached `/wp/v2/media` (stored or not).
    pub upload_requests: usize,
}

#[derive(Debug)]
struct State {
    knobs: Knobs,
    clients: Vec<Client>,
    users: Vec<User>,
    sessions: HashMap<String, u64>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Token>,
    refresh: HashMap<String, Token>,
    counters: Counters,
    seq: u64,
    /// OAuth1 tokens: token → (secret, consumer key, user id once authorized, verifier, access?)
    oauth1_tokens: HashMap<String, OAuth1Token>,
    oauth1_nonces: std::collections::HashSet<String>,
    /// Application Passwords: (user id, uuid, name, password).
    app_passwords: Vec<(u64, String, String, String)>,
    /// Nonces of the Authorize Application pages shown.
    app_password_nonces: std::collections::HashSet<String>,
    /// Passwords the approval page handed over in a URL.
    handed_in_urls: Vec<String>,
    /// The media library: (id, author, file name, bytes, the item's JSON).
    media: Vec<StoredMedia>,
    /// Posts created over REST, as their JSON.
    posts: Vec<serde_json::Value>,
}

/// One media item the site stored.
#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub id: u64,
    pub author: u64,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub json: serde_json::Value,
}

impl State {
    fn new(knobs: Knobs, clients: Vec<Client>, users: Vec<User>) -> Arc<Mutex<State>> {
        Arc::new(Mutex::new(State {
            knobs,
            clients,
            users,
            sessions: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            counters: Counters::default(),
            seq: 0,
            oauth1_tokens: HashMap::new(),
            oauth1_nonces: std::collections::HashSet::new(),
            app_passwords: Vec::new(),
            app_password_nonces: std::collections::HashSet::new(),
            handed_in_urls: Vec::new(),
            media: Vec::new(),
            posts: Vec::new(),
        }))
    }

    /// Keep a new Application Password; its uuid.
    fn new_app_password(&mut self, user_id: u64, name: &str, password: &str) -> String {
        self.seq += 1;
        let uuid = format!("00000000-0000-4000-8000-{:012}", self.seq);
        self.app_passwords.push((user_id, uuid.clone(), name.to_string(), password.to_string()));
        uuid
    }
}

#[derive(Debug, Clone)]
struct OAuth1Token {
    secret: String,
    consumer: String,
    callback: String,
    user_id: Option<u64>,
    verifier: Option<String>,
    access: bool,
}

/// A running WordPress site with WP OAuth Server, on 127.0.0.1.
pub struct OAuthSite {
    server: Server,
    state: Arc<Mutex<State>>,
}

impl OAuthSite {
    pub async fn start(knobs: Knobs, clients: Vec<Client>, users: Vec<User>) -> OAuthSite {
        let latency = knobs.latency;
        let state = State::new(knobs, clients, users);
        let s = state.clone();
        let server = Server::start_with_latency(latency, move |req, base| {
            handle(&mut s.lock().unwrap(), req, base)
        })
        .await;
        OAuthSite { server, state }
    }

    /// The same site at `https://NAME/` (and `http://NAME/`), presenting `cert`: see
    /// [`Server::start_https`].
    pub async fn start_https(
        cert: &crate::tls::ServerCert,
        name: &str,
        knobs: Knobs,
        clients: Vec<Client>,
        users: Vec<User>,
    ) -> OAuthSite {
        let state = State::new(knobs, clients, users);
        let s = state.clone();
        let server = Server::start_https(cert, name, move |req, base| {
            handle(&mut s.lock().unwrap(), req, base)
        })
        .await;
        OAuthSite { server, state }
    }

    /// `http://127.0.0.1:PORT`, or `https://NAME`
    pub fn url(&self) -> String {
        self.server.url()
    }
    pub fn server(&self) -> &Server {
        &self.server
    }
    /// Names of the Application Passwords the site holds.
    pub fn app_password_names(&self) -> Vec<String> {
        self.state.lock().unwrap().app_passwords.iter().map(|p| p.2.clone()).collect()
    }
    /// How many of the Application Passwords the approval page handed over in a URL the site
    /// still accepts.
    pub fn app_passwords_from_urls_live(&self) -> usize {
        let st = self.state.lock().unwrap();
        st.handed_in_urls.iter().filter(|pw| st.app_passwords.iter().any(|p| &p.3 == *pw)).count()
    }
    pub fn counters(&self) -> Counters {
        self.state.lock().unwrap().counters.clone()
    }
    /// Change a setting while the site runs.
    pub fn set(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.state.lock().unwrap().knobs)
    }
    /// Is this access token accepted right now?
    pub fn access_token_valid(&self, token: &str) -> bool {
        let st = self.state.lock().unwrap();
        st.access.get(token).is_some_and(|t| !t.revoked && t.expires > Instant::now())
    }
    /// Every token issued so far (access and refresh), for tests that look for leaks.
    pub fn issued_tokens(&self) -> Vec<String> {
        let st = self.state.lock().unwrap();
        let oauth1 = st.oauth1_tokens.iter().flat_map(|(t, v)| [t.clone(), v.secret.clone()]);
        st.access.keys().chain(st.refresh.keys()).cloned().chain(oauth1).collect()
    }
    /// An Application Password the person created in their profile (to paste into the app).
    pub fn add_app_password(&self, user_id: u64, name: &str, password: &str) {
        self.state.lock().unwrap().new_app_password(user_id, name, &password.replace(' ', ""));
    }
    /// Tokens the site would still accept: (access, refresh).
    pub fn live_tokens(&self) -> (usize, usize) {
        let st = self.state.lock().unwrap();
        let access =
            st.access.values().filter(|t| !t.revoked && t.expires > Instant::now()).count();
        (access, st.refresh.values().filter(|t| !t.revoked).count())
    }
    /// Make every access token expire now (the refresh tokens stay).
    pub fn expire_access_tokens(&self) {
        let mut st = self.state.lock().unwrap();
        for t in st.access.values_mut() {
            t.expires = Instant::now();
        }
    }
    /// The media library as stored.
    pub fn media(&self) -> Vec<StoredMedia> {
        self.state.lock().unwrap().media.clone()
    }
    /// Posts created over REST.
    pub fn posts(&self) -> Vec<serde_json::Value> {
        self.state.lock().unwrap().posts.clone()
    }
    /// Make every refresh token unusable (revoked from wp-admin, say).
    pub fn revoke_refresh_tokens(&self) {
        let mut st = self.state.lock().unwrap();
        for t in st.refresh.values_mut() {
            t.revoked = true;
        }
    }
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(status, json!({"error": error, "error_description": description}).to_string())
}

fn unavailable() -> Reply {
    oauth_error(503, "error", "temporarily unavailable")
}

/// Query or form parameters, decoded.
fn params(s: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(s.as_bytes()).into_owned().collect()
}

fn cookie(req: &Request) -> Option<String> {
    req.header("cookie")?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "wordpress_logged_in")
        .map(|(_, v)| v.to_string())
}

/// WP OAuth Server advertises `site_url('oauth/NAME')` whatever the permalinks: on plain
/// permalinks that path does not route (only `?oauth=NAME` does).
fn endpoint(base: &str, _knobs: &Knobs, name: &str) -> String {
    format!("{base}/oauth/{name}")
}

fn rest_root(base: &str, knobs: &Knobs) -> String {
    if knobs.plain_permalinks {
        format!("{base}/index.php?rest_route=/")
    } else {
        format!("{base}/wp-json/")
    }
}

/// Which route a request is for, whatever the permalink mode, and whether a query variable
/// (`rest_route`, `oauth`, `rest_oauth1`: WordPress reads them from the query or a POST body)
/// chose it rather than the path.
fn route(req: &Request, form: &HashMap<String, String>) -> (String, HashMap<String, String>, bool) {
    let q = params(req.query().unwrap_or(""));
    let var = |k: &str| q.get(k).or_else(|| form.get(k)).cloned();
    if let Some(r) = var("rest_route") {
        return (format!("/wp-json{r}"), q, true);
    }
    if let Some(o) = var("oauth") {
        return (format!("/oauth/{o}"), q, true);
    }
    if let Some(o) = var("rest_oauth1") {
        return (format!("/oauth1/{o}"), q, true);
    }
    (req.path().to_string(), q, false)
}

fn handle(st: &mut State, req: &Request, base: &str) -> Reply {
    let mut reply = route_request(st, req, base);
    if st.knobs.php_notice_before_json && route(req, &HashMap::new()).0 == "/oauth/token" {
        // PHP prints notices as it meets them, before the plugin's answer, and the page is HTML.
        let mut body = b"<br />\n<b>Notice</b>:  Undefined index: scope in \
                         <b>/var/www/html/wp-content/plugins/some-plugin/init.php</b> on line \
                         <b>42</b><br />\n"
            .to_vec();
        body.extend_from_slice(&reply.body);
        reply.body = body;
        reply.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        reply.headers.push(("Content-Type".into(), "text/html; charset=UTF-8".into()));
    }
    // Every answer carries the server's clock, as real web servers send it.
    if reply.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("date")) {
        reply
    } else {
        with_date(reply, st)
    }
}

fn route_request(st: &mut State, req: &Request, base: &str) -> Reply {
    let form = if req.method == "POST" {
        params(&String::from_utf8_lossy(&req.body))
    } else {
        HashMap::new()
    };
    let (path, query, by_query_var) = route(req, &form);
    let link = format!("<{}>; rel=\"https://api.w.org/\"", rest_root(base, &st.knobs));
    // Plain permalinks: no rewrite rules, so the plugins' and the REST API's paths reach no
    // handler.
    // WordPress answers them as it answers any unknown path: a GET gets the canonical trailing
    // slash, then the home page; a POST gets the home page (200, HTML).
    if st.knobs.plain_permalinks
        && !by_query_var
        && ["/wp-json", "/oauth/", "/oauth1/"].iter().any(|p| path.starts_with(p))
    {
        if req.method == "GET" && !path.ends_with('/') {
            let q = req.query().map(|q| format!("?{q}")).unwrap_or_default();
            return Reply::redirect(301, format!("{base}{path}/{q}"))
                .header("X-Redirect-By", "WordPress");
        }
        return Reply::html(
            200,
            "<!DOCTYPE html><html><head></head><body>Dialect site: the home page</body></html>",
        )
        .header("Link", link);
    }
    let canonical =
        st.knobs.canonical_slash && !st.knobs.plain_permalinks && !st.knobs.wordpress_com;
    if canonical && req.method == "GET" && matches!(path.as_str(), "/oauth/authorize" | "/oauth/me")
    {
        let q = req.query().map(|q| format!("?{q}")).unwrap_or_default();
        return Reply::redirect(301, format!("{base}{path}/{q}"))
            .header("X-Redirect-By", "WordPress");
    }
    let path = match path.as_str() {
        "/oauth/authorize/" | "/oauth/me/" if canonical => path.trim_end_matches('/').to_string(),
        _ => path,
    };
    match path.as_str() {
        "/" | "/index.php" => {
            Reply::html(200, "<!DOCTYPE html><html><head></head><body>Dialect site</body></html>")
                .header("Link", link)
        }
        "/wp-json/" | "/wp-json" => Reply::json(200, index(base, &st.knobs)).header("Link", link),
        "/wp-json/wp/v2/users/me" => rest_me(st, req, base),
        p if p.starts_with("/wp-json/wp/v2/media") || p == "/wp-json/wp/v2/posts" => {
            media_route(st, req, base, p.trim_start_matches("/wp-json/wp/v2/"), &query)
        }
        p if st.knobs.wordpress_com && p.starts_with("/wp/v2/sites/") => {
            // WordPress.com's proxy of a site's REST API: /wp/v2/sites/<id>/<route>.
            let route = p.trim_start_matches("/wp/v2/sites/").split_once('/').map(|(_, r)| r);
            match route {
                Some(r) => media_route(st, req, base, r, &query),
                None => rest_error(404, "rest_no_route", "No route was found."),
            }
        }
        "/wp-json/wp-site-health/v1/tests/authorization-header" => {
            site_health_authorization_header(st, req)
        }
        "/wp-admin/authorize-application.php" if st.knobs.app_passwords => {
            authorize_application(st, req, base, &query, &form)
        }
        p if st.knobs.app_passwords
            && p.starts_with("/wp-json/wp/v2/users/me/application-passwords") =>
        {
            app_password_manage(st, req, p)
        }
        "/oauth1/request" if !st.knobs.oauth1_consumers.is_empty() => {
            oauth1_request(st, req, base, &form)
        }
        "/oauth1/authorize" if !st.knobs.oauth1_consumers.is_empty() => {
            oauth1_authorize(st, req, base, &query, &form)
        }
        "/oauth1/access" if !st.knobs.oauth1_consumers.is_empty() => {
            oauth1_access(st, req, base, &form)
        }
        "/wp-login.php" => login(st, req, &query, &form),
        p if p.starts_with("/oauth/") && st.knobs.disabled => unavailable(),
        "/oauth/authorize" | "/oauth2/authorize" => authorize(st, req, base, &query, &form),
        "/oauth/token" | "/oauth2/token" => token(st, req, &form),
        "/rest/v1.1/me" => wpcom_me(st, req, &query),
        p if p.starts_with("/rest/v1.1/sites/") => {
            wpcom_site(base, p.trim_start_matches("/rest/v1.1/sites/"))
        }
        "/oauth/me" => oauth_me(st, req, &query, &form),
        "/oauth/revoke" => revoke(st, req, &form),
        _ => Reply::html(404, "<html><body>Page not found</body></html>"),
    }
}

fn index(base: &str, knobs: &Knobs) -> String {
    let mut authentication = json!({
        "oauth2": {
            "authorize": endpoint(base, knobs, "authorize"),
            "token": endpoint(base, knobs, "token"),
            "me": endpoint(base, knobs, "me"),
            "version": "2.0",
            "software": "WP OAuth Server"
        }
    });
    if knobs.app_passwords {
        authentication["application-passwords"] = json!({
            "endpoints": {"authorization": format!("{base}/wp-admin/authorize-application.php")},
        });
    }
    let own = knobs.advertised_url.clone().unwrap_or_else(|| base.to_string());
    if !knobs.oauth1_consumers.is_empty() {
        authentication["oauth1"] = json!({
            "request": format!("{base}/oauth1/request"),
            "authorize": format!("{base}/oauth1/authorize"),
            "access": format!("{base}/oauth1/access"),
            "version": "0.1"
        });
    }
    json!({
        "name": "Dialect Site",
        "description": "WP OAuth Server, strictly",
        "url": own,
        "home": own,
        "gmt_offset": "0",
        "timezone_string": "",
        "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1"],
        "authentication": authentication,
        "site_icon_url": false,
    })
    .to_string()
}

fn login(
    st: &mut State,
    req: &Request,
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
) -> Reply {
    if req.method == "POST" {
        let (log, pwd) = (
            form.get("log").cloned().unwrap_or_default(),
            form.get("pwd").cloned().unwrap_or_default(),
        );
        let redirect_to = form.get("redirect_to").cloned().unwrap_or_else(|| "/wp-admin/".into());
        if let Some(u) = st.users.iter().find(|u| u.login == log && u.password == pwd) {
            st.seq += 1;
            let sid = format!("sess{}{}", st.seq, random_token(16));
            st.sessions.insert(sid.clone(), u.id);
            return Reply::redirect(302, redirect_to)
                .header("Set-Cookie", format!("wordpress_logged_in={sid}; path=/; HttpOnly"));
        }
        return login_page(
            &redirect_to,
            Some("<strong>Error:</strong> The password you entered is incorrect."),
        );
    }
    login_page(query.get("redirect_to").map(String::as_str).unwrap_or("/wp-admin/"), None)
}

fn login_page(redirect_to: &str, error: Option<&str>) -> Reply {
    let err = error.map(|e| format!("<div id=\"login_error\">{e}</div>")).unwrap_or_default();
    Reply::html(
        200,
        format!(
            "<!DOCTYPE html><html><body class=\"login\">{err}<form name=\"loginform\" \
             id=\"loginform\" action=\"/wp-login.php\" method=\"post\">\
             <input type=\"text\" name=\"log\"><input type=\"password\" name=\"pwd\">\
             <input type=\"hidden\" name=\"redirect_to\" value=\"{}\"><input type=\"submit\" \
             name=\"wp-submit\" value=\"Log In\"></form></body></html>",
            html_escape(redirect_to)
        ),
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn redirect_ok(knobs: &Knobs, client: &Client, uri: &str) -> bool {
    client.redirect_uris.iter().any(|reg| {
        if knobs.exact_redirect || knobs.wordpress_com {
            return reg == uri;
        }
        // AuthorizeController::validateRedirectUri: strcasecmp(substr($input, 0,
        // strlen($registered)), $registered).
        uri.len() >= reg.len() && uri.as_bytes()[..reg.len()].eq_ignore_ascii_case(reg.as_bytes())
    })
}

fn authorize(
    st: &mut State,
    req: &Request,
    base: &str,
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
) -> Reply {
    // A consent answer comes back as a POST carrying the original parameters.
    let p = if req.method == "POST" { form } else { query };
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let Some(client) = st.clients.iter().find(|c| c.id == get("client_id")).cloned() else {
        return oauth_error(400, "invalid_client", "The client id supplied is invalid");
    };
    let redirect_uri = match p.get("redirect_uri") {
        Some(r) => r.clone(),
        None => client.redirect_uris.first().cloned().unwrap_or_default(),
    };
    if !redirect_ok(&st.knobs, &client, &redirect_uri) {
        return oauth_error(
            400,
            "redirect_uri_mismatch",
            "The redirect URI provided is missing or does not match",
        );
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let state_param = p
        .get("state")
        .filter(|_| !st.knobs.drop_state)
        .map(|s| format!("&state={}", enc(s)))
        .unwrap_or_default();
    if get("response_type") != "code" {
        return Reply::redirect(
            302,
            format!("{redirect_uri}{sep}error=unsupported_response_type{state_param}"),
        );
    }
    if !client.grants.iter().any(|g| g == "authorization_code") {
        return Reply::redirect(
            302,
            format!(
                "{redirect_uri}{sep}error=unauthorized_client&error_description={}{state_param}",
                enc("The grant type is unauthorized for this client_id")
            ),
        );
    }
    let Some(user_id) = cookie(req).and_then(|c| st.sessions.get(&c).copied()) else {
        if get("prompt") == "none" {
            return Reply::redirect(
                302,
                format!("{redirect_uri}{sep}error=access_denied{state_param}"),
            );
        }
        let here = format!("{base}{}?{}", req.path(), req.query().unwrap_or(""));
        return Reply::redirect(302, format!("{base}/wp-login.php?redirect_to={}", enc(&here)));
    };
    if st.knobs.consent_screen {
        match (req.method.as_str(), form.get("authorize").map(String::as_str)) {
            ("POST", Some("allow")) => {}
            ("POST", _) => {
                return Reply::redirect(
                    302,
                    format!(
                        "{redirect_uri}{sep}error=access_denied&error_description={}{state_param}",
                        enc("The user denied access to your application")
                    ),
                )
            }
            _ => {
                let hidden: String = query
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                            html_escape(k),
                            html_escape(v)
                        )
                    })
                    .collect();
                return Reply::html(
                    200,
                    format!(
                        "<!DOCTYPE html><html><body><h1>Authorize</h1><form id=\"consent\" \
                         method=\"post\" action=\"{}\">{hidden}\
                         <button name=\"authorize\" value=\"allow\">Allow</button><button \
                         name=\"authorize\" value=\"deny\">Deny</button></form></body></html>",
                        req.path()
                    ),
                );
            }
        }
    }
    let challenge = match (st.knobs.pkce_ignored, p.get("code_challenge")) {
        (false, Some(c)) => Some((
            c.clone(),
            p.get("code_challenge_method").cloned().unwrap_or_else(|| "plain".into()),
        )),
        _ => None,
    };
    let code = random_token(40);
    st.codes.insert(
        code.clone(),
        Code {
            client_id: client.id,
            user_id,
            redirect_uri: redirect_uri.clone(),
            challenge,
            issued: Instant::now(),
            used: false,
        },
    );
    Reply::redirect(302, format!("{redirect_uri}{sep}code={code}{state_param}"))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The client that authenticated, from HTTP Basic (form-encoded id and secret) or the body.
fn client_auth(st: &State, req: &Request, form: &HashMap<String, String>) -> Result<Client, Reply> {
    let invalid = || oauth_error(400, "invalid_client", "The client credentials are invalid");
    let (id, secret) = match req.header("authorization").and_then(|h| h.strip_prefix("Basic ")) {
        // WordPress.com reads the client's credentials from the body only.
        Some(b64) if !st.knobs.strip_authorization && !st.knobs.wordpress_com => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| invalid())?;
            let raw = String::from_utf8(raw).map_err(|_| invalid())?;
            let (i, s) = raw.split_once(':').ok_or_else(invalid)?;
            let dec = |v: &str| {
                url::form_urlencoded::parse(format!("v={v}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (dec(i), dec(s))
        }
        _ => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        ),
    };
    let client = st.clients.iter().find(|c| c.id == id).ok_or_else(invalid)?;
    match &client.secret {
        Some(s) if *s != secret => Err(invalid()),
        _ => Ok(client.clone()),
    }
}

fn token(st: &mut State, req: &Request, form: &HashMap<String, String>) -> Reply {
    st.counters.token_requests += 1;
    if !st.knobs.token_delay.is_zero() {
        std::thread::sleep(st.knobs.token_delay);
    }
    if st.knobs.html_token_endpoint {
        return Reply::html(
            403,
            "<!DOCTYPE \
             html><html><head><title>Blocked</title></head><body><h1>Wordfence: your access to \
             this \
             site has been limited</h1></body></html>",
        );
    }
    if req.method != "POST" {
        return oauth_error(
            400,
            "invalid_request",
            "The request method must be POST when requesting an access token",
        );
    }
    if st.knobs.client_id_in_body && !form.contains_key("client_id") {
        let e = json!({"code": "rest_missing_callback_param", "message": "Missing parameter(s): \
                                                                          client_id", "data": {"status": 400, "params": ["client_id"]}});
        return Reply::json(400, e.to_string());
    }
    let client = match client_auth(st, req, form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let grant = form.get("grant_type").cloned().unwrap_or_default();
    if !["authorization_code", "password", "refresh_token", "client_credentials"]
        .contains(&grant.as_str())
    {
        return oauth_error(400, "unsupported_grant_type", "Grant type not supported");
    }
    // As the real plugin (4.4.0): the grant's own credentials (code, password, refresh token) are
    // validated first, and only then the client's allowed grant types; nothing is used up before.
    let (user_id, scope) = match grant.as_str() {
        "authorization_code" => {
            let Some(code) = form.get("code").and_then(|c| st.codes.get_mut(c)) else {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "Authorization code doesn't exist or is invalid for the client",
                );
            };
            if code.used || code.client_id != client.id {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "Authorization code doesn't exist or is invalid for the client",
                );
            }
            if code.issued.elapsed() > st.knobs.code_ttl {
                return oauth_error(400, "invalid_grant", "The authorization code has expired");
            }
            if form.get("redirect_uri") != Some(&code.redirect_uri) {
                return oauth_error(
                    400,
                    "redirect_uri_mismatch",
                    "The redirect URI is missing or do not match",
                );
            }
            if let Some((challenge, method)) = &code.challenge {
                let Some(verifier) = form.get("code_verifier") else {
                    return oauth_error(
                        400,
                        "invalid_grant",
                        "The PKCE code verifier parameter is required.",
                    );
                };
                let computed = match method.as_str() {
                    "S256" => base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(sha2::Sha256::digest(verifier.as_bytes())),
                    _ => verifier.clone(),
                };
                if computed != *challenge {
                    return oauth_error(
                        400,
                        "invalid_grant",
                        "The PKCE code verifier parameter is invalid.",
                    );
                }
            }
            (code.user_id, "basic".to_string())
        }
        "password" => {
            let (u, p) = (
                form.get("username").cloned().unwrap_or_default(),
                form.get("password").cloned().unwrap_or_default(),
            );
            match st.users.iter().find(|x| x.login == u && x.password == p) {
                Some(user) => {
                    (user.id, form.get("scope").cloned().unwrap_or_else(|| "basic".into()))
                }
                None => {
                    return oauth_error(
                        401,
                        "invalid_grant",
                        "Invalid username and password combination",
                    )
                }
            }
        }
        "refresh_token" => {
            st.counters.refresh_grants += 1;
            let Some(t) = form.get("refresh_token").and_then(|r| st.refresh.get_mut(r)) else {
                return oauth_error(400, "invalid_grant", "Invalid refresh token");
            };
            if t.revoked || t.client_id != client.id {
                return oauth_error(400, "invalid_grant", "Invalid refresh token");
            }
            if t.expires <= Instant::now() {
                return oauth_error(400, "invalid_grant", "Refresh token has expired");
            }
            (t.user_id, t.scope.clone())
        }
        _ => return oauth_error(400, "unsupported_grant_type", "Grant type not supported"),
    };
    if !client.grants.contains(&grant) {
        return oauth_error(
            400,
            "unauthorized_client",
            "The grant type is unauthorized for this client_id",
        );
    }
    match grant.as_str() {
        "authorization_code" => {
            if let Some(code) = form.get("code").and_then(|c| st.codes.get_mut(c)) {
                code.used = true;
            }
        }
        "refresh_token" if !st.knobs.refresh_reusable => {
            if let Some(t) = form.get("refresh_token").and_then(|r| st.refresh.get_mut(r)) {
                t.revoked = true;
            }
        }
        _ => {}
    }
    let now = Instant::now();
    let access = random_token(40);
    let refresh = random_token(40);
    let knobs = st.knobs.clone();
    let tok = |ttl: Duration| Token {
        client_id: client.id.clone(),
        user_id,
        expires: now + ttl,
        scope: scope.clone(),
        revoked: false,
    };
    st.access.insert(access.clone(), tok(knobs.access_ttl));
    st.refresh.insert(refresh.clone(), tok(knobs.refresh_ttl));
    if knobs.wordpress_com {
        // Neither expiry nor refresh: the token lasts until revoked at wordpress.com.
        st.access.insert(
            access.clone(),
            Token { expires: now + Duration::from_secs(10 * 365 * 86400), ..tok(knobs.access_ttl) },
        );
        st.refresh.remove(&refresh);
        return Reply::json(
            200,
            json!({
                "access_token": access,
                "token_type": "bearer",
                "blog_id": "4242",
                "blog_url": "https://dialect.wordpress.com",
                "scope": "",
            })
            .to_string(),
        );
    }
    let expires_in = if knobs.expires_in_as_string {
        json!(knobs.access_ttl.as_secs().to_string())
    } else {
        json!(knobs.access_ttl.as_secs())
    };
    Reply::json(
        200,
        json!({
            "access_token": access,
            "expires_in": expires_in,
            "token_type": "Bearer",
            "scope": scope,
            "refresh_token": refresh,
        })
        .to_string(),
    )
}

/// The bearer token a request carries, as WordPress would see it.
fn bearer(
    st: &State,
    req: &Request,
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
) -> Option<String> {
    let header = if st.knobs.strip_authorization { None } else { req.header("authorization") };
    header
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_string))
        .or_else(|| query.get("access_token").cloned())
        .or_else(|| form.get("access_token").cloned())
}

fn valid_user(st: &State, token: Option<String>) -> Option<User> {
    let t = st.access.get(&token?)?;
    if t.revoked || t.expires <= Instant::now() {
        return None;
    }
    st.users.iter().find(|u| u.id == t.user_id).cloned()
}

fn oauth_me(
    st: &mut State,
    req: &Request,
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
) -> Reply {
    let Some(u) = valid_user(st, bearer(st, req, query, form)) else {
        return oauth_error(400, "invalid_request", "Invalid token");
    };
    let caps: serde_json::Map<String, serde_json::Value> =
        u.roles.iter().map(|r| (r.clone(), json!(true))).collect();
    Reply::json(
        200,
        json!({
            "ID": u.id.to_string(),
            "user_login": u.login,
            "user_nicename": u.login,
            "user_email": u.email,
            "user_registered": "2024-05-01 10:00:00",
            "user_status": "0",
            "display_name": u.display_name,
            "user_roles": u.roles,
            "capabilities": caps,
        })
        .to_string(),
    )
}

/// Who a REST request is from, as WordPress sees it (OAuth 1.0a signature, Application Password,
/// or a bearer token in the header), or the answer WordPress gives.
fn rest_user(st: &mut State, req: &Request, base: &str) -> Result<User, Reply> {
    let header = if st.knobs.strip_authorization { None } else { req.header("authorization") };
    if header.is_some_and(|h| h.starts_with("OAuth ")) {
        let query = params(req.query().unwrap_or(""));
        return match oauth1_verify(st, req, base, &query, true) {
            Ok((_, Some(t))) => {
                match st.oauth1_tokens.get(&t).filter(|t| t.access).and_then(|t| t.user_id) {
                    Some(id) => Ok(st.users.iter().find(|u| u.id == id).cloned().expect("known")),
                    None => Err(rest_error(
                        401,
                        "json_oauth1_invalid_token",
                        "Access token does not exist",
                    )),
                }
            }
            Ok((_, None)) => {
                Err(rest_error(401, "rest_not_logged_in", "You are not currently logged in."))
            }
            Err((code, message)) => Err(rest_error(401, &code, &message)),
        };
    }
    if let Some(u) = header.and_then(|h| basic_app_password_user(st, h)) {
        return Ok(u);
    }
    if let Some(code) = header.and_then(|h| basic_app_password_error(st, h)) {
        return Err(rest_error(401, code, "Unknown username or incorrect password."));
    }
    let token = header.and_then(|h| h.strip_prefix("Bearer ").map(str::to_string));
    valid_user(st, token)
        .ok_or_else(|| rest_error(401, "rest_not_logged_in", "You are not currently logged in."))
}

/// `wp/v2/media` (upload, list, update, delete) and `wp/v2/posts` (create), as WordPress answers.
fn media_route(
    st: &mut State,
    req: &Request,
    base: &str,
    route: &str,
    query: &HashMap<String, String>,
) -> Reply {
    if req.method == "POST" && route == "media" {
        st.counters.upload_requests += 1;
    }
    let user = match rest_user(st, req, base) {
        Ok(u) => u,
        Err(reply) => return reply,
    };
    let may_upload = user.roles.iter().any(|r| r != "subscriber");
    let id: Option<u64> = route.strip_prefix("media/").and_then(|i| i.parse().ok());
    match (req.method.as_str(), route, id) {
        ("POST", "media", _) => {
            if !may_upload {
                return rest_error(
                    403,
                    "rest_cannot_create",
                    "Sorry, you are not allowed to create posts as this user.",
                );
            }
            media_create(st, req, base, &user, query)
        }
        ("GET", "media", _) => {
            let search = query.get("search").cloned().unwrap_or_default();
            let author: Option<u64> = query.get("author").and_then(|a| a.parse().ok());
            let found: Vec<serde_json::Value> = st
                .media
                .iter()
                .rev()
                .filter(|m| author.is_none_or(|a| a == m.author))
                .filter(|m| m.json["title"]["raw"].as_str().is_some_and(|t| t.contains(&search)))
                .map(|m| m.json.clone())
                .collect();
            Reply::json(200, serde_json::Value::Array(found).to_string())
        }
        ("POST", _, Some(id)) => {
            let Some(m) = st.media.iter_mut().find(|m| m.id == id) else {
                return rest_error(404, "rest_post_invalid_id", "Invalid post ID.");
            };
            let body: serde_json::Value =
                serde_json::from_slice(&req.body).unwrap_or(serde_json::Value::Null);
            for field in ["title", "caption", "description"] {
                if let Some(v) = body[field].as_str() {
                    m.json[field] = json!({"raw": v, "rendered": v});
                }
            }
            if let Some(v) = body["alt_text"].as_str() {
                m.json["alt_text"] = json!(v);
            }
            Reply::json(200, m.json.to_string())
        }
        ("DELETE", _, Some(id)) => {
            let before = st.media.len();
            st.media.retain(|m| m.id != id);
            if st.media.len() == before {
                return rest_error(404, "rest_post_invalid_id", "Invalid post ID.");
            }
            Reply::json(200, json!({"deleted": true}).to_string())
        }
        ("POST", "posts", _) => {
            let body: serde_json::Value =
                serde_json::from_slice(&req.body).unwrap_or(serde_json::Value::Null);
            st.seq += 1;
            let id = 1000 + st.seq;
            let post = json!({
                "id": id,
                "status": body["status"],
                "title": {"raw": body["title"], "rendered": body["title"]},
                "content": {"raw": body["content"]},
                "featured_media": body["featured_media"],
                "link": format!("{base}/?p={id}"),
            });
            st.posts.push(post.clone());
            Reply::json(201, post.to_string())
        }
        _ => rest_error(
            404,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        ),
    }
}

/// An upload: the `file` part of a multipart body, stored as WordPress would.
fn media_create(
    st: &mut State,
    req: &Request,
    base: &str,
    user: &User,
    query: &HashMap<String, String>,
) -> Reply {
    let Some((file_name, content_type, bytes)) = multipart_file(req) else {
        return rest_error(400, "rest_upload_no_data", "No data supplied.");
    };
    if st.knobs.upload_max_bytes.is_some_and(|max| bytes.len() > max) {
        return rest_error(
            500,
            "rest_upload_unknown_error",
            "The uploaded file exceeds the upload_max_filesize directive in php.ini.",
        );
    }
    if !["image/jpeg", "image/png", "image/webp", "image/gif"].contains(&content_type.as_str()) {
        return rest_error(
            500,
            "rest_upload_unknown_error",
            "Sorry, you are not allowed to upload this file type.",
        );
    }
    st.seq += 1;
    let id = st.seq;
    let stem = file_name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&file_name).to_string();
    let field = |k: &str, default: &str| query.get(k).cloned().unwrap_or_else(|| default.into());
    let (title, caption, description) =
        (field("title", &stem), field("caption", ""), field("description", ""));
    let json = json!({
        "id": id,
        "author": user.id,
        "title": {"raw": title, "rendered": title},
        "caption": {"raw": caption, "rendered": format!("<p>{caption}</p>")},
        "description": {"raw": description, "rendered": format!("<p>{description}</p>")},
        "alt_text": field("alt_text", ""),
        "mime_type": content_type,
        "link": format!("{base}/?attachment_id={id}"),
        "source_url": format!("{base}/wp-content/uploads/{}", enc(&file_name)),
        "media_details": {"filesize": bytes.len(), "sizes": {}},
    });
    st.media.push(StoredMedia {
        id,
        author: user.id,
        file_name,
        content_type,
        bytes,
        json: json.clone(),
    });
    if st.knobs.expire_access_after_uploads.is_some_and(|n| st.media.len() >= n) {
        st.knobs.expire_access_after_uploads = None;
        for t in st.access.values_mut() {
            t.expires = Instant::now();
        }
    }
    Reply::json(201, json.to_string())
}

/// The `file` part of a `multipart/form-data` body: its file name, type and bytes.
fn multipart_file(req: &Request) -> Option<(String, String, Vec<u8>)> {
    let ct = req.header("content-type")?;
    let boundary = ct.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let body = &req.body;
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
    };
    let mut at = find(body, delimiter.as_bytes(), 0)?;
    loop {
        let head_start = at + delimiter.len() + 2;
        let head_end = find(body, b"\r\n\r\n", head_start)?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]).into_owned();
        let next = find(body, format!("\r\n{delimiter}").as_bytes(), head_end + 4)?;
        if head.contains("name=\"file\"") {
            let name = head.split("filename=\"").nth(1)?.split('"').next()?.replace("%22", "\"");
            let ct = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Type: "))
                .unwrap_or("application/octet-stream")
                .trim()
                .to_string();
            return Some((name, ct, body[head_end + 4..next].to_vec()));
        }
        at = next + 2;
    }
}

fn rest_me(st: &mut State, req: &Request, base: &str) -> Reply {
    // Core REST routes read only the header; a bad token silently becomes anonymous.
    let header = if st.knobs.strip_authorization { None } else { req.header("authorization") };
    if header.is_some_and(|h| h.starts_with("OAuth ")) {
        return match oauth1_verify(st, req, base, &HashMap::new(), true) {
            Ok((_, Some(t))) => {
                match st.oauth1_tokens.get(&t).filter(|t| t.access).and_then(|t| t.user_id) {
                    Some(id) => user_json(
                        st.users.iter().find(|u| u.id == id).cloned().expect("known user"),
                    ),
                    None => {
                        rest_error(401, "json_oauth1_invalid_token", "Access token does not exist")
                    }
                }
            }
            Ok((_, None)) => {
                rest_error(401, "rest_not_logged_in", "You are not currently logged in.")
            }
            Err((code, message)) => rest_error(401, &code, &message),
        };
    }
    if let Some(u) = header.and_then(|h| basic_app_password_user(st, h)) {
        return user_json(u);
    }
    if let Some(code) = header.and_then(|h| basic_app_password_error(st, h)) {
        return rest_error(401, code, "Unknown username or incorrect password.");
    }
    let token = header.and_then(|h| h.strip_prefix("Bearer ").map(str::to_string));
    let Some(u) = valid_user(st, token) else {
        return Reply::json(
            401,
            json!({
                "code": "rest_not_logged_in",
                "message": "You are not currently logged in.",
                "data": {"status": 401},
            })
            .to_string(),
        );
    };
    user_json(u)
}

fn wpcom_me(st: &mut State, req: &Request, query: &HashMap<String, String>) -> Reply {
    let Some(u) = valid_user(st, bearer(st, req, query, &HashMap::new())) else {
        return Reply::json(
            403,
            json!({"error": "authorization_required", "message": "An active \
                                                                  access token must be used to \
                                                                  query information about the \
                                                                  current user."})
            .to_string(),
        );
    };
    Reply::json(
        200,
        json!({
            "ID": u.id,
            "display_name": u.display_name,
            "username": u.login,
            "email": u.email,
            "primary_blog": 4242,
            "primary_blog_url": "https://dialect.wordpress.com",
            "avatar_URL": "https://127.0.0.1/avatar/wpcom.png",
            "profile_URL": format!("https://gravatar.invalid/{}", u.login),
            "site_count": 1,
            "verified": true,
            "date": "2019-03-04T05:06:07+00:00",
        })
        .to_string(),
    )
}

fn wpcom_site(base: &str, site: &str) -> Reply {
    if site != "4242" && site != "dialect.wordpress.com" {
        return Reply::json(
            404,
            json!({"error": "unknown_blog", "message": "Unknown blog"}).to_string(),
        );
    }
    let _ = base;
    Reply::json(
        200,
        json!({
            "ID": 4242,
            "name": "Dialect on WordPress.com",
            "description": "Hosted, strictly",
            "URL": "https://dialect.wordpress.com",
            "jetpack": false,
            "is_private": false,
            "options": {"timezone": "Europe/Lisbon", "gmt_offset": 0},
            "icon": {"img": "https://127.0.0.1/icon.png"}
        })
        .to_string(),
    )
}

/// The user an `Authorization: Basic user:app-password` header names, if it is right (spaces in
/// the password are ignored, as WordPress does).
fn basic_app_password_user(st: &State, header: &str) -> Option<User> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(header.strip_prefix("Basic ")?.trim())
        .ok()?;
    let (login, pw) = String::from_utf8(raw)
        .ok()?
        .split_once(':')
        .map(|(a, b)| (a.to_string(), b.replace(' ', "")))?;
    let user = st.users.iter().find(|u| u.login == login)?;
    st.app_passwords.iter().any(|p| p.0 == user.id && p.3 == pw).then(|| user.clone())
}

/// WordPress's answer to a wrong `Basic` header on REST when Application Passwords are in use
/// (`wp_authenticate_application_password`): `invalid_username` for an unknown user,
/// `incorrect_password` for a known one. `None` when they are not in use: then it is ignored.
fn basic_app_password_error(st: &State, header: &str) -> Option<&'static str> {
    if !(st.knobs.app_passwords && (st.knobs.app_passwords_in_use || !st.app_passwords.is_empty()))
    {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(header.strip_prefix("Basic ")?.trim())
        .ok()?;
    let (login, _) = String::from_utf8(raw)
        .ok()?
        .split_once(':')
        .map(|(a, b)| (a.to_string(), b.to_string()))?;
    Some(if st.users.iter().any(|u| u.login == login) {
        "incorrect_password"
    } else {
        "invalid_username"
    })
}

/// Site Health's `authorization-header` test (administrators only). WordPress runs it by calling
/// itself with Basic credentials; here it reports whether the hosting strips the header.
fn site_health_authorization_header(st: &mut State, req: &Request) -> Reply {
    let header = if st.knobs.strip_authorization { None } else { req.header("authorization") };
    let token = header.and_then(|h| h.strip_prefix("Bearer ").map(str::to_string));
    let Some(u) = valid_user(st, token) else {
        return rest_error(401, "rest_forbidden", "Sorry, you are not allowed to do that.");
    };
    if !u.roles.iter().any(|r| r == "administrator") {
        return rest_error(403, "rest_forbidden", "Sorry, you are not allowed to do that.");
    }
    let (label, status) = if st.knobs.strip_authorization {
        ("The authorization header is missing", "recommended")
    } else {
        ("The Authorization header is working as expected", "good")
    };
    Reply::json(
        200,
        json!({
            "label": label,
            "status": status,
            "badge": {"label": "Security", "color": "blue"},
            "description": "",
            "actions": "",
            "test": "authorization_header",
        })
        .to_string(),
    )
}

/// WordPress 6.1's `wp-admin/authorize-application.php` (with Debian's backport of 6.3.2's
/// redirect checks): the request is validated when the page is shown, the approval needs the
/// page's nonce, and an application name the person already uses is refused on the page.
fn authorize_application(
    st: &mut State,
    req: &Request,
    base: &str,
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
) -> Reply {
    let Some(user_id) = cookie(req).and_then(|c| st.sessions.get(&c).copied()) else {
        let here =
            format!("{base}/wp-admin/authorize-application.php?{}", req.query().unwrap_or(""));
        return Reply::redirect(302, format!("{base}/wp-login.php?redirect_to={}", enc(&here)));
    };
    let mut error = None;
    if req.method == "POST"
        && form.get("action").map(String::as_str) == Some("authorize_application_password")
    {
        if !form.get("_wpnonce").is_some_and(|n| st.app_password_nonces.contains(n)) {
            return Reply::html(
                403,
                "<html><body><p>The link you followed has expired.</p></body></html>",
            );
        }
        let get = |k: &str| form.get(k).cloned().unwrap_or_default();
        if form.contains_key("reject") {
            let reject = get("reject_url");
            return Reply::redirect(
                302,
                if reject.is_empty() { format!("{base}/wp-admin/") } else { reject },
            );
        }
        if form.contains_key("approve") {
            let name = get("app_name");
            if name.trim().is_empty() {
                error = Some(
                    "An application name is required to create an application password."
                        .to_string(),
                );
            } else if st.app_passwords.iter().any(|p| p.0 == user_id && p.2 == name) {
                error = Some("Each application name should be unique.".to_string());
            } else {
                let password = random_token(24);
                let login = st
                    .users
                    .iter()
                    .find(|u| u.id == user_id)
                    .map(|u| u.login.clone())
                    .unwrap_or_default();
                st.new_app_password(user_id, &name, &password);
                st.handed_in_urls.push(password.clone());
                let success = get("success_url");
                if !success.is_empty() {
                    let site_url =
                        st.knobs.advertised_url.clone().unwrap_or_else(|| base.to_string());
                    let sep = if success.contains('?') { '&' } else { '?' };
                    return Reply::redirect(
                        302,
                        format!(
                            "{success}{sep}site_url={}&user_login={}&password={password}",
                            enc(&site_url),
                            enc(&login)
                        ),
                    );
                }
            }
        }
    }
    let get = |k: &str| req_param(req, query, form, k);
    let success = get("success_url");
    let reject = match get("reject_url") {
        r if !r.is_empty() => r,
        _ if !success.is_empty() => {
            format!("{success}{}success=false", if success.contains('?') { '&' } else { '?' })
        }
        _ => String::new(),
    };
    let mut problems: Vec<&str> = [&success, &reject]
        .iter()
        .filter_map(|u| redirect_url_problem(u, st.knobs.local_environment))
        .collect();
    let app_id = get("app_id");
    if !app_id.is_empty() && !is_uuid(&app_id) {
        problems.push("The application ID must be a UUID.");
    }
    if !problems.is_empty() {
        return Reply::html(
            500,
            format!(
                "<html><body><p>The Authorize Application request is not \
                 allowed. {}</p></body></html>",
                problems.join(" ")
            ),
        );
    }
    let nonce = random_token(10);
    st.app_password_nonces.insert(nonce.clone());
    let hidden = |k: &str, v: &str| {
        format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\" />", html_escape(v))
    };
    let notice = error
        .map(|e| format!("<div class=\"notice notice-error\"><p>{e}</p></div>"))
        .unwrap_or_default();
    Reply::html(
        200,
        format!(
            "<!DOCTYPE html><html><body>{notice}<form \
             action=\"{base}/wp-admin/authorize-application.php\" method=\"post\" \
             class=\"form-wrap\">{}{}{}{}{}\
             <input type=\"text\" id=\"app_name\" name=\"app_name\" value=\"{}\" required />\
             <input type=\"submit\" name=\"approve\" value=\"Yes, I approve of this connection\" />\
             <input type=\"submit\" name=\"reject\" value=\"No, I do not approve of this \
             connection\" /></form></body></html>",
            hidden("_wpnonce", &nonce),
            hidden("action", "authorize_application_password"),
            hidden("app_id", &app_id),
            hidden("success_url", &success),
            hidden("reject_url", &reject),
            html_escape(&get("app_name")),
        ),
    )
}

/// `$_REQUEST[k]`: the body's value, else the query's.
fn req_param(
    req: &Request,
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
    k: &str,
) -> String {
    let _ = req;
    form.get(k).or_else(|| query.get(k)).cloned().unwrap_or_default()
}

/// `wp_is_authorize_application_redirect_url_valid`: a scheme and a host, not javascript: or
/// data:, and plain http only on a site whose environment type is "local".
fn redirect_url_problem(url: &str, local: bool) -> Option<&'static str> {
    if url.is_empty() {
        return None;
    }
    let Ok(u) = url::Url::parse(url) else { return Some("Invalid URL format.") };
    if u.host_str().is_none_or(str::is_empty) || matches!(u.scheme(), "javascript" | "data") {
        return Some("Invalid URL format.");
    }
    (u.scheme() == "http" && !local).then_some("The URL must be served over a secure connection.")
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `POST .../application-passwords` (create: the new password is shown once, in chunks),
/// `GET .../application-passwords/introspect` and `DELETE .../application-passwords/<uuid>`.
fn app_password_manage(st: &mut State, req: &Request, path: &str) -> Reply {
    // A host that strips the header strips it here too: WordPress sees no credentials at all.
    let header = if st.knobs.strip_authorization { None } else { req.header("authorization") };
    let Some(user) = header.and_then(|h| basic_app_password_user(st, h)) else {
        return rest_error(401, "rest_not_logged_in", "You are not currently logged in.");
    };
    let last = path.rsplit('/').next().unwrap_or("");
    let pw = header
        .and_then(|h| {
            base64::engine::general_purpose::STANDARD
                .decode(h.trim_start_matches("Basic ").trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|s| s.split_once(':').map(|(_, p)| p.replace(' ', "")))
        .unwrap_or_default();
    match (req.method.as_str(), last) {
        ("POST", "application-passwords") => {
            if let Some(status) = st.knobs.app_password_create_fails {
                return rest_error(
                    status,
                    "rest_cannot_create_application_passwords",
                    "Sorry, you are not allowed to create application passwords for this user.",
                );
            }
            let args: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let name = args["name"].as_str().unwrap_or("").to_string();
            if name.trim().is_empty() {
                return rest_error(
                    400,
                    "rest_missing_callback_param",
                    "Missing parameter(s): name",
                );
            }
            if st.app_passwords.iter().any(|p| p.0 == user.id && p.2 == name) {
                return rest_error(
                    409,
                    "application_password_duplicate_name",
                    "Each application name should be unique.",
                );
            }
            let password = random_token(24);
            let uuid = st.new_app_password(user.id, &name, &password);
            st.counters.app_passwords_created_over_rest += 1;
            let chunked = password
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            Reply::json(
                201,
                json!({
                    "uuid": uuid,
                    "app_id": args["app_id"],
                    "name": name,
                    "password": chunked,
                    "last_used": null,
                    "last_ip": null,
                })
                .to_string(),
            )
        }
        ("GET", "introspect") => {
            match st.app_passwords.iter().find(|p| p.0 == user.id && p.3 == pw) {
                Some(p) => Reply::json(200, json!({"uuid": p.1, "name": p.2}).to_string()),
                None => Reply::json(
                    404,
                    json!({"code": "rest_application_password_not_found"}).to_string(),
                ),
            }
        }
        ("DELETE", uuid) => {
            let before = st.app_passwords.len();
            st.app_passwords.retain(|p| !(p.0 == user.id && p.1 == uuid));
            if st.app_passwords.len() < before {
                Reply::json(200, json!({"deleted": true}).to_string())
            } else {
                Reply::json(404, json!({"code": "rest_application_password_not_found"}).to_string())
            }
        }
        _ => Reply::json(404, json!({"code": "rest_no_route"}).to_string()),
    }
}

fn user_json(u: User) -> Reply {
    Reply::json(
        200,
        json!({
            "id": u.id,
            "username": u.login,
            "name": u.display_name,
            "email": u.email,
            "slug": u.login,
            "registered_date": "2024-05-01T10:00:00+00:00",
            "roles": u.roles,
            "capabilities": {"read": true, "edit_posts": true, "upload_files": true},
            "avatar_urls": {"24": "http://127.0.0.1/avatar-24.png", "48": "http://127.0.0.1/avatar-48.png", "96": "http://127.0.0.1/avatar-96.png"},
        })
        .to_string(),
    )
}

/// Parse `Authorization: OAuth k="v", ...`.
fn oauth_header(req: &Request) -> Option<HashMap<String, String>> {
    let h = req.header("authorization")?.strip_prefix("OAuth ")?;
    Some(
        h.split(',')
            .filter_map(|kv| kv.trim().split_once('='))
            .map(|(k, v)| (pct_decode(k), pct_decode(v.trim_matches('"'))))
            .collect(),
    )
}

fn pct_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn rfc3986(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Check an OAuth1 signature the way the plugin does: base URL from the site's home URL and the
/// request path, parameters from the query, a form body and the header. Returns the consumer key
/// and the token used, or the plugin's error code and message.
fn oauth1_verify(
    st: &mut State,
    req: &Request,
    base: &str,
    form: &HashMap<String, String>,
    json_errors: bool,
) -> Result<(String, Option<String>), (String, String)> {
    let _ = json_errors;
    let err = |code: &str, msg: &str| Err((code.to_string(), msg.to_string()));
    let Some(oauth) = oauth_header(req) else {
        return err("json_oauth1_missing_header", "Missing OAuth parameters");
    };
    let Some((key, secret, _)) = st
        .knobs
        .oauth1_consumers
        .iter()
        .find(|c| Some(&c.0) == oauth.get("oauth_consumer_key"))
        .cloned()
    else {
        return err("json_oauth1_consumer_mismatch", "Consumer is invalid");
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        as i64
        + st.knobs.clock_skew_secs;
    let ts: i64 = oauth.get("oauth_timestamp").and_then(|t| t.parse().ok()).unwrap_or(0);
    if (now - ts).abs() > 15 * 60 {
        return err(
            "json_oauth1_invalid_timestamp",
            "Timestamp is too old or too far in the future",
        );
    }
    let nonce = format!("{}:{}", ts, oauth.get("oauth_nonce").cloned().unwrap_or_default());
    if !st.oauth1_nonces.insert(nonce) {
        return err(
            "json_oauth1_nonce_already_used",
            "Invalid nonce - nonce has already been used",
        );
    }
    let token = oauth.get("oauth_token").cloned();
    let token_secret = match &token {
        Some(t) => match st.oauth1_tokens.get(t) {
            Some(tok) => tok.secret.clone(),
            None => return err("json_oauth1_invalid_token", "Token is invalid"),
        },
        None => String::new(),
    };
    // As the plugin's check_oauth_signature: the parameters of `$_GET` for GET/HEAD/DELETE and of
    // `$_POST` for POST/PUT/PATCH (never both: a POST's query string is not signed), then the
    // OAuth ones.
    let mut params: Vec<(String, String)> = Vec::new();
    match req.method.as_str() {
        "GET" | "HEAD" | "DELETE" => {
            for (k, v) in url::form_urlencoded::parse(req.query().unwrap_or("").as_bytes()) {
                params.push((rfc3986(&k), rfc3986(&v)));
            }
        }
        "POST" | "PUT" | "PATCH" => {
            for (k, v) in form {
                params.push((rfc3986(k), rfc3986(v)));
            }
        }
        m => return err("rest_oauth1_unknown_http_method", &format!("Unknown http method: {m}")),
    }
    for (k, v) in &oauth {
        if k != "oauth_signature" && k != "realm" {
            params.push((rfc3986(k), rfc3986(v)));
        }
    }
    params.sort();
    let normalized = params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    // The base URI is the site's home URL with the request's path: `get_home_url(null, $path)`,
    // whatever address the request came to.
    let home = st.knobs.advertised_url.clone().unwrap_or_else(|| base.to_string());
    let path = req.path().trim_start_matches('/');
    let base_uri = if path.is_empty() {
        home.trim_end_matches('/').to_string()
    } else {
        format!("{}/{path}", home.trim_end_matches('/'))
    };
    let base_string = format!("{}&{}&{}", req.method, rfc3986(&base_uri), rfc3986(&normalized));
    let signing_key = format!("{}&{}", rfc3986(&secret), rfc3986(&token_secret));
    use hmac::Mac;
    let expected = match oauth.get("oauth_signature_method").map(String::as_str) {
        Some("HMAC-SHA1") => {
            let mut m =
                <hmac::Hmac<sha1::Sha1> as Mac>::new_from_slice(signing_key.as_bytes()).unwrap();
            m.update(base_string.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
        }
        Some("HMAC-SHA256") => {
            let mut m =
                <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(signing_key.as_bytes()).unwrap();
            m.update(base_string.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
        }
        _ => return err("json_oauth1_invalid_signature_method", "Signature method is invalid"),
    };
    if oauth.get("oauth_signature") != Some(&expected) {
        return err("json_oauth1_signature_mismatch", "OAuth signature does not match");
    }
    Ok((key, token))
}

fn text(status: u16, body: &str) -> Reply {
    Reply::new(status).header("Content-Type", "text/plain; charset=UTF-8").body(body.to_string())
}

fn with_date(r: Reply, st: &State) -> Reply {
    let now = std::time::SystemTime::now()
        + Duration::from_secs(st.knobs.clock_skew_secs.max(0) as u64)
        - Duration::from_secs((-st.knobs.clock_skew_secs).max(0) as u64);
    let unix = now.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    r.header("Date", crate::http_date(unix))
}

/// Does `callback` match the registered one in scheme, host, port and path (query may differ)?
fn callback_matches(registered: &str, callback: &str) -> bool {
    if registered == "oob" || callback == "oob" {
        return registered == callback;
    }
    match (url::Url::parse(registered), url::Url::parse(callback)) {
        (Ok(r), Ok(c)) => {
            r.scheme() == c.scheme()
                && r.host_str() == c.host_str()
                && r.port_or_known_default() == c.port_or_known_default()
                && r.path() == c.path()
        }
        _ => false,
    }
}

fn oauth1_request(
    st: &mut State,
    req: &Request,
    base: &str,
    form: &HashMap<String, String>,
) -> Reply {
    let (consumer, _) = match oauth1_verify(st, req, base, form, false) {
        Ok(v) => v,
        Err((_, msg)) => return with_date(text(401, &msg), st),
    };
    let callback =
        oauth_header(req).and_then(|h| h.get("oauth_callback").cloned()).unwrap_or_default();
    let registered = st
        .knobs
        .oauth1_consumers
        .iter()
        .find(|c| c.0 == consumer)
        .map(|c| c.2.clone())
        .unwrap_or_default();
    if !callback_matches(&registered, &callback) {
        return text(500, "Callback URL is invalid");
    }
    let (token, secret) = (random_token(24), random_token(48));
    st.oauth1_tokens.insert(
        token.clone(),
        OAuth1Token {
            secret: secret.clone(),
            consumer,
            callback,
            user_id: None,
            verifier: None,
            access: false,
        },
    );
    Reply::new(200).header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8").body(
        format!("oauth_token={token}&oauth_token_secret={secret}&oauth_callback_confirmed=true"),
    )
}

fn oauth1_authorize(
    st: &mut State,
    req: &Request,
    base: &str,
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
) -> Reply {
    let p = if req.method == "POST" { form } else { query };
    let token = p.get("oauth_token").cloned().unwrap_or_default();
    if st.oauth1_tokens.get(&token).is_none_or(|t| t.access) {
        return Reply::html(
            400,
            "<html><body><p>The request token is invalid or has expired.</p></body></html>",
        );
    }
    let Some(user_id) = cookie(req).and_then(|c| st.sessions.get(&c).copied()) else {
        let here = format!("{base}/oauth1/authorize?{}", req.query().unwrap_or(""));
        return Reply::redirect(302, format!("{base}/wp-login.php?redirect_to={}", enc(&here)));
    };
    match (req.method.as_str(), form.get("authorize").map(String::as_str)) {
        ("POST", Some("allow")) => {
            let verifier = random_token(24);
            let t = st.oauth1_tokens.get_mut(&token).expect("checked");
            t.user_id = Some(user_id);
            t.verifier = Some(verifier.clone());
            if t.callback == "oob" {
                return Reply::html(
                    200,
                    format!(
                        "<html><body><p>Your verification token is <code \
                         id=\"verifier\">{verifier}</code></p></body></html>"
                    ),
                );
            }
            let sep = if t.callback.contains('?') { '&' } else { '?' };
            Reply::redirect(
                302,
                format!(
                    "{}{sep}oauth_token={token}&oauth_verifier={verifier}&wp_scope=*",
                    t.callback
                ),
            )
        }
        // Cancel leads nowhere: the real plugin `exit`s, an empty page; the app only notices by
        // timing out or being cancelled.
        ("POST", _) => Reply::html(200, ""),
        _ => Reply::html(
            200,
            format!(
                "<!DOCTYPE html><html><body><h1>Connect Dialect Site</h1><form id=\"consent\" \
                 method=\"post\" action=\"{}\">\
                 <input type=\"hidden\" name=\"rest_oauth1\" value=\"authorize\">\
                 <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\"><button \
                 name=\"authorize\" value=\"allow\">Authorize</button>\
                 <button name=\"authorize\" value=\"deny\">Cancel</button></form></body></html>",
                req.path()
            ),
        ),
    }
}

fn oauth1_access(
    st: &mut State,
    req: &Request,
    base: &str,
    form: &HashMap<String, String>,
) -> Reply {
    let (consumer, token) = match oauth1_verify(st, req, base, form, false) {
        Ok(v) => v,
        Err((_, msg)) => return with_date(text(401, &msg), st),
    };
    let verifier = oauth_header(req)
        .and_then(|h| h.get("oauth_verifier").cloned())
        .or_else(|| form.get("oauth_verifier").cloned());
    let Some(t) = token.as_ref().and_then(|t| st.oauth1_tokens.get(t)).cloned() else {
        return text(401, "Token is invalid");
    };
    if t.consumer != consumer || t.access || t.verifier.is_none() || t.verifier != verifier {
        return text(400, "OAuth verifier does not match");
    }
    st.oauth1_tokens.remove(token.as_ref().expect("checked"));
    let (access, secret) = (random_token(24), random_token(48));
    st.oauth1_tokens
        .insert(access.clone(), OAuth1Token { secret: secret.clone(), access: true, ..t });
    Reply::new(200)
        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .body(format!("oauth_token={access}&oauth_token_secret={secret}"))
}

/// As WP OAuth Server 4.4.0 revokes (TokenController::revokeToken): POST only, a `token`, a valid
/// hint or none; no client authentication and no check of whose token it is (whoever holds a
/// token may end it); unknown tokens are "revoked" too (RFC 7009).
fn revoke(st: &mut State, req: &Request, form: &HashMap<String, String>) -> Reply {
    if req.method != "POST" {
        return oauth_error(
            405,
            "invalid_request",
            "The request method must be POST when revoking an access token",
        )
        .header("Allow", "POST, OPTIONS");
    }
    if !matches!(
        form.get("token_type_hint").map(String::as_str),
        None | Some("access_token") | Some("refresh_token")
    ) {
        return oauth_error(
            400,
            "invalid_request",
            "Token type hint must be either 'access_token' or 'refresh_token'",
        );
    }
    let Some(t) = form.get("token") else {
        return oauth_error(400, "invalid_request", "Missing token parameter to revoke");
    };
    st.counters.revocations += 1;
    for map in [&mut st.access, &mut st.refresh] {
        if let Some(tok) = map.get_mut(t) {
            tok.revoked = true;
        }
    }
    Reply::json(200, r#"{"revoked":true}"#)
}

fn random_token(n: usize) -> String {
    use rand::RngExt as _;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..n).map(|_| CHARS[rng.random_range(0..CHARS.len())] as char).collect()
}

/// WordPress's REST error answer: `{code, message, data: {status}}` with that status.
fn rest_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"code": code, "message": message, "data": {"status": status}}).to_string(),
    )
}
