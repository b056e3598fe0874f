//! The one HTTP seam of the core.
//!
//! Every request the core makes goes through [`Http`]: rustls only, a timeout on every request,
//! redirects followed by hand (so discovery can report where a site really lives and stop a loop),
//! and response bodies read with a hard size limit.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, LOCATION};
use reqwest::StatusCode;
use url::Url;

use crate::error::{Error, Result};

mod errors;
mod reach;

use errors::classify;
pub use reach::{all_loopback, Reach};

/// Settings for the HTTP client. The defaults suit a person waiting at a window.
#[derive(Clone)]
pub struct HttpOptions {
    /// Limit on one whole request, body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    pub user_agent: String,
    /// Name resolution override: tests map names to loopback (or make them fail) without
    /// sending a single packet to a real resolver.
    pub resolver: Option<Arc<dyn reqwest::dns::Resolve>>,
    /// Certificate authorities trusted in addition to the operating system's: a company's own
    /// authority, or the throwaway one a test made. Never in place of the system's.
    pub extra_roots: Vec<Certificate>,
    /// Send plain-http requests through this proxy (a company's; tests stand one on loopback for
    /// "the network"). With it, no plain-http site named other than `localhost` counts as on this
    /// computer (the proxy decides where names lead); credentials for a site on this computer
    /// never take it: they go straight to the loopback address.
    pub http_proxy: Option<Url>,
    /// Hosts that bypass `http_proxy` (`no_proxy`: names, with their subdomains; `*` for all).
    pub no_proxy: Vec<String>,
}

/// A certificate authority's certificate, for [`HttpOptions::extra_roots`]
/// (`Certificate::from_pem(bytes)`).
pub use reqwest::Certificate;

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            max_redirects: 10,
            user_agent: format!("wpconnect/{} (+https://github.com/wpconnect)", crate::VERSION),
            resolver: None,
            extra_roots: Vec::new(),
            http_proxy: None,
            no_proxy: Vec::new(),
        }
    }
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_redirects", &self.max_redirects)
            .field("resolver", &self.resolver.is_some())
            .field("extra_roots", &self.extra_roots.len())
            .field(
                "http_proxy",
                &self.http_proxy.as_ref().map(|u| u.host_str().unwrap_or("").to_string()),
            )
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Same-origin redirects followed by a request that carries a credential (WordPress's canonical
/// trailing-slash redirect is one).
pub const CREDENTIAL_REDIRECTS: usize = 3;

/// Do two addresses share an origin: scheme, host and port (the scheme's default port counted)?
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Size limits for the documents the core reads.
pub mod limits {
    /// A REST index or other JSON document (the index of a plugin-heavy site is large).
    pub const JSON: usize = 8 * 1024 * 1024;
    /// An HTML page read only to find a `<link>` in its head.
    pub const PAGE: usize = 2 * 1024 * 1024;
}

#[derive(Clone, Debug)]
pub struct Http {
    client: reqwest::Client,
    /// No proxy, ever: for credentials sent to a site on this computer. Made on first use (most
    /// people's sites are on https and never need it).
    direct: Arc<OnceLock<reqwest::Client>>,
    opts: Arc<HttpOptions>,
    /// Origins on plain http, not on this computer, that the person chose to sign in to anyway.
    plain_http_allowed: Arc<Mutex<HashSet<String>>>,
}

/// What both clients share: no automatic redirects, the timeouts, the user agent, the resolver.
fn base_client(opts: &HttpOptions) -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(opts.timeout)
        .connect_timeout(opts.connect_timeout)
        .user_agent(opts.user_agent.clone());
    if let Some(resolver) = &opts.resolver {
        builder = builder.dns_resolver(resolver.clone());
    }
    builder
}

/// A request's body: none, text, or a stream made anew for each hop (an upload from disk).
enum Payload<'a> {
    Empty,
    Text(String),
    Stream(&'a (dyn Fn() -> reqwest::Body + Send + Sync)),
}

impl Payload<'_> {
    fn text(body: Option<String>) -> Self {
        body.map(Payload::Text).unwrap_or(Payload::Empty)
    }
}

/// A response after redirects, with its body not yet read.
#[derive(Debug)]
pub struct Answer {
    /// Where the answer finally came from.
    pub url: Url,
    /// Every URL that redirected, in order, starting with the one asked for.
    pub redirects: Vec<Url>,
    pub status: StatusCode,
    pub headers: HeaderMap,
    response: reqwest::Response,
}

