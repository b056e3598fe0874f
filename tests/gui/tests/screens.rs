//! The desktop app as a person uses it, through its window only (WebDriver clicks and typing):
//! add the real test WordPress and sign in with Application Passwords, add WordPress-dialect
//! sites and sign in with OAuth2 code + PKCE and with the password form, read the profile and the
//! site on screen, meet three errors (wrong password, denied consent, unreachable site) and read
//! what they say, cancel a browser sign-in, change settings, sign out. Each screen is saved to
//! `tests/.state/screenshots/` (the README shows them, from docs/screenshots/).

use std::path::{Path, PathBuf};
use std::time::Duration;

use wpconnect_gui_tests::{app_under_test, App};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

const WAIT: Duration = Duration::from_secs(40);

fn test_browser() -> String {
    let b = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/wpconnect-test-browser");
    assert!(b.is_file(), "{} is built by scripts/test.sh", b.display());
    b.display().to_string()
}

/// A clean config and log directory for one launch, kept until the test ends.
struct Home {
    config: tempfile::TempDir,
    logs: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home { config: tempfile::tempdir().unwrap(), logs: tempfile::tempdir().unwrap() }
    }
    fn log(&self) -> String {
        std::fs::read_to_string(self.logs.path().join("wpconnect.log")).unwrap_or_default()
    }
    fn accounts_file(&self) -> PathBuf {
        self.config.path().join("accounts.json")
    }
}

async fn launch(bin: &Path, home: &Home, person: (&str, &str), extra: &[(&str, &str)]) -> App {
    let (config, logs, browser) = (
        home.config.path().display().to_string(),
        home.logs.path().display().to_string(),
        test_browser(),
    );
    // The page's own storage (theme, zoom) is the launch's too, as a fresh user's would be.
    let data = home.config.path().join("data").display().to_string();
    let mut env = vec![
        ("XDG_DATA_HOME", data.as_str()),
        ("BROWSER", browser.as_str()),
        ("WPCONNECT_TEST_BROWSER_USER", person.0),
        ("WPCONNECT_TEST_BROWSER_PASSWORD", person.1),
        ("WPCONNECT_CONFIG_DIR", config.as_str()),
        ("WPCONNECT_LOG_DIR", logs.as_str()),
    ];
    env.extend_from_slice(extra);
    App::launch(bin, &env).await
}

/// Type an address on the Add a site screen and wait for the site card (or an error).
async fn find_site(app: &App, address: &str) {
    app.click("[data-testid=nav-add]").await;
    app.fill("[data-testid=address]", address).await;
    app.click("[data-testid=find-site]").await;
    app.wait_for("[data-testid=site-card], [data-testid=error]", WAIT).await;
}

/// Choose one of the other ways to sign in (folded away for site admins and developers).
async fn choose_way(app: &App, way: &str) {
    app.script(
        "document.querySelector('[data-testid=other-ways]').open = true; return true",
        serde_json::json!([]),
    )
    .await;
    app.click(&format!("[data-testid=way-{way}]")).await;
}

/// The text of `css` with its details unfolded.
async fn unfolded(app: &App, css: &str) -> String {
    app.open_details().await;
    app.text(css).await
}

/// What a person sees on the screens everyone uses: no jargon, one primary action.
async fn plain_screen(app: &App, screen: &str) {
    plain_part(app, screen, "body").await;
}

/// [`plain_screen`] for the part of a screen matching `css` (the rest is for admins).
async fn plain_part(app: &App, screen: &str, css: &str) {
    let jargon = app.jargon_shown(css).await;
    assert!(jargon.is_empty(), "{screen} shows jargon {jargon:?}: {}", app.page_text().await);
    let primaries = app
        .script(
            "return [...document.querySelectorAll('main .primary')].filter(e => \
             e.getClientRects().length).map(e => e.textContent)",
            serde_json::json!([]),
        )
        .await;
    assert!(
        primaries.as_array().is_some_and(|p| p.len() <= 1),
        "{screen}: one primary action at most, not {primaries}"
    );
}

async fn error_shown(app: &App) -> (String, String) {
    app.wait_for("[data-testid=error-message]", WAIT).await;
    (app.text("[data-testid=error-message]").await, app.text("[data-testid=error-hint]").await)
}

fn dialect_people() -> Vec<User> {
    vec![User::new(4, "ada", "analytical-engine", "Ada Author", &["author"])]
}

