//! The probes: an authorization request from a browser that is not signed in, and token requests
//! meant to be refused, each judged into what it tells (redirect URI accepted, grant enabled…).

use url::Url;

use crate::doctor::{failed_line, request_line, response_line, Ctx, Exchange};
use crate::oauth2::token::{oauth_error, post};
use crate::oauth2::{ClientAuth, Endpoints, ErrorCode};

/// One authorization request, as a browser that is not signed in makes it.
#[derive(Debug, Clone)]
pub(super) struct AuthorizeProbe {
    pub(super) verdict: Authorize,
    pub(super) exchange: Exchange,
}

/// One token request meant to be refused.
#[derive(Debug, Clone)]
pub(super) struct TokenProbe {
    /// `None` when no answer came.
    pub(super) grant: Option<Grant>,
    pub(super) exchange: Exchange,
}

/// What the token endpoint's answers tell about the Authorization header.
#[derive(Debug, Clone)]
pub(crate) struct HeaderFinding {
    /// The header did not reach WordPress.
    pub(crate) stripped: bool,
    pub(crate) observed: Vec<Exchange>,
}

/// How the authorization endpoint answered a browser that is not signed in.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Authorize {
    /// It went on (to its login page, a consent page, or back to the redirect URI with an
    /// `error`): the redirect URI is accepted.
    Accepted {
        error: Option<ErrorCode>,
    },
    RedirectRejected,
    UnknownClient,
    Disabled,
    Other(String),
}

/// How the token endpoint answered a grant it was meant to refuse.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Grant {
    /// `invalid_grant` (or a 401 for the made-up user): the grant is enabled.
    Enabled,
    /// `unauthorized_client`: the grant is not enabled for this client.
    NotEnabled,
    /// `unsupported_grant_type`: the server has no such grant at all.
    Unsupported,
    ClientRejected,
    Disabled,
    Other(String),
}

pub(super) fn judge_grant(status: u16, body: &[u8]) -> Grant {
    match oauth_error(body) {
        Some((ErrorCode::InvalidGrant, _)) => Grant::Enabled,
        Some((ErrorCode::UnauthorizedClient, _)) => Grant::NotEnabled,
        Some((ErrorCode::UnsupportedGrantType, _)) => Grant::Unsupported,
        Some((ErrorCode::InvalidClient, _)) => Grant::ClientRejected,
        Some((code, d))
            if status == 503
                || (code == ErrorCode::Unnamed
                    && d.as_deref().is_some_and(|d| d.contains("unavailable"))) =>
        {
            Grant::Disabled
        }
        Some((code, _)) => Grant::Other(code.to_string()),
        None if status == 503 => Grant::Disabled,
        None => Grant::Other(format!("HTTP {status}")),
    }
}

pub(super) fn base_or(ours: &Option<Url>, random: &Url) -> Url {
    ours.clone().unwrap_or_else(|| random.clone())
}

pub(super) fn is_loopback(u: &Url) -> bool {
    u.scheme() == "http"
        && matches!(u.host_str(), Some("127.0.0.1") | Some("[::1]") | Some("localhost"))
}

/// `http://127.0.0.1:<a port no one registered>/callback`.
pub(super) fn random_loopback(ours: Option<&Url>) -> Url {
    let taken = ours.and_then(|u| u.port());
    let mut port = 0;
    while port == 0 || Some(port) == taken {
        let [a, b] = crate::crypto::random_bytes::<2>();
        port = 49152 + (u16::from_be_bytes([a, b]) % 16000);
    }
    Url::parse(&format!("http://127.0.0.1:{port}{}", crate::loopback::CALLBACK_PATH))
        .expect("valid URL")
}

/// A look-alike of `uri`: the same address with something appended to its path, which a prefix
/// match accepts and an exact match refuses.
pub(super) fn lookalike(uri: &Url) -> Url {
    let mut u = uri.clone();
    let path = format!("{}-lookalike", u.path().trim_end_matches('/'));
    u.set_path(&path);
    u
}

