//! The OS keyring through keyring-core, with the platform store chosen explicitly per target.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use secrecy::SecretString;

use super::{SecretStore, SERVICE};
use crate::error::{Error, Result};

pub struct KeyringStore {
    store: Arc<CredentialStore>,
    name: &'static str,
}

impl KeyringStore {
    /// Connect to the platform's keyring. Fails with a clear error when there is none.
    pub fn open() -> Result<KeyringStore> {
        let (store, name) = platform_store()?;
        Ok(KeyringStore { store, name })
    }

    fn entry(&self, key: &str) -> Result<Entry> {
        Entry::new_in_store(&self.store, SERVICE, key).map_err(|e| map_error(e, self.name))
    }
}

/// The keyring, connected on first use rather than at start-up (listing accounts needs none).
/// A failed connection is not remembered: the next use tries again (the person may have
/// unlocked or started their keyring meanwhile).
#[derive(Default)]
pub struct LazyKeyring(std::sync::Mutex<Option<Arc<KeyringStore>>>);

impl LazyKeyring {
    pub fn new() -> Self {
        Self::default()
    }

    fn store(&self) -> Result<Arc<KeyringStore>> {
        let mut slot = self.0.lock().expect("not poisoned");
        if let Some(s) = slot.as_ref() {
            return Ok(s.clone());
        }
        let s = Arc::new(KeyringStore::open()?);
        *slot = Some(s.clone());
        Ok(s)
    }
}

impl SecretStore for LazyKeyring {
    fn set(&self, key: &str, secret: &str) -> Result<()> {
        self.store()?.set(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<SecretString>> {
        self.store()?.get(key)
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.store()?.delete(key)
    }
    fn ready(&self) -> Result<()> {
        self.store().map(|_| ())
    }
    fn describe(&self) -> String {
        self.store().map(|s| s.describe()).unwrap_or_else(|_| "the system keyring".into())
    }
}

/// The keyring this build keeps secrets in, as people know it (`wpconnect --version` says it).
#[cfg(target_os = "linux")]
pub const BACKEND: &str = "the Secret Service (GNOME Keyring, KWallet)";
/// The keyring this build keeps secrets in, as people know it (`wpconnect --version` says it).
#[cfg(target_os = "macos")]
pub const BACKEND: &str = "the macOS Keychain";
/// The keyring this build keeps secrets in, as people know it (`wpconnect --version` says it).
#[cfg(target_os = "windows")]
pub const BACKEND: &str = "the Windows Credential Manager";
/// The keyring this build keeps secrets in, as people know it (`wpconnect --version` says it).
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
pub const BACKEND: &str = "none (this platform has no supported keyring)";

#[cfg(target_os = "linux")]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str)> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| map_error(e, "the Secret Service"))?;
    Ok((store, BACKEND))
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str)> {
    let store =
        apple_native_keyring_store::keychain::Store::new().map_err(|e| map_error(e, BACKEND))?;
    Ok((store, BACKEND))
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str)> {
    let store = windows_native_keyring_store::Store::new().map_err(|e| map_error(e, BACKEND))?;
    Ok((store, BACKEND))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str)> {
    Err(Error::KeyringUnavailable {
        store: "a keyring".into(),
        detail: "this platform has no supported keyring".into(),
    })
}

/// keyring-core's errors, by the reaction each calls for.
fn map_error(e: keyring_core::Error, store: &str) -> Error {
    use keyring_core::Error as K;
    match e {
        K::NoStorageAccess(inner) => {
            Error::KeyringLocked { store: store.into(), detail: inner.to_string() }
        }
        K::PlatformFailure(inner) => {
            tracing::warn!(store, detail = %inner, "the keyring could not be reached");
            Error::KeyringUnavailable { store: store.into(), detail: inner.to_string() }
        }
        K::NoDefaultStore => Error::KeyringUnavailable {
            store: store.into(),
            detail: "no keyring store is set up".into(),
        },
        other => Error::KeyringFailure { store: store.into(), detail: other.to_string() },
    }
}

impl SecretStore for KeyringStore {
    fn set(&self, key: &str, secret: &str) -> Result<()> {
        self.entry(key)?.set_password(secret).map_err(|e| map_error(e, self.name))
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>> {
        match self.entry(key)?.get_password() {
            Ok(p) => Ok(Some(SecretString::from(p))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e, self.name)),
        }
    }

    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e, self.name)),
        }
    }

    fn describe(&self) -> String {
        self.name.to_string()
    }
}