#[tokio::test]
async fn real_wordpress_with_application_passwords_from_adding_to_signing_out() {
    let Some(bin) = app_under_test() else { return };
    let Some(wp) = wpconnect_testsupport::real_wordpress("gui: real WordPress") else { return };
    let home = Home::new();
    let app = launch(&bin, &home, (&wp.author_user, &wp.author_password), &[]).await;

    // First launch: no sites, and the way forward.
    app.wait_for("[data-testid=no-accounts]", WAIT).await;
    assert!(app.text("[data-testid=no-accounts]").await.contains("No sites yet"));
    plain_screen(&app, "no sites").await;
    app.screenshot("02-no-sites").await;

    // The site card: what the site is and how to sign in.
    find_site(&app, &wp.url).await;
    assert_eq!(app.text("[data-testid=site-name]").await, wp.name);
    assert_eq!(app.text("[data-testid=site-tagline]").await, wp.tagline);
    assert!(
        app.text("[data-testid=site-https]").await.contains("on this computer"),
        "http is fine for a local site"
    );
    // One button, in view in the default window, with one sentence of what it grants.
    plain_screen(&app, "site found").await;
    assert!(app.in_view("[data-testid=continue]").await, "the way forward is in view");
    assert!(app.text("[data-testid=access]").await.contains("upload photos"));
    assert!(!app.in_view("[data-testid=way-oauth2], [data-testid=way-app-password-paste]").await);
    app.screenshot("03-site-found").await;
    assert!(unfolded(&app, "[data-testid=site-methods]").await.contains("Application Passwords"));
    assert!(
        app.text("[data-testid=reason]").await.starts_with("Application Passwords"),
        "recommended, with its reason, one click away"
    );
    assert_eq!(
        app.script(
            "return document.querySelector('input[name=way]:checked').value",
            serde_json::json!([])
        )
        .await,
        "app-password"
    );

    // Approve in the (scripted) browser; the app carries on by itself.
    assert_eq!(app.text("[data-testid=continue]").await, "Continue in your browser");
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", WAIT).await;
    let done = app.text("[data-testid=signed-in]").await;
    assert!(
        done.contains(&format!("Signed in to {}", wp.name)) && done.contains(&wp.author_user),
        "{done}"
    );
    assert!(done.contains("password manager"), "says where it is kept: {done}");
    plain_screen(&app, "signed in").await;
    app.screenshot("04-signed-in").await;
    let kept = unfolded(&app, "[data-testid=signed-in-details]").await;
    assert!(kept.contains("Secret Service"), "the technical name one click away: {kept}");

    // The account: profile and site, read from the site.
    app.click("[data-testid=signed-in] [data-testid=open-account]").await;
    app.wait_for("[data-testid=profile-facts]", WAIT).await;
    assert_eq!(app.text("[data-testid=profile-username]").await, format!("@{}", wp.author_user));
    let profile = app.text("[data-testid=profile-facts]").await;
    let email = std::env::var("WPCONNECT_TEST_WP_AUTHOR_EMAIL").unwrap();
    assert!(profile.contains(&email) && profile.contains("author"), "email and role: {profile}");
    let site = app.text("[data-testid=site-facts]").await;
    for want in [wp.name.as_str(), wp.tagline.as_str(), wp.timezone.as_str()] {
        assert!(site.contains(want), "{want} in {site}");
    }
    let can = app.text("[data-testid=can]").await;
    assert!(can.contains("write and publish posts") && can.contains("upload photos"), "{can}");
    plain_screen(&app, "account").await;
    // The header stays in view at the bottom of a long screen.
    app.scroll_to_end().await;
    assert!(app.in_view("[data-testid=upload-start], [data-testid=session]").await);
    assert!(app.in_view("[data-testid=nav-add]").await, "the navigation scrolled away");
    app.script(
        "document.querySelector('.scroller').scrollTo(0, 0); return true",
        serde_json::json!([]),
    )
    .await;
    app.screenshot("05-account").await;
    let session = unfolded(&app, "[data-testid=session-facts]").await;
    for want in ["Application Passwords", "does not expire", "wp/v2", "keyring"] {
        assert!(session.contains(want), "{want} in {session}");
    }

    // Photos to the media library through the window: chosen, described, uploaded, followed.
    let dir = tempfile::tempdir().unwrap();
    let photos = wpconnect_testsupport::photos::photos(dir.path());
    app.choose_files("[data-testid=upload-input]", &photos[..2]).await;
    app.wait_for("[data-testid=upload-item-1]", WAIT).await;
    app.fill("[data-testid=alt-0]", "The Seine at dusk").await;
    app.fill("[data-testid=alt-1]", "Die Küste bei Ebbe").await;
    app.click("[data-testid=upload-start]").await;
    let summary =
        app.wait_for_text("[data-testid=upload-summary]", WAIT, |t| t.contains("uploaded")).await;
    assert!(summary.starts_with("2 uploaded, 0 failed"), "{summary}");
    for i in 0..2 {
        let state = app.text(&format!("[data-testid=state-{i}]")).await;
        assert!(
            state.contains("Uploaded (media #") && state.contains("Location removed"),
            "{state}"
        );
        assert!(app.exists(&format!("[data-testid=edit-{i}]")).await, "each links to wp-admin");
    }
    app.screenshot("14-upload").await;
    // What WordPress has: the words given in the window, no position in the stored file.
    let listed = wp.author_get("wp/v2/media?per_page=5&context=edit&search=Paris").await;
    let item = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["alt_text"] == "The Seine at dusk")
        .expect("the photo is in the library with its alt text");
    let stored =
        reqwest::get(item["source_url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    let copy = dir.path().join("stored.jpg");
    std::fs::write(&copy, &stored).unwrap();
    assert!(wpconnect_testsupport::photos::gps_tags(&copy).is_empty(), "no position kept");

    // The list shows it.
    app.click("[data-testid=nav-accounts]").await;
    app.wait_for("[data-testid=account]", WAIT).await;
    assert_eq!(app.text("[data-testid=account-site]").await, wp.name);
    assert_eq!(app.text("[data-testid=standing]").await, "Signed in");
    plain_screen(&app, "your sites").await;
    app.screenshot("06-sites").await;

    // Check configuration, for the site already added: its address is filled in, and a local
    // site over http reads "Not needed", not "Pass".
    app.click("[data-testid=nav-doctor]").await;
    app.wait_for_text("[data-testid=doctor-doctor-address]", WAIT, |_| true).await;
    for _ in 0..50 {
        if !app.value("[data-testid=doctor-doctor-address]").await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.value("[data-testid=doctor-doctor-address]").await,
        format!("{}/", wp.url.trim_end_matches('/'))
    );
    app.click("[data-testid=run-doctor]").await;
    app.wait_for("[data-testid=doctor-summary], [data-testid=error]", Duration::from_secs(60))
        .await;
    let https = unfolded(&app, "[data-testid='check-transport.https']").await;
    assert!(https.starts_with("Not needed (site on this computer)"), "{https}");
    let stored = std::fs::read_to_string(home.accounts_file()).unwrap();
    assert!(
        !stored.contains(&wp.author_password) && !stored.contains("\"password\""),
        "no secret in the accounts file"
    );

    // Sign out from the account view: the Application Password is deleted on the site.
    app.click("[data-testid=nav-accounts]").await;
    app.click("[data-testid=open-account]").await;
    app.wait_for("[data-testid=profile]", WAIT).await;
    // Asked first; "Keep" keeps it.
    app.click("[data-testid=sign-out]").await;
    app.click("[data-testid=keep-signed-in]").await;
    assert!(app.exists("[data-testid=profile]").await && !app.exists("[data-testid=flash]").await);
    app.click("[data-testid=sign-out]").await;
    plain_screen(&app, "sign-out question").await;
    app.click("[data-testid=confirm-sign-out]").await;
    app.wait_for("[data-testid=flash]", WAIT).await;
    let flash = app.text("[data-testid=flash]").await;
    assert!(flash.contains("no longer accepts"), "revoked on the site: {flash}");
    app.wait_for("[data-testid=no-accounts]", WAIT).await;
    assert!(!home.log().is_empty(), "the app logs");
    app.close().await;
}

#[tokio::test]
async fn dialect_site_oauth2_browser_and_password_form_and_errors() {
    let Some(bin) = app_under_test() else { return };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let site = OAuthSite::start(
        Knobs { exact_redirect: true, ..Default::default() },
        vec![Client::new("desk-app", None, &[&format!("http://127.0.0.1:{port}/callback")])],
        dialect_people(),
    )
    .await;
    let home = Home::new();
    let app = launch(&bin, &home, ("ada", "analytical-engine"), &[]).await;

    // Unreachable: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    find_site(&app, &format!("http://127.0.0.1:{closed}")).await;
    let (message, hint) = error_shown(&app).await;
    assert!(
        message.contains("Nothing is answering") && message.contains(&closed.to_string()),
        "{message}"
    );
    assert!(!hint.is_empty());
    plain_screen(&app, "unreachable").await;
    assert_eq!(
        app.value("[data-testid=address]").await,
        format!("http://127.0.0.1:{closed}"),
        "what was typed stays"
    );
    app.screenshot("07-error-unreachable").await;

    // OAuth2 code + PKCE through the browser, on the registered port.
    find_site(&app, &site.url()).await;
    assert!(unfolded(&app, "[data-testid=site-methods]").await.contains("OAuth2"));
    choose_way(&app, "oauth2").await;
    app.fill("[data-testid=f-clientId]", "desk-app").await;
    app.fill("[data-testid=f-redirectPort]", &port.to_string()).await;
    app.screenshot("08-oauth2-form").await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", WAIT).await;
    assert!(app.text("[data-testid=signed-in]").await.contains("Ada Author"));
    assert_eq!(site.counters().token_requests, 1, "one code, exchanged once");
    assert_eq!(site.live_tokens(), (1, 1), "one access and one refresh token issued, both live");
    app.click("[data-testid=signed-in] [data-testid=open-account]").await;
    app.wait_for("[data-testid=profile-facts]", WAIT).await;
    assert_eq!(app.text("[data-testid=profile-name]").await, "Ada Author");
    let session = unfolded(&app, "[data-testid=session-facts]").await;
    assert!(
        session.contains("OAuth2") && session.contains("desk-app") && session.contains("Expires"),
        "{session}"
    );

    // The password form (fallback): a wrong password first, then the right one.
    find_site(&app, &site.url()).await;
    choose_way(&app, "password").await;
    assert!(app.text("[data-testid=fallback-note]").await.starts_with("Fallback"));
    app.fill("[data-testid=f-clientId]", "desk-app").await;
    app.fill("[data-testid=f-username]", "ada").await;
    app.fill("[data-testid=f-password]", "not-her-password").await;
    app.click("[data-testid=continue]").await;
    let (message, hint) = error_shown(&app).await;
    assert!(
        message.to_lowercase().contains("password"),
        "says the password was not accepted: {message}"
    );
    assert!(!hint.is_empty(), "{message}");
    assert_eq!(app.value("[data-testid=f-username]").await, "ada", "nothing typed is lost");
    assert_eq!(app.text("[data-testid=continue]").await, "Try again", "one button to try again");
    app.screenshot("09-error-wrong-password").await;
    app.fill("[data-testid=f-password]", "analytical-engine").await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in]", WAIT).await;
    assert!(app.text("[data-testid=signed-in]").await.contains("Ada Author"));

    // Settings: saved, and the log level takes effect; the log holds no token.
    app.click("[data-testid=nav-settings]").await;
    app.wait_for("[data-testid=settings-form]", WAIT).await;
    plain_screen(&app, "settings").await;
    app.open_details().await;
    app.fill("[data-testid=redirect-ports]", &format!("{port}, 80")).await;
    app.click("[data-testid=save-settings]").await;
    let (message, _) = error_shown(&app).await;
    assert!(message.contains("port 80"), "a bad port is refused with why: {message}");
    app.fill("[data-testid=redirect-ports]", &port.to_string()).await;
    app.script(
        "const s = document.querySelector('[data-testid=log-level]'); s.value = 'debug'; \
         return true",
        serde_json::json!([]),
    )
    .await;
    app.click("[data-testid=save-settings]").await;
    app.wait_for("[data-testid=saved]", WAIT).await;
    app.screenshot("10-settings").await;
    let saved = std::fs::read_to_string(home.config.path().join("settings.json")).unwrap();
    assert!(saved.contains(&port.to_string()) && saved.contains("debug"), "{saved}");
    let log = home.log();
    assert!(log.contains("signed in"), "{log}");
    for token in site.issued_tokens() {
        assert!(!log.contains(&token), "a token in the log");
    }
    assert!(
        !log.contains("analytical-engine") && !log.contains("not-her-password"),
        "no password in the log"
    );

    // Two accounts? One: the same person, site and method is one account.
    app.click("[data-testid=nav-accounts]").await;
    app.wait_for("[data-testid=account]", WAIT).await;
    let n = app
        .script(
            "return document.querySelectorAll('[data-testid=account]').length",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(n, 1);
    // Sign out from the list, confirming.
    app.click("[data-testid=sign-out]").await;
    app.click("[data-testid=confirm-sign-out]").await;
    app.wait_for("[data-testid=no-accounts]", WAIT).await;
    assert_eq!(site.live_tokens(), (0, 0), "both tokens revoked on the server");
    app.close().await;
}

#[tokio::test]
async fn denied_consent_and_a_cancelled_wait_are_said_plainly() {
    let Some(bin) = app_under_test() else { return };
    let site = OAuthSite::start(
        // Not "enforce redirect URI": the registered prefix admits the port the app picks.
        Knobs { consent_screen: true, ..Default::default() },
        vec![Client::new("desk-app", None, &["http://127.0.0.1"])],
        dialect_people(),
    )
    .await;

    // The person says no on the site's consent page.
    let home = Home::new();
    let app = launch(
        &bin,
        &home,
        ("ada", "analytical-engine"),
        &[("WPCONNECT_TEST_BROWSER_CONSENT", "deny")],
    )
    .await;
    find_site(&app, &site.url()).await;
    choose_way(&app, "oauth2").await;
    app.fill("[data-testid=f-clientId]", "desk-app").await;
    app.click("[data-testid=continue]").await;
    let (message, hint) = error_shown(&app).await;
    assert_eq!(message, "WP Connect was not given access: the approval was declined.");
    assert!(hint.contains("approve"), "{hint}");
    // The form itself is the site admin's OAuth client (this site offers nothing else); what
    // happened and what to do are for the person.
    plain_part(&app, "denied", "[data-testid=error]").await;
    assert!(
        !app.exists("[data-testid=doctor-link]").await,
        "a person's no is not the admin's problem"
    );
    assert_eq!(
        app.value("[data-testid=f-clientId]").await,
        "desk-app",
        "the form is still filled in"
    );
    app.screenshot("11-error-denied").await;
    assert!(
        !home.accounts_file().exists()
            || !std::fs::read_to_string(home.accounts_file()).unwrap().contains("ada@")
    );
    app.close().await;

    // A slow person: the waiting screen, then Cancel.
    let home = Home::new();
    let app = launch(
        &bin,
        &home,
        ("ada", "analytical-engine"),
        &[("WPCONNECT_TEST_BROWSER_DELAY_MS", "20000")],
    )
    .await;
    find_site(&app, &site.url()).await;
    choose_way(&app, "oauth2").await;
    app.fill("[data-testid=f-clientId]", "desk-app").await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=browser-url]", WAIT).await;
    assert!(app.in_view("[data-testid=cancel]").await, "Cancel is in view while waiting");
    let url = app.value("[data-testid=browser-url]").await;
    assert!(
        url.starts_with(&format!("{}/oauth/authorize?", site.url()))
            && url.contains("code_challenge_method=S256"),
        "{url}"
    );
    assert!(app.text("[data-testid=waiting]").await.contains("stops waiting after"));
    // The live region is for screen readers (visually hidden): read what it holds.
    let live = app
        .script(
            "return document.querySelector('[data-testid=status]').textContent",
            serde_json::json!([]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(live.contains("Continue in your browser"), "announced: {live}");
    // (The site's own tagline is its words, not ours.)
    plain_part(&app, "waiting", "header, [data-testid=waiting]").await;
    app.screenshot("12-waiting-for-browser").await;
    // Looking at another screen meanwhile: the sign-in keeps waiting, and the tab says so.
    app.click("[data-testid=nav-accounts]").await;
    app.wait_for("[data-testid=no-accounts]", WAIT).await;
    assert!(app.text("[data-testid=nav-add]").await.contains("waiting for your browser"));
    app.click("[data-testid=nav-add]").await;
    assert_eq!(
        app.value("[data-testid=browser-url]").await,
        url,
        "the same sign-in, still waiting"
    );
    app.click("[data-testid=cancel]").await;
    let (message, _) = error_shown(&app).await;
    assert!(message.to_lowercase().contains("cancel"), "{message}");
    // The loopback listener is closed: the redirect URI no longer answers.
    let port = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| url::Url::parse(&v).unwrap().port().unwrap())
        .unwrap();
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "listener closed after cancel"
    );
    app.close().await;
}

