//! Test servers for WP Connect's suites.
//!
//! [`Server`] is a scriptable HTTP/1.1 server on 127.0.0.1 that can misbehave on purpose: hang,
//! answer slowly (injected round-trip latency), redirect in loops, send HTML where JSON belongs.
//! It records every request so tests assert what the client really sent. [`Resolver`] maps host
//! names to loopback (or makes them fail) so no test ever asks a real DNS server anything.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

pub mod browser;
pub mod dialect;
pub mod photos;
pub mod tls;

/// The real test WordPress (tests/wordpress/wp-env.sh), as the test command describes it.
#[derive(Debug, Clone)]
pub struct RealWordPress {
    pub url: String,
    pub plain_url: String,
    pub name: String,
    pub tagline: String,
    pub timezone: String,
    pub author_user: String,
    pub author_password: String,
    pub author_app_password: String,
    /// A subscriber (may not upload) and a known Application Password of theirs.
    pub subscriber_user: String,
    pub subscriber_app_password: String,
}

impl RealWordPress {
    /// GET a REST route (`wp/v2/media?…`) as the author, with the known Application Password,
    /// without WP Connect: what the site itself says. Fails unless it answers 200.
    pub async fn author_get(&self, route: &str) -> serde_json::Value {
        let resp = reqwest::Client::new()
            .get(format!("{}/wp-json/{route}", self.url))
            .basic_auth(&self.author_user, Some(&self.author_app_password))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{route}");
        serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
    }
}

/// The real WordPress started by the README's test command. Outside the test command it skips
/// loudly; inside it, a missing site is a failure.
pub fn real_wordpress(test: &str) -> Option<RealWordPress> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let need = |k: &str| var(k).unwrap_or_else(|| panic!("{k} is not set"));
    match var("WPCONNECT_TEST_WP_URL") {
        Some(url) => Some(RealWordPress {
            url,
            plain_url: need("WPCONNECT_TEST_WP_PLAIN_URL"),
            name: need("WPCONNECT_TEST_WP_NAME"),
            tagline: need("WPCONNECT_TEST_WP_TAGLINE"),
            timezone: need("WPCONNECT_TEST_WP_TIMEZONE"),
            author_user: need("WPCONNECT_TEST_WP_AUTHOR_USER"),
            author_password: need("WPCONNECT_TEST_WP_AUTHOR_PASSWORD"),
            author_app_password: need("WPCONNECT_TEST_WP_AUTHOR_APP_PASSWORD"),
            subscriber_user: need("WPCONNECT_TEST_WP_SUBSCRIBER_USER"),
            subscriber_app_password: need("WPCONNECT_TEST_WP_SUBSCRIBER_APP_PASSWORD"),
        }),
        None if var("WPCONNECT_TEST_COMMAND").is_some() => {
            panic!(
                "{test}: the test command is running but no real WordPress was started \
                 (WPCONNECT_TEST_WP_URL is unset)"
            )
        }
        None => {
            eprintln!(
                "\n!!!!! SKIPPED {test}: no real WordPress. Run the README's test command \
                 (scripts/test.sh), or start one with tests/wordpress/wp-env.sh start and export \
                 its env file. !!!!!\n"
            );
            None
        }
    }
}

/// The real auth plugins running in the test WordPress (tests/wordpress/wp-env.sh installs them
/// from `../shared/wordpress-plugins`, unmodified): "oauth" (WP OAuth Server + the OAuth 1.0a
/// server), "oauthdoc" (the same, for tests that change the server's settings), "oauthplain" (the
/// same two on plain permalinks) and "wpapi" (the WP REST API team's OAuth 2 plugin).
#[derive(Debug, Clone)]
pub struct RealPlugins {
    pub wp: RealWordPress,
    pub oauth_url: String,
    pub oauthdoc_url: String,
    pub oauthplain_url: String,
    pub wpapi_url: String,
    admin_cmd: String,
}

