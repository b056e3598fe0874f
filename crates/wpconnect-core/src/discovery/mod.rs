//! Site discovery: from what a person typed to what the site is and how to sign in to it.
//!
//! A small state machine, one base URL at a time (https first, then http when the person did not
//! say which):
//!
//! ```text
//!  Probe: GET base page ∥ GET base/wp-json/
//!    ├─ the guess is a REST index ──────────────────────────────▶ Found
//!    ├─ the page links a root ≠ the guess ─▶ FetchRoot ─────────▶ Found | Fail
//!    ├─ the page links the guessed root ────────────────────────▶ Fail(the guess's error)
//!    └─ no link ─▶ FetchRestRoute (?rest_route=/) ──────────────▶ Found | Fail
//!  Found: metadata documents when asked ∥ WordPress.com lookup when relevant ─▶ Discovered
//! ```
//!
//! The decisions ([`after_probes`], [`after_rest_route`]) are pure functions, tested case by
//! case; [`Discoverer`] only performs the requests they ask for. A typical site costs one round
//! trip (two requests in parallel); a site with plain permalinks two.

mod decide;
mod index;
pub mod links;
pub mod metadata;
pub mod wpcom;

use serde::Serialize;
use url::Url;

use crate::address::{self, Scheme, SiteAddress};
use crate::body::snippet;
use crate::error::{Error, Result};
use crate::http::{limits, Http, HttpOptions, Reach};
use crate::recommend::{recommend, Recommendation};
use crate::site::{AuthMethods, OAuth2Server, RestIndex, SiteInfo};

use decide::best_error;
use index::{answered_base, read_index, with_fields, without_fields};

pub use decide::{after_probes, after_rest_route, Next, PageOutcome};
pub use metadata::ServerMetadata;
pub use wpcom::WpcomSite;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Permalinks {
    /// `/wp-json/` works.
    Pretty,
    /// Only `?rest_route=` works.
    Plain,
}

/// Everything discovery learned about a site.
#[derive(Debug, Clone, Serialize)]
pub struct Discovered {
    /// What the person typed.
    pub input: String,
    pub site: SiteInfo,
    /// The REST API root (what signed-in requests are built on).
    pub api_root: Url,
    /// Where the site answered, after redirects.
    pub answered_at: Url,
    pub permalinks: Option<Permalinks>,
    pub methods: AuthMethods,
    /// The OAuth2 server's metadata document, when it serves one (a hint only).
    pub metadata: Option<ServerMetadata>,
    /// WordPress.com's view of the site (WordPress.com and Jetpack sites).
    pub wordpress_com: Option<WpcomSite>,
    pub recommended: Recommendation,
    /// Things the person should know: http fallback, redirects, disagreements.
    pub notes: Vec<String>,
    /// Endpoints the index names on other hosts: refused, never used.
    pub foreign_endpoints: Vec<crate::site::ForeignEndpoint>,
    /// The site answered from this computer: over http, every address its name resolves to is a
    /// loopback one (`blog.local` on the office network is not); over https, a loopback address
    /// or `localhost`.
    pub on_this_computer: bool,
}

impl Discovered {
    /// The site answered from this computer (a development site): plain http is then acceptable
    /// for signing in. Judged from the addresses where it answered, not from its name or claims.
    pub fn local(&self) -> bool {
        self.on_this_computer
    }

    /// Plain http to a site that is not on this computer: credentials go there only when the
    /// person chooses to (`SignInOptions::allow_plain_http`).
    pub fn plain_http_elsewhere(&self) -> bool {
        self.answered_at.scheme() == "http" && !self.on_this_computer
    }

    /// The site's own address (its `url`, else its `home`, else the API root): what sign-ins are
    /// checked against and accounts are keyed by.
    pub fn site_url(&self) -> Url {
        Url::parse(&self.site.url)
            .or_else(|_| Url::parse(&self.site.home))
            .unwrap_or_else(|_| self.api_root.clone())
    }
}

