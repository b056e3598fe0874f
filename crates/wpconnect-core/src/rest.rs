//! Authenticated REST requests: the one seam every signed-in request goes through, whatever the
//! credential (a bearer token in the header or, for hosts that strip it, a parameter; an
//! Application Password as HTTP Basic; an OAuth 1.0a signature made anew for each request).
//! `Http::send` below checks where the credential may go before anything leaves.

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use url::Url;

use crate::body;
use crate::error::{Error, Result};
use crate::http::{limits, Http};
use crate::secret::AccessToken;

/// What signing an OAuth 1.0a request needs.
#[derive(Debug, Clone)]
pub struct OAuth1Credentials {
    pub consumer: crate::oauth1::Consumer,
    pub token: crate::oauth1::TokenPair,
    /// The site's home URL: the base of what is signed.
    pub origin: Url,
}

impl PartialEq for OAuth1Credentials {
    fn eq(&self, other: &Self) -> bool {
        self.consumer.key == other.consumer.key && self.token.token == other.token.token
    }
}
impl Eq for OAuth1Credentials {}

/// How a token travelled to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenIn {
    Header,
    /// HTTP Basic with this username: the token is an Application Password.
    Basic(String),
    /// Signed with OAuth 1.0a (each request signed anew).
    OAuth1(Box<OAuth1Credentials>),
    /// As an `access_token` parameter: only for sites whose hosting strips the header, and only
    /// over https (or to this computer).
    Parameter,
}

/// GET `url` with the token; JSON back, or the error that says what went wrong.
pub(crate) async fn get_json(
    http: &Http,
    url: &Url,
    token: &AccessToken,
    how: TokenIn,
) -> Result<serde_json::Value> {
    send_json(http, reqwest::Method::GET, url, token, how).await
}

/// A request with the token; JSON back, or the error that says what went wrong.
pub(crate) async fn send_json(
    http: &Http,
    method: reqwest::Method,
    url: &Url,
    token: &AccessToken,
    how: TokenIn,
) -> Result<serde_json::Value> {
    send(http, method, url, token, how, None).await
}

/// [`send_json`] with a JSON body.
pub(crate) async fn send_json_body(
    http: &Http,
    method: reqwest::Method,
    url: &Url,
    token: &AccessToken,
    how: TokenIn,
    body: &serde_json::Value,
) -> Result<serde_json::Value> {
    send(http, method, url, token, how, Some(body)).await
}

