//! Long use: sign in → refresh → /me → sign out, over and over in one process, against the
//! WordPress-dialect site (WP OAuth Server) on loopback with the real keyring (a Secret Service).
//! Open files, memory, the keyring's items and the server's live tokens must come back to where
//! they started. The test command runs a short soak (`WPCONNECT_SOAK_CYCLES`, 20 by default);
//! `scripts/soak.sh` runs the full 1,000. The figures are printed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{AccountsFile, KeyringStore};
use wpconnect_core::{Discoverer, DiscoveryOptions, HttpOptions};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

mod common;
use common::keyring_items;

const SECRET: &str = "soak-client-secret";

/// This process's open file descriptors.
fn open_files() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

/// This process's resident memory, KiB.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn sign_in_refresh_me_and_sign_out_many_times_leave_nothing_behind() {
    if !wpconnect_testsupport::keyring_here(
        "sign_in_refresh_me_and_sign_out_many_times_leave_nothing_behind",
    ) {
        return;
    }
    let cycles: usize =
        std::env::var("WPCONNECT_SOAK_CYCLES").ok().and_then(|c| c.parse().ok()).unwrap_or(20);
    let users = vec![User::new(7, "ada", "correct horse", "Ada Lovelace", &["author"])];
    // As WP OAuth Server is by default: a used refresh token stays valid (and an access token
    // until it expires), so what a refresh replaced must be ended by the app.
    let site = OAuthSite::start(
        Knobs { refresh_reusable: true, ..Default::default() },
        vec![Client::new("desk-app", Some(SECRET), &["http://127.0.0.1"])],
        users,
    )
    .await;
    let http = HttpOptions { timeout: Duration::from_secs(10), ..Default::default() };
    let discovered = Discoverer::new(DiscoveryOptions { http: http.clone(), ..Default::default() })
        .discover(&site.url())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(KeyringStore::open().expect("the Secret Service answers"));
    let connect =
        Connect::new(http, AccountsFile::at(dir.path().join("accounts.json")), Ok(keyring));
    let cycle = || async {
        let client = OAuth2Client {
            client_id: "desk-app".into(),
            client_secret: Some(ClientSecret::new(SECRET)),
            redirect_ports: Vec::new(),
            scope: None,
        };
        let done = connect
            .sign_in_password(
                &discovered,
                client,
                "ada",
                Password::new("correct horse"),
                SignInOptions::default(),
            )
            .await
            .unwrap();
        let id = done.account.id;
        let expiry = connect.account(&id).unwrap().expires_at;
        connect.refresh(&id, expiry).await.unwrap();
        assert_eq!(connect.me(&id).await.unwrap().profile.username, "ada");
        let out = connect.sign_out(&id).await.unwrap();
        assert!(out.revoked, "revoked on the site");
        // The test server runs in this process: its log of requests is not WP Connect's memory.
        site.server().forget_requests();
    };

    // What lives as long as the process (the HTTP pool, the D-Bus connection, TLS roots) is made
    // by the first cycles: the levels are taken after them.
    for _ in 0..3 {
        cycle().await;
    }
    let (files, memory, items) = (open_files(), resident_kib(), keyring_items());
    let started = Instant::now();
    for _ in 0..cycles {
        cycle().await;
    }
    let took = started.elapsed();
    let (files_after, memory_after, items_after) = (open_files(), resident_kib(), keyring_items());
    let grew = memory_after.saturating_sub(memory);
    eprintln!(
        "soak: {cycles} cycles of sign-in → refresh → /me → sign-out in {:.1} s ({:.1} ms a \
         cycle); open files {files} → {files_after}; resident memory {memory} KiB → \
         {memory_after} KiB (+{grew} KiB); keyring items {items} → {items_after}; live tokens \
         on the server {:?}",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / cycles.max(1) as f64,
        site.live_tokens()
    );
    assert_eq!(items_after, items, "every keyring item made was deleted");
    assert_eq!(site.live_tokens(), (0, 0), "every token issued was revoked");
    assert!(files_after <= files + 2, "open files {files} → {files_after}");
    // Allocators keep some memory they freed; a leak grows with the cycles.
    let bound = 8 * 1024 + 16 * cycles as u64;
    assert!(grew <= bound, "resident memory grew {grew} KiB over {cycles} cycles (bound {bound})");
    assert!(connect.accounts().unwrap().is_empty(), "no account left");
}