/// The plugin sites. Outside the test command a missing one skips loudly; inside it, a failure.
pub fn real_plugins(test: &str) -> Option<RealPlugins> {
    let wp = real_wordpress(test)?;
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let urls = (
        var("WPCONNECT_TEST_WP_OAUTH_URL"),
        var("WPCONNECT_TEST_WP_OAUTHDOC_URL"),
        var("WPCONNECT_TEST_WP_OAUTHPLAIN_URL"),
        var("WPCONNECT_TEST_WP_WPAPI_URL"),
    );
    match (urls, var("WPCONNECT_TEST_WP_ADMIN_CMD")) {
        (
            (Some(oauth_url), Some(oauthdoc_url), Some(oauthplain_url), Some(wpapi_url)),
            Some(admin_cmd),
        ) => {
            Some(RealPlugins { wp, oauth_url, oauthdoc_url, oauthplain_url, wpapi_url, admin_cmd })
        }
        _ if var("WPCONNECT_TEST_COMMAND").is_some() => panic!(
            "{test}: the test command is running but the real auth plugins are not: \
             tests/wordpress/wp-env.sh installs them from ../shared/wordpress-plugins (or \
             $WPCONNECT_WP_PLUGINS); is that folder there?"
        ),
        _ => {
            eprintln!(
                "\n!!!!! SKIPPED {test}: the real auth plugins are not running (no \
                 ../shared/wordpress-plugins, or no WordPress). Run scripts/test.sh. !!!!!\n"
            );
            None
        }
    }
}

impl RealPlugins {
    /// What an admin does in wp-admin, done from PHP: `tests/wordpress/wp-env.sh admin SITE
    /// ARGS...`.
    /// Returns the one-line JSON it prints.
    pub fn admin(&self, site: &str, args: &[&str]) -> serde_json::Value {
        let out = std::process::Command::new(&self.admin_cmd)
            .arg("admin")
            .arg(site)
            .args(args)
            .output()
            .expect("wp-env.sh runs");
        assert!(
            out.status.success(),
            "wp-env.sh admin {site} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('{'))
            .unwrap_or_else(|| panic!("no JSON from admin {site} {args:?}: {text}"));
        serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("admin {site} {args:?} printed {line}: {e}"))
    }