#[tokio::test]
async fn the_configuration_panel_shows_the_doctors_report_with_its_fixes() {
    let Some(bin) = app_under_test() else { return };
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    // Prefix matching of redirect URIs: look-alike URIs are accepted, a risk the doctor flags.
    let site = OAuthSite::start(
        Knobs { exact_redirect: false, ..Default::default() },
        vec![Client::new("desk-app", Some("client-s3cret"), &[&redirect])],
        dialect_people(),
    )
    .await;
    let home = Home::new();
    let app = launch(&bin, &home, ("ada", "analytical-engine"), &[]).await;
    app.click("[data-testid=nav-doctor]").await;
    app.fill("[data-testid=doctor-doctor-address]", &site.url()).await;
    app.open_details().await;
    app.fill("[data-testid=doctor-client-id]", "desk-app").await;
    app.fill("[data-testid=doctor-client-secret]", "client-s3cret").await;
    app.fill("[data-testid=doctor-redirect-uri]", &redirect).await;
    app.click("[data-testid=run-doctor]").await;
    app.wait_for("[data-testid=doctor-summary], [data-testid=error]", Duration::from_secs(60))
        .await;
    let summary = app.text("[data-testid=doctor-summary]").await;
    assert!(summary.contains(" warning") && summary.contains("passed"), "{summary}");
    assert!(!summary.contains(" 1 warnings"), "the core's words, counted right: {summary}");
    let matching = "[data-testid='check-oauth2.redirect_matching']";
    assert_eq!(
        app.script(
            "return document.querySelector(arguments[0]).dataset.status",
            serde_json::json!([matching])
        )
        .await,
        "warn"
    );
    let text = app.text(matching).await;
    assert!(
        text.contains("Fix:") && text.contains("Enforce Redirect URI"),
        "the fix, in the admin's terms: {text}"
    );
    // Problems first; what passed and what was not checked, one line each until opened.
    let first = app
        .script(
            "return document.querySelector('.doctor-results [data-testid^=\"check-\"]').dataset.status",
            serde_json::json!([]),
        )
        .await;
    assert!(first == "warn" || first == "fail", "a problem comes first, not a {first}");
    assert!(app.exists(&format!("[data-testid=problems] {matching}")).await, "under To fix");
    let folded = app.page_text().await;
    assert!(!folded.contains("Served over https"), "passed checks are folded: {folded}");
    app.open_details().await;
    let page = app.page_text().await;
    assert!(!page.contains("client-s3cret"), "the secret typed in never shows in the report");
    // What was not asked for is said in the panel's words (its Live option), not as a flag.
    assert!(page.contains("not asked for: Live signs in once"), "{page}");
    assert!(!page.contains("--live") && !page.contains("--client-id"), "{page}");
    app.script(
        "document.querySelectorAll('.folded').forEach(d => d.open = false); return true",
        serde_json::json!([]),
    )
    .await;
    app.screenshot("13-check-configuration").await;

    // The same report as `wpconnect doctor --json`: every check with the same verdict.
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/wpconnect");
    let mut cmd = std::process::Command::new(&cli);
    cmd.args([
        "doctor",
        &site.url(),
        "--client-id",
        "desk-app",
        "--redirect-uri",
        &redirect,
        "--json",
    ])
    .env("WPCONNECT_CLIENT_SECRET", "client-s3cret")
    .env("WPCONNECT_CONFIG_DIR", home.config.path());
    // Off this thread: the test site answers on it.
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("run {}: {e}", cli.display()));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let statuses = app.script("return Object.fromEntries([...document.querySelectorAll('[data-testid^=\"check-\"]')].map(e => [e.dataset.testid.slice(6), e.dataset.status]))", serde_json::json!([])).await;
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.len() > 20);
    for c in checks {
        let id = c["id"].as_str().unwrap();
        assert_eq!(
            statuses[id], c["status"],
            "{id}: the window and the CLI agree; the CLI found: {}",
            c["finding"]
        );
    }
    app.close().await;
}

