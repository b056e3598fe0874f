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
    SignInAgain {
        reason: String,
    },
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
    /// The site's hosting strips the Authorization header: the token goes as a parameter (https
    /// only).
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
    /// The person chose to sign in over plain http to this site, which is not on this computer:
    /// the account's requests may use plain http to it (and to no other site).
    #[serde(default)]
    pub plain_http: bool,
}

impl StoredAccount {
    /// A signed-in account with what every account has; the method's own fields start empty.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        method: Method,
        site_url: Url,
        site_name: String,
        api_root: Url,
        user_login: String,
        display_name: String,
        storage: Storage,
    ) -> Self {
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
            plain_http: false,
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

    /// Where a sign-in notes the account it is about to keep, before its secrets go into the
    /// keyring, and removes it once the account is written: left behind, it names secrets that
    /// a sign-in interrupted (a kill, a power cut) put in the keyring for an account never
    /// written. Nothing secret is in it.
    pub fn pending_path(&self) -> PathBuf {
        self.path.with_file_name("pending-sign-in.json")
    }

    pub fn load(&self) -> Result<Vec<StoredAccount>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => read_accounts(&self.path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::ConfigFile { path: self.path.clone(), detail: io_words(&e) }),
        }
    }

    /// Replace the file's accounts (session-only accounts are never written).
    pub fn save(&self, accounts: &[StoredAccount]) -> Result<()> {
        let doc = FileDoc {
            version: 1,
            accounts: accounts.iter().filter(|a| a.storage == Storage::Keyring).cloned().collect(),
        };
        save_private_json(&self.path, &doc)
    }

    /// Load, change, save: one read-modify-write, under a lock every process that uses this
    /// file takes (the CLI and the app adding accounts at once lose nothing).
    pub fn update<T>(&self, f: impl FnOnce(&mut Vec<StoredAccount>) -> T) -> Result<T> {
        let _lock = self.lock("lock")?;
        let mut all = self.load()?;
        let out = f(&mut all);
        self.save(&all)?;
        Ok(out)
    }

    /// Held while one of this file's accounts is refreshed, by every process: a refresh token a
    /// server rotates can be used once, so the second process must wait and use the first one's
    /// new tokens. (Not the lock of [`update`](Self::update), which a refresh takes inside it.)
    pub fn refresh_lock(&self) -> Result<FileLock> {
        self.lock("refresh-lock")
    }

    /// An exclusive lock on `<accounts file>.<what>` (created owner-only), waiting for it.
    fn lock(&self, what: &str) -> Result<FileLock> {
        let err = |e: std::io::Error| Error::ConfigFile {
            path: self.path.clone(),
            detail: format!("could not lock it: {e}"),
        };
        let dir = self.path.parent().expect("a file path has a parent");
        create_private_dir(dir).map_err(err)?;
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{what}"));
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(dir.join(name)).map_err(err)?;
        file.lock().map_err(err)?;
        Ok(FileLock(file))
    }
}

/// An exclusive lock on a file, released when dropped (or when the process ends).
#[derive(Debug)]
pub struct FileLock(std::fs::File);

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Create `dir` (and its parents) readable by the owner only, where it does not exist yet.
/// The accounts an accounts file holds (`path` only names it in the error).
pub(crate) fn read_accounts(path: &Path, bytes: &[u8]) -> Result<Vec<StoredAccount>> {
    serde_json::from_slice::<FileDoc>(bytes).map(|d| d.accounts).map_err(|e| Error::ConfigFile {
        path: path.to_path_buf(),
        detail: format!("it is not valid: {e}"),
    })
}

pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// WP Connect's config directory: `$WPCONNECT_CONFIG_DIR`, else `<platform config dir>/wpconnect`.
pub fn config_dir() -> Result<PathBuf> {
    chosen_dir("WPCONNECT_CONFIG_DIR", "settings and accounts list", || {
        dirs::config_dir().map(|d| d.join("wpconnect"))
    })
}

/// The desktop app's log file's name, in [`log_dir`].
pub const LOG_FILE: &str = "wpconnect.log";

/// The desktop app's log folder: `$WPCONNECT_LOG_DIR`, else the system's, where Tauri puts an
/// app's logs (Linux `~/.local/share/org.wpconnect.desktop/logs`, macOS
/// `~/Library/Logs/org.wpconnect.desktop`, Windows `%LOCALAPPDATA%\org.wpconnect.desktop\logs`).
pub fn log_dir() -> Result<PathBuf> {
    chosen_dir("WPCONNECT_LOG_DIR", "logs", || {
        if cfg!(target_os = "macos") {
            dirs::home_dir().map(|h| h.join("Library/Logs").join(super::SERVICE))
        } else {
            dirs::data_local_dir().map(|d| d.join(super::SERVICE).join("logs"))
        }
    })
}

