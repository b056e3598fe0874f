//! The token endpoint: code exchange, password grant, refresh, revocation. Redirects are never
//! followed here except within the same origin; client authentication is HTTP Basic with the id
//! and secret form-encoded first (RFC 6749 §2.3.1), the id also in the body, falling back once to credentials in the form body when the server rejects
//! Basic; the site's URL goes along as `Referer` (harmless, and some firewalls want it).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, REFERER};
use serde::Deserialize;
use url::Url;

use super::ErrorCode;

use crate::body;
use crate::error::{Error, Result};
use crate::http::{limits, Http};
use crate::secret::{AccessToken, ClientSecret, RefreshToken};

/// Tokens as the server issued them.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: AccessToken,
    pub refresh: Option<RefreshToken>,
    /// Seconds since the Unix epoch; `None` when the server did not say.
    pub expires_at: Option<u64>,
    pub scope: Option<String>,
}

impl Tokens {
    /// Seconds left, or `None` if the server gave no lifetime.
    pub fn seconds_left(&self, now: u64) -> Option<i64> {
        self.expires_at.map(|e| e as i64 - now as i64)
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The client, as the token endpoint sees it.
#[derive(Debug, Clone)]
pub struct ClientAuth {
    pub client_id: String,
    /// `None` for a public client.
    pub client_secret: Option<ClientSecret>,
    /// The server reads the credentials from the form body only (WordPress.com).
    pub in_body: bool,
}

#[derive(Deserialize)]
struct Raw {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    scope: Option<String>,
    token_type: Option<String>,
}

/// POST a grant to the token endpoint and read the tokens.
pub(crate) async fn grant(
    http: &Http,
    token_url: &Url,
    client: &ClientAuth,
    form: &[(&str, &str)],
    referer: &Url,
) -> Result<Tokens> {
    let (status, ct, body) = post(http, token_url, client, form, referer, !client.in_body).await?;
    let (status, ct, body) = match (&client.client_secret, oauth_error(&body)) {
        _ if client.in_body => (status, ct, body),
        // Some servers and proxies only take the credentials in the body: try that once.
        (Some(_), Some((ErrorCode::InvalidClient, _))) => {
            post(http, token_url, client, form, referer, false).await?
        }
        _ => (status, ct, body),
    };
    read_tokens(token_url, status, ct.as_deref(), &body)
}

/// RFC 7009 revocation of one token. `Ok(())` when the server accepted it.
pub(crate) async fn revoke(
    http: &Http,
    url: &Url,
    client: &ClientAuth,
    token: &str,
    hint: &str,
    referer: &Url,
) -> Result<()> {
    let (status, ct, body) = post(
        http,
        url,
        client,
        &[("token", token), ("token_type_hint", hint)],
        referer,
        !client.in_body,
    )
    .await?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    Err(answer_error(url, status, ct.as_deref(), &body))
}

pub(crate) async fn post(
    http: &Http,
    url: &Url,
    client: &ClientAuth,
    form: &[(&str, &str)],
    referer: &Url,
    basic: bool,
) -> Result<(u16, Option<String>, bytes::Bytes)> {
    let mut headers = HeaderMap::new();
    if let Ok(r) = HeaderValue::from_str(referer.as_str()) {
        headers.insert(REFERER, r);
    }
    // Built in full before any await: the serializer is not Send.
    let body = {
        let mut body = url::form_urlencoded::Serializer::new(String::new());
        body.extend_pairs(form);
        match (&client.client_secret, basic) {
            (Some(secret), true) => {
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let pair = format!("{}:{}", enc(&client.client_id), enc(secret.expose()));
                let mut v = HeaderValue::from_str(&format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
                .map_err(|_| Error::InvalidClientId)?;
                v.set_sensitive(true);
                headers.insert(AUTHORIZATION, v);
                // The id goes in the body too (RFC 6749 4.1.3 allows it; it is not a secret): the
                // WP REST API team's OAuth 2 plugin requires it there even with Basic.
                body.append_pair("client_id", &client.client_id);
            }
            (Some(secret), false) => {
                body.append_pair("client_id", &client.client_id);
                body.append_pair("client_secret", secret.expose());
            }
            (None, _) => {
                body.append_pair("client_id", &client.client_id);
            }
        }
        body.finish()
    };
    let mut answer = http.post_form(url.clone(), headers, body).await?;
    let bytes = answer.body(limits::JSON, http.options().timeout).await?;
    Ok((answer.status.as_u16(), answer.content_type().map(str::to_string), bytes))
}

/// `{error, error_description}` from a body, if it is one.
pub(crate) fn oauth_error(body: &[u8]) -> Option<(ErrorCode, Option<String>)> {
    let v: serde_json::Value = serde_json::from_slice(crate::site::trim_json_prefix(body)).ok()?;
    let code = ErrorCode::parse(v.get("error")?.as_str()?);
    let description = v.get("error_description").and_then(|d| d.as_str()).map(str::to_string);
    Some((code, description))
}

fn read_tokens(url: &Url, status: u16, content_type: Option<&str>, body: &[u8]) -> Result<Tokens> {
    if !(200..300).contains(&status) {
        return Err(answer_error(url, status, content_type, body));
    }
    // A site with PHP's display_errors on prints its notices before the JSON: the tokens are
    // issued all the same, so read them (leaving them unread would leave them live, unknown).
    let body = match body::json_after_php_notices(body) {
        Some(json) => json,
        None if body::looks_like_html(content_type, body) => {
            return Err(body::html_error(url.clone(), status, body))
        }
        None => body,
    };
    let raw: Raw = serde_json::from_slice(crate::site::trim_json_prefix(body)).map_err(|e| {
        Error::InvalidJson {
            url: url.clone(),
            status,
            detail: e.to_string(),
            snippet: body::snippet_redacted(body),
        }
    })?;
    let Some(access) = raw.access_token.filter(|a| !a.is_empty()) else {
        return Err(Error::InvalidJson {
            url: url.clone(),
            status,
            detail: "the answer has no access_token".into(),
            snippet: body::snippet_redacted(body),
        });
    };
    if let Some(t) = &raw.token_type {
        if !t.eq_ignore_ascii_case("bearer") {
            return Err(Error::UnsupportedTokenType { token_type: t.clone() });
        }
    }
    let lifetime = match raw.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Ok(Tokens {
        access: AccessToken::new(access),
        refresh: raw.refresh_token.filter(|r| !r.is_empty()).map(RefreshToken::new),
        expires_at: lifetime.map(|l| unix_now() + l),
        scope: raw.scope,
    })
}

/// The error a non-success answer of an OAuth endpoint means.
pub(crate) fn answer_error(
    url: &Url,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Error {
    let body = body::json_after_php_notices(body).unwrap_or(body);
    if let Some((code, description)) = oauth_error(body) {
        return Error::OAuth {
            endpoint: url.clone(),
            status,
            code,
            description,
            grant: None,
            redirect_uri: None,
        };
    }
    if body::looks_like_html(content_type, body) {
        return body::html_error(url.clone(), status, body);
    }
    // A token endpoint that is a REST route (the WP REST API team's OAuth 2 plugin) answers with
    // WordPress's `{code, message}`: its code and message are the server's words, not secrets.
    if let Some((code, message)) = body::rest_error(body).filter(|_| status < 500) {
        let description = Some(message).filter(|m| !m.is_empty());
        return Error::OAuth {
            endpoint: url.clone(),
            status,
            code: ErrorCode::parse(&code),
            description,
            grant: None,
            redirect_uri: None,
        };
    }
    if status >= 500 {
        return Error::ServerError {
            url: url.clone(),
            status,
            snippet: body::snippet_redacted(body),
        };
    }
    Error::OAuth {
        endpoint: url.clone(),
        status,
        code: ErrorCode::Other(format!("http_{status}")),
        description: Some(body::snippet_redacted(body)),
        grant: None,
        redirect_uri: None,
    }
}

/// Refresh this long before expiry, so a request never starts with a token about to lapse.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(120);

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://site.example/oauth/token").unwrap()
    }

    #[test]
    fn expires_in_as_number_string_or_absent() {
        for (body, left) in [
            (r#"{"access_token":"a","expires_in":3600,"token_type":"Bearer"}"#, Some(3600)),
            (r#"{"access_token":"a","expires_in":"3600","token_type":"bearer"}"#, Some(3600)),
            (r#"{"access_token":"a"}"#, None),
        ] {
            let t = read_tokens(&url(), 200, Some("application/json"), body.as_bytes()).unwrap();
            let got = t.seconds_left(unix_now());
            match left {
                Some(l) => assert!((l - 2..=l).contains(&got.unwrap()), "{body}: {got:?}"),
                None => assert_eq!(got, None),
            }
        }
    }

    #[test]
    fn a_bom_and_a_refresh_token() {
        let body = "\u{feff}{\"access_token\":\"a\",\"refresh_token\":\"r\",\"scope\":\"basic\"}";
        let t = read_tokens(&url(), 200, None, body.as_bytes()).unwrap();
        assert_eq!(t.refresh.unwrap().expose(), "r");
        assert_eq!(t.scope.as_deref(), Some("basic"));
    }

    #[test]
    fn oauth_errors_keep_code_and_description() {
        let e = read_tokens(&url(), 400, Some("application/json"), br#"{"error":"invalid_grant","error_description":"Invalid username and password combination"}"#)
            .unwrap_err();
        assert!(
            matches!(&e, Error::OAuth { code: ErrorCode::InvalidGrant, status: 400, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn a_rest_error_from_a_token_route_keeps_its_code_and_message() {
        let body = br#"{"code":"rest_missing_callback_param","message":"Missing parameter(s): client_id","data":{"status":400,"params":["client_id"]}}"#;
        let e = read_tokens(&url(), 400, Some("application/json"), body).unwrap_err();
        assert!(
            matches!(&e, Error::OAuth { code, .. } if code.as_str() == "rest_missing_callback_param"),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("Missing parameter(s): client_id")
                && !e.to_string().contains("[redacted]"),
            "{e}"
        );
    }

    #[test]
    fn html_is_named_and_never_parsed() {
        let e = read_tokens(
            &url(),
            200,
            Some("text/html"),
            b"<html><body>Wordfence blocked you</body></html>",
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::HtmlInsteadOfJson { cause: Some(c), .. } if c.contains("Wordfence")),
            "{e:?}"
        );
    }

    #[test]
    fn a_broken_answer_never_echoes_a_token() {
        let e =
            read_tokens(&url(), 200, None, br#"{"access_token":"SECRETVALUE123","expires_in":"#)
                .unwrap_err();
        assert!(!format!("{e} {e:?}").contains("SECRETVALUE123"), "{e:?}");
    }
}
