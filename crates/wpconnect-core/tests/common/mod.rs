//! Helpers shared by the core's integration suites.

#![allow(dead_code)]

use wpconnect_core::store::SecretStore;

/// A keyring that refuses every write (locked while the person was in the browser, say).
pub struct RefusingStore;

impl SecretStore for RefusingStore {
    fn set(&self, _: &str, _: &str) -> wpconnect_core::Result<()> {
        Err(wpconnect_core::Error::KeyringLocked { store: "the test keyring".into(), detail: "locked".into() })
    }
    fn get(&self, _: &str) -> wpconnect_core::Result<Option<secrecy::SecretString>> {
        Ok(None)
    }
    fn delete(&self, _: &str) -> wpconnect_core::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        "a keyring that refuses writes".into()
    }
}
