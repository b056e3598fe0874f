//! OAuth 2 for WordPress: the authorization code flow with PKCE through the person's browser and
//! a loopback redirect, the password grant as a labelled fallback, refresh and revocation.

mod code;
mod flow;
pub mod pkce;
pub mod token;
mod transport;

pub use code::ErrorCode;
pub(crate) use flow::{method_of, oauth2_endpoints};

use std::collections::HashMap;

use url::Url;

pub use pkce::Pkce;
pub use token::{unix_now, ClientAuth, Tokens};

use crate::error::{Error, Result};
use crate::secret::ClientSecret;
use crate::site::{OAuth2Endpoints, OAuth2Server};

/// One site's OAuth 2 endpoints.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub server: OAuth2Server,
    pub authorize: Url,
    pub token: Url,
    pub me: Option<Url>,
    /// RFC 7009 revocation (WP OAuth Server's `/oauth/revoke`).
    pub revoke: Option<Url>,
}

impl Endpoints {
    /// The client's credentials for this server, sent the way it reads them.
    pub fn client_auth(&self, client_id: &str, client_secret: Option<ClientSecret>) -> ClientAuth {
        ClientAuth {
            client_id: client_id.to_string(),
            client_secret,
            in_body: self.server == OAuth2Server::WordpressCom,
        }
    }

    pub fn from_site(e: &OAuth2Endpoints) -> Endpoints {
        let revoke = match e.server {
            OAuth2Server::WpOauthServer => sibling(&e.token, "revoke"),
            _ => None,
        };
        Endpoints {
            server: e.server,
            authorize: e.authorize.clone(),
            token: e.token.clone(),
            me: e.me.clone(),
            revoke,
        }
    }
}

/// The endpoint next to `token` named `name`: `/oauth/token` → `/oauth/revoke`, and with plain
/// permalinks `?oauth=token` → `?oauth=revoke`.
fn sibling(token: &Url, name: &str) -> Option<Url> {
    if token.query_pairs().any(|(k, v)| k == "oauth" && v == "token") {
        let mut u = token.clone();
        let pairs: Vec<(String, String)> = token
            .query_pairs()
            .map(|(k, v)| {
                (k.to_string(), if k == "oauth" { name.to_string() } else { v.to_string() })
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        return Some(u);
    }
    let path = token.path().trim_end_matches('/');
    let parent = path.strip_suffix("/token")?;
    let mut u = token.clone();
    u.set_path(&format!("{parent}/{name}"));
    Some(u)
}

/// An authorization request about to be opened in the browser, and what checking its answer needs.
#[derive(Debug)]
pub struct AuthorizeRequest {
    pub url: Url,
    pub state: String,
    pub pkce: Pkce,
    pub redirect_uri: Url,
}

impl AuthorizeRequest {
    /// `extra`: server-specific parameters (WordPress.com's `blog`).
    pub fn new(
        endpoints: &Endpoints,
        client_id: &str,
        redirect_uri: &Url,
        scope: Option<&str>,
        extra: &[(&str, &str)],
    ) -> AuthorizeRequest {
        // Our own one-time state (checked in constant time in `judge`); PKCE S256, the method
        // always named (WP OAuth Server takes `plain` when none is).
        let state = crate::crypto::random_state();
        let pkce = Pkce::new();
        let client = oauth2::basic::BasicClient::new(oauth2::ClientId::new(client_id.to_string()))
            .set_auth_uri(oauth2::AuthUrl::from_url(endpoints.authorize.clone()))
            .set_redirect_uri(oauth2::RedirectUrl::from_url(redirect_uri.clone()));
        let sent = state.clone();
        let mut request = client
            .authorize_url(move || oauth2::CsrfToken::new(sent))
            .set_pkce_challenge(pkce.challenge());
        for s in scope.unwrap_or_default().split_whitespace() {
            request = request.add_scope(oauth2::Scope::new(s.to_string()));
        }
        for (k, v) in extra {
            request = request.add_extra_param(*k, *v);
        }
        let (url, _) = request.url();
        AuthorizeRequest { url, state, pkce, redirect_uri: redirect_uri.clone() }
    }

    /// Check the browser's answer: our state, then an error, then the code.
    pub fn judge(&self, params: &HashMap<String, String>) -> Result<String> {
        match params.get("state") {
            Some(s) if crate::crypto::same(s, &self.state) => {}
            _ => return Err(Error::StateMismatch),
        }
        if let Some(code) = params.get("error") {
            let description = params.get("error_description").filter(|d| !d.is_empty()).cloned();
            let code = ErrorCode::parse(code);
            return Err(if code == ErrorCode::AccessDenied {
                tracing::info!(said = ?description, "the approval was declined");
                Error::AccessDenied { description }
            } else {
                Error::OAuth {
                    endpoint: self.url.clone(),
                    status: 302,
                    code: code.clone(),
                    description,
                    grant: Some("authorization_code".into()),
                    redirect_uri: Some(self.redirect_uri.clone()),
                }
            });
        }
        match params.get("code").filter(|c| !c.is_empty()) {
            Some(code) => Ok(code.clone()),
            None => Err(Error::MissingCode { detail: params.get("error_description").cloned() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints(token: &str) -> Endpoints {
        Endpoints {
            server: OAuth2Server::WpOauthServer,
            authorize: Url::parse("https://s.example/oauth/authorize").unwrap(),
            token: Url::parse(token).unwrap(),
            me: None,
            revoke: sibling(&Url::parse(token).unwrap(), "revoke"),
        }
    }

    #[test]
    fn revoke_sits_next_to_token() {
        assert_eq!(
            endpoints("https://s.example/oauth/token").revoke.unwrap().as_str(),
            "https://s.example/oauth/revoke"
        );
        assert_eq!(
            endpoints("https://s.example/blog/?oauth=token").revoke.unwrap().as_str(),
            "https://s.example/blog/?oauth=revoke"
        );
    }

    #[test]
    fn authorize_url_always_names_s256() {
        let r = AuthorizeRequest::new(
            &endpoints("https://s.example/oauth/token"),
            "cid",
            &Url::parse("http://127.0.0.1:4000/callback").unwrap(),
            None,
            &[],
        );
        let q: HashMap<_, _> = r.url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], pkce::challenge_for(r.pkce.verifier.expose()));
        assert_eq!(q["state"], r.state);
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:4000/callback");
        assert!(!q.contains_key("scope"));
    }

    #[test]
    fn callbacks_are_judged_state_first() {
        let r = AuthorizeRequest::new(
            &endpoints("https://s.example/oauth/token"),
            "cid",
            &Url::parse("http://127.0.0.1:4000/callback").unwrap(),
            None,
            &[],
        );
        let p = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>()
        };
        let st = r.state.clone();
        assert_eq!(
            r.judge(&p(&[("code", "abc"), ("state", &st), ("extra", "ignored")])).unwrap(),
            "abc"
        );
        assert!(matches!(
            r.judge(&p(&[("code", "abc"), ("state", "forged")])),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(r.judge(&p(&[("code", "abc")])), Err(Error::StateMismatch)));
        assert!(matches!(
            r.judge(&p(&[("error", "access_denied"), ("state", &st)])),
            Err(Error::AccessDenied { .. })
        ));
        assert!(matches!(r.judge(&p(&[("state", &st)])), Err(Error::MissingCode { .. })));
        let e = r
            .judge(&p(&[("error", "invalid_scope"), ("error_description", "nope"), ("state", &st)]))
            .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