    /// A WP OAuth Server client (or, on "wpapi", an approved OAuth 2 for WordPress client) with
    /// `http://127.0.0.1:PORT/callback` registered: `(client_id, client_secret)`, the secret empty
    /// for a public one.
    pub fn oauth2_client(
        &self,
        site: &str,
        port: u16,
        grants: &str,
        public: bool,
    ) -> (String, String) {
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let mut args =
            vec!["oauth2-client", "--redirect-uri", redirect.as_str(), "--grants", grants];
        if public {
            args.push("--public");
        }
        let v = self.admin(site, &args);
        (
            v["client_id"].as_str().expect("client_id").to_string(),
            v["client_secret"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// An OAuth 1.0a application with this callback (`http://127.0.0.1:PORT/callback` or `oob`):
    /// `(key, secret)`.
    pub fn oauth1_consumer(&self, site: &str, callback: &str) -> (String, String) {
        let v = self.admin(site, &["oauth1-consumer", "--callback", callback]);
        (
            v["key"].as_str().expect("key").to_string(),
            v["secret"].as_str().expect("secret").to_string(),
        )
    }

    /// Is this WP OAuth Server access token live on the server?
    pub fn token_valid(&self, site: &str, token: &str) -> bool {
        self.admin(site, &["token-valid", token])["valid"].as_bool().expect("valid")
    }

    /// Unexpired `(access, refresh)` tokens the server holds for this client.
    pub fn live_tokens(&self, site: &str, client_id: &str) -> (u64, u64) {
        let v = self.admin(site, &["live-tokens", "--client-id", client_id]);
        (v["access"].as_u64().expect("access"), v["refresh"].as_u64().expect("refresh"))
    }

    pub fn url_of(&self, site: &str) -> &str {
        match site {
            "oauth" => &self.oauth_url,
            "oauthdoc" => &self.oauthdoc_url,
            "oauthplain" => &self.oauthplain_url,
            "wpapi" => &self.wpapi_url,
            other => panic!("no plugin site {other}"),
        }
    }
}

/// Is a real Secret Service here (the test command runs the tests under
/// tests/keyring/with-keyring.sh)? Under the test command its absence is a failure; elsewhere the
/// test skips with a loud message.
pub fn keyring_here(test: &str) -> bool {
    if std::env::var_os("WPCONNECT_TEST_KEYRING").is_some() {
        return true;
    }
    if std::env::var_os("WPCONNECT_TEST_COMMAND").is_some() {
        panic!(
            "{test}: no Secret Service; scripts/test.sh must run the tests under \
             tests/keyring/with-keyring.sh"
        );
    }
    eprintln!(
        "\n*** SKIPPED {test}: needs a Secret Service; run under \
         tests/keyring/with-keyring.sh (scripts/test.sh does) ***\n"
    );
    false
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// It came over TLS (a server started with [`Server::start_https`]).
    pub https: bool,
    /// It came as a proxy gets requests (`GET http://name/path`): the server stood in for the
    /// network between the client and the site. `target` is then the path and query only.
    pub proxied: bool,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Never answer (the connection stays open until the client gives up).
    pub hang: bool,
}

impl Reply {
    pub fn new(status: u16) -> Self {
        Reply { status, headers: Vec::new(), body: Vec::new(), hang: false }
    }
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Reply::new(status)
            .header("Content-Type", "application/json; charset=UTF-8")
            .body(body.into())
    }
    pub fn html(status: u16, body: impl Into<String>) -> Self {
        Reply::new(status).header("Content-Type", "text/html; charset=UTF-8").body(body.into())
    }
    pub fn redirect(status: u16, location: impl Into<String>) -> Self {
        Reply::new(status).header("Location", location)
    }
    pub fn hang() -> Self {
        Reply { hang: true, ..Reply::new(200) }
    }
    pub fn header(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn body(mut self, b: impl Into<Vec<u8>>) -> Self {
        self.body = b.into();
        self
    }
}

type Handler = dyn Fn(&Request, &str) -> Reply + Send + Sync;

/// A server on 127.0.0.1 at an ephemeral port, stopped when dropped.
pub struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    pacing: Arc<Pacing>,
    faults: Arc<Faults>,
    task: tokio::task::JoinHandle<()>,
    /// The host name of an https server.
    name: Option<String>,
}

/// What can go wrong between a site and the app, injected on purpose (see [`Server::inject`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Nothing listens: connections are refused.
    Refuse,
    /// TLS with a certificate nobody trusts (an https server only).
    UntrustedCertificate,
    /// The site's answer starts, then the connection is dropped halfway through the body.
    ResetMidBody,
    /// The site's answer comes one byte a second.
    Drip,
    /// Something in front of the site (a proxy, a firewall, the host's error page) answers
    /// with this status and an HTML page; the site never sees the request.
    HtmlPage(u16),
    /// The site's JSON answer cut in half (the length says so: a complete, broken document).
    TruncatedJson,
    /// An answer of this many bytes, sent as fast as the app reads.
    HugeBody(usize),
    /// The site's answer labelled as something else (`text/plain`).
    WrongContentType,
    /// A 401 from WordPress (`rest_not_logged_in`) in place of the answer: the site forgot the
    /// session.
    Unauthorized,
    /// A 429 with `Retry-After: SECONDS` in place of the answer: rate limited.
    TooManyRequests(u64),
    /// The site's answer, with a `Date` header this many seconds off.
    ClockOff(i64),
}

type Matcher = dyn Fn(&Request) -> bool + Send + Sync;

/// The fault being injected, which requests it applies to, and how often it was met.
#[derive(Default)]
struct Faults {
    now: Mutex<Option<(Fault, Arc<Matcher>)>>,
    met: std::sync::atomic::AtomicUsize,
}

impl Faults {
    fn connection_fault(&self) -> Option<Fault> {
        self.now.lock().unwrap().as_ref().map(|(f, _)| f.clone())
    }
    /// The fault that applies to this request, counted as met.
    fn for_request(&self, req: &Request) -> Option<Fault> {
        let now = self.now.lock().unwrap();
        let (fault, only) = now.as_ref()?;
        let applies = !matches!(fault, Fault::Refuse | Fault::UntrustedCertificate) && only(req);
        applies.then(|| {
            self.met.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            fault.clone()
        })
    }
}

/// How fast the server answers and reads.
#[derive(Debug, Default)]
struct Pacing {
    /// Added before each answer.
    latency: Duration,
    /// Microseconds of pause after each 4 KiB of a request body read: a slow link.
    body_pause_us: std::sync::atomic::AtomicU64,
    /// Close the connection, unanswered, once this many body bytes came (0: never): a site
    /// that goes away mid-request.
    cut_body_after: std::sync::atomic::AtomicU64,
}

impl Server {
    /// Start a server; `handler` gets each request and the server's own base URL
    /// (`http://127.0.0.1:PORT`), so it can write absolute links.
    pub async fn start(
        handler: impl Fn(&Request, &str) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Self::start_with_latency(Duration::ZERO, handler).await
    }