/// GET the authorization endpoint as a browser that is not signed in: same-origin redirects (the
/// canonical trailing slash, the login page) are followed, a redirect elsewhere is judged, not
/// followed.
pub(super) async fn authorize(
    ctx: &Ctx<'_>,
    endpoints: &Endpoints,
    client_id: &str,
    redirect_uri: &Url,
) -> AuthorizeProbe {
    let request =
        crate::oauth2::AuthorizeRequest::new(endpoints, client_id, redirect_uri, None, &[]);
    let url = request.url.clone();
    let line = request_line("GET", &url, &[]);
    match ctx.http.probe(reqwest::Method::GET, url.clone(), Default::default(), None).await {
        Err(e) => AuthorizeProbe {
            verdict: Authorize::Other(e.to_string()),
            exchange: Exchange { request: line, response: failed_line(&e) },
        },
        Ok(mut a) => {
            let status = a.status.as_u16();
            let location = a.location();
            let body = a
                .body(crate::http::limits::PAGE, ctx.http.options().timeout)
                .await
                .unwrap_or_default();
            // Same-origin redirects followed on the way (the canonical trailing slash, the login
            // page).
            let followed: String = if a.redirects.is_empty() {
                String::new()
            } else {
                a.redirects
                    .iter()
                    .skip(1)
                    .chain(std::iter::once(&a.url))
                    .map(|u| format!("→ {} ", crate::http::redact_query(u)))
                    .collect()
            };
            let response = match &location {
                Some(l) => {
                    format!("{followed}HTTP {status} Location: {}", crate::http::redact_query(l))
                }
                None => format!("{followed}{}", response_line(status, &body)),
            };
            let ex = Exchange { request: line, response };
            let verdict = match (status, &location, oauth_error(&body)) {
                (503, _, _) => Authorize::Disabled,
                (_, _, Some((code, _))) if code.is_redirect_refused() => {
                    Authorize::RedirectRejected
                }
                (_, _, Some((ErrorCode::InvalidClient, _))) => Authorize::UnknownClient,
                (300..=399, Some(l), _) => {
                    let target = Some(l.clone());
                    let back = target
                        .as_ref()
                        .is_some_and(|t| t.as_str().starts_with(redirect_uri.as_str()));
                    let error = target.filter(|_| back).and_then(|t| {
                        t.query_pairs()
                            .find(|(k, _)| k == "error")
                            .map(|(_, v)| ErrorCode::parse(&v))
                    });
                    Authorize::Accepted { error }
                }
                (200..=299, _, None) => Authorize::Accepted { error: None },
                (_, _, Some((code, _))) => Authorize::Other(code.to_string()),
                _ => Authorize::Other(format!("HTTP {status}")),
            };
            AuthorizeProbe { verdict, exchange: ex }
        }
    }
}

/// POST a grant meant to be refused; what it says, and the exchange. `header`: the client's
/// credentials in HTTP Basic only.
pub(super) async fn token_probe(
    ctx: &Ctx<'_>,
    token: &Url,
    client: &ClientAuth,
    form: &[(&str, &str)],
    referer: &Url,
    header: bool,
) -> TokenProbe {
    let mut shown: Vec<(&str, &str)> = form.to_vec();
    if !header {
        shown.push(("client_id", &client.client_id));
        if client.client_secret.as_ref().is_some_and(|s| !s.expose().is_empty()) {
            shown.push(("client_secret", "[redacted]"));
        }
    }
    let mut line = request_line("POST", token, &shown);
    if header {
        line.push_str(&format!(
            " with Authorization: Basic (client {}, secret redacted)",
            client.client_id
        ));
    }
    match post(ctx.http, token, client, form, referer, header).await {
        Err(e) => TokenProbe {
            grant: None,
            exchange: Exchange { request: line, response: failed_line(&e) },
        },
        Ok((status, _, body)) => TokenProbe {
            grant: Some(judge_grant(status, &body)),
            exchange: Exchange { request: line, response: response_line(status, &body) },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_answers_are_told_apart() {
        assert_eq!(judge_grant(401, br#"{"error":"invalid_grant","error_description":"Invalid username and password combination"}"#), Grant::Enabled);
        assert_eq!(judge_grant(400, br#"{"error":"unauthorized_client"}"#), Grant::NotEnabled);
        assert_eq!(judge_grant(400, br#"{"error":"invalid_client"}"#), Grant::ClientRejected);
        assert_eq!(
            judge_grant(503, br#"{"error":"error","error_description":"temporarily unavailable"}"#),
            Grant::Disabled
        );
        assert_eq!(judge_grant(403, b"<html>blocked</html>"), Grant::Other("HTTP 403".into()));
    }

    #[test]
    fn lookalikes_extend_the_path() {
        let u = Url::parse("http://127.0.0.1:8765/callback").unwrap();
        assert_eq!(lookalike(&u).as_str(), "http://127.0.0.1:8765/callback-lookalike");
        let r = random_loopback(Some(&u));
        assert!(is_loopback(&r) && r.port() != Some(8765) && r.path() == "/callback");
    }
}
