//! Who is signed in, now: the profile (the OAuth server's `me`, or core's
//! `/wp/v2/users/me?context=edit`) and the site as it describes itself, for an account or right
//! after a sign-in.

use url::Url;

use super::{Connect, Me};
use crate::app_passwords;
use crate::discovery::Discovered;
use crate::error::{Error, Result};
use crate::oauth2::method_of;
use crate::oauth2::Endpoints;
use crate::profile::{self, Profile};
use crate::recommend::Method;
use crate::rest::{self, rest_route, TokenIn};
use crate::secret::AccessToken;
use crate::site::SiteInfo;
use crate::store::StoredAccount;

impl Connect {
    /// The profile right after sign-in. Returns whether the site strips the Authorization header
    /// (found when a token just issued is answered as anonymous with the header and accepted as a
    /// parameter); the parameter is only ever used over https or to this computer.
    pub(crate) async fn fetch_profile(
        &self,
        site: &Discovered,
        endpoints: &Endpoints,
        access: &AccessToken,
    ) -> Result<(Profile, bool)> {
        let method = method_of(endpoints);
        let me = endpoints.me.as_ref();
        match self.load_profile(method, &site.api_root, me, access, TokenIn::Header).await {
            Ok(v) => Ok((v.profile, false)),
            Err(e @ Error::TokenRejected { .. }) => {
                // A token in the address only over https or to this computer, whatever was chosen
                // about plain http: addresses end up in logs along the way.
                let url = me.cloned().unwrap_or_else(|| site.api_root.clone());
                if self.http.reach(&url).await == crate::http::Reach::Elsewhere {
                    return Err(strip_suspected(e));
                }
                match self
                    .load_profile(method, &site.api_root, me, access, TokenIn::Parameter)
                    .await
                {
                    Ok(v) => Ok((v.profile, true)),
                    Err(_) => Err(strip_suspected(e)),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Profile and site, fetched in parallel: the OAuth server's `me` (or WordPress.com's
    /// `/rest/v1.1/me`), core's `/wp/v2/users/me?context=edit` to enrich it, and the site's info.
    pub(crate) async fn load_profile(
        &self,
        method: Method,
        api_root: &Url,
        me: Option<&Url>,
        token: &AccessToken,
        how: TokenIn,
    ) -> Result<Me> {
        let how = &how;
        let wpcom = method == Method::WordpressCom;
        let main = async {
            match me {
                Some(u) => Some(rest::get_json(&self.http, u, token, how.clone()).await),
                None => None,
            }
        };
        let core = async {
            if wpcom {
                return None;
            }
            let mut rest_me = rest_route(api_root, "wp/v2/users/me");
            rest_me.query_pairs_mut().append_pair("context", "edit");
            Some(rest::get_json(&self.http, &rest_me, token, how.clone()).await)
        };
        // Core's answer has every field the profile shows; the OAuth server's `me` is asked only
        // when core's fails (or has no such route: WordPress.com). On WordPress `me` also sits
        // behind a canonical redirect (`/oauth/me` → `/oauth/me/`), one more round trip.
        let people = async {
            match core.await {
                Some(Ok(v)) => (None, Some(Ok(v))),
                other => (main.await, other),
            }
        };
        let site = self.site_info(wpcom, api_root, token, how.clone());
        let ((main, core), site) = tokio::join!(people, site);
        let from_main = |v: &serde_json::Value| {
            if wpcom {
                profile::from_wpcom_me(v)
            } else {
                profile::from_oauth_me(v)
            }
        };
        let profile = match (main, core) {
            (Some(Ok(m)), Some(Ok(c))) => from_main(&m).enrich(profile::from_rest_me(&c)),
            (Some(Ok(m)), _) => from_main(&m),
            (None, Some(Ok(c))) => profile::from_rest_me(&c),
            (Some(Err(e)), _) | (None, Some(Err(e))) => return Err(e),
            (None, None) => {
                return Err(Error::NoSignInMethod {
                    site: api_root.clone(),
                    wanted: "tells who is signed in".into(),
                })
            }
        };
        let (site, offered) = site.map_or((None, Vec::new()), |(s, o)| (Some(s), o));
        Ok(Me { profile, site, offered })
    }

    /// The site's information as it is now (`None` when it cannot be read; the profile matters
    /// more).
    pub(crate) async fn site_info(
        &self,
        wpcom: bool,
        api_root: &Url,
        token: &AccessToken,
        how: TokenIn,
    ) -> Option<(SiteInfo, Vec<Method>)> {
        if wpcom {
            let v = rest::get_json(&self.http, api_root, token, how).await.ok()?;
            let w = crate::discovery::wpcom::site_from_value(&v)?;
            return Some((crate::discovery::wpcom::site_info(&w), vec![Method::WordpressCom]));
        }
        let (_, body) =
            self.http.get_bytes(api_root.clone(), crate::http::limits::JSON).await.ok()?;
        let ix = crate::site::parse_index(&body, api_root).ok()?;
        let local = Url::parse(&ix.site.url).is_ok_and(|u| app_passwords::loopback_possible(&u));
        let offered = crate::recommend::recommend(&ix.methods, &ix.site, local).offered;
        Some((ix.site, offered))
    }

    /// The signed-in person's profile and their site, now. A rejected token is refreshed once
    /// and tried again; a rejected Application Password marks the account "sign in again".
    pub async fn me(&self, id: &str) -> Result<Me> {
        let me = self.me_now(id).await?;
        // Keep what lists show (names, pictures) as the site has them now.
        let account = self.account(id)?;
        let mut seen = account.clone();
        seen.display_name = me.profile.display_name.clone();
        seen.avatar_url = me.profile.avatar_url.clone().or(seen.avatar_url);
        if let Some(site) = &me.site {
            seen.site_name = site.name.clone();
            seen.site_icon_url = site.icon_url.clone().or(seen.site_icon_url);
        }
        if (&seen.display_name, &seen.avatar_url, &seen.site_name, &seen.site_icon_url)
            != (
                &account.display_name,
                &account.avatar_url,
                &account.site_name,
                &account.site_icon_url,
            )
        {
            self.save_account(seen)?;
        }
        Ok(me)
    }

    pub(crate) async fn me_now(&self, id: &str) -> Result<Me> {
        let account = self.account(id)?;
        let token = self.access_token(id).await?;
        if account.method == Method::Oauth1 {
            let how = self.oauth1_credentials(&account, &token).await?;
            return match self
                .load_profile(account.method, &account.api_root, None, &token, how)
                .await
            {
                // Clock, nonce or signature trouble is not a lost sign-in: say what it is.
                Err(Error::TokenRejected { url, status, code: Some(code), .. })
                    if code.starts_with("json_oauth1_") && code != "json_oauth1_invalid_token" =>
                {
                    Err(Error::OAuth1 {
                        endpoint: url,
                        status,
                        text: code,
                        callback: None,
                        skew_secs: None,
                    })
                }
                Err(Error::TokenRejected { .. }) => Err(self.mark_sign_in_again(
                    &account,
                    "the site no longer accepts its OAuth 1.0a token (revoked in wp-admin?)",
                )?),
                other => other,
            };
        }
        let acc = &account;
        let load = |token: AccessToken| async move {
            let me_url = acc.me_url.as_ref();
            self.load_profile(acc.method, &acc.api_root, me_url, &token, how_for(acc)).await
        };
        let refreshes = account.token_url.is_some() && account.method != Method::WordpressCom;
        match load(token.clone()).await {
            Err(Error::TokenRejected { .. }) if account.method == Method::ApplicationPasswords => {
                Err(self.mark_sign_in_again(
                    &account,
                    "WordPress no longer accepts its Application Password (it may have been \
                     revoked in the profile)",
                )?)
            }
            Err(Error::TokenRejected { .. }) if refreshes => {
                let seen = self.account(id)?.expires_at;
                let token = self.refresh_replacing(id, seen, Some(&token)).await?;
                load(token).await
            }
            other => other,
        }
    }
}

pub(crate) fn how_for(account: &StoredAccount) -> TokenIn {
    match account.method {
        Method::ApplicationPasswords => TokenIn::Basic(account.user_login.clone()),
        _ if account.strips_authorization => TokenIn::Parameter,
        _ => TokenIn::Header,
    }
}

fn strip_suspected(e: Error) -> Error {
    match e {
        Error::TokenRejected { url, status, code, .. } => {
            Error::TokenRejected { url, status, code, stripped_header_suspected: true }
        }
        e => e,
    }
}
