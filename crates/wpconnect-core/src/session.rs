//! Accounts: signing in, keeping tokens fresh, signing out. The one place that ties the OAuth
//! flows, the token store and the accounts file together; the CLI and the desktop app use only
//! this.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::app_passwords;
use crate::browser::Browser;
use crate::discovery::Discovered;
use crate::error::{Error, Result};
use crate::http::{Http, HttpOptions};
use crate::loopback::{Cancel, Loopback};
use crate::oauth2::token::{self, REFRESH_MARGIN};
use crate::oauth2::{unix_now, AuthorizeRequest, ClientAuth, Endpoints, Tokens};
use crate::profile::{self, Profile};
use crate::rest::{self, rest_route, TokenIn};
use crate::recommend::Method;
use crate::secret::{AccessToken, ClientSecret, Password, RefreshToken};
use crate::site::{OAuth2Server, SiteInfo};
use crate::store::{
    secret_key, AccountStatus, AccountsFile, MemoryStore, SecretStore, Storage, StoredAccount,
};

const ACCESS: &str = "access-token";
const REFRESH: &str = "refresh-token";
const CLIENT_SECRET: &str = "client-secret";
/// OAuth 1.0a's token secret (the token itself is kept under ACCESS).
const TOKEN_SECRET: &str = "token-secret";

/// The OAuth 2 client a person signs in with.
#[derive(Debug, Clone)]
pub struct OAuth2Client {
    pub client_id: String,
    /// `None` for a public client.
    pub client_secret: Option<ClientSecret>,
    /// Ports the client has registered (`http://127.0.0.1:<port>/callback`); empty: any port.
    pub redirect_ports: Vec<u16>,
    pub scope: Option<String>,
}

/// What a sign-in produced, for the person to see.
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub account: StoredAccount,
    pub profile: Profile,
    /// Where the secrets were put, in words.
    pub stored_in: String,
    /// Said when the method is a fallback, or something else deserves a word.
    pub notes: Vec<String>,
}

/// Who is signed in, and to what.
#[derive(Debug, Clone, Serialize)]
pub struct Me {
    pub profile: Profile,
    /// The site as it describes itself now (`None` when it could not be read).
    pub site: Option<SiteInfo>,
    /// The sign-in methods the site offers now, best first (empty when it could not be read).
    pub offered: Vec<Method>,
}

/// What signing out did.
#[derive(Debug, Clone, Serialize)]
pub struct SignedOut {
    pub account: String,
    /// The server revoked the tokens.
    pub revoked: bool,
    /// Why not, when not.
    pub revoke_problem: Option<String>,
}

/// The facade: accounts, sign-in, fresh tokens, sign-out.
pub struct Connect {
    http: Http,
    accounts: AccountsFile,
    keyring: Result<Arc<dyn SecretStore>>,
    session: Arc<MemoryStore>,
    session_accounts: Mutex<Vec<StoredAccount>>,
    refresh_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// What sign-in needs to know beyond the method's own inputs.
#[derive(Debug, Clone, Copy)]
pub struct SignInOptions {
    pub storage: Storage,
    /// How long to wait for the browser.
    pub timeout: Duration,
    /// The person chose to send their sign-in over plain http to a site that is not on this
    /// computer (anyone on the network between can read it). Off, such a sign-in is refused
    /// with [`Error::InsecureConnection`] before anything is sent; on, it is recorded with the
    /// account, and the account's later requests may use plain http to that site too.
    pub allow_plain_http: bool,
}

impl Default for SignInOptions {
    fn default() -> Self {
        SignInOptions {
            storage: Storage::Keyring,
            timeout: crate::loopback::DEFAULT_TIMEOUT,
            allow_plain_http: false,
        }
    }
}

impl Connect {
    /// `keyring` is the OS keyring, or the error met opening it (reported only when a keyring
    /// is actually needed, so session-only sign-ins still work without one).
    pub fn new(
        http: HttpOptions,
        accounts: AccountsFile,
        keyring: Result<Arc<dyn SecretStore>>,
    ) -> Connect {
        Connect {
            http: Http::new(http),
            accounts,
            keyring,
            session: Arc::new(MemoryStore::new()),
            session_accounts: Mutex::new(Vec::new()),
            refresh_locks: Mutex::new(HashMap::new()),
        }
    }

    fn store(&self, storage: Storage) -> Result<Arc<dyn SecretStore>> {
        match storage {
            Storage::Session => Ok(self.session.clone()),
            Storage::Keyring => {
                let k = self.keyring.clone()?;
                k.ready()?;
                Ok(k)
            }
        }
    }

