//! What a site is and how one signs in to it, read from its REST index.
//!
//! The index is parsed tolerantly: real sites send a UTF-8 BOM, `authentication: []`,
//! `gmt_offset` as a string, `site_icon_url: false`, or leave keys out. Nothing here fails on
//! a missing or oddly-typed field; only a document that is not a REST index at all is refused.

use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

/// What the site is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteInfo {
    pub name: String,
    pub description: String,
    /// The site URL (where WordPress lives).
    pub url: String,
    /// The home URL (where visitors go).
    pub home: String,
    /// Offset from UTC in hours (may be fractional, like 5.5).
    pub gmt_offset: f64,
    /// IANA time zone name, when the site has one set (WordPress allows a bare offset).
    pub timezone: Option<String>,
    pub namespaces: Vec<String>,
    pub icon_url: Option<String>,
    /// True when the site answered over https (discovery sets it from the connection used; the
    /// parser's first guess is the index's own `url`).
    pub https: bool,
}

impl SiteInfo {
    /// "Europe/Paris (UTC+1)", or "UTC+5:30" when only an offset is set.
    pub fn timezone_label(&self) -> String {
        let offset = format_offset(self.gmt_offset);
        match &self.timezone {
            Some(tz) => format!("{tz} ({offset})"),
            None => offset,
        }
    }
}

pub fn format_offset(hours: f64) -> String {
    if hours == 0.0 {
        return "UTC".into();
    }
    let sign = if hours < 0.0 { '-' } else { '+' };
    let minutes = (hours.abs() * 60.0).round() as i64;
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    }
}

/// The sign-in methods a site advertises in its REST index.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuthMethods {
    pub application_passwords: Option<ApplicationPasswords>,
    pub oauth1: Option<OAuth1Endpoints>,
    pub oauth2: Option<OAuth2Endpoints>,
}

impl AuthMethods {
    pub fn is_empty(&self) -> bool {
        self.application_passwords.is_none() && self.oauth1.is_none() && self.oauth2.is_none()
    }

    /// Keep only endpoints credentials may go to: on the origin the REST API answered from (or
    /// the same host over https), and for WordPress.com, its own API (`public-api.wordpress.com`
    /// over https, or `wpcom_api` as configured). An endpoint on any other host is one a site (or a
    /// network in between) merely names: the method is dropped and the reason returned, so the
    /// code, the PKCE verifier, the client secret or a password never go there.
    pub fn keep_to_the_site(&mut self, api_root: &Url, wpcom_api: &Url) -> Vec<ForeignEndpoint> {
        // The same origin, or the same host upgraded to https (at the default ports).
        let ours = |u: &Url| {
            crate::http::same_origin(u, api_root)
                || (u.scheme() == "https"
                    && u.host() == api_root.host()
                    && u.port().is_none()
                    && api_root.port().is_none())
        };
        let wpcom = |u: &Url| {
            (u.scheme() == "https" && is_wpcom_api_host(u))
                || crate::http::same_origin(u, wpcom_api)
        };
        let mut refused = Vec::new();
        let mut check = |what: &'static str, u: &Url, ok: bool| {
            if !ok {
                refused.push(ForeignEndpoint { what, url: u.clone() });
            }
            ok
        };
        if let Some(o) = &self.oauth2 {
            let keep = if o.server == OAuth2Server::WordpressCom {
                // Both at WordPress.com's API, or it is no WordPress.com sign-in at all.
                check("the OAuth2 authorization endpoint", &o.authorize, wpcom(&o.authorize))
                    & check("the OAuth2 token endpoint", &o.token, wpcom(&o.token))
            } else {
                check("the OAuth2 authorization endpoint", &o.authorize, ours(&o.authorize))
                    & check("the OAuth2 token endpoint", &o.token, ours(&o.token))
            };
            if !keep {
                self.oauth2 = None;
            } else if let Some(me) = self.oauth2.as_ref().and_then(|o| o.me.clone()) {
                let server = self.oauth2.as_ref().map(|o| o.server);
                let fine =
                    if server == Some(OAuth2Server::WordpressCom) { wpcom(&me) } else { ours(&me) };
                if !check("the OAuth2 \"me\" endpoint", &me, fine) {
                    self.oauth2.as_mut().expect("kept").me = None;
                }
            }
        }
        if let Some(o) = &self.oauth1 {
            let keep = check("the OAuth 1.0a request-token endpoint", &o.request, ours(&o.request))
                & check("the OAuth 1.0a authorization page", &o.authorize, ours(&o.authorize))
                & check("the OAuth 1.0a access-token endpoint", &o.access, ours(&o.access));
            if !keep {
                self.oauth1 = None;
            }
        }
        if let Some(page) =
            self.application_passwords.as_ref().and_then(|a| a.authorization_url.clone())
        {
            if !check("the Application Password approval page", &page, ours(&page)) {
                self.application_passwords.as_mut().expect("there").authorization_url = None;
            }
        }
        refused
    }

    /// The endpoints as a site on plain permalinks answers them. WP OAuth Server and the OAuth
    /// 1.0a plugin advertise paths (`/oauth/token`, `/oauth1/request`) that only rewrite rules
    /// route; with plain permalinks there are none, and WordPress answers those paths with its
    /// home page. Their query-variable forms (`index.php?oauth=token`,
    /// `index.php?rest_oauth1=request`) work with any permalinks. Only paths of that exact shape,
    /// on the origin the REST API answered from, are changed.
    pub fn routed_for_plain_permalinks(&mut self, api_root: &Url) {
        let route = |u: &mut Url, dir: &str, var: &str| {
            if !crate::http::same_origin(u, api_root) || u.query().is_some() {
                return;
            }
            let path = u.path().trim_end_matches('/').to_string();
            let Some((prefix, name)) = path.rsplit_once('/') else { return };
            let Some(prefix) = prefix
                .strip_suffix(&format!("/{dir}"))
                .or((prefix == format!("/{dir}")).then_some(""))
            else {
                return;
            };
            if name.is_empty()
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return;
            }
            let name = name.to_string();
            u.set_path(&format!("{prefix}/index.php"));
            u.query_pairs_mut().append_pair(var, &name);
        };
        if let Some(o) = self.oauth2.as_mut().filter(|o| o.server == OAuth2Server::WpOauthServer) {
            route(&mut o.authorize, "oauth", "oauth");
            route(&mut o.token, "oauth", "oauth");
            if let Some(me) = o.me.as_mut() {
                route(me, "oauth", "oauth");
            }
        }
        if let Some(o) = self.oauth1.as_mut() {
            for u in [&mut o.request, &mut o.authorize, &mut o.access] {
                route(u, "oauth1", "rest_oauth1");
            }
        }
    }
}