async fn send(
    http: &Http,
    method: reqwest::Method,
    url: &Url,
    token: &AccessToken,
    how: TokenIn,
    json: Option<&serde_json::Value>,
) -> Result<serde_json::Value> {
    // The one seam every signed-in request goes through: a token, an Application Password or an
    // OAuth 1.0a signature travels only over https, to a site on this computer, or to a plain-http
    // site the person chose (`Http::send` checks it before anything is sent).
    let (mut headers, target) = with_credential(&method, url, token, how)?;
    if json.is_some() {
        headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let mut answer = http.send(method, target, headers, json.map(|j| j.to_string())).await?;
    let status = answer.status.as_u16();
    let bytes = answer.body(limits::JSON, http.options().timeout).await?;
    read_json(url, status, answer.content_type(), &bytes)
}

/// The request's headers and address with the credential in place, as `how` says.
pub(crate) fn with_credential(
    method: &reqwest::Method,
    url: &Url,
    token: &AccessToken,
    how: TokenIn,
) -> Result<(HeaderMap, Url)> {
    let mut headers = HeaderMap::new();
    let mut target = url.clone();
    let authorization =
        match how {
            TokenIn::Header => HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map_err(|_| Error::UnsupportedTokenType {
                    token_type: "token with characters that cannot be sent".into(),
                })?,
            TokenIn::Parameter => {
                target.query_pairs_mut().append_pair("access_token", token.expose());
                return Ok((headers, target));
            }
            TokenIn::OAuth1(c) => {
                let signing = crate::oauth1::Signing {
                    method: method.as_str(),
                    url: &target,
                    origin: Some(&c.origin),
                    consumer: &c.consumer,
                    token: Some(&c.token),
                    extra: &[],
                    form: &[],
                    signature_method: crate::oauth1::SignatureMethod::HmacSha1,
                    nonce: crate::oauth1::nonce(),
                    timestamp: crate::oauth2::unix_now(),
                };
                HeaderValue::from_str(&signing.header()).map_err(|_| Error::InvalidClientId)?
            }
            TokenIn::Basic(user) => {
                use base64::Engine as _;
                let pair = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", token.expose()));
                HeaderValue::from_str(&format!("Basic {pair}"))
                    .map_err(|_| Error::WrongAppPassword)?
            }
        };
    let mut authorization = authorization;
    authorization.set_sensitive(true);
    headers.insert(AUTHORIZATION, authorization);
    Ok((headers, target))
}

/// A signed-in request's answer: JSON from a 2xx, else the error a person can act on.
fn read_json(
    url: &Url,
    status: u16,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<serde_json::Value> {
    let html = body::looks_like_html(content_type, bytes);
    if (200..300).contains(&status) && !html {
        return serde_json::from_slice(crate::site::trim_json_prefix(bytes)).map_err(|e| {
            Error::InvalidJson {
                url: url.clone(),
                status,
                detail: e.to_string(),
                snippet: body::snippet_redacted(bytes),
            }
        });
    }
    if html {
        return Err(body::html_error(url.clone(), status, bytes));
    }
    let code = crate::oauth2::token::oauth_error(bytes)
        .map(|e| e.0.to_string())
        .or_else(|| body::rest_error(bytes).map(|e| e.0));
    match status {
        500..=599 => Err(Error::ServerError {
            url: url.clone(),
            status,
            snippet: body::snippet_redacted(bytes),
        }),
        _ => Err(Error::TokenRejected {
            url: url.clone(),
            status,
            code,
            stripped_header_suspected: false,
        }),
    }
}

/// A REST route under `root`, for both `/wp-json/` and `?rest_route=/` roots.
pub fn rest_route(root: &Url, route: &str) -> Url {
    let mut u = root.clone();
    if let Some(r) =
        root.query_pairs().find(|(k, _)| k == "rest_route").map(|(_, v)| v.into_owned())
    {
        let joined = format!("{}/{}", r.trim_end_matches('/'), route.trim_start_matches('/'));
        let others: Vec<(String, String)> = root
            .query_pairs()
            .filter(|(k, _)| k != "rest_route")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        u.query_pairs_mut().clear().append_pair("rest_route", &joined).extend_pairs(others);
        return u;
    }
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    u.join(route.trim_start_matches('/')).unwrap_or(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_credential_goes_over_plain_http_to_a_site_elsewhere() {
        // 192.0.2.1 is TEST-NET-1: the request is refused before any packet is sent.
        let http = Http::new(crate::HttpOptions::default());
        let url = Url::parse("http://192.0.2.1/wp-json/wp/v2/users/me").unwrap();
        for how in [TokenIn::Header, TokenIn::Basic("ada".into()), TokenIn::Parameter] {
            let e =
                get_json(&http, &url, &AccessToken::new("tok-1"), how.clone()).await.unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InsecureConnection, "{how:?}: {e}");
        }
    }

    #[test]
    fn rest_routes_under_both_roots() {
        let pretty = Url::parse("https://s.example/blog/wp-json/").unwrap();
        assert_eq!(
            rest_route(&pretty, "wp/v2/users/me").as_str(),
            "https://s.example/blog/wp-json/wp/v2/users/me"
        );
        let plain = Url::parse("https://s.example/index.php?rest_route=/").unwrap();
        assert_eq!(
            rest_route(&plain, "wp/v2/users/me").as_str(),
            "https://s.example/index.php?rest_route=%2Fwp%2Fv2%2Fusers%2Fme"
        );
    }
}