#[tokio::test]
async fn the_real_plugins_through_the_window_oauth2_password_form_and_oauth1() {
    let Some(bin) = app_under_test() else { return };
    let Some(wp) = wpconnect_testsupport::real_plugins("gui: the real plugins") else { return };
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let port = free();
    let (client, secret) =
        wp.oauth2_client("oauth", port, "authorization_code refresh_token password", false);
    let home = Home::new();
    let app = launch(&bin, &home, (&wp.wp.author_user, &wp.wp.author_password), &[]).await;

    // WP OAuth Server, code + PKCE through the browser: WordPress answers /oauth/authorize and
    // /oauth/me with a canonical redirect, which used to end in "answered with a web page (HTTP
    // 301)".
    find_site(&app, &wp.oauth_url).await;
    assert_eq!(app.text("[data-testid=site-name]").await, wp.wp.name);
    let methods = unfolded(&app, "[data-testid=site-methods]").await;
    assert!(methods.contains("OAuth2") && methods.contains("OAuth 1.0a"), "{methods}");
    choose_way(&app, "oauth2").await;
    app.fill("[data-testid=f-clientId]", &client).await;
    app.fill("[data-testid=f-clientSecret]", &secret).await;
    app.fill("[data-testid=f-redirectPort]", &port.to_string()).await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", WAIT).await;
    let done = app.text("[data-testid=signed-in]").await;
    assert!(
        done.contains(&format!("Signed in to {}", wp.wp.name)) && done.contains("Ada Author"),
        "{done}"
    );
    assert_eq!(wp.live_tokens("oauth", &client), (1, 1), "the tokens are live on the server");
    app.click("[data-testid=signed-in] [data-testid=open-account]").await;
    app.wait_for("[data-testid=profile-facts]", WAIT).await;
    assert_eq!(app.text("[data-testid=profile-name]").await, "Ada Author");
    assert_eq!(app.text("[data-testid=profile-username]").await, format!("@{}", wp.wp.author_user));
    let profile = app.text("[data-testid=profile-facts]").await;
    assert!(profile.contains("author@wpconnect.test") && profile.contains("author"), "{profile}");
    let site = app.text("[data-testid=site-facts]").await;
    for want in [
        wp.wp.name.as_str(),
        wp.wp.tagline.as_str(),
        wp.wp.timezone.as_str(),
        wp.oauth_url.as_str(),
    ] {
        assert!(site.contains(want), "{want} in {site}");
    }
    let session = unfolded(&app, "[data-testid=session-facts]").await;
    assert!(session.contains("OAuth2") && session.contains(&client), "{session}");
    // Signing out revokes on the real server.
    app.click("[data-testid=sign-out]").await;
    app.click("[data-testid=confirm-sign-out]").await;
    app.wait_for("[data-testid=no-accounts]", WAIT).await;
    assert_eq!(wp.live_tokens("oauth", &client), (0, 0), "revoked on the server");

    // The password form: wrong, then right.
    find_site(&app, &wp.oauth_url).await;
    choose_way(&app, "password").await;
    app.fill("[data-testid=f-clientId]", &client).await;
    app.fill("[data-testid=f-clientSecret]", &secret).await;
    app.fill("[data-testid=f-username]", &wp.wp.author_user).await;
    app.fill("[data-testid=f-password]", "not-the-password").await;
    app.click("[data-testid=continue]").await;
    let (message, hint) = error_shown(&app).await;
    assert!(message.to_lowercase().contains("password"), "{message}");
    assert!(!hint.is_empty());
    assert_eq!(wp.live_tokens("oauth", &client), (0, 0));
    app.fill("[data-testid=f-password]", &wp.wp.author_password).await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in]", WAIT).await;
    assert!(app.text("[data-testid=signed-in]").await.contains("Ada Author"));

    // OAuth 1.0a, on the application's registered callback port.
    let callback = free();
    let (key, consumer_secret) =
        wp.oauth1_consumer("oauth", &format!("http://127.0.0.1:{callback}/callback"));
    find_site(&app, &wp.oauth_url).await;
    choose_way(&app, "oauth1").await;
    app.fill("[data-testid=f-consumerKey]", &key).await;
    app.fill("[data-testid=f-consumerSecret]", &consumer_secret).await;
    // First a port the application is not registered with: the plugin refuses the callback, and
    // the remedy is said in the window's words (a field), not the command line's (a flag).
    app.fill("[data-testid=f-redirectPort]", &free().to_string()).await;
    app.click("[data-testid=continue]").await;
    let (message, hint) = error_shown(&app).await;
    assert!(message.contains("Callback URL is invalid"), "{message}");
    assert!(hint.contains("as the Callback port") && !hint.contains("--"), "{hint}");
    // For the admin: the site's check, one click away with the address filled in.
    let link = app
        .script(
            "return document.querySelector('[data-testid=doctor-link]')?.getAttribute('href')",
            serde_json::json!([]),
        )
        .await;
    assert!(link.as_str().is_some_and(|l| l.starts_with("#/doctor?address=")), "{link}");
    app.fill("[data-testid=f-redirectPort]", &callback.to_string()).await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", WAIT).await;
    assert!(app.text("[data-testid=signed-in]").await.contains("Ada Author"));

    app.click("[data-testid=nav-accounts]").await;
    app.wait_for("[data-testid=account]", WAIT).await;
    let n = app
        .script(
            "return document.querySelectorAll('[data-testid=account]').length",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(n, 2, "the password sign-in and the OAuth 1.0a one");
    let log = home.log();
    assert!(
        !log.contains(&secret)
            && !log.contains(&consumer_secret)
            && !log.contains(&wp.wp.author_password),
        "no secret in the log"
    );
    app.close().await;
}