    /// Every account: those in the accounts file, then this session's.
    pub fn accounts(&self) -> Result<Vec<StoredAccount>> {
        let mut all = self.accounts.load()?;
        all.extend(self.session_accounts.lock().expect("not poisoned").iter().cloned());
        for a in all.iter().filter(|a| a.plain_http) {
            self.http.allow_plain_http(&a.api_root);
        }
        Ok(all)
    }

    /// Before a sign-in sends anything: the person's choice about plain http is taken into
    /// account, and each of `urls` must be fit to carry `what` (see
    /// [`Http::check_credentials_to`]); otherwise [`Error::InsecureConnection`], with nothing sent.
    async fn may_send(
        &self,
        site: &Discovered,
        opts: &SignInOptions,
        urls: &[&Url],
        what: &'static str,
    ) -> Result<()> {
        if opts.allow_plain_http && site.plain_http_elsewhere() {
            tracing::warn!(site = %site.api_root, "signing in over plain http, as the person chose");
            self.http.allow_plain_http(&site.api_root);
        }
        for url in urls {
            self.http.check_credentials_to(url, what).await?;
        }
        Ok(())
    }

    pub fn account(&self, id: &str) -> Result<StoredAccount> {
        self.accounts()?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::NoSuchAccount { id: id.into() })
    }

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
        hand_to_browser(browser, &request.url);
        let code = loopback.wait(opts.timeout, cancel, |params| request.judge(params)).await?;
        let auth = endpoints.client_auth(&client.client_id, client.client_secret.clone());
        let referer = site_url(site);
        let tokens = token::grant(
            &self.http,
            &endpoints.token,
            &auth,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", request.redirect_uri.as_str()),
                ("code_verifier", request.pkce.verifier.expose()),
            ],
            &referer,
        )
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
    async fn undo_on_error(
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
                let pair = [(issued.refresh.as_ref().map(|r| r.expose()), "refresh_token"), (Some(issued.access.expose()), "access_token")];
                for outcome in revoke_tokens(&self.http, url, auth, &pair, referer).await {
                    if let Err(e) = outcome {
                        tracing::warn!(error = %e, "a token issued to the failed sign-in could not be revoked");
                    }
                }
            }
            None => tracing::warn!("the sign-in failed after tokens were issued and this site offers no revocation: they stay valid until they expire"),
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
        let mut form = vec![
            ("grant_type", "password"),
            ("username", username),
            ("password", password.expose()),
        ];
        if let Some(s) = client.scope.as_deref().filter(|s| !s.is_empty()) {
            form.push(("scope", s));
        }
        let result =
            token::grant(&self.http, &endpoints.token, &auth, &form, &site_url(site)).await;
        drop(form);
        drop(password);
        let tokens = result.map_err(|e| match e {
            Error::OAuth { ref code, .. } if code == "invalid_grant" => Error::WrongPassword,
            e => with_context(e, "password", None),
        })?;
        let notes = vec![
            "Signed in with the password grant, a fallback: your password went to the site once and was not kept. Signing in through the browser is safer where the site allows it.".to_string(),
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
        self.undo_on_error(result, &endpoints, &auth, &issued, &site_url(site)).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
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
            notes.push("This site's hosting removes the Authorization header, so the token is sent as a parameter (over https or to this computer only). The site's admin can fix this; see `wpconnect doctor`.".into());
        }
        let secrets = [
            (ACCESS, Some(tokens.access.expose())),
            (REFRESH, tokens.refresh.as_ref().map(|r| r.expose())),
            (CLIENT_SECRET, client.client_secret.as_ref().map(|c| c.expose())),
        ];
        self.keep(store, account, &secrets, profile, notes).await
    }

    /// A new account record for `user_login` on `site` (the same id again when this person
    /// signs in again with the same method: the new sign-in replaces the old). "The same" is
    /// judged by where the site answered (the origin discovery verified) and the user, never by
    /// the address a site claims: another site claiming this one's address gets its own account.
    fn new_account(
        &self,
        site: &Discovered,
        method: Method,
        user_login: &str,
        profile: &Profile,
        opts: SignInOptions,
    ) -> Result<StoredAccount> {
        let existing = self.accounts()?;
        let site_url = site_url(site);
        let id = existing
            .iter()
            .find(|a| {
                crate::http::same_origin(&a.api_root, &site.api_root)
                    && a.user_login == user_login
                    && a.method == method
                    && (a.user_id.is_none()
                        || profile.user_id.is_none()
                        || a.user_id == profile.user_id)
            })
            .map(|a| a.id.clone())
            .unwrap_or_else(|| crate::store::account_id(user_login, &site_url, &existing));
        Ok(StoredAccount {
            plain_http: opts.allow_plain_http && site.plain_http_elsewhere(),
            user_id: profile.user_id.clone(),
            avatar_url: profile.avatar_url.clone(),
            site_icon_url: site.site.icon_url.clone(),
            ..StoredAccount::new(
                id,
                method,
                site_url,
                site.site.name.clone(),
                site.api_root.clone(),
                user_login.to_string(),
                profile.display_name.clone(),
                opts.storage,
            )
        })
    }

    /// Put the secrets in the store (a `None` deletes what an earlier sign-in left), then write the
    /// account: an account is only recorded once its secrets are safe.
    async fn keep(
        &self,
        store: Arc<dyn SecretStore>,
        account: StoredAccount,
        secrets: &[(&str, Option<&str>)],
        profile: Profile,
        notes: Vec<String>,
    ) -> Result<SignedIn> {
        // Signing in again to the same account replaces its credentials: end the old ones on the
        // site once the new ones are safe (read before they are overwritten).
        let session = self.session_accounts.lock().expect("not poisoned").clone();
        let old = self.accounts()?.into_iter().chain(session).find(|a| a.id == account.id);
        let replaced = match old {
            Some(old) => Some((self.held_secrets(&old).await, old)),
            None => None,
        };
        let items: Vec<(String, Option<String>)> = secrets
            .iter()
            .map(|(what, v)| (secret_key(&account.id, what), v.map(str::to_string)))
            .collect();
        let st = store.clone();
        blocking(move || {
            items.iter().try_for_each(|(k, v)| match v {
                Some(v) => st.set(k, v),
                None => st.delete(k),
            })
        })
        .await?;
        self.save_account(account.clone())?;
        let mut notes = notes;
        if let Some((mut held, old)) = replaced {
            // Whatever the new sign-in still uses is not the old one's to end.
            let new_values: Vec<&str> = secrets.iter().filter_map(|(_, v)| *v).collect();
            for t in [&mut held.access, &mut held.refresh] {
                if t.as_deref().is_some_and(|v| new_values.contains(&v)) {
                    *t = None;
                }
            }
            if held.access.is_some() || held.refresh.is_some() {
                if let (false, Some(problem)) = self.end_on_site(&old, held).await {
                    notes.push(format!("The earlier sign-in of this account could not be ended on the site: {problem}"));
                }
            }
        }
        Ok(SignedIn { account, profile, stored_in: store.describe(), notes })
    }

    /// What the store holds for an account (missing pieces, or a store that cannot be read, are
    /// `None`: there is then nothing to end).
    async fn held_secrets(&self, account: &StoredAccount) -> Held {
        Held {
            access: self.secret(account, ACCESS).await.ok().flatten(),
            refresh: self.secret(account, REFRESH).await.ok().flatten(),
            client_secret: if account.has_client_secret {
                self.secret(account, CLIENT_SECRET).await.ok().flatten()
            } else {
                None
            },
        }
    }

    /// End these credentials of `account` on the site where it can: revoke OAuth2 tokens, delete
    /// the Application Password. Returns whether that happened and, if not, what the person
    /// should know.
    async fn end_on_site(&self, account: &StoredAccount, held: Held) -> (bool, Option<String>) {
        match &account.revoke_url {
            None if account.method == Method::ApplicationPasswords => {
                let Some(password) = held.access.map(AccessToken::new) else {
                    return (false, Some("its Application Password is missing from the keyring; delete \"WP Connect\" under Users > Profile > Application Passwords.".into()));
                };
                match self.delete_app_password_with(&account.api_root, &password, how_for(account)).await {
                    Ok(()) => (true, None),
                    Err(e) => (false, Some(format!("{e} The Application Password could not be deleted on the site; delete \"WP Connect\" under Users > Profile > Application Passwords."))),
                }
            }
            Some(url) => {
                let auth = account_client_auth(account, held.client_secret.map(ClientSecret::new));
                let pair = [(held.refresh.as_deref(), "refresh_token"), (held.access.as_deref(), "access_token")];
                let outcomes = revoke_tokens(&self.http, url, &auth, &pair, &account.site_url).await;
                let revoked = !outcomes.is_empty() && outcomes.iter().all(|o| o.is_ok());
                let problem = outcomes.into_iter().find_map(|o| o.err()).map(|e| {
                    format!("{e} The tokens could not be revoked on the site; they stop working when they expire, or the site's admin can revoke them.")
                });
                (revoked, problem)
            }
            None if account.method == Method::Oauth1 => (
                false,
                Some(format!(
                    "OAuth 1.0a tokens never expire and the plugin offers no way to revoke them from an app: revoke WP Connect in wp-admin at {}wp-admin/profile.php (Authorized Applications).",
                    account.site_url
                )),
            ),
            None if account.method == Method::WordpressCom => (
                false,
                Some("WordPress.com offers no way for apps to revoke their token: remove WP Connect at https://wordpress.com/me/security/connected-applications to revoke it.".to_string()),
            ),
            None => (
                false,
                Some("This site offers no way to revoke tokens; they stop working when they expire, or the site's admin can revoke them.".to_string()),
            ),
        }
    }

    fn save_account(&self, account: StoredAccount) -> Result<()> {
        match account.storage {
            Storage::Keyring => self.accounts.update(|all| replace_or_add(all, account)),
            Storage::Session => {
                replace_or_add(&mut self.session_accounts.lock().expect("not poisoned"), account);
                Ok(())
            }
        }
    }

    /// The profile right after sign-in. Returns whether the site strips the Authorization header
    /// (found when a token just issued is answered as anonymous with the header and accepted as a
    /// parameter); the parameter is only ever used over https or to this computer.
    async fn fetch_profile(
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
    async fn load_profile(
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

    /// The site's information as it is now (`None` when it cannot be read; the profile matters more).
    async fn site_info(
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

    /// A valid access token for the account: refreshed first when it expires within the margin.
    pub async fn access_token(&self, id: &str) -> Result<AccessToken> {
        let account = self.account(id)?;
        if let AccountStatus::SignInAgain { reason } = &account.status {
            return Err(Error::SignInAgain { account: id.into(), reason: reason.clone() });
        }
        let due = account.expires_at.is_some_and(|e| e <= unix_now() + REFRESH_MARGIN.as_secs());
        if due {
            return self.refresh(id, account.expires_at).await;
        }
        self.secret(&account, ACCESS).await?.map(AccessToken::new).ok_or_else(|| {
            Error::SignInAgain {
                account: id.into(),
                reason: "its access token is missing from the keyring".into(),
            }
        })
    }

    async fn secret(&self, account: &StoredAccount, what: &str) -> Result<Option<String>> {
        use secrecy::ExposeSecret;
        let store = self.store(account.storage)?;
        let key = secret_key(&account.id, what);
        let got = blocking(move || store.get(&key)).await?;
        Ok(got.map(|s| s.expose_secret().to_string()))
    }

    /// Refresh the account's tokens, once for all concurrent callers: whoever comes second waits
    /// for the first and uses its result. `seen_expiry` is the expiry the caller saw; if it has
    /// changed by the time the lock is held, someone else refreshed already.
    pub async fn refresh(&self, id: &str, seen_expiry: Option<u64>) -> Result<AccessToken> {
        self.refresh_replacing(id, seen_expiry, None).await
    }

    /// [`refresh`](Self::refresh), when the site just refused `rejected`: someone else's fresh
    /// token is used only if it is another one.
    async fn refresh_replacing(
        &self,
        id: &str,
        seen_expiry: Option<u64>,
        rejected: Option<&AccessToken>,
    ) -> Result<AccessToken> {
        let lock = self
            .refresh_locks
            .lock()
            .expect("not poisoned")
            .entry(id.to_string())
            .or_default()
            .clone();
        let _guard = lock.lock().await;
        // Other processes (the CLI and the app) refresh under the same lock, then this one reads
        // the account again: if its expiry moved, someone else refreshed.
        let _across_processes = match self.account(id)?.storage {
            Storage::Keyring => {
                let file = self.accounts.clone();
                Some(blocking(move || file.refresh_lock()).await?)
            }
            Storage::Session => None,
        };
        let account = self.account(id)?;
        if let AccountStatus::SignInAgain { reason } = &account.status {
            return Err(Error::SignInAgain { account: id.into(), reason: reason.clone() });
        }
        if account.expires_at != seen_expiry
            || account.last_refresh.is_some_and(|t| t + 2 > unix_now())
        {
            if let Some(t) = self
                .secret(&account, ACCESS)
                .await?
                .filter(|t| rejected.is_none_or(|r| r.expose() != t))
            {
                return Ok(AccessToken::new(t));
            }
        }
        let Some(refresh) = self.secret(&account, REFRESH).await?.map(RefreshToken::new) else {
            // Nothing to refresh with: fine while the access token lasts (WordPress.com's never expire).
            if account.expires_at.is_none_or(|e| e > unix_now()) {
                if let Some(t) = self.secret(&account, ACCESS).await? {
                    return Ok(AccessToken::new(t));
                }
            }
            return Err(self.mark_sign_in_again(
                &account,
                "the site gave no refresh token and the access token expired",
            )?);
        };
        let client_secret = if account.has_client_secret {
            self.secret(&account, CLIENT_SECRET).await?.map(ClientSecret::new)
        } else {
            None
        };
        let auth = account_client_auth(&account, client_secret);
        let token_url = account.token_url.clone().ok_or_else(|| Error::SignInAgain {
            account: id.into(),
            reason: "the account has no token endpoint recorded".into(),
        })?;
        let result = token::grant(
            &self.http,
            &token_url,
            &auth,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh.expose())],
            &account.site_url,
        )
        .await;
        let tokens = match result {
            Ok(t) => t,
            Err(Error::OAuth { code, description, .. })
                if code == "invalid_grant" || code == "invalid_client" =>
            {
                let reason = format!(
                    "the site refused to refresh the sign-in ({code}{})",
                    description.map(|d| format!(": {d}")).unwrap_or_default()
                );
                return Err(self.mark_sign_in_again(&account, &reason)?);
            }
            Err(e) => return Err(e),
        };
        let store = self.store(account.storage)?;
        let (id_owned, access, new_refresh) = (
            id.to_string(),
            tokens.access.expose().to_string(),
            tokens.refresh.as_ref().map(|r| r.expose().to_string()),
        );
        blocking(move || {
            store.set(&secret_key(&id_owned, ACCESS), &access)?;
            if let Some(r) = new_refresh {
                store.set(&secret_key(&id_owned, REFRESH), &r)?;
            }
            Ok(())
        })
        .await?;
        let mut updated = account.clone();
        updated.expires_at = tokens.expires_at;
        updated.last_refresh = Some(unix_now());
        if tokens.scope.is_some() {
            updated.scope = tokens.scope.clone();
        }
        self.save_account(updated)?;
        Ok(tokens.access)
    }

    async fn oauth1_credentials(
        &self,
        account: &StoredAccount,
        token: &AccessToken,
    ) -> Result<TokenIn> {
        let missing = || Error::SignInAgain {
            account: account.id.clone(),
            reason: "its OAuth 1.0a secrets are missing from the keyring".into(),
        };
        let token_secret = self.secret(account, TOKEN_SECRET).await?.ok_or_else(missing)?;
        let consumer_secret = self.secret(account, CLIENT_SECRET).await?.ok_or_else(missing)?;
        Ok(TokenIn::OAuth1(Box::new(crate::rest::OAuth1Credentials {
            consumer: crate::oauth1::Consumer {
                key: account.client_id.clone().unwrap_or_default(),
                secret: ClientSecret::new(consumer_secret),
            },
            token: crate::oauth1::TokenPair {
                token: token.expose().to_string(),
                secret: AccessToken::new(token_secret),
            },
            origin: account.site_url.clone(),
        })))
    }

    /// Delete, on the site, the Application Password these credentials are.
    async fn delete_app_password_with(
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

    fn mark_sign_in_again(&self, account: &StoredAccount, reason: &str) -> Result<Error> {
        let mut a = account.clone();
        a.status = AccountStatus::SignInAgain { reason: reason.into() };
        self.save_account(a)?;
        Ok(Error::SignInAgain { account: account.id.clone(), reason: reason.into() })
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

    async fn me_now(&self, id: &str) -> Result<Me> {
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
        match self.load_profile(account.method, &account.api_root, account.me_url.as_ref(), &token, how_for(&account)).await {
            Err(Error::TokenRejected { .. }) if account.method == Method::ApplicationPasswords => Err(self.mark_sign_in_again(
                &account,
                "WordPress no longer accepts its Application Password (it may have been revoked in the profile)",
            )?),
            Err(Error::TokenRejected { .. }) if account.token_url.is_some() && account.method != Method::WordpressCom => {
                let token = self.refresh_replacing(id, self.account(id)?.expires_at, Some(&token)).await?;
                self.load_profile(account.method, &account.api_root, account.me_url.as_ref(), &token, how_for(&account)).await
            }
            other => other,
        }
    }

    /// Sign in with OAuth 1.0a (the WP REST API OAuth1 plugin). `callback_port`: the port the
    /// application is registered with (`http://127.0.0.1:<port>/callback`), or `None` for `oob`,
    /// where `verifier` asks the person for the code the site shows.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_in_oauth1(
        &self,
        site: &Discovered,
        consumer: crate::oauth1::Consumer,
        callback_port: Option<u16>,
        opts: SignInOptions,
        browser: &dyn Browser,
        cancel: &Cancel,
        waiting: impl FnOnce(&Url, Option<&Url>),
        verifier: impl FnOnce() -> Result<String>,
    ) -> Result<SignedIn> {
        let ep = site.methods.oauth1.clone().ok_or_else(|| Error::NoSignInMethod {
            site: site_url(site),
            wanted: "uses OAuth 1.0a (the WP REST API OAuth1 plugin was not found)".into(),
        })?;
        self.may_send(site, &opts, &[&ep.request, &ep.access], "an OAuth 1.0a sign-in").await?;
        let store = self.store(opts.storage)?;
        // The signing origin; the same one is used for every later request of this account.
        let origin = site_url(site);
        let loopback = match callback_port {
            Some(p) => Some(Loopback::bind(&[p]).await?),
            None => None,
        };
        let callback =
            loopback.as_ref().map(|l| l.redirect_uri().to_string()).unwrap_or_else(|| "oob".into());
        let temp = oauth1_token_request(
            &self.http,
            &ep.request,
            &origin,
            &consumer,
            None,
            &[("oauth_callback", &callback)],
            Some(&callback),
        )
        .await?;
        let mut authorize = ep.authorize.clone();
        authorize.query_pairs_mut().append_pair("oauth_token", &temp.token);
        waiting(&authorize, loopback.as_ref().map(|l| l.redirect_uri()));
        hand_to_browser(browser, &authorize);
        let code = match loopback {
            Some(l) => {
                l.wait(opts.timeout, cancel, |p| {
                    if p.get("oauth_token")
                        .is_none_or(|t| !crate::crypto::same(t, &temp.token))
                    {
                        return Err(Error::StateMismatch);
                    }
                    p.get("oauth_verifier")
                        .filter(|v| !v.is_empty())
                        .cloned()
                        .ok_or(Error::MissingCode { detail: None })
                })
                .await?
            }
            None => verifier()?.trim().to_string(),
        };
        let access = oauth1_token_request(
            &self.http,
            &ep.access,
            &origin,
            &consumer,
            Some(&temp),
            &[("oauth_verifier", &code)],
            None,
        )
        .await?;
        let creds = crate::rest::OAuth1Credentials {
            consumer: consumer.clone(),
            token: access.clone(),
            origin,
        };
        let me = self
            .load_profile(
                Method::Oauth1,
                &site.api_root,
                None,
                &access.secret,
                TokenIn::OAuth1(Box::new(creds)),
            )
            .await?;
        let profile = me.profile;
        let account = StoredAccount {
            client_id: Some(consumer.key.clone()),
            has_client_secret: true,
            redirect_uri: Url::parse(&callback).ok(),
            ..self.new_account(site, Method::Oauth1, &profile.username, &profile, opts)?
        };
        let secrets = [
            (ACCESS, Some(access.token.as_str())),
            (TOKEN_SECRET, Some(access.secret.expose())),
            (CLIENT_SECRET, Some(consumer.secret.expose())),
        ];
        self.keep(store, account, &secrets, profile, Vec::new()).await
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
        let site_url = site_url(site);
        self.may_send(site, &opts, &[&site.api_root], "an Application Password").await?;
        if !app_passwords::loopback_possible(&site_url) {
            return Err(Error::NoSignInMethod {
                site: site_url,
                wanted: "can send an Application Password back to this program (only local sites can; use the desktop app, or create one in your profile and paste it)".into(),
            });
        }
        let store = self.store(opts.storage)?;
        let loopback = Loopback::bind(&[]).await?;
        let back = app_passwords::Return::Loopback(loopback.redirect_uri().clone());
        let request = app_passwords::ApprovalRequest::new(
            &authorize,
            &site.answered_at,
            &app_passwords::app_name(device, unix_now()),
            &back,
        );
        waiting(&request.url, loopback.redirect_uri());
        hand_to_browser(browser, &request.url);
        let approved = loopback.wait(opts.timeout, cancel, |params| request.judge(params)).await?;
        self.finish_app_password(
            site,
            &approved.user_login,
            approved.password,
            store,
            opts,
            Some(&approved.app_name),
        )
        .await
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
        inbox: &app_passwords::CallbackInbox,
        waiting: impl FnOnce(&Url),
    ) -> Result<SignedIn> {
        let authorize = app_password_url(site)?;
        self.may_send(site, &opts, &[&site.api_root], "an Application Password").await?;
        let store = self.store(opts.storage)?;
        let back = app_passwords::Return::Scheme(
            Url::parse(app_passwords::SCHEME_CALLBACK).expect("constant URL"),
        );
        let request = app_passwords::ApprovalRequest::new(
            &authorize,
            &site.answered_at,
            &app_passwords::app_name(device, unix_now()),
            &back,
        );
        let answer = inbox.expect(&request.nonce);
        waiting(&request.url);
        hand_to_browser(browser, &request.url);
        let params = tokio::select! {
            got = answer => got.map_err(|_| Error::Cancelled),
            _ = tokio::time::sleep(opts.timeout) => Err(Error::CallbackTimeout { after: opts.timeout }),
            _ = cancel.cancelled() => Err(Error::Cancelled),
        };
        inbox.forget(&request.nonce);
        let approved = request.judge(&params?)?;
        self.finish_app_password(
            site,
            &approved.user_login,
            approved.password,
            store,
            opts,
            Some(&approved.app_name),
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
    async fn finish_app_password(
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
    async fn exchange_app_password(
        &self,
        api_root: &Url,
        username: &str,
        received: AccessToken,
        approved_as: &str,
    ) -> Result<AccessToken> {
        let basic = || TokenIn::Basic(username.to_string());
        let introspect = rest_route(api_root, "wp/v2/users/me/application-passwords/introspect");
        let received_uuid =
            match rest::get_json(&self.http, &introspect, &received, basic()).await {
                Ok(found) => uuid_in(&found, &introspect)?,
                // WordPress itself just issued it: a refusal means the host strips the
                // Authorization header or the site blocks Application Passwords over REST.
                Err(Error::TokenRejected { .. }) => return Err(Error::WrongAppPassword),
                Err(e) => return Err(e),
            };
        let all = rest_route(api_root, "wp/v2/users/me/application-passwords");
        let body = serde_json::json!({"name": app_passwords::successor_name(approved_as), "app_id": app_passwords::APP_ID});
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
                tracing::warn!(error = %e, "the new Application Password could not be deleted after a failed exchange");
            }
            self.delete_app_password_quietly(api_root, &received, username).await;
            return Err(e);
        }
        Ok(fresh)
    }

    /// Delete a password this sign-in made, on the way out of a failure (the failure is what the
    /// person hears about; this one is logged).
    async fn delete_app_password_quietly(
        &self,
        api_root: &Url,
        password: &AccessToken,
        username: &str,
    ) {
        if let Err(e) = self
            .delete_app_password_with(api_root, password, TokenIn::Basic(username.to_string()))
            .await
        {
            tracing::warn!(error = %e, "an Application Password made for a failed sign-in could not be deleted");
        }
    }

    /// Sign out: revoke on the server where it can, delete the secrets, forget the account. If
    /// the server cannot be reached the account is still forgotten here, and the result says so.
    pub async fn sign_out(&self, id: &str) -> Result<SignedOut> {
        let account = self.account(id)?;
        let held = self.held_secrets(&account).await;
        let (revoked, problem) = self.end_on_site(&account, held).await;
        let store = self.store(account.storage)?;
        let ids = account.id.clone();
        blocking(move || {
            for what in [ACCESS, REFRESH, CLIENT_SECRET, TOKEN_SECRET] {
                store.delete(&secret_key(&ids, what))?;
            }
            Ok(())
        })
        .await?;
        match account.storage {
            Storage::Keyring => self.accounts.update(|all| all.retain(|a| a.id != account.id))?,
            Storage::Session => {
                self.session_accounts.lock().expect("not poisoned").retain(|a| a.id != account.id)
            }
        }
        Ok(SignedOut { account: account.id, revoked, revoke_problem: problem })
    }
}

/// An account's secrets as read from the store, to end them on the site.
struct Held {
    access: Option<String>,
    refresh: Option<String>,
    client_secret: Option<String>,
}

/// POST a signed OAuth1 token request; read `oauth_token` and `oauth_token_secret`.
pub(crate) async fn oauth1_token_request(
    http: &Http,
    url: &Url,
    origin: &Url,
    consumer: &crate::oauth1::Consumer,
    token: Option<&crate::oauth1::TokenPair>,
    extra: &[(&str, &str)],
    callback: Option<&str>,
) -> Result<crate::oauth1::TokenPair> {
    // A query (`index.php?rest_oauth1=request` on plain permalinks) travels in the body: the
    // plugin signs a POST's body parameters only, RFC 5849 signs both, and WordPress reads its
    // query variables from either, so the body is where all three agree.
    let mut post_to = url.clone();
    post_to.set_query(None);
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let signing = crate::oauth1::Signing {
        method: "POST",
        url: &post_to,
        origin: Some(origin),
        consumer,
        token,
        extra,
        form: &form,
        signature_method: crate::oauth1::SignatureMethod::HmacSha1,
        nonce: crate::oauth1::nonce(),
        timestamp: unix_now(),
    };
    let mut headers = reqwest::header::HeaderMap::new();
    let mut v = reqwest::header::HeaderValue::from_str(&signing.header())
        .map_err(|_| Error::InvalidClientId)?;
    v.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, v);
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let mut answer = http.post_form(post_to, headers, body).await?;
    let status = answer.status.as_u16();
    let skew = answer
        .headers
        .get(reqwest::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(crate::oauth1::parse_http_date)
        .map(|server| server as i64 - unix_now() as i64);
    let body = answer.body(crate::http::limits::JSON, http.options().timeout).await?;
    let fields = crate::oauth1::parse_form(&body);
    match (status, fields.get("oauth_token"), fields.get("oauth_token_secret")) {
        (200..=299, Some(t), Some(s)) => {
            Ok(crate::oauth1::TokenPair { token: t.clone(), secret: AccessToken::new(s.clone()) })
        }
        _ if crate::body::looks_like_html(answer.content_type(), &body) => {
            Err(crate::body::html_error(url.clone(), status, &body))
        }
        _ => Err(Error::OAuth1 {
            endpoint: url.clone(),
            status,
            text: crate::body::snippet_redacted(&body),
            callback: callback.map(str::to_string),
            skew_secs: skew,
        }),
    }
}

/// Revoke each token present (RFC 7009), refresh token first; one outcome per token sent.
async fn revoke_tokens(
    http: &Http,
    url: &Url,
    auth: &ClientAuth,
    tokens: &[(Option<&str>, &str)],
    referer: &Url,
) -> Vec<Result<()>> {
    let mut outcomes = Vec::new();
    for (token, hint) in tokens {
        if let Some(t) = token {
            outcomes.push(token::revoke(http, url, auth, t, hint, referer).await);
        }
    }
    outcomes
}

/// Open the address in the person's browser. Failing to is not fatal: the caller has shown the
/// address, and the person can open it by hand.
pub(crate) fn hand_to_browser(browser: &dyn Browser, url: &Url) {
    if let Err(e) = browser.open(url) {
        tracing::warn!(error = %e, "the browser could not be opened; the person opens the address by hand");
    }
}

fn how_for(account: &StoredAccount) -> TokenIn {
    match account.method {
        Method::ApplicationPasswords => TokenIn::Basic(account.user_login.clone()),
        _ if account.strips_authorization => TokenIn::Parameter,
        _ => TokenIn::Header,
    }
}

fn app_password_url(site: &Discovered) -> Result<Url> {
    site.methods.application_passwords.as_ref().and_then(|a| a.authorization_url.clone()).ok_or_else(|| Error::NoSignInMethod {
        site: site_url(site),
        wanted: "uses Application Passwords (WordPress offers them only over https or on local sites, and a plugin may switch them off)".into(),
    })
}

fn method_of(endpoints: &Endpoints) -> Method {
    if endpoints.server == OAuth2Server::WordpressCom {
        Method::WordpressCom
    } else {
        Method::Oauth2
    }
}

fn account_client_auth(account: &StoredAccount, client_secret: Option<ClientSecret>) -> ClientAuth {
    ClientAuth {
        client_id: account.client_id.clone().unwrap_or_default(),
        client_secret,
        in_body: account.method == Method::WordpressCom,
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

pub(crate) fn oauth2_endpoints(site: &Discovered) -> Result<Endpoints> {
    site.methods.oauth2.as_ref().map(Endpoints::from_site).ok_or_else(|| Error::NoSignInMethod {
        site: site_url(site),
        wanted: "uses OAuth 2 (no OAuth server plugin was found)".into(),
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

pub(crate) fn site_url(site: &Discovered) -> Url {
    site.site_url()
}

/// Put `account` where the one with its id was (lists keep their order), or at the end.
fn replace_or_add(all: &mut Vec<StoredAccount>, account: StoredAccount) {
    match all.iter_mut().find(|a| a.id == account.id) {
        Some(slot) => *slot = account,
        None => all.push(account),
    }
}

pub(crate) fn with_context(e: Error, grant: &str, redirect: Option<&Url>) -> Error {
    match e {
        Error::OAuth { endpoint, status: 503, code, .. } if code == "error" => {
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

/// Run a keyring call off the async threads (D-Bus calls block).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(Error::KeyringFailure { store: "the keyring".into(), detail: e.to_string() })
    })
}
