//! Who is signed in: the profile from the OAuth server's `me` endpoint, enriched from core's
//! `/wp/v2/users/me?context=edit` where the token works there.

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::body;
use crate::error::{Error, Result};
use crate::http::{limits, Http};
use crate::secret::AccessToken;

/// The signed-in person, as the app shows them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Profile {
    pub user_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub registered: Option<String>,
    pub roles: Vec<String>,
    /// Capabilities granted (true), sorted.
    pub capabilities: Vec<String>,
    pub avatar_url: Option<String>,
}

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
    let mut headers = HeaderMap::new();
    let mut target = url.clone();
    match how {
        TokenIn::Header => {
            let mut v =
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    Error::UnsupportedTokenType {
                        token_type: "token with characters that cannot be sent".into(),
                    }
                })?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        TokenIn::Parameter => {
            target.query_pairs_mut().append_pair("access_token", token.expose());
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
            let mut v =
                HeaderValue::from_str(&signing.header()).map_err(|_| Error::InvalidClientId)?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        TokenIn::Basic(user) => {
            use base64::Engine as _;
            let pair = base64::engine::general_purpose::STANDARD
                .encode(format!("{user}:{}", token.expose()));
            let mut v = HeaderValue::from_str(&format!("Basic {pair}"))
                .map_err(|_| Error::WrongAppPassword)?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
    }
    if json.is_some() {
        headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let mut answer = http.send(method, target, headers, json.map(|j| j.to_string())).await?;
    let status = answer.status.as_u16();
    let bytes = answer.body(limits::JSON, http.options().timeout).await?;
    let ct = answer.content_type().map(str::to_string);
    if (200..300).contains(&status) && !body::looks_like_html(ct.as_deref(), &bytes) {
        return serde_json::from_slice(crate::site::trim_json_prefix(&bytes)).map_err(|e| {
            Error::InvalidJson {
                url: url.clone(),
                status,
                detail: e.to_string(),
                snippet: body::snippet_redacted(&bytes),
            }
        });
    }
    if body::looks_like_html(ct.as_deref(), &bytes) {
        return Err(body::html_error(url.clone(), status, &bytes));
    }
    let code = crate::oauth2::token::oauth_error(&bytes)
        .map(|e| e.0)
        .or_else(|| body::rest_error(&bytes).map(|e| e.0));
    match status {
        400 | 401 | 403 => Err(Error::TokenRejected {
            url: url.clone(),
            status,
            code,
            stripped_header_suspected: false,
        }),
        500..=599 => Err(Error::ServerError {
            url: url.clone(),
            status,
            snippet: body::snippet_redacted(&bytes),
        }),
        _ => Err(Error::TokenRejected {
            url: url.clone(),
            status,
            code,
            stripped_header_suspected: false,
        }),
    }
}

fn string_of(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn granted(v: Option<&serde_json::Value>) -> Vec<String> {
    let mut caps: Vec<String> = v
        .and_then(|c| c.as_object())
        .map(|o| {
            o.iter().filter(|(_, g)| g.as_bool() == Some(true)).map(|(k, _)| k.clone()).collect()
        })
        .unwrap_or_default();
    caps.sort();
    caps
}

/// WP OAuth Server's `/oauth/me` (`ID` is a string there).
pub fn from_oauth_me(v: &serde_json::Value) -> Profile {
    Profile {
        user_id: v.get("ID").and_then(string_of),
        username: v.get("user_login").and_then(string_of).unwrap_or_default(),
        display_name: v.get("display_name").and_then(string_of).unwrap_or_default(),
        email: v.get("user_email").and_then(string_of),
        registered: v.get("user_registered").and_then(string_of),
        roles: v
            .get("user_roles")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(string_of).collect())
            .unwrap_or_default(),
        capabilities: granted(v.get("capabilities")),
        avatar_url: None,
    }
}

/// WordPress.com's `/rest/v1.1/me`.
pub fn from_wpcom_me(v: &serde_json::Value) -> Profile {
    Profile {
        user_id: v.get("ID").and_then(string_of),
        username: v.get("username").and_then(string_of).unwrap_or_default(),
        display_name: v.get("display_name").and_then(string_of).unwrap_or_default(),
        email: v.get("email").and_then(string_of),
        registered: v.get("date").and_then(string_of),
        roles: Vec::new(),
        capabilities: Vec::new(),
        avatar_url: v.get("avatar_URL").and_then(string_of),
    }
}

/// Core's `/wp/v2/users/me?context=edit`.
pub fn from_rest_me(v: &serde_json::Value) -> Profile {
    let avatar =
        v.get("avatar_urls").and_then(|a| a.get("96").or_else(|| a.get("48"))).and_then(string_of);
    Profile {
        user_id: v.get("id").and_then(string_of),
        username: v
            .get("username")
            .or_else(|| v.get("slug"))
            .and_then(string_of)
            .unwrap_or_default(),
        display_name: v.get("name").and_then(string_of).unwrap_or_default(),
        email: v.get("email").and_then(string_of),
        registered: v.get("registered_date").and_then(string_of),
        roles: v
            .get("roles")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(string_of).collect())
            .unwrap_or_default(),
        capabilities: granted(v.get("capabilities")),
        avatar_url: avatar,
    }
}

impl Profile {
    /// Fill what `self` lacks from `more` (the richer core REST profile).
    pub fn enrich(mut self, more: Profile) -> Profile {
        if self.avatar_url.is_none() {
            self.avatar_url = more.avatar_url;
        }
        if self.email.is_none() {
            self.email = more.email;
        }
        if self.registered.is_none() {
            self.registered = more.registered;
        }
        if self.roles.is_empty() {
            self.roles = more.roles;
        }
        if self.capabilities.is_empty() || more.capabilities.len() > self.capabilities.len() {
            self.capabilities = more.capabilities;
        }
        if self.display_name.is_empty() {
            self.display_name = more.display_name;
        }
        if self.username.is_empty() {
            self.username = more.username;
        }
        if self.user_id.is_none() {
            self.user_id = more.user_id;
        }
        self
    }
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
    fn oauth_me_with_string_id_enriched_from_rest() {
        let me = serde_json::json!({"ID":"2","user_login":"ada","user_email":"a@x.test","display_name":"Ada","user_roles":["author"],"capabilities":{"author":true,"level_2":true,"banned":false}});
        let rest = serde_json::json!({"id":2,"username":"ada","name":"Ada","avatar_urls":{"96":"https://x.test/a.png"},"capabilities":{"read":true,"edit_posts":true,"upload_files":true,"author":true}});
        let p = from_oauth_me(&me).enrich(from_rest_me(&rest));
        assert_eq!(p.user_id.as_deref(), Some("2"));
        assert_eq!(p.username, "ada");
        assert_eq!(p.avatar_url.as_deref(), Some("https://x.test/a.png"));
        assert_eq!(p.capabilities, ["author", "edit_posts", "read", "upload_files"]);
        assert_eq!(p.roles, ["author"]);
    }
}
