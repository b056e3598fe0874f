//! Signing in with OAuth 2: the authorization code with PKCE through the person's browser and a
//! loopback redirect (WP OAuth Server, WordPress.com), and the password grant as the labelled
//! fallback. Tokens issued to a sign-in that then fails are revoked before the error is shown.

use std::sync::Arc;

use url::Url;

use super::token;
use super::{AuthorizeRequest, ClientAuth, Endpoints, ErrorCode, Tokens};
use crate::browser::{hand_to, Browser};
use crate::discovery::Discovered;
use crate::error::{Error, Result};
use crate::loopback::{Cancel, Loopback};
use crate::recommend::Method;
use crate::secret::Password;
use crate::session::{
    revoke_tokens, Connect, OAuth2Client, SignInOptions, SignedIn, ACCESS, CLIENT_SECRET, REFRESH,
};
use crate::site::OAuth2Server;
use crate::store::{SecretStore, StoredAccount};

impl Connect {
    /// Sign in through the person's browser: authorization code with PKCE and a loopback redirect.
    /// `waiting` is told the address opened (to show it, and for `--no-browser`) and the redirect
    /// URI in use, before the wait starts.
    pub async fn sign_in_browser(
        &self,
        site: &Discovered,
        client: OAuth2Client,
        opts: SignInOptions,
        browser: &dyn Browser,
        cancel: &Cancel,
        waiting: impl FnOnce(&Url, &Url),
    ) -> Result<SignedIn> {
        let endpoints = oauth2_endpoints(site)?;
        self.may_send(site, &opts, &[&endpoints.authorize, &endpoints.token], "a sign-in code")
            .await?;
        let store = self.store(opts.storage)?;
        let loopback = Loopback::bind(&client.redirect_ports).await?;
        let blog = site.wordpress_com.as_ref().map(|w| w.id.to_string());
        let extra: Vec<(&str, &str)> = match (&blog, endpoints.server) {
            (Some(b), OAuth2Server::WordpressCom) => vec![("blog", b.as_str())],
            _ => Vec::new(),
        };
        let request = AuthorizeRequest::new(
            &endpoints,
            &client.client_id,
            loopback.redirect_uri(),
            client.scope.as_deref(),
            &extra,
        );
        waiting(&request.url, &request.redirect_uri);
        hand_to(browser, &request.url);
        let code = loopback.wait(opts.timeout, cancel, |params| request.judge(params)).await?;
        let auth = endpoints.client_auth(&client.client_id, client.client_secret.clone());
        let referer = site.site_url();
        let g = token::Grant::Code {
            code: &code,
            redirect_uri: &request.redirect_uri,
            verifier: request.pkce.verifier.expose(),
        };
        let tokens = token::grant(&self.http, &endpoints.token, &auth, g, &referer)
            .await
            .map_err(|e| with_context(e, "authorization_code", Some(&request.redirect_uri)))?;
        let method = method_of(&endpoints);
        let issued = tokens.clone();
        let result = self
            .finish(
                site,
                &endpoints,
                client,
                method,
                tokens,
                Some(request.redirect_uri.clone()),
                store,
                opts,
                Vec::new(),
            )
            .await;
        self.undo_on_error(result, &endpoints, &auth, &issued, &referer).await
    }

    /// A sign-in that failed after the site issued tokens (the profile could not be read, the
    /// keyring refused them): revoke them on the site before the error is shown, so no live token
    /// is left that nobody holds. Where the site offers no revocation, the log says so.
    pub(crate) async fn undo_on_error(
        &self,
        result: Result<SignedIn>,
        endpoints: &Endpoints,
        auth: &ClientAuth,
        issued: &Tokens,
        referer: &Url,
    ) -> Result<SignedIn> {
        let error = match result {
            Ok(done) => return Ok(done),
            Err(e) => e,
        };
        match &endpoints.revoke {
            Some(url) => {
                let pair = [
                    (issued.refresh.as_ref().map(|r| r.expose()), "refresh_token"),
                    (Some(issued.access.expose()), "access_token"),
                ];
                for outcome in revoke_tokens(&self.http, url, auth, &pair, referer).await {
                    if let Err(e) = outcome {
                        tracing::warn!(error = %e, "a token issued to the failed sign-in could not \
                                                    be revoked");
                    }
                }
            }
            None => tracing::warn!(
                "the sign-in failed after tokens were issued and this site \
                 offers no revocation: they stay valid until they expire"
            ),
        }
        Err(error)
    }

