//! The accounts file: what WP Connect remembers about each sign-in, minus every secret.
//! `<config dir>/wpconnect/accounts.json` (or `$WPCONNECT_CONFIG_DIR/accounts.json`), written
//! atomically with owner-only permissions.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::recommend::Method;

/// Where an account's secrets live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    Keyring,
    /// In memory, for this session only (never written to the accounts file).
    Session,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AccountStatus {
    SignedIn,
    /// The tokens stopped working (refresh refused, revoked): the person must sign in again.
    SignInAgain { reason: String },
}

/// One signed-in account. Nothing here is secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAccount {
    /// Stable identifier: `<user_login>@<site host and path>` (`#n` added on collision).
    pub id: String,
    pub method: Method,
    pub site_url: Url,
    pub site_name: String,
    pub api_root: Url,
    pub user_login: String,
    pub display_name: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// A client secret is kept in the keyring for this account.
    pub has_client_secret: bool,
    pub scope: Option<String>,
    /// Access token expiry, seconds since the Unix epoch.
    pub expires_at: Option<u64>,
    pub last_refresh: Option<u64>,
    pub token_url: Option<Url>,
    pub revoke_url: Option<Url>,
    pub me_url: Option<Url>,
    pub redirect_uri: Option<Url>,
    /// The site's hosting strips the Authorization header: the token goes as a parameter (https only).
    pub strips_authorization: bool,
    pub storage: Storage,
    pub status: AccountStatus,
    pub created_at: u64,
    /// The user's avatar, as the site gave it (for lists; not a secret).
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// The site's icon, as the site gave it.
    #[serde(default)]
    pub site_icon_url: Option<String>,
}

impl StoredAccount {
    /// A signed-in account with what every account has; the method's own fields start empty.
    #[allow(clippy::too_many_arguments)]
    pub fn new(id: String, method: Method, site_url: Url, site_name: String, api_root: Url, user_login: String, display_name: String, storage: Storage) -> Self {
        StoredAccount {
            id,
            method,
            site_url,
            site_name,
            api_root,
            user_login,
            display_name,
            user_id: None,
            client_id: None,
            has_client_secret: false,
            scope: None,
            expires_at: None,
            last_refresh: None,
            token_url: None,
            revoke_url: None,
            me_url: None,
            redirect_uri: None,
            strips_authorization: false,
            storage,
            status: AccountStatus::SignedIn,
            created_at: crate::oauth2::unix_now(),
            avatar_url: None,
            site_icon_url: None,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FileDoc {
    version: u32,
    accounts: Vec<StoredAccount>,
}

/// The accounts file.
#[derive(Debug, Clone)]
pub struct AccountsFile {
    path: PathBuf,
}

impl AccountsFile {
    /// The platform's config directory, or `$WPCONNECT_CONFIG_DIR` when set.
    pub fn default_location() -> Result<AccountsFile> {
        Ok(AccountsFile { path: config_dir()?.join("accounts.json") })
    }

    pub fn at(path: impl Into<PathBuf>) -> AccountsFile {
        AccountsFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Result<Vec<StoredAccount>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice::<FileDoc>(&bytes)
                .map(|d| d.accounts)
                .map_err(|e| Error::ConfigFile { path: self.path.clone(), detail: format!("it is not valid: {e}") }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::ConfigFile { path: self.path.clone(), detail: e.to_string() }),
        }
    }

    /// Replace the file's accounts (session-only accounts are never written).
    pub fn save(&self, accounts: &[StoredAccount]) -> Result<()> {
        let doc = FileDoc { version: 1, accounts: accounts.iter().filter(|a| a.storage == Storage::Keyring).cloned().collect() };
        save_private_json(&self.path, &doc)
    }

    /// Load, change, save: one read-modify-write.
    pub fn update<T>(&self, f: impl FnOnce(&mut Vec<StoredAccount>) -> T) -> Result<T> {
        let mut all = self.load()?;
        let out = f(&mut all);
        self.save(&all)?;
        Ok(out)
    }
}

/// WP Connect's config directory: `$WPCONNECT_CONFIG_DIR`, else `<platform config dir>/wpconnect`.
pub fn config_dir() -> Result<PathBuf> {
    match std::env::var_os("WPCONNECT_CONFIG_DIR") {
        Some(d) => Ok(PathBuf::from(d)),
        None => dirs::config_dir()
            .map(|d| d.join("wpconnect"))
            .ok_or_else(|| Error::ConfigFile { path: PathBuf::from("~"), detail: "this system has no config directory".into() }),
    }
}

/// Write `value` as JSON to `path` atomically (a temporary file renamed over it), readable by
/// the owner only.
pub fn save_private_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let json = serde_json::to_vec_pretty(value).expect("plain data serializes");
    let err = |e: std::io::Error| Error::ConfigFile { path: path.to_path_buf(), detail: e.to_string() };
    let dir = path.parent().expect("a file path has a parent");
    std::fs::create_dir_all(dir).map_err(err)?;
    let tmp = path.with_extension("json.tmp");
    write_private(&tmp, &json).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// An account id for `user` on the site at `site`, unique among `existing`.
pub fn account_id(user: &str, site: &Url, existing: &[StoredAccount]) -> String {
    let host = site.host_str().unwrap_or("site");
    let port = site.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = site.path().trim_end_matches('/');
    let base = format!("{user}@{host}{port}{path}");
    let mut id = base.clone();
    let mut n = 2;
    while existing.iter().any(|a| a.id == id) {
        id = format!("{base}#{n}");
        n += 1;
    }
    id
}
