//! Signing in with an Application Password: approved in the browser (back through the loopback
//! for local sites, or the desktop app's `wpconnect:` link) and swapped at once for one made over
//! REST, or pasted by the person and checked before it is kept; deleted on the site when a
//! sign-in fails or the person signs out.

use std::sync::Arc;

use url::Url;

use crate::browser::{hand_to, Browser};
use crate::discovery::Discovered;
use crate::error::{Error, Result};
use crate::loopback::{Cancel, Loopback};
use crate::oauth2::unix_now;
use crate::recommend::Method;
use crate::rest::{self, rest_route, TokenIn};
use crate::secret::{AccessToken, Password};
use crate::session::{Connect, SignInOptions, SignedIn, ACCESS};
use crate::store::SecretStore;

impl Connect {
    /// Delete, on the site, the Application Password these credentials are.
    pub(crate) async fn delete_app_password_with(
        &self,
        api_root: &Url,
        token: &AccessToken,
        how: TokenIn,
    ) -> Result<()> {
        let introspect = rest_route(api_root, "wp/v2/users/me/application-passwords/introspect");
        let found = rest::get_json(&self.http, &introspect, token, how.clone()).await?;
        let uuid = uuid_in(&found, &introspect)?;
        let one = rest_route(api_root, &format!("wp/v2/users/me/application-passwords/{uuid}"));
        rest::send_json(&self.http, reqwest::Method::DELETE, &one, token, how).await.map(|_| ())
    }

    /// Sign in with an Application Password approved in the browser. WordPress only sends a
    /// plain-http loopback answer for local sites; elsewhere the desktop app's URL scheme is
    /// needed (or the paste path).
    pub async fn sign_in_app_password_browser(
        &self,
        site: &Discovered,
        device: &str,
        opts: SignInOptions,
        browser: &dyn Browser,
        cancel: &Cancel,
        waiting: impl FnOnce(&Url, &Url),
    ) -> Result<SignedIn> {
        let authorize = app_password_url(site)?;
        let site_url = site.site_url();
        self.may_send(site, &opts, &[&site.api_root], "an Application Password").await?;
        if !super::loopback_possible(&site_url) {
            return Err(Error::NoSignInMethod {
                site: site_url,
                wanted: "can send an Application Password back to this program (only local sites \
                         can; use the desktop app, or create one in your profile and paste it)"
                    .into(),
            });
        }
        let store = self.store(opts.storage)?;
        let loopback = Loopback::bind(&[]).await?;
        let back = super::Return::Loopback(loopback.redirect_uri().clone());
        let request = approval_request(&authorize, site, device, &back);
        waiting(&request.url, loopback.redirect_uri());
        hand_to(browser, &request.url);
        let approved = loopback.wait(opts.timeout, cancel, |params| request.judge(params)).await?;
        self.finish_approved(site, approved, store, opts).await
    }