    /// Like [`Server::start`], with `latency` added before each answer: one injected round trip.
    pub async fn start_with_latency(
        latency: Duration,
        handler: impl Fn(&Request, &str) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Self::listen(latency, None, handler).await
    }

    /// A site at `https://NAME/` and `http://NAME/`, both on one port: a connection that opens
    /// with a TLS handshake gets `cert`, any other is served plain http, so https and http of
    /// one name are one server, as on a web host. Clients reach it through a [`Resolver`] that
    /// maps NAME to [`Server::addr`] (the port comes from the resolver, so addresses carry
    /// none). The handler's base URL is `https://NAME` or `http://NAME`, after the connection.
    /// `localhost` needs no resolver: it is reached at its real port (`https://localhost:PORT`),
    /// for processes the test cannot give one (the desktop app, trusting the test CA through
    /// `SSL_CERT_FILE`).
    pub async fn start_https(
        cert: &tls::ServerCert,
        name: &str,
        handler: impl Fn(&Request, &str) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Self::start_https_with_latency(Duration::ZERO, cert, name, handler).await
    }

    /// [`Server::start_https`] with `latency` before each answer.
    pub async fn start_https_with_latency(
        latency: Duration,
        cert: &tls::ServerCert,
        name: &str,
        handler: impl Fn(&Request, &str) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Self::listen(latency, Some((cert.acceptor(), name.to_string())), handler).await
    }

