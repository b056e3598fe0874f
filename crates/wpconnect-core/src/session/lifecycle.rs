//! An account's life after sign-in: fresh access tokens (refreshed before expiry, once for every
//! caller, across processes), and signing out (revoked or deleted on the site where it can be).

use url::Url;

use super::{
    blocking, forget_secrets, how_for, Connect, SignedOut, ACCESS, CLIENT_SECRET, REFRESH,
};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::oauth2::token::{self, REFRESH_MARGIN};
use crate::oauth2::{unix_now, ClientAuth, ErrorCode, Tokens};
use crate::recommend::Method;
use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::store::{secret_key, AccountStatus, Storage, StoredAccount};

impl Connect {
    /// What the store holds for an account (missing pieces, or a store that cannot be read, are
    /// `None`: there is then nothing to end).
    pub(crate) async fn held_secrets(&self, account: &StoredAccount) -> Held {
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
    pub(crate) async fn end_on_site(
        &self,
        account: &StoredAccount,
        held: Held,
    ) -> (bool, Option<String>) {
        match &account.revoke_url {
            None if account.method == Method::ApplicationPasswords => {
                let Some(password) = held.access.map(AccessToken::new) else {
                    return (
                        false,
                        Some(
                            "its Application Password is missing from the keyring; \
                             delete \"WP Connect\" under Users > Profile > Application Passwords."
                                .into(),
                        ),
                    );
                };
                match self
                    .delete_app_password_with(&account.api_root, &password, how_for(account))
                    .await
                {
                    Ok(()) => (true, None),
                    Err(e) => (
                        false,
                        Some(format!(
                            "{e} The Application Password could not be \
                             deleted on the site; delete \"WP Connect\" under Users > Profile > \
                             Application Passwords."
                        )),
                    ),
                }
            }
            Some(url) => {
                let auth = account_client_auth(account, held.client_secret.map(ClientSecret::new));
                let pair = [
                    (held.refresh.as_deref(), "refresh_token"),
                    (held.access.as_deref(), "access_token"),
                ];
                let outcomes =
                    revoke_tokens(&self.http, url, &auth, &pair, &account.site_url).await;
                let revoked = !outcomes.is_empty() && outcomes.iter().all(|o| o.is_ok());
                let problem = outcomes.into_iter().find_map(|o| o.err()).map(|e| {
                    format!(
                        "{e} The tokens could not be revoked on the site; they stop working \
                         when they expire, or the site's admin can revoke them."
                    )
                });
                (revoked, problem)
            }
            None if account.method == Method::Oauth1 => (
                false,
                Some(format!(
                    "OAuth 1.0a tokens never expire and the plugin offers no way to revoke them \
                     from an app: revoke WP Connect in wp-admin at {}wp-admin/profile.php \
                     (Authorized Applications).",
                    account.site_url
                )),
            ),
            None if account.method == Method::WordpressCom => (
                false,
                Some(
                    "WordPress.com offers no way for apps to revoke their token: remove WP \
                     Connect at https://wordpress.com/me/security/connected-applications to revoke \
                     it."
                    .to_string(),
                ),
            ),
            None => (
                false,
                Some(
                    "This site offers no way to revoke tokens; they stop working when they \
                     expire, or the site's admin can revoke them."
                        .to_string(),
                ),
            ),
        }
    }

    /// A valid access token for the account: refreshed first when it expires within the margin.
    pub async fn access_token(&self, id: &str) -> Result<AccessToken> {
        self.access_token_lasting(id, REFRESH_MARGIN).await
    }

    /// A valid access token that lasts at least `margin` more (a batch of uploads asks for
    /// minutes): refreshed first when it would expire sooner.
    pub async fn access_token_lasting(
        &self,
        id: &str,
        margin: std::time::Duration,
    ) -> Result<AccessToken> {
        let account = self.account(id)?;
        if let AccountStatus::SignInAgain { reason } = &account.status {
            return Err(Error::SignInAgain { account: id.into(), reason: reason.clone() });
        }
        let due = account.expires_at.is_some_and(|e| e <= unix_now() + margin.as_secs());
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

    /// Refresh the account's tokens, once for all concurrent callers: whoever comes second waits
    /// for the first and uses its result. `seen_expiry` is the expiry the caller saw; if it has
    /// changed by the time the lock is held, someone else refreshed already.
    pub async fn refresh(&self, id: &str, seen_expiry: Option<u64>) -> Result<AccessToken> {
        self.refresh_replacing(id, seen_expiry, None).await
    }

    /// [`refresh`](Self::refresh), when the site just refused `rejected`: someone else's fresh
    /// token is used only if it is another one.
    pub(crate) async fn refresh_replacing(
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
            // Nothing to refresh with: fine while the access token lasts (WordPress.com's never
            // expire).
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
        let replaced = self.secret(&account, ACCESS).await.ok().flatten();
        let tokens = self.redeem_refresh_token(&account, &refresh).await?;
        self.keep_refreshed(&account, &tokens).await?;
        self.end_replaced(&account, replaced, &refresh, &tokens).await;
        Ok(tokens.access)
    }

    /// After a refresh, end the tokens it replaced on the site: WP OAuth Server keeps an access
    /// token live until it expires (an hour) and, by default, a used refresh token too (a day),
    /// so a later sign-out that revoked only the current pair would leave them live. The old
    /// refresh token only when the site gave a new one. Best effort: the new tokens are kept
    /// whatever the site says (other processes wait for this under the refresh lock, so none is
    /// still using the old ones).
    async fn end_replaced(
        &self,
        account: &StoredAccount,
        access: Option<String>,
        refresh: &RefreshToken,
        now: &Tokens,
    ) {
        if account.revoke_url.is_none() {
            return;
        }
        let access = access.filter(|a| a != now.access.expose());
        let rotated = now.refresh.as_ref().is_some_and(|r| r.expose() != refresh.expose());
        let refresh = rotated.then(|| refresh.expose().to_string());
        if access.is_none() && refresh.is_none() {
            return;
        }
        let client_secret = if account.has_client_secret {
            self.secret(account, CLIENT_SECRET).await.ok().flatten()
        } else {
            None
        };
        let (_, problem) = self.end_on_site(account, Held { access, refresh, client_secret }).await;
        if let Some(problem) = problem {
            tracing::info!(account = %account.id, %problem, "the tokens a refresh replaced stay live");
        }
    }

    /// The refresh grant; a refusal that no retry can mend marks the account "sign in again".
    async fn redeem_refresh_token(
        &self,
        account: &StoredAccount,
        refresh: &RefreshToken,
    ) -> Result<Tokens> {
        let client_secret = if account.has_client_secret {
            self.secret(account, CLIENT_SECRET).await?.map(ClientSecret::new)
        } else {
            None
        };
        let auth = account_client_auth(account, client_secret);
        let token_url = account.token_url.clone().ok_or_else(|| Error::SignInAgain {
            account: account.id.clone(),
            reason: "the account has no token endpoint recorded".into(),
        })?;
        let result = token::grant(
            &self.http,
            &token_url,
            &auth,
            token::Grant::Refresh { refresh_token: refresh.expose() },
            &account.site_url,
        )
        .await;
        match result {
            Ok(t) => Ok(t),
            Err(Error::OAuth {
                code: code @ (ErrorCode::InvalidGrant | ErrorCode::InvalidClient),
                description,
                ..
            }) => {
                let reason = format!(
                    "the site refused to refresh the sign-in ({code}{})",
                    description.map(|d| format!(": {d}")).unwrap_or_default()
                );
                Err(self.mark_sign_in_again(account, &reason)?)
            }
            Err(e) => Err(e),
        }
    }

    /// The refreshed tokens into the store, the new expiry into the account.
    async fn keep_refreshed(&self, account: &StoredAccount, tokens: &Tokens) -> Result<()> {
        let store = self.store(account.storage)?;
        let (id, access, new_refresh) = (
            account.id.clone(),
            tokens.access.expose().to_string(),
            tokens.refresh.as_ref().map(|r| r.expose().to_string()),
        );
        blocking(move || {
            store.set(&secret_key(&id, ACCESS), &access)?;
            if let Some(r) = new_refresh {
                store.set(&secret_key(&id, REFRESH), &r)?;
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
        self.save_account(updated)
    }

    /// Finish what an interrupted sign-in left (the process killed between putting an account's
    /// secrets in the keyring and writing the account): end those credentials on the site where
    /// it can, delete them from the keyring, forget the note. Returns the account it was for.
    /// Run by every sign-in first, and by the app and the CLI when they start.
    pub async fn finish_interrupted(&self) -> Option<String> {
        let path = self.accounts.pending_path();
        let bytes = std::fs::read(&path).ok()?;
        let Ok(account) = serde_json::from_slice::<StoredAccount>(&bytes) else {
            let _ = std::fs::remove_file(&path);
            return None;
        };
        // Written after all: the sign-in was only cut off after its end.
        if self.accounts.load().is_ok_and(|all| all.iter().any(|a| a.id == account.id)) {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        let held = self.held_secrets(&account).await;
        let (ended, problem) = self.end_on_site(&account, held).await;
        let store = self.store(account.storage).ok()?;
        let deleted = forget_secrets(store, account.id.clone()).await;
        // Kept until the keyring items are gone (a locked keyring: the next start tries again).
        if deleted.is_ok() {
            let _ = std::fs::remove_file(&path);
        }
        tracing::info!(
            account = %account.id,
            ended_on_site = ended,
            problem = problem.as_deref().unwrap_or(""),
            "finished a sign-in that was interrupted"
        );
        Some(account.id)
    }

    /// Sign out: revoke on the server where it can, delete the secrets, forget the account. If
    /// the server cannot be reached the account is still forgotten here, and the result says so.
    pub async fn sign_out(&self, id: &str) -> Result<SignedOut> {
        let account = self.account(id)?;
        let held = self.held_secrets(&account).await;
        let (revoked, problem) = self.end_on_site(&account, held).await;
        forget_secrets(self.store(account.storage)?, account.id.clone()).await?;
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
pub(crate) struct Held {
    pub(crate) access: Option<String>,
    pub(crate) refresh: Option<String>,
    client_secret: Option<String>,
}

/// Revoke each token present (RFC 7009), refresh token first; one outcome per token sent.
pub(crate) async fn revoke_tokens(
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

fn account_client_auth(account: &StoredAccount, client_secret: Option<ClientSecret>) -> ClientAuth {
    ClientAuth {
        client_id: account.client_id.clone().unwrap_or_default(),
        client_secret,
        in_body: account.method == Method::WordpressCom,
    }
}