    /// Sign in with an Application Password approved in the browser, the answer coming back
    /// through the desktop app's URL scheme (any site, https included): the operating system opens
    /// `wpconnect://auth/callback?...`, the app hands it to `inbox`.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_in_app_password_scheme(
        &self,
        site: &Discovered,
        device: &str,
        opts: SignInOptions,
        browser: &dyn Browser,
        cancel: &Cancel,
        inbox: &super::CallbackInbox,
        waiting: impl FnOnce(&Url),
    ) -> Result<SignedIn> {
        let authorize = app_password_url(site)?;
        self.may_send(site, &opts, &[&site.api_root], "an Application Password").await?;
        let store = self.store(opts.storage)?;
        let back = super::Return::Scheme(Url::parse(super::SCHEME_CALLBACK).expect("constant URL"));
        let request = approval_request(&authorize, site, device, &back);
        let answer = inbox.expect(&request.nonce);
        waiting(&request.url);
        hand_to(browser, &request.url);
        let params = tokio::select! {
            got = answer => got.map_err(|_| Error::Cancelled),
            _ = tokio::time::sleep(opts.timeout) => {
                Err(Error::CallbackTimeout { after: opts.timeout })
            }
            _ = cancel.cancelled() => Err(Error::Cancelled),
        };
        inbox.forget(&request.nonce);
        let approved = request.judge(&params?)?;
        self.finish_approved(site, approved, store, opts).await
    }

    /// A password approved in the browser for this sign-in (it arrived in a URL).
    async fn finish_approved(
        &self,
        site: &Discovered,
        approved: super::Approved,
        store: Arc<dyn SecretStore>,
        opts: SignInOptions,
    ) -> Result<SignedIn> {
        let name = approved.app_name;
        self.finish_app_password(
            site,
            &approved.user_login,
            approved.password,
            store,
            opts,
            Some(&name),
        )
        .await
    }

    /// Sign in with an Application Password the person created and pasted (spaces allowed),
    /// checked against the site before it is kept.
    pub async fn sign_in_app_password_paste(
        &self,
        site: &Discovered,
        username: &str,
        password: Password,
        opts: SignInOptions,
    ) -> Result<SignedIn> {
        let url = rest_route(&site.api_root, "wp/v2/users/me");
        self.may_send(site, &opts, &[&url], "an Application Password").await?;
        let store = self.store(opts.storage)?;
        let token = AccessToken::new(password.expose().split_whitespace().collect::<String>());
        drop(password);
        self.finish_app_password(site, username, token, store, opts, None).await
    }

    /// `approved_as`: the password was approved in the browser for this sign-in under this name and
    /// arrived in a URL; it is exchanged for a fresh one before anything else, and a failure
    /// deletes the fresh one on the site. A pasted password is the person's own and is left alone.
    pub(crate) async fn finish_app_password(
        &self,
        site: &Discovered,
        username: &str,
        password: AccessToken,
        store: Arc<dyn SecretStore>,
        opts: SignInOptions,
        approved_as: Option<&str>,
    ) -> Result<SignedIn> {
        let created_here = approved_as.is_some();
        let password = match approved_as {
            Some(name) => {
                self.exchange_app_password(&site.api_root, username, password, name).await?
            }
            None => password,
        };
        let me = match self
            .load_profile(
                Method::ApplicationPasswords,
                &site.api_root,
                None,
                &password,
                TokenIn::Basic(username.to_string()),
            )
            .await
        {
            Ok(me) => me,
            Err(Error::TokenRejected { .. }) if !created_here => {
                return Err(Error::WrongAppPassword)
            }
            Err(e) => {
                if created_here {
                    self.delete_app_password_quietly(&site.api_root, &password, username).await;
                }
                return Err(e);
            }
        };
        let profile = me.profile;
        let kept =
            match self.new_account(site, Method::ApplicationPasswords, username, &profile, opts) {
                Ok(account) => {
                    self.keep(
                        store,
                        account,
                        &[(ACCESS, Some(password.expose()))],
                        profile,
                        Vec::new(),
                    )
                    .await
                }
                Err(e) => Err(e),
            };
        if kept.is_err() && created_here {
            // Made for this sign-in, which failed: take it back on the site.
            self.delete_app_password_quietly(&site.api_root, &password, username).await;
        }
        kept
    }

    /// Swap an Application Password that arrived in a URL (browser history, a command line) for
    /// one that never left this program: create a new one over REST with it, then delete it with
    /// the new one (which proves the new one works). Whatever fails, neither is left live.
    pub(crate) async fn exchange_app_password(
        &self,
        api_root: &Url,
        username: &str,
        received: AccessToken,
        approved_as: &str,
    ) -> Result<AccessToken> {
        let basic = || TokenIn::Basic(username.to_string());
        let introspect = rest_route(api_root, "wp/v2/users/me/application-passwords/introspect");
        let received_uuid = match rest::get_json(&self.http, &introspect, &received, basic()).await
        {
            Ok(found) => uuid_in(&found, &introspect)?,
            // WordPress itself just issued it: a refusal means the host strips the
            // Authorization header or the site blocks Application Passwords over REST.
            Err(Error::TokenRejected { .. }) => return Err(Error::WrongAppPassword),
            Err(e) => return Err(e),
        };
        let all = rest_route(api_root, "wp/v2/users/me/application-passwords");
        let name = super::successor_name(approved_as);
        let body = serde_json::json!({ "name": name, "app_id": super::APP_ID });
        let created = rest::send_json_body(
            &self.http,
            reqwest::Method::POST,
            &all,
            &received,
            basic(),
            &body,
        )
        .await;
        let created = created.map_err(|e| match e {
            Error::TokenRejected { status, code, .. } => {
                Error::AppPasswordNotExchanged { status, code }
            }
            Error::ServerError { status, .. } => {
                Error::AppPasswordNotExchanged { status, code: None }
            }
            other => other,
        });
        let fresh = created.and_then(|v| {
            let password =
                v.get("password").and_then(|p| p.as_str()).filter(|p| !p.is_empty()).ok_or_else(
                    || Error::InvalidJson {
                        url: all.clone(),
                        status: 201,
                        detail: "no password in the answer".into(),
                        snippet: String::new(),
                    },
                )?;
            Ok((
                AccessToken::new(password.split_whitespace().collect::<String>()),
                uuid_in(&v, &all)?,
            ))
        });
        let (fresh, fresh_uuid) = match fresh {
            Ok(f) => f,
            Err(e) => {
                self.delete_app_password_quietly(api_root, &received, username).await;
                return Err(e);
            }
        };
        let one =
            rest_route(api_root, &format!("wp/v2/users/me/application-passwords/{received_uuid}"));
        if let Err(e) =
            rest::send_json(&self.http, reqwest::Method::DELETE, &one, &fresh, basic()).await
        {
            let mine =
                rest_route(api_root, &format!("wp/v2/users/me/application-passwords/{fresh_uuid}"));
            if let Err(e) =
                rest::send_json(&self.http, reqwest::Method::DELETE, &mine, &received, basic())
                    .await
            {
                tracing::warn!(error = %e, "the new Application Password could not be deleted \
                                            after a failed exchange");
            }
            self.delete_app_password_quietly(api_root, &received, username).await;
            return Err(e);
        }
        Ok(fresh)
    }

    /// Delete a password this sign-in made, on the way out of a failure (the failure is what the
    /// person hears about; this one is logged).
    pub(crate) async fn delete_app_password_quietly(
        &self,
        api_root: &Url,
        password: &AccessToken,
        username: &str,
    ) {
        if let Err(e) = self
            .delete_app_password_with(api_root, password, TokenIn::Basic(username.to_string()))
            .await
        {
            tracing::warn!(error = %e, "an Application Password made for a failed sign-in could \
                                        not be deleted");
        }
    }
}