impl Http {
    pub fn new(opts: HttpOptions) -> Self {
        let mut builder = base_client(&opts);
        if !opts.extra_roots.is_empty() {
            builder = builder.tls_certs_merge(opts.extra_roots.iter().cloned());
        }
        if let Some(proxy) = &opts.http_proxy {
            let proxy = reqwest::Proxy::http(proxy.as_str())
                .expect("a parsed URL is a valid proxy address");
            builder = builder
                .proxy(proxy.no_proxy(reqwest::NoProxy::from_string(&opts.no_proxy.join(","))));
        }
        let client = builder.build().expect("the HTTP client's static configuration is valid");
        Http {
            client,
            direct: Default::default(),
            opts: Arc::new(opts),
            plain_http_allowed: Default::default(),
        }
    }

    fn direct(&self) -> &reqwest::Client {
        self.direct.get_or_init(|| {
            base_client(&self.opts)
                .no_proxy()
                .build()
                .expect("the HTTP client's static configuration is valid")
        })
    }

    /// The person chose to send credentials to this plain-http site, which is not on this
    /// computer (recorded with the account; see `SignInOptions::allow_plain_http`).
    pub fn allow_plain_http(&self, site: &Url) {
        self.plain_http_allowed
            .lock()
            .expect("not poisoned")
            .insert(site.origin().ascii_serialization());
    }

    fn plain_http_is_allowed(&self, url: &Url) -> bool {
        self.plain_http_allowed
            .lock()
            .expect("not poisoned")
            .contains(&url.origin().ascii_serialization())
    }