#[derive(Debug, Clone)]
pub struct DiscoveryOptions {
    pub http: HttpOptions,
    /// WordPress.com's public API (configurable so tests can use a local server).
    pub wpcom_api_base: Url,
    /// Also read the OAuth server's metadata documents (RFC 8414 / OpenID). Off by default: they
    /// are hints only (the REST index is what sign-in uses), and on a site with WP OAuth Server
    /// they cost a second and third round trip (WordPress redirects them to a trailing slash).
    /// The doctor turns it on to compare them with the index.
    pub metadata: bool,
}

impl Default for DiscoveryOptions {
    fn default() -> Self {
        DiscoveryOptions {
            http: HttpOptions::default(),
            wpcom_api_base: Url::parse(wpcom::DEFAULT_API_BASE).expect("constant URL"),
            metadata: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Discoverer {
    http: Http,
    wpcom_api_base: Url,
    metadata: bool,
}

impl Discoverer {
    pub fn new(opts: DiscoveryOptions) -> Self {
        Discoverer {
            http: Http::new(opts.http),
            wpcom_api_base: opts.wpcom_api_base,
            metadata: opts.metadata,
        }
    }

    /// Discover the site at what the person typed.
    #[tracing::instrument(skip(self), fields(input = %input))]
    pub async fn discover(&self, input: &str) -> Result<Discovered> {
        let addr = SiteAddress::parse(input)?;
        if addr.is_wordpress_com() {
            return self.discover_wpcom_hosted(&addr).await;
        }
        let mut failures: Vec<(Url, Error)> = Vec::new();
        for base in addr.candidates() {
            match self.discover_at(&base).await {
                Ok(found) => {
                    let mut d = self.finish(&addr, found).await;
                    for (url, e) in &failures {
                        d.notes.insert(0, http_fallback_note(url, e, &base));
                    }
                    return Ok(d);
                }
                // https that fails is a reason to stop, never to try plain http: the network (or
                // the site) could be steering the person to an unencrypted copy. Only this
                // computer, which no network stands between, may serve plain http on the port.
                Err(e @ Error::Tls { .. }) if !address::is_loopback_host(&addr.host) => {
                    return Err(e)
                }
                Err(e) => {
                    tracing::debug!(base = %base, error = %e, "attempt failed");
                    failures.push((base, e));
                }
            }
        }
        Err(best_error(failures))
    }

    /// The probes for one base URL.
    async fn discover_at(&self, base: &Url) -> Result<Found> {
        let guess_url = base.join("wp-json/").expect("relative path joins");
        let guess = self.fetch_index(guess_url.clone());
        let page = self.probe_page(base.clone());
        tokio::pin!(guess, page);
        let (guess_err, page) = tokio::select! {
            g = &mut guess => match g {
                Ok(found) => return Ok(found),
                Err(e) => (e, page.await),
            },
            p = &mut page => match guess.await {
                Ok(found) => return Ok(found),
                Err(e) => (e, p),
            },
        };
        let looks_like_wp = matches!(page, PageOutcome::NoLink { looks_like_wordpress: true, .. });
        match after_probes(&guess_url, guess_err, page) {
            Next::Fail(e) => Err(e),
            Next::Fetch(url) => {
                let via_rest_route = url.query().is_some_and(|q| q.contains("rest_route="))
                    && url.path() == base.path();
                match self.fetch_index(url.clone()).await {
                    Ok(found) => Ok(found),
                    Err(e) if via_rest_route => Err(after_rest_route(&url, e, looks_like_wp)),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// GET the page at `base`; read its body only when it carries no `Link` header.
    async fn probe_page(&self, base: Url) -> PageOutcome {
        let mut answer = match self.http.get(base).await {
            Ok(a) => a,
            Err(e) => return PageOutcome::Failed(e),
        };
        let values =
            answer.headers.get_all(reqwest::header::LINK).iter().filter_map(|v| v.to_str().ok());
        if let Some(root) = links::api_root_from_link_headers(values, &answer.url) {
            return PageOutcome::Root(root);
        }
        let body = answer.body(limits::PAGE, self.http.options().timeout).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&body);
        if let Some(root) = links::api_root_from_html(&text, &answer.url) {
            return PageOutcome::Root(root);
        }
        PageOutcome::NoLink {
            looks_like_wordpress: text.contains("/wp-content/") || text.contains("/wp-includes/"),
            url: answer.url,
        }
    }

    /// GET a REST index and read it.
    async fn fetch_index(&self, root: Url) -> Result<Found> {
        let (answer, body) = self.http.get_bytes(with_fields(&root), limits::JSON).await?;
        let index = read_index(&answer.url, answer.status.as_u16(), answer.content_type(), &body)?;
        Ok(Found {
            api_root: without_fields(&answer.url),
            answered_at: answered_base(&answer),
            index,
        })
    }

    /// After the index: metadata and WordPress.com look-ups, only where they apply, in parallel.
    async fn finish(&self, addr: &SiteAddress, found: Found) -> Discovered {
        let Found { api_root, answered_at, index: RestIndex { mut site, mut methods } } = found;
        // "https" is what the connection was, not what the site's index claims: a downgraded
        // connection can carry an index that says "https://".
        site.https = answered_at.scheme() == "https" && api_root.scheme() == "https";
        let mut notes = Vec::new();
        if let Some(first) = answered_at_note(addr, &answered_at) {
            notes.push(first);
        }
        if let Some(n) = url_mismatch_note(&site, &answered_at) {
            notes.push(n);
        }
        let own_oauth2 = methods
            .oauth2
            .as_ref()
            .filter(|o| self.metadata && o.server != OAuth2Server::WordpressCom);
        let wpcom_connected =
            methods.oauth2.as_ref().is_some_and(|o| o.server == OAuth2Server::WordpressCom)
                || site.namespaces.iter().any(|n| n == "jetpack/v4");
        let home = Url::parse(&site.home).unwrap_or_else(|_| answered_at.clone());
        let metadata_fut = async {
            match own_oauth2 {
                Some(o2) => self.fetch_metadata(&home, site.https, o2).await,
                None => None,
            }
        };
        let wpcom_fut = async {
            if wpcom_connected {
                let host = home.host_str().unwrap_or_default().to_string();
                self.fetch_wpcom_site(&host).await.ok()
            } else {
                None
            }
        };
        let (metadata, wordpress_com) = tokio::join!(metadata_fut, wpcom_fut);
        if wpcom_connected && wordpress_com.is_none() {
            notes.push(
                "The site is connected to WordPress.com, but WordPress.com's API did not \
                 describe it."
                    .into(),
            );
        }
        let foreign = methods.keep_to_the_site(&api_root, &self.wpcom_api_base);
        notes.extend(foreign.iter().map(|f| f.note(&api_root)));
        let plain = api_root.query().is_some_and(|q| q.contains("rest_route="));
        if plain {
            methods.routed_for_plain_permalinks(&api_root);
        }
        let permalinks = Some(if plain { Permalinks::Plain } else { Permalinks::Pretty });
        let on_this_computer = match self.http.reach(&answered_at).await {
            Reach::ThisComputer(_) => true,
            Reach::Https => answered_at.host_str().is_some_and(address::is_loopback_host),
            Reach::Elsewhere => false,
        };
        let recommended = recommend(&methods, &site, on_this_computer);
        Discovered {
            input: addr.input.clone(),
            site,
            api_root,
            answered_at,
            permalinks,
            methods,
            metadata,
            wordpress_com,
            recommended,
            notes,
            foreign_endpoints: foreign,
            on_this_computer,
        }
    }

    async fn fetch_metadata(
        &self,
        home: &Url,
        site_https: bool,
        index: &crate::site::OAuth2Endpoints,
    ) -> Option<ServerMetadata> {
        let [a, b] = metadata::candidates(home);
        let fetch = |u: Url| async move {
            let (answer, body) = self.http.get_bytes(u, limits::JSON).await.ok()?;
            if !answer.status.is_success() {
                return None;
            }
            metadata::parse(&body, answer.url.clone(), site_https, Some(index))
        };
        let (ma, mb) = tokio::join!(fetch(a), fetch(b));
        ma.or(mb)
    }

    async fn fetch_wpcom_site(&self, site: &str) -> Result<WpcomSite> {
        let url = wpcom::site_url(&self.wpcom_api_base, site);
        let (answer, body) = self.http.get_bytes(url.clone(), limits::JSON).await?;
        if answer.status.is_success() {
            if let Some(w) = wpcom::parse_site(&body) {
                return Ok(w);
            }
        }
        if answer.status.is_server_error() {
            return Err(Error::ServerError {
                url,
                status: answer.status.as_u16(),
                snippet: snippet(&body),
            });
        }
        Err(Error::NotWordpress {
            url: Url::parse(&format!("https://{site}/")).unwrap_or(url),
            detail: format!(
                "WordPress.com has no site by that name (HTTP {})",
                answer.status.as_u16()
            ),
        })
    }

    /// A site hosted on WordPress.com: its information comes from WordPress.com's API.
    async fn discover_wpcom_hosted(&self, addr: &SiteAddress) -> Result<Discovered> {
        let w = self.fetch_wpcom_site(&addr.host).await?;
        let site = wpcom::site_info(&w);
        let methods = AuthMethods {
            oauth2: Some(wpcom::oauth2_endpoints(&self.wpcom_api_base)),
            ..Default::default()
        };
        let recommended = recommend(&methods, &site, false);
        let answered_at = Url::parse(&w.url).unwrap_or_else(|_| addr.url(Scheme::Https));
        Ok(Discovered {
            input: addr.input.clone(),
            api_root: wpcom::site_url(&self.wpcom_api_base, &w.id.to_string()),
            answered_at,
            permalinks: None,
            notes: if w.is_private {
                vec!["This WordPress.com site is private: sign in to see more.".into()]
            } else {
                vec![]
            },
            site,
            methods,
            metadata: None,
            wordpress_com: Some(w),
            recommended,
            foreign_endpoints: Vec::new(),
            on_this_computer: false,
        })
    }
}

/// A REST index found, and where.
#[derive(Debug)]
struct Found {
    api_root: Url,
    answered_at: Url,
    index: RestIndex,
}

fn answered_at_note(addr: &SiteAddress, answered_at: &Url) -> Option<String> {
    let asked =
        addr.url(if answered_at.scheme() == "https" { Scheme::Https } else { Scheme::Http });
    let differs = asked.host_str() != answered_at.host_str()
        || asked.port_or_known_default() != answered_at.port_or_known_default()
        || asked.path() != answered_at.path();
    differs.then(|| format!("{} redirects: the site lives at {answered_at}.", addr.input))
}

fn url_mismatch_note(site: &SiteInfo, answered_at: &Url) -> Option<String> {
    let home = Url::parse(&site.home).ok()?;
    (home.host_str() != answered_at.host_str()
        || home.port_or_known_default() != answered_at.port_or_known_default())
    .then(|| format!("The site calls itself {} but answered at {answered_at}.", site.home))
}

fn http_fallback_note(failed: &Url, e: &Error, used: &Url) -> String {
    let e = e.to_string();
    let e = e.trim_end_matches('.');
    if used.scheme() == "http" && !address::is_loopback_host(used.host_str().unwrap_or_default()) {
        format!(
            "{failed} did not work ({e}), so WP Connect used {used}: the connection is not \
             encrypted."
        )
    } else {
        format!("{failed} did not work ({e}), so WP Connect used {used}.")
    }
}

#[cfg(test)]
mod tests;