    /// The password grant ("user credentials"): a fallback for when the browser flow cannot work.
    /// Only over https or to a local site; the password is used for this one request and dropped.
    pub async fn sign_in_password(
        &self,
        site: &Discovered,
        client: OAuth2Client,
        username: &str,
        password: Password,
        opts: SignInOptions,
    ) -> Result<SignedIn> {
        let endpoints = oauth2_endpoints(site)?;
        self.may_send(site, &opts, &[&endpoints.token], "your password").await?;
        let store = self.store(opts.storage)?;
        let auth = endpoints.client_auth(&client.client_id, client.client_secret.clone());
        let g = token::Grant::Password {
            username,
            password: password.expose(),
            scope: client.scope.as_deref(),
        };
        let result = token::grant(&self.http, &endpoints.token, &auth, g, &site.site_url()).await;
        drop(password);
        let tokens = result.map_err(|e| match e {
            Error::OAuth { code: ErrorCode::InvalidGrant, .. } => Error::WrongPassword,
            e => with_context(e, "password", None),
        })?;
        let notes = vec![
            "Signed in with the password grant, a fallback: your password went to the site once \
             and was not kept. Signing in through the browser is safer where the site allows \
             it."
            .to_string(),
        ];
        let issued = tokens.clone();
        let result = self
            .finish(
                site,
                &endpoints,
                client,
                method_of(&endpoints),
                tokens,
                None,
                store,
                opts,
                notes,
            )
            .await;
        self.undo_on_error(result, &endpoints, &auth, &issued, &site.site_url()).await
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn finish(
        &self,
        site: &Discovered,
        endpoints: &Endpoints,
        client: OAuth2Client,
        method: Method,
        tokens: Tokens,
        redirect_uri: Option<Url>,
        store: Arc<dyn SecretStore>,
        opts: SignInOptions,
        mut notes: Vec<String>,
    ) -> Result<SignedIn> {
        let (profile, strips) = self.fetch_profile(site, endpoints, &tokens.access).await?;
        let account = StoredAccount {
            client_id: Some(client.client_id.clone()),
            has_client_secret: client.client_secret.is_some(),
            scope: tokens.scope.clone(),
            expires_at: tokens.expires_at,
            token_url: Some(endpoints.token.clone()),
            revoke_url: endpoints.revoke.clone(),
            me_url: endpoints.me.clone(),
            redirect_uri,
            strips_authorization: strips,
            ..self.new_account(site, method, &profile.username, &profile, opts)?
        };
        if strips {
            notes.push(
                "This site's hosting removes the Authorization header, so the token is sent \
                 as a parameter (over https or to this computer only). The site's admin can fix \
                 this: Check configuration in the app, or `wpconnect doctor`, shows how."
                    .into(),
            );
        }
        let secrets = [
            (ACCESS, Some(tokens.access.expose())),
            (REFRESH, tokens.refresh.as_ref().map(|r| r.expose())),
            (CLIENT_SECRET, client.client_secret.as_ref().map(|c| c.expose())),
        ];
        self.keep(store, account, &secrets, profile, notes).await
    }
}

pub(crate) fn method_of(endpoints: &Endpoints) -> Method {
    if endpoints.server == OAuth2Server::WordpressCom {
        Method::WordpressCom
    } else {
        Method::Oauth2
    }
}

pub(crate) fn oauth2_endpoints(site: &Discovered) -> Result<Endpoints> {
    site.methods.oauth2.as_ref().map(Endpoints::from_site).ok_or_else(|| Error::NoSignInMethod {
        site: site.site_url(),
        wanted: "uses OAuth 2 (no OAuth server plugin was found)".into(),
    })
}

pub(crate) fn with_context(e: Error, grant: &str, redirect: Option<&Url>) -> Error {
    match e {
        Error::OAuth { endpoint, status: 503, code: ErrorCode::Unnamed, .. } => {
            Error::OAuthServerDisabled { endpoint }
        }
        Error::OAuth { endpoint, status, code, description, .. } => Error::OAuth {
            endpoint,
            status,
            code,
            description,
            grant: Some(grant.into()),
            redirect_uri: redirect.cloned(),
        },
        e => e,
    }
}