    /// May a credential (`what`, in words: "your password") be sent to `url`? https, a site on
    /// this computer by its addresses, or a plain-http site the person chose: otherwise
    /// [`Error::InsecureConnection`], before a single packet. [`send`](Self::send) checks it
    /// for every request; flows ask first to stop before opening a browser.
    pub async fn check_credentials_to(&self, url: &Url, what: &'static str) -> Result<Reach> {
        let reach = self.reach(url).await;
        if reach == Reach::Elsewhere && !self.plain_http_is_allowed(url) {
            return Err(Error::InsecureConnection { url: redact_query(url), what });
        }
        Ok(reach)
    }

    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// GET `url`, following redirects within the limit; the body is left unread.
    pub async fn get(&self, url: Url) -> Result<Answer> {
        let mut current = url.clone();
        let mut chain: Vec<Url> = Vec::new();
        let mut seen: HashSet<Url> = HashSet::new();
        loop {
            tracing::debug!(url = %current, "GET");
            let response = self
                .client
                .get(current.clone())
                .header(reqwest::header::ACCEPT, "application/json, text/html;q=0.9, */*;q=0.5")
                .send()
                .await
                .map_err(|e| classify(&e, &current, self.opts.timeout))?;
            let status = response.status();
            if status.is_redirection() {
                if let Some(next) = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|loc| current.join(loc.trim()).ok())
                {
                    seen.insert(current.clone());
                    chain.push(current.clone());
                    let looped = seen.contains(&next);
                    if looped || chain.len() > self.opts.max_redirects {
                        return Err(Error::TooManyRedirects { url: url.clone(), chain, looped });
                    }
                    current = next;
                    continue;
                }
            }
            let answer = Answer {
                url: current,
                redirects: chain,
                status,
                headers: response.headers().clone(),
                response,
            };
            return match answer.rate_limited() {
                Some(e) => Err(e),
                None => Ok(answer),
            };
        }
    }

    /// One request carrying credentials. Redirects are followed only within the same origin
    /// (scheme, host and port: never https to http, never to another host), at most
    /// [`CREDENTIAL_REDIRECTS`] hops, with the same method, headers and body: WordPress's canonical
    /// redirect sends `/oauth/me` to `/oauth/me/` and the credential must go along. A redirect
    /// anywhere else is refused with [`Error::RedirectRefused`]; the credential is never sent
    /// there.
    ///
    /// It is also the transport check for every credential: see
    /// [`check_credentials_to`](Self::check_credentials_to).
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
        headers: HeaderMap,
        body: Option<String>,
    ) -> Result<Answer> {
        self.send_payload(method, url, headers, Payload::text(body), None).await
    }

    /// An upload carrying credentials, as [`send`](Self::send): the body is streamed, made anew
    /// by `body` for each same-origin hop, and the whole exchange may take up to `timeout` (the
    /// caller watches for stalls as the bytes go).
    pub async fn send_stream(
        &self,
        method: reqwest::Method,
        url: Url,
        headers: HeaderMap,
        body: &(dyn Fn() -> reqwest::Body + Send + Sync),
        timeout: Duration,
    ) -> Result<Answer> {
        self.send_payload(method, url, headers, Payload::Stream(body), Some(timeout)).await
    }

    async fn send_payload(
        &self,
        method: reqwest::Method,
        url: Url,
        headers: HeaderMap,
        body: Payload<'_>,
        timeout: Option<Duration>,
    ) -> Result<Answer> {
        let direct_to = match self.check_credentials_to(&url, "your sign-in").await? {
            Reach::ThisComputer(addr) => Some(addr),
            Reach::Https | Reach::Elsewhere => None,
        };
        let answer =
            self.request_within_origin(direct_to, method, url, headers, body, timeout).await?;
        if let Some(e) = answer.rate_limited() {
            return Err(e);
        }
        match answer.leaves_origin() {
            Some(to) => Err(Error::RedirectRefused {
                from: redact_query(&answer.url),
                to: redact_query(&to),
            }),
            None => Ok(answer),
        }
    }

    /// A request that carries no credential, following same-origin redirects as
    /// [`send`](Self::send) does, except that a redirect to another origin comes back as the
    /// answer (not followed) instead of an error: for callers that judge where a page sends a
    /// browser (the doctor's probes). It may go to plain http anywhere.
    pub async fn probe(
        &self,
        method: reqwest::Method,
        url: Url,
        headers: HeaderMap,
        body: Option<String>,
    ) -> Result<Answer> {
        self.request_within_origin(None, method, url, headers, Payload::text(body), None).await
    }

    /// `direct_to`: a site on this computer, at this loopback address (see
    /// [`Reach::ThisComputer`]).
    async fn request_within_origin(
        &self,
        direct_to: Option<SocketAddr>,
        method: reqwest::Method,
        url: Url,
        headers: HeaderMap,
        body: Payload<'_>,
        timeout: Option<Duration>,
    ) -> Result<Answer> {
        let mut current = url.clone();
        let mut method = method;
        let mut body = body;
        let limit = timeout.unwrap_or(self.opts.timeout);
        let mut chain: Vec<Url> = Vec::new();
        loop {
            tracing::debug!(%method, url = %redact_query(&current), "request");
            let mut req = match direct_to {
                // Straight to the loopback address the name resolved to, under the site's own
                // name (Host), so nothing resolves it a second time differently.
                Some(addr) => {
                    let mut wire = current.clone();
                    let _ = wire.set_ip_host(addr.ip());
                    let _ = wire.set_port(Some(addr.port()));
                    let host = match current.port() {
                        Some(p) => format!("{}:{p}", current.host_str().unwrap_or_default()),
                        None => current.host_str().unwrap_or_default().to_string(),
                    };
                    self.direct().request(method.clone(), wire).header(reqwest::header::HOST, host)
                }
                None => self.client.request(method.clone(), current.clone()),
            }
            .header(reqwest::header::ACCEPT, "application/json")
            .headers(headers.clone());
            match &body {
                Payload::Empty => {}
                Payload::Text(b) => req = req.body(b.clone()),
                Payload::Stream(make) => req = req.body(make()),
            }
            if let Some(t) = timeout {
                req = req.timeout(t);
            }
            let response = req.send().await.map_err(|e| classify(&e, &current, limit))?;
            let answer = Answer {
                url: current,
                redirects: chain,
                status: response.status(),
                headers: response.headers().clone(),
                response,
            };
            let Some(next) = answer.location().filter(|next| same_origin(&answer.url, next)) else {
                return Ok(answer);
            };
            let Answer { url: here, redirects: mut so_far, status, .. } = answer;
            so_far.push(here);
            if so_far.contains(&next) || so_far.len() > CREDENTIAL_REDIRECTS {
                let looped = so_far.contains(&next);
                return Err(Error::TooManyRedirects {
                    url: redact_query(&url),
                    chain: so_far.iter().map(redact_query).collect(),
                    looped,
                });
            }
            if status == StatusCode::SEE_OTHER {
                // 303: fetch the answer with GET (RFC 9110 15.4.4).
                method = reqwest::Method::GET;
                body = Payload::Empty;
            }
            chain = so_far;
            current = next;
        }
    }

    /// POST a form-encoded body (same-origin redirects only, as [`send`](Self::send)).
    pub async fn post_form(
        &self,
        url: Url,
        mut headers: HeaderMap,
        body: String,
    ) -> Result<Answer> {
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        self.send(reqwest::Method::POST, url, headers, Some(body)).await
    }

    /// GET `url` and read its body, at most `limit` bytes.
    pub async fn get_bytes(&self, url: Url, limit: usize) -> Result<(Answer, Bytes)> {
        let mut answer = self.get(url).await?;
        let body = answer.body(limit, self.opts.timeout).await?;
        Ok((answer, body))
    }
}