#[tokio::test]
async fn the_account_page_refreshes_and_opens_the_site_settings_show_the_logs_and_session_only_stays_off_disk(
) {
    let Some(bin) = app_under_test() else { return };
    let site = OAuthSite::start(
        Knobs { app_passwords: true, app_passwords_in_use: true, ..Default::default() },
        vec![Client::new("desk-app", None, &["http://127.0.0.1"])],
        dialect_people(),
    )
    .await;
    site.add_app_password(4, "pasted by hand", "abcd EFGH ijkl MNOP qrst UVWX");
    let home = Home::new();
    // A stand-in for the desktop's file manager opener, and a record of where the browser went.
    let tools = tempfile::tempdir().unwrap();
    let opened = tools.path().join("opened.txt");
    let opener = tools.path().join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", tools.path().display(), std::env::var("PATH").unwrap_or_default());
    let visits = tools.path().join("browser.log");
    let visits_s = visits.display().to_string();
    let app = launch(
        &bin,
        &home,
        ("ada", "analytical-engine"),
        &[("PATH", path.as_str()), ("WPCONNECT_TEST_BROWSER_LOG", visits_s.as_str())],
    )
    .await;

    // Pasting an Application Password, for this session only.
    find_site(&app, &site.url()).await;
    choose_way(&app, "app-password-paste").await;
    app.fill("[data-testid=f-username]", "ada").await;
    app.fill("[data-testid=f-password]", "abcd EFGH ijkl MNOP qrst UVWX").await;
    app.click("#session-only").await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", WAIT).await;
    assert!(app.text("[data-testid=signed-in]").await.contains("Ada Author"));
    app.click("[data-testid=nav-accounts]").await;
    app.wait_for("[data-testid=account]", WAIT).await;
    assert!(app.text("[data-testid=account]").await.contains("This session only"));
    let on_disk = std::fs::read_to_string(home.accounts_file()).unwrap_or_default();
    assert!(!on_disk.contains("ada@"), "a session-only account is not written: {on_disk}");

    // OAuth2 through the browser on a port the app picks, then the account page's buttons.
    find_site(&app, &site.url()).await;
    choose_way(&app, "oauth2").await;
    app.fill("[data-testid=f-clientId]", "desk-app").await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", WAIT).await;
    assert!(app.text("[data-testid=signed-in]").await.contains("Ada Author"));
    app.click("[data-testid=signed-in] [data-testid=open-account]").await;
    app.wait_for("[data-testid=profile-facts]", WAIT).await;
    assert_eq!(site.counters().refresh_grants, 0);
    tokio::time::sleep(Duration::from_secs(2)).await; // past the "someone just refreshed" window
    app.click("[data-testid=refresh]").await;
    app.wait_for_text("[data-testid=profile-name]", WAIT, |t| t == "Ada Author").await;
    for _ in 0..100 {
        if site.counters().refresh_grants == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(site.counters().refresh_grants, 1, "the button refreshed the tokens on the server");
    assert_eq!(site.live_tokens().1, 1, "one refresh token live: the new one");
    // The page is drawn anew after a refresh: wait for the new one (it shows when), so the next
    // click meets the page a person would see, not the one being replaced.
    let mut session = String::new();
    for _ in 0..100 {
        session = unfolded(&app, "[data-testid=session-facts]").await;
        if session.contains("Last refresh") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(session.contains("Last refresh"), "{session}");

    let before = std::fs::read_to_string(&visits).unwrap_or_default().lines().count();
    app.click("[data-testid=open-site]").await;
    let site_home = format!("200 {}/", site.url());
    let mut seen = String::new();
    for _ in 0..100 {
        seen = std::fs::read_to_string(&visits).unwrap_or_default();
        if seen.lines().skip(before).any(|l| l.starts_with(&site_home)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        seen.lines().skip(before).any(|l| l.starts_with(&site_home)),
        "the browser opened the site: {seen}"
    );

    app.click("[data-testid=nav-settings]").await;
    app.wait_for("[data-testid=reveal-logs]", WAIT).await;
    app.click("[data-testid=reveal-logs]").await;
    let mut shown = String::new();
    for _ in 0..100 {
        shown = std::fs::read_to_string(&opened).unwrap_or_default();
        if !shown.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        shown.trim(),
        home.logs.path().display().to_string(),
        "the file manager was asked to show the log folder"
    );

    // A report to send: shown before it goes anywhere, with the sites and no secret.
    app.click("[data-testid=copy-report]").await;
    app.wait_for("[data-testid=report-copied], [data-testid=error]", Duration::from_secs(60)).await;
    let report = app.value("[data-testid=report]").await;
    assert!(report.starts_with("WP Connect diagnostic report"), "{report}");
    assert!(report.contains("Accounts (2)") && report.contains(&format!("Site {}/", site.url())));
    for secret in site
        .issued_tokens()
        .iter()
        .map(String::as_str)
        .chain(["abcd EFGH ijkl MNOP qrst UVWX", "analytical-engine"])
    {
        assert!(!report.contains(secret), "the report holds {secret}: {report}");
    }
    app.close().await;

    // The session-only account is gone after a restart; the kept one is there.
    let app = launch(&bin, &home, ("ada", "analytical-engine"), &[]).await;
    app.wait_for("[data-testid=account]", WAIT).await;
    let n = app
        .script(
            "return document.querySelectorAll('[data-testid=account]').length",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(n, 1, "only the account kept in the keyring");
    assert!(!app.text("[data-testid=account]").await.contains("This session only"));
    app.close().await;
}

#[tokio::test]
async fn a_plain_http_site_elsewhere_asks_before_a_password_crosses_the_network() {
    // The person's proxy (`http_proxy`) stands in for the network: `http://blog.example` is
    // reached through it, so it is not on this computer, and it answers plain http.
    let Some(bin) = app_under_test() else { return };
    let name = "blog.example";
    let pki = wpconnect_testsupport::tls::Pki::new();
    let site = OAuthSite::start_https(
        &pki.leaf(&[name]),
        name,
        Knobs::default(),
        vec![Client::new("desk-app", None, &["http://127.0.0.1"])],
        dialect_people(),
    )
    .await;
    let proxy = format!("http://{}", site.server().addr());
    let home = Home::new();
    // The WebDriver connection to the window is on loopback: as a person's `no_proxy` would say.
    let app = launch(
        &bin,
        &home,
        ("ada", "analytical-engine"),
        &[("http_proxy", proxy.as_str()), ("no_proxy", "127.0.0.1,localhost")],
    )
    .await;
    let credentialed = || {
        site.server()
            .requests()
            .iter()
            .filter(|r| {
                r.path().starts_with("/oauth/token")
                    || String::from_utf8_lossy(&r.body).contains("analytical")
            })
            .count()
    };

    find_site(&app, "http://blog.example").await;
    assert!(app.exists("[data-testid=site-card]").await, "{}", app.page_text().await);
    choose_way(&app, "password").await;
    assert!(app.text("[data-testid=fallback-note]").await.contains("without encryption"));
    let warning = app.text("[data-testid=plain-http-warning]").await;
    assert!(
        warning.contains("Sign in without encryption")
            && warning.contains("readable by anyone on the way"),
        "{warning}"
    );
    app.fill("[data-testid=f-clientId]", "desk-app").await;
    app.fill("[data-testid=f-username]", "ada").await;
    app.fill("[data-testid=f-password]", "analytical-engine").await;
    // Not ticked: the form does not go.
    app.click("[data-testid=continue]").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !app.exists("[data-testid=signed-in]").await && !app.exists("[data-testid=error]").await
    );
    assert_eq!(credentialed(), 0, "nothing was sent before the person chose");
    let invalid = app
        .script(
            "return document.querySelector('[data-testid=allow-plain-http]').validity.valueMissing",
            serde_json::json!([]),
        )
        .await;
    assert_eq!(invalid, true, "the box is what is missing");
    app.screenshot("14-plain-http-warning").await;

    // Ticked: signed in, and the choice is kept with the account (no secret in the file).
    app.click("[data-testid=allow-plain-http]").await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in], [data-testid=error]", WAIT).await;
    assert!(
        app.text("[data-testid=signed-in]").await.contains("Ada Author"),
        "{}",
        app.page_text().await
    );
    assert_eq!(credentialed(), 1);
    let accounts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(home.accounts_file()).unwrap()).unwrap();
    let kept = accounts.to_string();
    assert!(kept.contains("\"plain_http\":true"), "{kept}");
    assert!(!kept.contains("analytical"), "{kept}");
    assert!(
        site.server().requests().iter().all(|r| r.proxied && !r.https),
        "every request went through the network, plain"
    );
    app.close().await;
}

#[tokio::test]
async fn the_keyboard_the_zoom_keys_and_both_themes_reach_everything_and_nothing_typed_is_lost() {
    let Some(bin) = app_under_test() else { return };
    let site = OAuthSite::start(
        Knobs { app_passwords: true, ..Default::default() },
        vec![Client::new("desk-app", None, &["http://127.0.0.1"])],
        dialect_people(),
    )
    .await;
    let home = Home::new();
    let app = launch(&bin, &home, ("ada", "analytical-engine"), &[]).await;
    app.wait_for("[data-testid=no-accounts]", WAIT).await;

    // Nothing typed is lost by looking at another tab.
    app.click("[data-testid=nav-add]").await;
    app.fill("[data-testid=address]", "half-typed.example").await;
    app.click("[data-testid=nav-settings]").await;
    app.wait_for("[data-testid=settings-form]", WAIT).await;
    app.click("[data-testid=nav-add]").await;
    assert_eq!(app.value("[data-testid=address]").await, "half-typed.example");
    find_site(&app, &site.url()).await;
    choose_way(&app, "app-password-paste").await;
    app.fill("[data-testid=f-username]", "ada").await;
    app.click("[data-testid=nav-doctor]").await;
    app.click("[data-testid=nav-add]").await;
    assert_eq!(app.value("[data-testid=f-username]").await, "ada", "the form is as it was left");

    // The keyboard: from the address, Tab goes through the screen in reading order.
    choose_way(&app, "app-password").await;
    app.script(
        "document.querySelector('[data-testid=other-ways]').open = false; \
         document.querySelector('[data-testid=address]').focus(); return true",
        serde_json::json!([]),
    )
    .await;
    let mut order = vec![app.focused().await];
    for _ in 0..6 {
        app.press(&["\u{E004}"]).await;
        order.push(app.focused().await);
    }
    assert_eq!(
        order,
        [
            "address",
            "find-site",
            "summary:Details",
            "session-only",
            "continue",
            "button:Back",
            "summary:Other ways to sign in (for site admins and developers)"
        ],
        "tab order through Add a site"
    );

    // Contrast in both themes, every screen with its details open: the badges ("Signed in",
    // "Recommended", the doctor's), the muted text, the buttons, the errors.
    site.add_app_password(4, "pasted by hand", "abcd EFGH ijkl MNOP qrst UVWX");
    choose_way(&app, "app-password-paste").await;
    app.fill("[data-testid=f-username]", "ada").await;
    app.fill("[data-testid=f-password]", "not the one").await;
    app.click("[data-testid=continue]").await;
    error_shown(&app).await;
    app.fill("[data-testid=f-password]", "abcd EFGH ijkl MNOP qrst UVWX").await;
    app.click("[data-testid=continue]").await;
    app.wait_for("[data-testid=signed-in]", WAIT).await;
    app.click("[data-testid=signed-in] [data-testid=open-account]").await;
    app.wait_for("[data-testid=profile]", WAIT).await;
    let account = app.script("return location.hash", serde_json::json!([])).await;
    app.click("[data-testid=nav-doctor]").await;
    app.fill("[data-testid=doctor-doctor-address]", &site.url()).await;
    app.click("[data-testid=run-doctor]").await;
    app.wait_for("[data-testid=doctor-summary]", Duration::from_secs(60)).await;
    find_site(&app, &site.url()).await;
    let screens = ["#/add", "#/", account.as_str().unwrap(), "#/doctor", "#/settings"];
    for theme in ["light", "dark"] {
        app.click("[data-testid=nav-settings]").await;
        app.click(&format!("[data-testid=theme-{theme}]")).await;
        for screen in screens {
            app.go(screen).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            app.open_details().await;
            let (ratio, worst) = app.lowest_contrast().await;
            assert!(ratio >= 4.5, "{theme} theme, {screen}: {ratio}:1 at {worst}");
            eprintln!("contrast, {theme} theme, {screen}: lowest {ratio}:1 ({worst})");
        }
    }
    app.go("#/add").await;
    app.wait_for("[data-testid=site-card]", WAIT).await;
    app.screenshot("15-dark-theme").await;
    app.click("[data-testid=nav-settings]").await;
    app.click("[data-testid=theme-system]").await;

    // Zoom keys: Ctrl+= five times is 200 %; every screen reflows, nothing scrolls sideways.
    let width = || async {
        app.script("return window.innerWidth", serde_json::json!([])).await.as_f64().unwrap()
    };
    let normal = width().await;
    for _ in 0..5 {
        app.press(&["\u{E009}", "="]).await;
    }
    let mut zoomed = normal;
    for _ in 0..50 {
        zoomed = width().await;
        if zoomed < normal * 0.6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!((zoomed - normal / 2.0).abs() < 8.0, "200 %: {normal} CSS px wide became {zoomed}");
    for screen in ["#/add", "#/", "#/settings", "#/doctor"] {
        app.go(screen).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!app.scrolls_sideways().await, "{screen} scrolls sideways at 200 %");
    }
    app.go("#/add").await;
    app.wait_for("[data-testid=site-card]", WAIT).await;
    assert!(!app.scrolls_sideways().await);
    app.script(
        "document.querySelector('.scroller').scrollTo(0, 0); return true",
        serde_json::json!([]),
    )
    .await;
    app.screenshot("16-zoom-200").await;
    app.press(&["\u{E009}", "0"]).await;
    for _ in 0..50 {
        if (width().await - normal).abs() < 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(width().await, normal, "Ctrl+0 is 100 % again");
    app.close().await;
}
