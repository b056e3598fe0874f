//! Application Passwords against the project's real WordPress (Debian's package, local
//! environment, on 127.0.0.1): browser approval through the loopback with the scripted person
//! logging in and pressing WordPress's own Approve / Reject buttons, the paste path, and sign-out
//! deleting the password on the server.

use std::sync::Arc;
use std::time::Duration;

use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::Password;
use wpconnect_core::session::{Connect, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, ErrorKind, HttpOptions, Method};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::{real_wordpress, RealWordPress};

mod common;
use common::{Person, RefusingStore};

fn http() -> HttpOptions {
    HttpOptions { timeout: Duration::from_secs(20), ..Default::default() }
}

async fn setup(wp: &RealWordPress) -> (Discovered, Connect, tempfile::TempDir) {
    let discovered = Discoverer::new(DiscoveryOptions { http: http(), ..Default::default() })
        .discover(&wp.url)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("accounts.json")), Ok(store));
    (discovered, connect, dir)
}

/// The author's application passwords named for `device` (tests run in parallel: each looks only
/// at its own).
async fn named(wp: &RealWordPress, device: &str) -> Vec<serde_json::Value> {
    let prefix = format!("WP Connect on {device} (");
    listed(wp)
        .await
        .into_iter()
        .filter(|p| p["name"].as_str().unwrap_or("").starts_with(&prefix))
        .collect()
}

/// The author's application passwords, as WordPress lists them (using the harness's known one).
async fn listed(wp: &RealWordPress) -> Vec<serde_json::Value> {
    let v = wp.author_get("wp/v2/users/me/application-passwords").await;
    v.as_array().cloned().unwrap_or_default()
}

/// WordPress keeps a user's Application Passwords in one user-meta array, read, changed and
/// written back by each request: two sign-ins of the same user at once can lose each other's
/// change (measured: a deletion undone by a concurrent creation). These tests share the author,
/// so they take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn opts() -> SignInOptions {
    SignInOptions { timeout: Duration::from_secs(60), ..Default::default() }
}

