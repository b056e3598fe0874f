//! Where sign-ins are kept: secrets in the OS keyring (one entry per secret), everything else in
//! an accounts file in the platform's config directory. No secret is ever written to a file.
//!
//! [`SecretStore`] is the small seam: [`KeyringStore`] is the real one (Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows, each chosen explicitly in Cargo.toml);
//! [`MemoryStore`] keeps secrets for this session only, for people without a usable keyring.

pub(crate) mod accounts;
mod keyring;

use std::collections::HashMap;
use std::sync::Mutex;

pub use accounts::{
    account_id, chosen_dir, config_dir, log_dir, save_private_json, AccountStatus, AccountsFile,
    FileLock, Storage, StoredAccount, LOG_FILE,
};
pub use keyring::{KeyringStore, LazyKeyring, BACKEND as KEYRING_BACKEND};

use crate::error::Result;

/// The keyring's service name for every entry of ours.
pub const SERVICE: &str = "org.wpconnect.desktop";

/// A store of secrets by key. Calls may block (D-Bus): call them off the async threads.
pub trait SecretStore: Send + Sync {
    fn set(&self, key: &str, secret: &str) -> Result<()>;
    /// `Ok(None)` when there is no such entry.
    fn get(&self, key: &str) -> Result<Option<secrecy::SecretString>>;
    /// Deleting what is not there is not an error.
    fn delete(&self, key: &str) -> Result<()>;
    /// In the person's words: where the secrets live.
    fn describe(&self) -> String;
    /// Whether the store can be used now (a keyring connected on first use connects here), so a
    /// sign-in fails before the browser rather than after it.
    fn ready(&self) -> Result<()> {
        Ok(())
    }
}

/// Secrets in this process's memory only: gone when it exits.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, secrecy::SecretString>>);

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, key: &str, secret: &str) -> Result<()> {
        self.0.lock().expect("not poisoned").insert(key.to_string(), secret.to_string().into());
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<secrecy::SecretString>> {
        Ok(self.0.lock().expect("not poisoned").get(key).cloned())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.0.lock().expect("not poisoned").remove(key);
        Ok(())
    }
    fn describe(&self) -> String {
        "this session only (kept in memory, forgotten when the app closes)".into()
    }
}

/// The keys of an account's secrets.
pub fn secret_key(account_id: &str, what: &str) -> String {
    format!("{account_id}/{what}")
}
