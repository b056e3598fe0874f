//! The real keyring: a Secret Service (gnome-keyring, started unlocked in its own D-Bus session
//! by tests/keyring/with-keyring.sh under the test command). Proves secrets really land there,
//! not in a mock: they are read back with `secret-tool`, a separate client.

use std::process::Command;

use secrecy::ExposeSecret;
use wpconnect_core::store::{KeyringStore, LazyKeyring, SecretStore, SERVICE};
use wpconnect_testsupport::keyring_here;

fn secret_tool(args: &[&str]) -> std::process::Output {
    Command::new("secret-tool")
        .args(args)
        .output()
        .expect("secret-tool (libsecret-tools) is installed")
}

#[test]
fn secrets_round_trip_through_the_secret_service() {
    if !keyring_here("keyring") {
        return;
    }
    let store = KeyringStore::open().expect("the Secret Service answers");
    let key = format!("test-{}/access-token", std::process::id());
    store.set(&key, "tok-Ünïcode-123").unwrap();
    assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), "tok-Ünïcode-123");

    // Another client of the same Secret Service sees it: it is really there.
    let out = secret_tool(&["lookup", "service", SERVICE, "username", &key]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "tok-Ünïcode-123");

    store.set(&key, "replaced").unwrap();
    assert_eq!(store.get(&key).unwrap().unwrap().expose_secret(), "replaced");

    store.delete(&key).unwrap();
    assert!(store.get(&key).unwrap().is_none());
    store.delete(&key).expect("deleting what is gone is fine");
    let out = secret_tool(&["lookup", "service", SERVICE, "username", &key]);
    assert!(out.stdout.is_empty(), "gone from the Secret Service too");
}

#[test]
fn store_describes_itself_in_plain_words() {
    if !keyring_here("keyring") {
        return;
    }
    // The app's keyring (connected on first use) names the store a secret really lands in: after
    // a write through it, another Secret Service client finds the secret.
    let lazy = LazyKeyring::new();
    let key = format!("test-{}/describe", std::process::id());
    lazy.set(&key, "described").unwrap();
    assert_eq!(
        String::from_utf8_lossy(
            &secret_tool(&["lookup", "service", SERVICE, "username", &key]).stdout
        ),
        "described"
    );
    assert_eq!(lazy.describe(), "the Secret Service (GNOME Keyring, KWallet)");
    lazy.delete(&key).unwrap();
}