/// An endpoint the REST index names on a host other than the site's: never used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignEndpoint {
    pub what: &'static str,
    pub url: Url,
}

impl ForeignEndpoint {
    /// A sentence for a person.
    pub fn note(&self, site: &Url) -> String {
        format!(
            "The site names {} at {}, which is not the site ({}): WP Connect sends no sign-in \
             there, so that way of signing in is not offered.",
            self.what,
            self.url.host_str().unwrap_or("another host"),
            site.host_str().unwrap_or("")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationPasswords {
    /// `wp-admin/authorize-application.php`: absent when the site advertises the method but
    /// no browser approval page (then only pasting a password works).
    pub authorization_url: Option<Url>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OAuth1Endpoints {
    pub request: Url,
    pub authorize: Url,
    pub access: Url,
    pub version: Option<String>,
}

/// Which server speaks OAuth2 for the site: the two plugins share the `oauth2` key with
/// different shapes, and WordPress.com-connected sites point it at public-api.wordpress.com.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OAuth2Server {
    /// WP OAuth Server (plugin slug oauth2-provider): flat `{authorize, token, me, …}`.
    WpOauthServer,
    /// The WP-API OAuth2 feature plugin: `{endpoints: {authorization, token}, grant_types}`.
    FeaturePlugin,
    /// WordPress.com's OAuth2 server (WordPress.com sites and Jetpack-connected sites).
    WordpressCom,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OAuth2Endpoints {
    pub server: OAuth2Server,
    pub authorize: Url,
    pub token: Url,
    pub me: Option<Url>,
    pub grant_types: Vec<String>,
    pub software: Option<String>,
    pub version: Option<String>,
}

/// A REST index document that has been recognised as WordPress's.
#[derive(Debug, Clone)]
pub struct RestIndex {
    pub site: SiteInfo,
    pub methods: AuthMethods,
}

/// Why a JSON document could not be read as a REST index.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexProblem {
    /// Not JSON at all.
    Syntax(String),
    /// JSON, but not WordPress's index.
    NotAnIndex(&'static str),
}

/// Strip a UTF-8 BOM and leading white space (seen in the wild before the JSON).
pub fn trim_json_prefix(body: &[u8]) -> &[u8] {
    let b = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    &b[start..]
}

/// Parse a REST index. `fetched_from` resolves relative endpoint URLs and stands in for a
/// missing `url`.
pub fn parse_index(body: &[u8], fetched_from: &Url) -> Result<RestIndex, IndexProblem> {
    let value: Value = serde_json::from_slice(trim_json_prefix(body))
        .map_err(|e| IndexProblem::Syntax(e.to_string()))?;
    let obj =
        value.as_object().ok_or(IndexProblem::NotAnIndex("the document is not a JSON object"))?;
    // WordPress's index always carries `namespaces` (or `routes` when `_fields` is ignored).
    let namespaces: Vec<String> = match obj.get("namespaces") {
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ if obj.contains_key("routes") => Vec::new(),
        _ => {
            return Err(IndexProblem::NotAnIndex(
                "the JSON document has no \"namespaces\", so it is not WordPress's REST API index",
            ))
        }
    };
    let url = string(obj, "url")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fetched_from.origin().ascii_serialization());
    let home = string(obj, "home").filter(|s| !s.is_empty()).unwrap_or_else(|| url.clone());
    let site = SiteInfo {
        name: string(obj, "name").unwrap_or_default(),
        description: string(obj, "description").unwrap_or_default(),
        https: url.starts_with("https://"),
        gmt_offset: number(obj.get("gmt_offset")).unwrap_or(0.0),
        timezone: string(obj, "timezone_string").filter(|s| !s.is_empty()),
        icon_url: string(obj, "site_icon_url").filter(|s| !s.is_empty()),
        namespaces,
        url,
        home,
    };
    let methods = match obj.get("authentication") {
        Some(Value::Object(auth)) => parse_auth(auth, fetched_from),
        _ => AuthMethods::default(), // absent, `[]`, or junk
    };
    Ok(RestIndex { site, methods })
}

fn parse_auth(auth: &Map<String, Value>, base: &Url) -> AuthMethods {
    let application_passwords = auth.get("application-passwords").map(|ap| ApplicationPasswords {
        authorization_url: ap
            .get("endpoints")
            .and_then(|e| e.get("authorization"))
            .and_then(|v| link(v, base)),
    });
    let oauth1 = auth.get("oauth1").and_then(|o| {
        Some(OAuth1Endpoints {
            request: link(o.get("request")?, base)?,
            authorize: link(o.get("authorize")?, base)?,
            access: link(o.get("access")?, base)?,
            version: o.get("version").and_then(scalar_string),
        })
    });
    let oauth2 = auth.get("oauth2").and_then(|o| parse_oauth2(o, base));
    AuthMethods { application_passwords, oauth1, oauth2 }
}

fn parse_oauth2(o: &Value, base: &Url) -> Option<OAuth2Endpoints> {
    let grant_types = match o.get("grant_types") {
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let (authorize, token, server) = if let Some(ep) = o.get("endpoints") {
        (
            link(ep.get("authorization")?, base)?,
            link(ep.get("token")?, base)?,
            OAuth2Server::FeaturePlugin,
        )
    } else {
        (
            link(o.get("authorize")?, base)?,
            link(o.get("token")?, base)?,
            OAuth2Server::WpOauthServer,
        )
    };
    let server = if is_wpcom_api_host(&authorize) || is_wpcom_api_host(&token) {
        OAuth2Server::WordpressCom
    } else {
        server
    };
    Some(OAuth2Endpoints {
        server,
        me: o.get("me").and_then(|v| link(v, base)),
        grant_types,
        software: o.get("software").and_then(scalar_string),
        version: o.get("version").and_then(scalar_string),
        authorize,
        token,
    })
}

/// `public-api.wordpress.com`, WordPress.com's API host.
pub fn is_wpcom_api_host(url: &Url) -> bool {
    url.host_str().is_some_and(|h| h.eq_ignore_ascii_case("public-api.wordpress.com"))
}

fn string(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(scalar_string)
}

/// Strings as they are; numbers as text; `false`, `null`, arrays and objects as absent.
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number, or a string holding one (`gmt_offset` is a string: "0", "5.5", "-3").
fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite() && f.abs() <= 24.0)
}

fn link(v: &Value, base: &Url) -> Option<Url> {
    let s = v.as_str()?.trim();
    if s.is_empty() {
        return None;
    }
    let u = base.join(s).ok()?;
    matches!(u.scheme(), "http" | "https").then_some(u)
}
