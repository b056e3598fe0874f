//! Accounts: signing in, keeping tokens fresh, signing out. The one place that ties the OAuth
//! flows, the token store and the accounts file together; the CLI and the desktop app use only
//! this.
//!
//! Each way to sign in has its flow beside its protocol: [`crate::oauth2`] (browser code + PKCE,
//! WordPress.com, the password fallback), [`crate::oauth1`], [`crate::app_passwords`]; here are
//! what they share (keeping an account and its secrets), [`me`] and the account's [`lifecycle`].

mod lifecycle;
mod me;

pub(crate) use lifecycle::revoke_tokens;
pub(crate) use me::how_for;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use url::Url;

use crate::discovery::Discovered;
use crate::error::{Error, Result};
use crate::http::{Http, HttpOptions};
use crate::profile::Profile;
use crate::recommend::Method;
use crate::secret::ClientSecret;
use crate::site::SiteInfo;
use crate::store::{
    secret_key, AccountStatus, AccountsFile, MemoryStore, SecretStore, Storage, StoredAccount,
};

pub(crate) const ACCESS: &str = "access-token";
pub(crate) const REFRESH: &str = "refresh-token";
pub(crate) const CLIENT_SECRET: &str = "client-secret";
/// OAuth 1.0a's token secret (the token itself is kept under ACCESS).
pub(crate) const TOKEN_SECRET: &str = "token-secret";

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
    pub(crate) http: Http,
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

    pub(crate) fn store(&self, storage: Storage) -> Result<Arc<dyn SecretStore>> {
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
    pub(crate) async fn may_send(
        &self,
        site: &Discovered,
        opts: &SignInOptions,
        urls: &[&Url],
        what: &'static str,
    ) -> Result<()> {
        if opts.allow_plain_http && site.plain_http_elsewhere() {
            let api = &site.api_root;
            tracing::warn!(site = %api, "signing in over plain http, as the person chose");
            self.http.allow_plain_http(&site.api_root);
        }
        for url in urls {
            self.http.check_credentials_to(url, what).await?;
        }
        Ok(())
    }

    /// Whether the keyring can be used now: reached, and a read goes through (a locked keyring
    /// fails here). Reads one entry that is never written.
    pub async fn keyring_works(&self) -> Result<()> {
        let store = self.store(Storage::Keyring)?;
        blocking(move || store.get(&secret_key("wpconnect-report", "probe")).map(|_| ())).await
    }

    pub fn account(&self, id: &str) -> Result<StoredAccount> {
        self.accounts()?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::NoSuchAccount { id: id.into() })
    }

    /// A new account record for `user_login` on `site` (the same id again when this person
    /// signs in again with the same method: the new sign-in replaces the old). "The same" is
    /// judged by where the site answered (the origin discovery verified) and the user, never by
    /// the address a site claims: another site claiming this one's address gets its own account.
    pub(crate) fn new_account(
        &self,
        site: &Discovered,
        method: Method,
        user_login: &str,
        profile: &Profile,
        opts: SignInOptions,
    ) -> Result<StoredAccount> {
        let existing = self.accounts()?;
        let site_url = site.site_url();
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
    pub(crate) async fn keep(
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
        // A new account kept in the keyring: noted first, so that secrets an interrupted
        // sign-in leaves in the keyring are found and ended ([`Connect::finish_interrupted`]).
        self.finish_interrupted().await;
        let pending = (account.storage == Storage::Keyring && replaced.is_none())
            .then(|| self.accounts.pending_path());
        if let Some(p) = &pending {
            crate::store::save_private_json(p, &account)?;
        }
        let items: Vec<(String, Option<String>)> = secrets
            .iter()
            .map(|(what, v)| (secret_key(&account.id, what), v.map(str::to_string)))
            .collect();
        let st = store.clone();
        let stored = blocking(move || {
            items.iter().try_for_each(|(k, v)| match v {
                Some(v) => st.set(k, v),
                None => st.delete(k),
            })
        })
        .await;
        let saved = stored.and_then(|()| self.save_account(account.clone()));
        // Not kept (the keyring refused a write, a full disk, a read-only folder): take a new
        // account's secrets back out, so no keyring item is left that no account names. (What
        // the sign-in changed for an account signed in before stays as it was.)
        if saved.is_err() && replaced.is_none() {
            let _ = forget_secrets(store.clone(), account.id.clone()).await;
        }
        if let Some(p) = &pending {
            let _ = std::fs::remove_file(p);
        }
        saved?;
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
                    notes.push(format!(
                        "The earlier sign-in of this account could not be ended on \
                         the site: {problem}"
                    ));
                }
            }
        }
        Ok(SignedIn { account, profile, stored_in: store.describe(), notes })
    }

    pub(crate) fn save_account(&self, account: StoredAccount) -> Result<()> {
        match account.storage {
            Storage::Keyring => self.accounts.update(|all| replace_or_add(all, account)),
            Storage::Session => {
                replace_or_add(&mut self.session_accounts.lock().expect("not poisoned"), account);
                Ok(())
            }
        }
    }

    pub(crate) async fn secret(
        &self,
        account: &StoredAccount,
        what: &str,
    ) -> Result<Option<String>> {
        use secrecy::ExposeSecret;
        let store = self.store(account.storage)?;
        let key = secret_key(&account.id, what);
        let got = blocking(move || store.get(&key)).await?;
        Ok(got.map(|s| s.expose_secret().to_string()))
    }

    pub(crate) fn mark_sign_in_again(
        &self,
        account: &StoredAccount,
        reason: &str,
    ) -> Result<Error> {
        let mut a = account.clone();
        a.status = AccountStatus::SignInAgain { reason: reason.into() };
        self.save_account(a)?;
        Ok(Error::SignInAgain { account: account.id.clone(), reason: reason.into() })
    }
}

/// Delete every secret an account may have in `store`.
pub(crate) async fn forget_secrets(store: Arc<dyn SecretStore>, id: String) -> Result<()> {
    blocking(move || {
        [ACCESS, REFRESH, CLIENT_SECRET, TOKEN_SECRET]
            .iter()
            .try_for_each(|what| store.delete(&secret_key(&id, what)))
    })
    .await
}

/// Put `account` where the one with its id was (lists keep their order), or at the end.
fn replace_or_add(all: &mut Vec<StoredAccount>, account: StoredAccount) {
    match all.iter_mut().find(|a| a.id == account.id) {
        Some(slot) => *slot = account,
        None => all.push(account),
    }
}

/// Run a keyring call off the async threads (D-Bus calls block).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(Error::KeyringFailure { store: "the keyring".into(), detail: e.to_string() })
    })
}