/// The approval page's address for this sign-in: back to `back`, named for `device` and now, the
/// answer to name the origin discovery verified.
fn approval_request(
    authorize: &Url,
    site: &Discovered,
    device: &str,
    back: &super::Return,
) -> super::ApprovalRequest {
    let name = super::app_name(device, unix_now());
    super::ApprovalRequest::new(authorize, &site.answered_at, &name, back)
}

fn app_password_url(site: &Discovered) -> Result<Url> {
    site.methods
        .application_passwords
        .as_ref()
        .and_then(|a| a.authorization_url.clone())
        .ok_or_else(|| Error::NoSignInMethod {
            site: site.site_url(),
            wanted:
                "uses Application Passwords (WordPress offers them only over https or on local \
                 sites, and a plugin may switch them off)"
                    .into(),
        })
}

/// The `uuid` of an Application Password in a REST answer (checked: it goes into a path).
fn uuid_in(v: &serde_json::Value, url: &Url) -> Result<String> {
    v.get("uuid")
        .and_then(|u| u.as_str())
        .filter(|u| !u.is_empty() && u.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
        .map(str::to_string)
        .ok_or_else(|| Error::InvalidJson {
            url: url.clone(),
            status: 200,
            detail: "no application password uuid in the answer".into(),
            snippet: String::new(),
        })
}