#[tokio::test]
async fn approve_in_wordpress_use_it_then_sign_out_deletes_it_on_the_server() {
    let Some(wp) =
        real_wordpress("approve_in_wordpress_use_it_then_sign_out_deletes_it_on_the_server")
    else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let (site, connect, _dir) = setup(&wp).await;
    let person =
        Person::new(TestBrowser::new(&wp.author_user, &wp.author_password, Consent::Allow));
    let device = format!("approve-test-{}", std::process::id());
    let done = connect
        .sign_in_app_password_browser(&site, &device, opts(), &person, &Cancel::new(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(done.account.method, Method::ApplicationPasswords);
    assert_eq!(done.profile.username, wp.author_user);
    assert_eq!(done.profile.display_name, "Ada Author");
    assert!(done.profile.roles.contains(&"author".to_string()), "{:?}", done.profile.roles);
    // The test site has avatars switched off (Settings > Discussion), so WordPress sends no
    // Gravatar address and nothing reaches off this machine; parsing avatars is tested elsewhere.
    assert_eq!(done.profile.avatar_url, None, "show_avatars is off on the test site");

    let ours = named(&wp, &device).await;
    assert_eq!(ours.len(), 1, "WordPress holds the new application password: {ours:?}");
    assert_eq!(ours[0]["app_id"], wpconnect_core::app_passwords::APP_ID);

    // WordPress sent the approved password to the loopback in the address (the browser's
    // history keeps it): it was swapped at once for one made over REST, and no longer works.
    let visit = person.only_visit().await;
    let callback = visit
        .trail
        .iter()
        .find(|u| u.contains("/callback?"))
        .expect("the browser came back to the loopback");
    let q: std::collections::HashMap<String, String> =
        url::Url::parse(callback).unwrap().query_pairs().into_owned().collect();
    assert_eq!(
        q["site_url"].trim_end_matches('/'),
        wp.url.trim_end_matches('/'),
        "WordPress names itself, scheme included"
    );
    let in_history = reqwest::Client::new()
        .get(format!("{}/wp-json/wp/v2/users/me", wp.url))
        .basic_auth(&q["user_login"], Some(&q["password"]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        in_history.status(),
        401,
        "the password in the browser's history was deleted on the site"
    );

    let me = connect.me(&done.account.id).await.unwrap();
    assert_eq!(me.profile.username, wp.author_user);
    let site_now = me.site.unwrap();
    assert_eq!(site_now.name, wp.name);
    assert_eq!(site_now.description, wp.tagline);

    let out = connect.sign_out(&done.account.id).await.unwrap();
    assert!(out.revoked, "{out:?}");
    assert!(named(&wp, &device).await.is_empty(), "deleted on the server");
    assert!(connect.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn two_devices_of_one_name_approving_back_to_back_both_get_in() {
    // WordPress refuses a repeated application name on its approval page; the CLI and the app on
    // one computer (one device name) signing in within the same second must not collide.
    let Some(wp) = real_wordpress("two_devices_of_one_name_approving_back_to_back_both_get_in")
    else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let device = format!("same-second-test-{}", std::process::id());
    let mut signed = Vec::new();
    for _ in 0..2 {
        let (site, connect, dir) = setup(&wp).await;
        let person =
            Person::new(TestBrowser::new(&wp.author_user, &wp.author_password, Consent::Allow));
        let done = connect
            .sign_in_app_password_browser(
                &site,
                &device,
                opts(),
                &person,
                &Cancel::new(),
                |_, _| {},
            )
            .await
            .unwrap_or_else(|e| panic!("{e} ({})", e.hint()));
        assert_eq!(
            person.only_visit().await.status,
            200,
            "the browser ended on the app's page, not on WordPress's error"
        );
        signed.push((connect, done, dir));
    }
    let names: Vec<String> =
        named(&wp, &device).await.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_ne!(names[0], names[1]);
    for (connect, done, _dir) in &signed {
        assert_eq!(connect.me(&done.account.id).await.unwrap().profile.username, wp.author_user);
        assert!(connect.sign_out(&done.account.id).await.unwrap().revoked);
    }
    assert!(named(&wp, &device).await.is_empty());
}

#[tokio::test]
async fn rejecting_in_wordpress_is_access_denied() {
    let Some(wp) = real_wordpress("rejecting_in_wordpress_is_access_denied") else { return };
    let _turn = ONE_AT_A_TIME.lock().await;
    let (site, connect, _dir) = setup(&wp).await;
    let person = Person::new(TestBrowser::new(&wp.author_user, &wp.author_password, Consent::Deny));
    let device = format!("reject-test-{}", std::process::id());
    let e = connect
        .sign_in_app_password_browser(&site, &device, opts(), &person, &Cancel::new(), |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e}");
    assert!(named(&wp, &device).await.is_empty(), "no password was created");
    assert!(connect.accounts().unwrap().is_empty());
}

#[tokio::test]
async fn pasted_passwords_right_and_wrong() {
    let Some(wp) = real_wordpress("pasted_passwords_right_and_wrong") else { return };
    let _turn = ONE_AT_A_TIME.lock().await;
    let (site, connect, _dir) = setup(&wp).await;
    let e = connect
        .sign_in_app_password_paste(
            &site,
            &wp.author_user,
            Password::new("abcd efgh ijkl mnop qrst uvwx"),
            opts(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongAppPassword, "{e}");
    assert!(e.hint().contains("Application Password"), "{}", e.hint());
    // The account's login password is not an Application Password either.
    let e = connect
        .sign_in_app_password_paste(
            &site,
            &wp.author_user,
            Password::new(&wp.author_password),
            opts(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongAppPassword);
    assert!(connect.accounts().unwrap().is_empty());

    let done = connect
        .sign_in_app_password_paste(
            &site,
            &wp.author_user,
            Password::new(&wp.author_app_password),
            opts(),
        )
        .await
        .unwrap();
    assert_eq!(done.profile.username, wp.author_user);
    assert_eq!(connect.me(&done.account.id).await.unwrap().profile.display_name, "Ada Author");
}

#[tokio::test]
async fn an_approved_password_is_deleted_on_the_site_when_it_cannot_be_kept() {
    let Some(wp) =
        real_wordpress("an_approved_password_is_deleted_on_the_site_when_it_cannot_be_kept")
    else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let (site, _, dir) = setup(&wp).await;
    let keyring: Arc<dyn SecretStore> = Arc::new(RefusingStore);
    let connect =
        Connect::new(http(), AccountsFile::at(dir.path().join("refusing.json")), Ok(keyring));
    let person =
        Person::new(TestBrowser::new(&wp.author_user, &wp.author_password, Consent::Allow));
    let device = format!("refused-keyring-test-{}", std::process::id());
    let e = connect
        .sign_in_app_password_browser(&site, &device, opts(), &person, &Cancel::new(), |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyringLocked, "{e}");
    assert!(
        named(&wp, &device).await.is_empty(),
        "the password WordPress issued for the failed sign-in was deleted on the site"
    );
    assert!(connect.accounts().unwrap().is_empty());
}