/// The folder named by the environment variable `var` (which must then be absolute), else the
/// system's (`system`); never a fallback in a shared temporary folder.
pub fn chosen_dir(
    var: &str,
    what: &'static str,
    system: impl FnOnce() -> Option<PathBuf>,
) -> Result<PathBuf> {
    match std::env::var_os(var) {
        Some(d) if PathBuf::from(&d).is_absolute() => Ok(PathBuf::from(d)),
        Some(d) => Err(Error::NoPlaceForFiles {
            what,
            detail: format!(
                "{var} is \"{}\", which is not an absolute folder",
                d.to_string_lossy()
            ),
        }),
        None => system().ok_or_else(|| Error::NoPlaceForFiles {
            what,
            detail: "this system names no folder for it (is HOME set?)".into(),
        }),
    }
}

/// Write `value` as JSON to `path` atomically, readable by the owner only: a new temporary file
/// of a name no one can guess (created, never reused or followed), written, then renamed over
/// `path`. Its directory is created owner-only when missing.
pub fn save_private_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let json = serde_json::to_vec_pretty(value).expect("plain data serializes");
    let err =
        |e: std::io::Error| Error::ConfigFile { path: path.to_path_buf(), detail: io_words(&e) };
    let dir = path.parent().expect("a file path has a parent");
    create_private_dir(dir).map_err(err)?;
    let [a, b, c, d, e, f] = crate::crypto::random_bytes::<6>();
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}-{a:02x}{b:02x}{c:02x}{d:02x}{e:02x}{f:02x}.tmp", std::process::id()));
    let tmp = dir.join(name);
    let written = write_new_private(&tmp, &json).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(err)
}

/// Why a file could not be read or written, in words (the system's own after them, for a
/// helper). A full disk and a folder that cannot be written call for different remedies.
pub(crate) fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    // ENOSPC (28), EFBIG (27), EDQUOT (122 on Linux): no room for the file.
    let unix_full = cfg!(target_os = "linux") && matches!(e.raw_os_error(), Some(27 | 28 | 122));
    if matches!(e.kind(), K::StorageFull | K::FileTooLarge | K::QuotaExceeded) || unix_full {
        return DISK_FULL.into();
    }
    if matches!(e.kind(), K::PermissionDenied | K::ReadOnlyFilesystem) {
        return NOT_WRITABLE.into();
    }
    e.kind().to_string()
}

/// [`io_words`] for a full disk (the hint looks for it).
pub(crate) const DISK_FULL: &str = "the disk is full";
/// [`io_words`] for a folder or file that may not be written.
pub(crate) const NOT_WRITABLE: &str = "this computer does not allow WP Connect to write it";

/// Create `path` (it must not exist: no following a link someone put there) owner-only, write
/// `bytes`, flush to disk.
pub(crate) fn write_new_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn account(n: usize) -> StoredAccount {
        let site = Url::parse("http://127.0.0.1:8080/").unwrap();
        StoredAccount::new(
            format!("user{n}@site"),
            Method::Oauth2,
            site.clone(),
            "Site".into(),
            site,
            format!("user{n}"),
            "U".into(),
            Storage::Keyring,
        )
    }

    #[test]
    fn writers_at_the_same_time_lose_nothing() {
        // Each writer opens the file on its own, as another process would.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        AccountsFile::at(&path)
                            .update(|all| all.push(account(w * 100 + i)))
                            .unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(
            AccountsFile::at(&path).load().unwrap().len(),
            100,
            "every account added is there"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[cfg(unix)]
    #[test]
    fn files_and_new_directories_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/wpconnect/accounts.json");
        AccountsFile::at(&path).update(|all| all.push(account(1))).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&dir.path().join("new")), 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_where_a_temporary_file_would_go_is_not_followed() {
        // The old fixed temporary name could be a symlink to a file of the attacker's choosing;
        // names are now unguessable and created fresh, so the target is never written.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        let target = dir.path().join("victim");
        std::fs::write(&target, "untouched").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("accounts.json.tmp")).unwrap();
        AccountsFile::at(&path).update(|all| all.push(account(1))).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
        assert_eq!(AccountsFile::at(&path).load().unwrap().len(), 1);
    }
}