impl Answer {
    /// A 429 (too many requests), with how long the site asks to wait (`Retry-After`: seconds,
    /// or a date), as the error a person can act on; `None` for any other answer.
    pub fn rate_limited(&self) -> Option<Error> {
        if self.status != StatusCode::TOO_MANY_REQUESTS {
            return None;
        }
        let header = self.headers.get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
        let retry_after = header.and_then(|v| {
            let v = v.trim();
            v.parse::<u64>().ok().or_else(|| {
                let at = crate::oauth1::parse_http_date(v)?;
                Some(at.saturating_sub(crate::oauth2::unix_now()))
            })
        });
        Some(Error::RateLimited {
            url: origin(&self.url),
            // A day at most: a longer wait is a site's mistake, not advice.
            retry_after: retry_after.map(|s| Duration::from_secs(s.min(86_400))),
        })
    }

    /// Read the body, failing past `limit` bytes.
    pub async fn body(&mut self, limit: usize, timeout: Duration) -> Result<Bytes> {
        if let Some(len) = self.response.content_length() {
            if len > limit as u64 {
                return Err(Error::ResponseTooLarge { url: redact_query(&self.url), limit });
            }
        }
        let mut buf = BytesMut::new();
        let read = async {
            loop {
                match self.response.chunk().await {
                    Ok(Some(chunk)) => {
                        if buf.len() + chunk.len() > limit {
                            return Err(Error::ResponseTooLarge {
                                url: redact_query(&self.url),
                                limit,
                            });
                        }
                        buf.extend_from_slice(&chunk);
                    }
                    Ok(None) => return Ok(()),
                    Err(e) => return Err(classify(&e, &self.url, timeout)),
                }
            }
        };
        // The whole body within `timeout`, however the request itself was bounded (an upload's
        // is long, for the file): a site that drips its answer a byte at a time is given up on.
        match tokio::time::timeout(timeout, read).await {
            Ok(Ok(())) => Ok(buf.freeze()),
            Ok(Err(e)) => Err(e),
            Err(_) => {
                let mut url = self.url.clone();
                url.set_query(None);
                Err(Error::Timeout { url, after: timeout })
            }
        }
    }

    /// Where a redirect answer points (`None` for any other answer).
    pub fn location(&self) -> Option<Url> {
        if !self.status.is_redirection() || self.status == StatusCode::NOT_MODIFIED {
            return None;
        }
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|loc| self.url.join(loc.trim()).ok())
    }

    /// Where a redirect answer points, when that is another origin.
    pub fn leaves_origin(&self) -> Option<Url> {
        self.location().filter(|to| !same_origin(&self.url, to))
    }

    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }
}

/// A URL for logs: query values that may be secrets are masked.
pub fn redact_query(url: &Url) -> Url {
    let mut u = url.clone();
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let secret = matches!(
                    k.as_ref(),
                    "access_token"
                        | "code"
                        | "password"
                        | "token"
                        | "client_secret"
                        | "refresh_token"
                        | "code_verifier"
                );
                (k.into_owned(), if secret { "[redacted]".to_string() } else { v.into_owned() })
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u
}

fn origin(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_path("/");
    u.set_query(None);
    u.set_fragment(None);
    u
}

#[cfg(test)]
mod tests;