    async fn listen(
        latency: Duration,
        tls: Option<(tokio_rustls::TlsAcceptor, String)>,
        handler: impl Fn(&Request, &str) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let tls = tls.map(|(acceptor, name)| match name.as_str() {
            "localhost" => (acceptor, format!("localhost:{}", addr.port())),
            _ => (acceptor, name),
        });
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let name = tls.as_ref().map(|(_, n)| n.clone());
        let pacing = Arc::new(Pacing { latency, ..Default::default() });
        let faults = Arc::new(Faults::default());
        let untrusted = tls.as_ref().map(|(_, n)| {
            let host = n.split(':').next().unwrap_or(n).to_string();
            tls::self_signed(&[&host]).acceptor()
        });
        let task = {
            let log = log.clone();
            let pacing = pacing.clone();
            let faults = faults.clone();
            tokio::spawn(async move {
                let mut listener = Some(listener);
                loop {
                    // Refusing: nothing listens until the fault is healed, then the same port.
                    if faults.connection_fault() == Some(Fault::Refuse) {
                        listener = None;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                    let l = match &listener {
                        Some(l) => l,
                        None => match TcpListener::bind(addr).await {
                            Ok(l) => listener.insert(l),
                            Err(_) => {
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            }
                        },
                    };
                    let accepted =
                        tokio::time::timeout(Duration::from_millis(50), l.accept()).await;
                    let Ok(Ok((stream, _))) = accepted else { continue };
                    let (log, handler, tls) = (log.clone(), handler.clone(), tls.clone());
                    let latency = pacing.clone();
                    let faults = faults.clone();
                    let untrusted = untrusted.clone();
                    tokio::spawn(async move {
                        let Some((acceptor, name)) = tls else {
                            let base = format!("http://{addr}");
                            let _ = serve(stream, &log, &*handler, &base, latency, &faults).await;
                            return;
                        };
                        let mut first = [0u8; 1];
                        // 0x16: a TLS handshake record.
                        if stream.peek(&mut first).await.is_ok_and(|n| n == 1) && first[0] == 0x16 {
                            let acceptor = match (faults.connection_fault(), untrusted) {
                                (Some(Fault::UntrustedCertificate), Some(u)) => {
                                    faults.met.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                    u
                                }
                                _ => acceptor,
                            };
                            if let Ok(tls) = acceptor.accept(stream).await {
                                let base = format!("https://{name}");
                                let _ = serve(tls, &log, &*handler, &base, latency, &faults).await;
                            }
                        } else {
                            let base = format!("http://{name}");
                            let _ = serve(stream, &log, &*handler, &base, latency, &faults).await;
                        }
                    });
                }
            })
        };
        Server { addr, log, pacing, faults, task, name }
    }

    /// From now on, `fault` strikes the requests `only` picks (every connection, for
    /// [`Fault::Refuse`] and [`Fault::UntrustedCertificate`]), until [`heal`](Self::heal).
    /// Returns once the fault is in place (for a refusal: once connections are refused).
    pub async fn inject(
        &self,
        fault: Fault,
        only: impl Fn(&Request) -> bool + Send + Sync + 'static,
    ) {
        self.faults.met.store(0, std::sync::atomic::Ordering::SeqCst);
        let refuse = fault == Fault::Refuse;
        *self.faults.now.lock().unwrap() = Some((fault, Arc::new(only)));
        if refuse {
            for _ in 0..200 {
                if tokio::net::TcpStream::connect(self.addr).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("the test server at {} still takes connections", self.addr);
        }
    }

    /// No fault from now on (once refused connections are taken again, when it returns).
    pub async fn heal(&self) {
        *self.faults.now.lock().unwrap() = None;
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the test server at {} did not listen again", self.addr);
    }

    /// Requests (or TLS handshakes) the injected fault struck since it was injected.
    pub fn faults_met(&self) -> usize {
        self.faults.met.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// From now on, close each connection unanswered once `bytes` of its request body came.
    pub fn cut_bodies_after(&self, bytes: u64) {
        self.pacing.cut_body_after.store(bytes, std::sync::atomic::Ordering::SeqCst);
    }

    /// Read request bodies slowly from now on: a pause of `per_4k` after each 4 KiB (an upload
    /// over a slow link, so that a test can act while it is under way).
    pub fn pace_body_reads(&self, per_4k: Duration) {
        self.pacing
            .body_pause_us
            .store(per_4k.as_micros() as u64, std::sync::atomic::Ordering::SeqCst);
    }

    /// `http://127.0.0.1:PORT`, or `https://NAME` for a server started with
    /// [`Server::start_https`].
    pub fn url(&self) -> String {
        match &self.name {
            Some(name) => format!("https://{name}"),
            None => format!("http://{}", self.addr),
        }
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    /// Requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
    pub fn request_count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
    /// Forget the requests received so far (a long run's log would otherwise grow with it).
    pub fn forget_requests(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    log: &Mutex<Vec<Request>>,
    handler: &Handler,
    base: &str,
    pacing: Arc<Pacing>,
    faults: &Faults,
) -> std::io::Result<()> {
    let latency = pacing.latency;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if !buf[0].is_ascii_uppercase() {
            // Not HTTP (a TLS handshake on this plain port, say): answer as web servers do.
            stream
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await?;
            return stream.shutdown().await;
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let mut target = first.next().unwrap_or("").to_string();
    let proxied = target.starts_with("http://");
    if proxied {
        let rest = &target["http://".len()..];
        target = rest.find('/').map(|i| rest[i..].to_string()).unwrap_or_else(|| "/".into());
    }
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        // A client that goes away mid-body (a cancelled upload): the request is still logged,
        // with the part that came.
        let n = stream.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
        let cut = pacing.cut_body_after.load(std::sync::atomic::Ordering::SeqCst);
        if cut > 0 && body.len() as u64 >= cut {
            return Ok(());
        }
        let pause = pacing.body_pause_us.load(std::sync::atomic::Ordering::SeqCst);
        if pause > 0 {
            tokio::time::sleep(Duration::from_micros(pause)).await;
        }
    }
    let req = Request { method, target, headers, body, https: base.starts_with("https:"), proxied };
    log.lock().unwrap().push(req.clone());
    let fault = faults.for_request(&req);
    let reply = match &fault {
        // Answered in front of the site: the site never sees the request.
        Some(Fault::HtmlPage(status)) => Reply::html(
            *status,
            format!(
                "<!DOCTYPE html><html><head><title>{status} {r}</title></head><body><h1>{r}</h1>\
                 <p>The server encountered an error.</p><hr><address>nginx</address></body></html>",
                r = reason(*status)
            ),
        ),
        Some(Fault::Unauthorized) => Reply::json(
            401,
            r#"{"code":"rest_not_logged_in","message":"You are not currently logged in.","data":{"status":401}}"#,
        ),
        Some(Fault::TooManyRequests(secs)) => {
            Reply::html(429, "<h1>Too Many Requests</h1>").header("Retry-After", secs.to_string())
        }
        _ => handler(&req, base),
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if reply.hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return Ok(());
    }
    let mut headers = reply.headers.clone();
    let mut body = reply.body.clone();
    match &fault {
        Some(Fault::TruncatedJson) => body.truncate(body.len() / 2),
        Some(Fault::HugeBody(n)) => {
            body = b"{\"padding\":\"".to_vec();
            body.resize(*n, b'a');
        }
        Some(Fault::WrongContentType) => {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            headers.push(("Content-Type".into(), "text/plain".into()));
        }
        Some(Fault::ClockOff(secs)) => {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("date"));
            let at = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs() as i64
                + secs;
            headers.push(("Date".into(), http_date(at.max(0) as u64)));
        }
        _ => {}
    }
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
    stream.write_all(out.as_bytes()).await?;
    if req.method == "HEAD" {
        return stream.shutdown().await;
    }
    match fault {
        // Half the body, then the connection goes (no orderly close: as a crash or a cut).
        Some(Fault::ResetMidBody) => {
            stream.write_all(&body[..body.len() / 2]).await?;
            stream.flush().await?;
            return Ok(());
        }
        Some(Fault::Drip) => {
            for b in body.chunks(1) {
                stream.write_all(b).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        _ => stream.write_all(&body).await?,
    }
    stream.shutdown().await
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn http_date(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Civil from days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days.rem_euclid(7)) as usize];
    let month =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            [(m - 1) as usize];
    format!(
        "{weekday}, {d:02} {month} {y} {:02}:{:02}:{:02} GMT",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A name resolver for tests: listed names go to loopback, every other name fails as an
/// unknown host would. No packet leaves the machine.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    names: HashMap<String, SocketAddr>,
    /// Names that answer once, then no more (DNS that changes its answer between a check and a
    /// use, as a rebinding attacker's does).
    once: HashMap<String, Arc<std::sync::atomic::AtomicBool>>,
    lookups: Arc<std::sync::atomic::AtomicUsize>,
    /// Every look-up fails while this is set (shared by the clones): DNS is down.
    down: Arc<std::sync::atomic::AtomicBool>,
}

impl Resolver {
    pub fn new() -> Self {
        Self::default()
    }
    /// Send `name` to 127.0.0.1 (at the port the address names, or the scheme's).
    pub fn map(self, name: &str) -> Self {
        self.map_to(name, SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), 0))
    }
    /// Send `name` to `addr`, a loopback socket: addresses of `name` without a port go to
    /// `addr`'s port (one that names a port keeps it), so `https://NAME/` reaches a test server
    /// as it would reach a web host on 443.
    pub fn map_to(mut self, name: &str, addr: SocketAddr) -> Self {
        assert!(addr.ip().is_loopback(), "tests talk only to loopback, not {addr}");
        self.names.insert(name.to_ascii_lowercase(), addr);
        self
    }
    /// Like [`map_to`](Self::map_to) for the first look-up of `name` only: every later one fails.
    pub fn map_once(mut self, name: &str, addr: SocketAddr) -> Self {
        self.once.insert(name.to_ascii_lowercase(), Default::default());
        self.map_to(name, addr)
    }
    /// Make every look-up fail from now on (`true`), or answer again (`false`): in every clone.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }
    /// Look-ups so far, of any name.
    pub fn lookups(&self) -> usize {
        self.lookups.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        self.lookups.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let key = name.as_str().to_ascii_lowercase();
        let spent = self
            .once
            .get(&key)
            .is_some_and(|used| used.swap(true, std::sync::atomic::Ordering::SeqCst));
        let down = self.down.load(std::sync::atomic::Ordering::SeqCst);
        let found = if spent || down { None } else { self.names.get(&key).copied() };
        let name = name.as_str().to_string();
        Box::pin(async move {
            match found {
                Some(addr) => Ok(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs),
                None => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!(
                        "failed to lookup address information: Name or service not known ({name})"
                    ),
                )) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

/// The test WordPress's "pretty" site served by a second PHP built-in server whose limits take
/// big uploads (PHP's defaults refuse anything over 2 MB); stopped when dropped.
pub struct BigUploads {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl BigUploads {
    /// `None` without the test WordPress (its state folder comes from the test command).
    pub fn start() -> Option<BigUploads> {
        let state = std::env::var("WPCONNECT_TEST_WP_STATE").ok().filter(|s| !s.is_empty())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = std::process::Command::new("php")
            .args(["-d", "upload_max_filesize=1G", "-d", "post_max_size=1G"])
            .args(["-d", "memory_limit=2G", "-S", &format!("127.0.0.1:{port}")])
            .args(["-t", "/usr/share/wordpress"])
            .arg(std::path::Path::new(&state).join("pretty/router.php"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("php");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(BigUploads { child, url: format!("http://127.0.0.1:{port}") })
    }
}

impl Drop for BigUploads {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pieces of a WordPress site as its REST API shows them.
pub mod wp {
    use super::{Reply, Request};

    /// A REST index like WordPress 6.1's, for a site at `base`, with `authentication` as given.
    pub fn index(base: &str, name: &str, authentication: serde_json::Value) -> String {
        serde_json::json!({
            "name": name,
            "description": "Just testing",
            "url": base,
            "home": base,
            "gmt_offset": "2",
            "timezone_string": "Europe/Helsinki",
            "namespaces": ["oembed/1.0", "wp/v2", "wp-site-health/v1"],
            "authentication": authentication,
            "site_icon_url": false,
        })
        .to_string()
    }

    pub fn app_passwords(base: &str) -> serde_json::Value {
        serde_json::json!({
            "application-passwords": {
                "endpoints": {
                    "authorization": format!("{base}/wp-admin/authorize-application.php"),
                },
            },
        })
    }

    /// The home page of a site with pretty permalinks: the `Link` header and the `<link>`.
    pub fn home_page(base: &str) -> Reply {
        Reply::html(
            200,
            format!(
                "<!DOCTYPE html><html><head><link rel=\"https://api.w.org/\" \
                 href=\"{base}/wp-json/\" /></head><body><p>Hello</p><script \
                 src=\"{base}/wp-includes/js/x.js\"></script></body></html>"
            ),
        )
        .header("Link", format!("<{base}/wp-json/>; rel=\"https://api.w.org/\""))
    }

    /// A typical self-hosted site with pretty permalinks and Application Passwords.
    pub fn typical(req: &Request, base: &str) -> Reply {
        match req.path() {
            "/" => home_page(base),
            "/wp-json/" | "/wp-json" => {
                Reply::json(200, index(base, "Typical Site", app_passwords(base)))
            }
            _ => Reply::html(404, "<html><body>Not found</body></html>"),
        }
    }
}
