//! The token endpoint. Code exchange, the password grant and refresh go through the `oauth2`
//! crate's types over this project's HTTP seam: [`super::transport::Transport`] is its async HTTP
//! client, and
//! the one place that knows WordPress's ways (PHP notices before the JSON, `expires_in` as a
//! string, no
//! `token_type`, HTML or REST errors where OAuth errors belong). Client authentication is HTTP
//! Basic (id and secret form-encoded, RFC 6749 §2.3.1) with the id also in the body, falling back
//! once to credentials in the body when the server rejects Basic; the site's URL goes along as
//! `Referer` (harmless, and some firewalls want it). Redirects are never followed here except
//! within the same origin.
//!
//! Revocation stays hand-written: the crate refuses a revocation endpoint that is not https, and
//! a WordPress on this computer (plain http on loopback) must still be signed out of for real.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, REFERER};
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

/// A grant sent to the token endpoint.
#[derive(Clone, Copy)]
pub(crate) enum Grant<'a> {
    /// The authorization code, with the PKCE verifier and the redirect URI of its request.
    Code {
        code: &'a str,
        redirect_uri: &'a Url,
        verifier: &'a str,
    },
    /// The password grant: the labelled fallback.
    Password {
        username: &'a str,
        password: &'a str,
        scope: Option<&'a str>,
    },
    Refresh {
        refresh_token: &'a str,
    },
}

/// POST a grant to the token endpoint and read the tokens.
pub(crate) async fn grant(
    http: &Http,
    token_url: &Url,
    client: &ClientAuth,
    grant: Grant<'_>,
    referer: &Url,
) -> Result<Tokens> {
    let first = request(http, token_url, client, grant, referer, !client.in_body).await;
    match first {
        // Some servers and proxies only take the credentials in the body: try that once.
        Err(Error::OAuth { code: ErrorCode::InvalidClient, .. })
            if !client.in_body && client.client_secret.is_some() =>
        {
            request(http, token_url, client, grant, referer, false).await
        }
        other => other,
    }
}

type TokenClient = oauth2::basic::BasicClient<
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

async fn request(
    http: &Http,
    token_url: &Url,
    client: &ClientAuth,
    grant: Grant<'_>,
    referer: &Url,
    basic: bool,
) -> Result<Tokens> {
    let mut c: TokenClient =
        oauth2::basic::BasicClient::new(oauth2::ClientId::new(client.client_id.clone()))
            .set_token_uri(oauth2::TokenUrl::from_url(token_url.clone()))
            .set_auth_type(if basic {
                oauth2::AuthType::BasicAuth
            } else {
                oauth2::AuthType::RequestBody
            });
    if let Some(s) = &client.client_secret {
        c = c.set_client_secret(oauth2::ClientSecret::new(s.expose().to_string()));
    }
    // With Basic the id goes in the body too (RFC 6749 §4.1.3 allows it; it is not a secret):
    // the WP REST API team's OAuth 2 plugin requires it there.
    let id_in_body = (basic && client.client_secret.is_some()).then(|| client.client_id.clone());
    let transport = super::transport::Transport::new(http, referer);
    let answer = match grant {
        Grant::Code { code, redirect_uri, verifier } => {
            let mut r = c
                .exchange_code(oauth2::AuthorizationCode::new(code.to_string()))
                .set_pkce_verifier(oauth2::PkceCodeVerifier::new(verifier.to_string()))
                .set_redirect_uri(std::borrow::Cow::Owned(oauth2::RedirectUrl::from_url(
                    redirect_uri.clone(),
                )));
            if let Some(id) = id_in_body {
                r = r.add_extra_param("client_id", id);
            }
            r.request_async(&transport).await
        }
        Grant::Password { username, password, scope } => {
            let user = oauth2::ResourceOwnerUsername::new(username.to_string());
            let pass = oauth2::ResourceOwnerPassword::new(password.to_string());
            let mut r = c.exchange_password(&user, &pass);
            for s in scope.unwrap_or_default().split_whitespace() {
                r = r.add_scope(oauth2::Scope::new(s.to_string()));
            }
            if let Some(id) = id_in_body {
                r = r.add_extra_param("client_id", id);
            }
            r.request_async(&transport).await
        }
        Grant::Refresh { refresh_token } => {
            let rt = oauth2::RefreshToken::new(refresh_token.to_string());
            let mut r = c.exchange_refresh_token(&rt);
            if let Some(id) = id_in_body {
                r = r.add_extra_param("client_id", id);
            }
            r.request_async(&transport).await
        }
    };
    match answer {
        Ok(tokens) => from_response(&tokens, token_url),
        Err(oauth2::RequestTokenError::Request(super::transport::TransportError(e))) => Err(e),
        // Refused, or an answer the crate could not read: said from what the server sent.
        Err(e) => Err(transport.explain(token_url, &e.to_string())),
    }
}

/// The crate's token answer as this app keeps it: Bearer tokens only.
fn from_response(t: &oauth2::basic::BasicTokenResponse, url: &Url) -> Result<Tokens> {
    use oauth2::TokenResponse as _;
    if *t.token_type() != oauth2::basic::BasicTokenType::Bearer {
        return Err(Error::UnsupportedTokenType {
            token_type: t.token_type().as_ref().to_string(),
        });
    }
    let access = t.access_token().secret();
    if access.is_empty() {
        return Err(Error::InvalidJson {
            url: url.clone(),
            status: 200,
            detail: "the answer has an empty access_token".into(),
            snippet: String::new(),
        });
    }
    Ok(Tokens {
        access: AccessToken::new(access.clone()),
        refresh: t.refresh_token().map(|r| RefreshToken::new(r.secret().clone())),
        expires_at: t.expires_in().map(|d| unix_now() + d.as_secs()),
        scope: t.scopes().map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")),
    })
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
    // RFC 7009: a 200 is the server's word that the token is ended; a web page with a 200 is
    // something in front of the server (a firewall, a maintenance page) that ended nothing.
    let a_page = crate::body::looks_like_html(ct.as_deref(), &body)
        && crate::site::trim_json_prefix(&body).starts_with(b"<");
    if (200..300).contains(&status) && !a_page {
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

/// Read a token answer the way [`request`] does (the same [`readable`] form, the crate's own
/// parse), naming what is wrong when it cannot be read: the explanation behind a refusal.
pub(crate) fn read_tokens(
    url: &Url,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Tokens> {
    if !(200..300).contains(&status) {
        return Err(answer_error(url, status, content_type, body));
    }
    // A site with PHP's display_errors on prints its notices before the JSON: the tokens are
    // issued all the same, so read them (leaving them unread would leave them live, unknown).
    let json = match body::json_after_php_notices(body) {
        Some(json) => json,
        None if body::looks_like_html(content_type, body) => {
            return Err(body::html_error(url.clone(), status, body))
        }
        None => body,
    };
    let broken = |detail: String| Error::InvalidJson {
        url: url.clone(),
        status,
        detail,
        snippet: body::snippet_redacted(json),
    };
    let v: serde_json::Value = serde_json::from_slice(crate::site::trim_json_prefix(json))
        .map_err(|e| broken(e.to_string()))?;
    if v.get("access_token").and_then(|a| a.as_str()).is_none_or(str::is_empty) {
        return Err(broken("the answer has no access_token".into()));
    }
    let t: oauth2::basic::BasicTokenResponse =
        serde_json::from_slice(&super::transport::readable(body))
            .map_err(|e| broken(e.to_string()))?;
    from_response(&t, url)
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
