//! The client-configuration doctor against the WordPress-dialect site (WP OAuth Server, the OAuth1
//! plugin, Application Passwords) on loopback: a correctly configured site passes every check that
//! applies, and each misconfiguration knob makes its own check warn or fail with the right fix.

use std::sync::Arc;
use std::time::Duration;

use url::Url;
use wpconnect_core::browser::{Browser, NoBrowser};
use wpconnect_core::doctor::{Doctor, DoctorRequest, Progress, Report, Status};
use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::ClientSecret;
use wpconnect_core::{DiscoveryOptions, Face, HttpOptions};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

mod common;
use common::Person as Admin;

const SECRET: &str = "doctor-client-secret-42";
const CONSUMER_SECRET: &str = "doctor-consumer-secret-42";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn callback(port: u16) -> String {
    format!("http://127.0.0.1:{port}/callback")
}

/// A site configured the way this app needs: exact redirect URIs, every grant, Application
/// Passwords in use, an OAuth1 application registered with our callback.
fn good_knobs(port: u16) -> Knobs {
    Knobs {
        exact_redirect: true,
        app_passwords: true,
        app_passwords_in_use: true,
        oauth1_consumers: vec![("ck_doctor".into(), CONSUMER_SECRET.into(), callback(port))],
        ..Default::default()
    }
}

fn client(port: u16) -> Client {
    Client::new("desk-app", Some(SECRET), &[&callback(port)])
}

async fn start(knobs: Knobs, client: Client) -> OAuthSite {
    OAuthSite::start(
        knobs,
        vec![client],
        vec![User::new(1, "ada", "correct horse", "Ada Admin", &["administrator"])],
    )
    .await
}

fn request(site: &OAuthSite, port: u16) -> DoctorRequest {
    DoctorRequest {
        client_id: Some("desk-app".into()),
        redirect_uri: Some(Url::parse(&callback(port)).unwrap()),
        consumer_key: Some("ck_doctor".into()),
        client_secret: Some(ClientSecret::new(SECRET)),
        consumer_secret: Some(ClientSecret::new(CONSUMER_SECRET)),
        wait: Duration::from_secs(20),
        ..DoctorRequest::new(site.url())
    }
}

/// The admin at the browser, played by the scripted browser.
fn admin() -> Admin {
    Admin::new(TestBrowser::new("ada", "correct horse", Consent::Allow))
}

async fn doctor_with(req: &DoctorRequest, browser: &dyn Browser) -> Report {
    let opts = DiscoveryOptions {
        http: HttpOptions { timeout: Duration::from_secs(5), ..Default::default() },
        ..Default::default()
    };
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let progress = move |p: Progress| {
        if let Progress::Finished(c) = p {
            s2.lock().unwrap().push(c.id);
        }
    };
    let report = Doctor::new(opts).run(req, browser, &Cancel::new(), &progress).await;
    let mut heard = seen.lock().unwrap().clone();
    heard.sort();
    let mut ids: Vec<_> = report.checks.iter().map(|c| c.id).collect();
    ids.sort();
    assert_eq!(heard, ids, "progress heard about every check once");
    report
}

async fn doctor(req: &DoctorRequest) -> Report {
    doctor_with(req, &NoBrowser).await
}

/// The check's status, with the whole report on failure.
fn status(r: &Report, id: &str) -> Status {
    r.check(id).unwrap_or_else(|| panic!("no check {id}")).status
}

#[track_caller]
fn expect(r: &Report, id: &str, want: Status, fix_mentions: &[&str]) {
    let c = r.check(id).unwrap_or_else(|| panic!("no check {id}"));
    assert_eq!(c.status, want, "{id}: {c:#?}");
    if want == Status::Warn || want == Status::Fail {
        let fix = c.fix.as_deref().unwrap_or_else(|| panic!("{id} has no fix: {c:#?}"));
        for m in fix_mentions {
            assert!(fix.contains(m), "{id}'s fix does not mention {m:?}: {fix}");
        }
        assert!(!c.observed.is_empty(), "{id} shows what was observed");
    }
}

fn not_passing(r: &Report) -> Vec<String> {
    r.checks
        .iter()
        .filter(|c| c.status != Status::Pass && c.status != Status::Skipped)
        .map(|c| format!("{} {:?}: {}", c.id, c.status, c.finding))
        .collect()
}

#[tokio::test]
async fn a_correctly_configured_site_passes_every_check_that_applies() {
    let port = free_port();
    let site = start(good_knobs(port), client(port)).await;
    let r = doctor(&request(&site, port)).await;
    assert_eq!(not_passing(&r), Vec::<String>::new(), "{r:#?}");
    assert_eq!(r.exit_code, 0);
    for id in [
        "transport.https",
        "transport.site_address",
        "rest.reachable",
        "rest.not_blocked",
        "rest.permalinks",
        "auth.authorization_header",
        "methods.advertised",
        "methods.application_passwords",
        "oauth2.server",
        "oauth2.client",
        "oauth2.redirect_uri",
        "oauth2.redirect_matching",
        "oauth2.loopback_port",
        "oauth2.grant.authorization_code",
        "oauth1.consumer",
        "oauth1.clock",
    ] {
        assert_eq!(status(&r, id), Status::Pass, "{id}: {:#?}", r.check(id));
    }
    // A made-up refresh token or user cannot tell whether the client may use those grants.
    for id in ["oauth2.grant.refresh_token", "oauth2.grant.password"] {
        assert_eq!(status(&r, id), Status::Skipped, "{id}: {:#?}", r.check(id));
    }
    // A local site over http is a pass that says so.
    let https = r.check("transport.https").unwrap();
    assert!(https.finding.contains("Local environment over http"));
    assert_eq!(https.not_needed.as_deref(), Some("site on this computer"));
    assert!(r.checks.iter().filter(|c| c.not_needed.is_some()).count() == 1, "{r:#?}");
    // What only --live can check is skipped, saying why.
    for c in r.checks.iter().filter(|c| c.status == Status::Skipped) {
        assert!(c.skipped_because.as_deref().is_some_and(|b| !b.is_empty()), "{c:#?}");
    }
    assert!(r.check("live.pkce").unwrap().skipped_because.as_deref().unwrap().contains("--live"));
    // Only the Application Password probe and token requests that are refused: nothing issued.
    assert!(site.issued_tokens().is_empty(), "no token was issued without --live");
    assert_eq!(site.app_password_names(), Vec::<String>::new());
}

#[tokio::test]
async fn live_on_a_correctly_configured_site_passes_and_revokes_everything() {
    let port = free_port();
    let site = start(good_knobs(port), client(port)).await;
    let mut req = request(&site, port);
    req.live = true;
    req.client_secret = Some(ClientSecret::new(SECRET));
    let r = doctor_with(&req, &admin()).await;
    assert_eq!(not_passing(&r), Vec::<String>::new(), "{r:#?}");
    for id in [
        "live.state",
        "live.pkce",
        "live.code_reuse",
        "live.token_lifetimes",
        "live.refresh_rotation",
        "live.revocation",
        "live.me",
        "auth.authorization_header",
        "auth.site_health",
    ] {
        assert_eq!(status(&r, id), Status::Pass, "{id}: {:#?}", r.check(id));
    }
    assert_eq!(status(&r, "live.code_lifetime"), Status::Skipped);
    assert!(
        r.check("live.token_lifetimes").unwrap().finding.contains("3600 seconds"),
        "{:#?}",
        r.check("live.token_lifetimes")
    );
    let issued = site.issued_tokens();
    assert!(!issued.is_empty());
    for t in &issued {
        assert!(!site.access_token_valid(t), "every token the doctor obtained is revoked");
    }
    let json = serde_json::to_string(&r).unwrap();
    for t in issued {
        assert!(!json.contains(&t), "a token leaked into the report");
    }
    assert!(!json.contains(SECRET) && !json.contains(CONSUMER_SECRET));
    assert_eq!(status(&r, "oauth1.callback"), Status::Pass, "{:#?}", r.check("oauth1.callback"));
}

#[tokio::test]
async fn the_apps_report_names_its_fields_not_the_command_lines_flags() {
    // What the doctor did not get, said as each face asks for it: a flag on the command line, the
    // panel's field or option in the app.
    let port = free_port();
    let site = start(good_knobs(port), client(port)).await;
    let bare = |face| DoctorRequest {
        face,
        wait: Duration::from_secs(20),
        ..DoctorRequest::new(site.url())
    };
    let text = |r: &Report| {
        r.checks
            .iter()
            .map(|c| {
                format!(
                    "{} {} {}",
                    c.finding,
                    c.fix.clone().unwrap_or_default(),
                    c.skipped_because.clone().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let cli = text(&doctor(&bare(Face::CommandLine)).await);
    assert!(cli.contains("no --client-id given") && cli.contains("--live signs in once"), "{cli}");
    let app = text(&doctor(&bare(Face::Desktop)).await);
    assert!(
        app.contains("no OAuth2 client ID given")
            && app.contains("not asked for: Live signs in once"),
        "{app}"
    );
    assert!(
        !app.contains("--") && !app.contains("WPCONNECT_"),
        "the app's report names no flag: {app}"
    );
}

#[tokio::test]
async fn prefix_redirect_matching_is_flagged() {
    let port = free_port();
    let site = start(Knobs { exact_redirect: false, ..good_knobs(port) }, client(port)).await;
    let r = doctor(&request(&site, port)).await;
    expect(&r, "oauth2.redirect_matching", Status::Warn, &["Enforce Redirect URI"]);
    assert!(r.check("oauth2.redirect_matching").unwrap().finding.contains("/callback-lookalike"));
    assert_eq!(r.exit_code, 1);
}

#[tokio::test]
async fn a_stripped_authorization_header_fails_with_the_server_lines() {
    let port = free_port();
    let site = start(Knobs { strip_authorization: true, ..good_knobs(port) }, client(port)).await;
    let r = doctor(&request(&site, port)).await;
    expect(
        &r,
        "auth.authorization_header",
        Status::Fail,
        &[
            "CGIPassAuth On",
            "E=HTTP_AUTHORIZATION:%{HTTP:Authorization}",
            "fastcgi_param HTTP_AUTHORIZATION $http_authorization;",
            "SetEnvIf Authorization",
        ],
    );
    assert_eq!(r.exit_code, 2);
    // Without a client ID the made-up Application Password tells the same story.
    let mut req = request(&site, port);
    req.client_id = None;
    let r = doctor(&req).await;
    assert_eq!(
        status(&r, "auth.authorization_header"),
        Status::Skipped,
        "{:#?}",
        r.check("auth.authorization_header")
    );
    let ok = start(good_knobs(port), client(port)).await;
    let mut req = request(&ok, port);
    req.client_id = None;
    let r = doctor(&req).await;
    assert_eq!(
        status(&r, "auth.authorization_header"),
        Status::Pass,
        "{:#?}",
        r.check("auth.authorization_header")
    );
}

#[tokio::test]
async fn a_stripped_header_is_proven_with_a_live_token() {
    let port = free_port();
    let site = start(Knobs { strip_authorization: true, ..good_knobs(port) }, client(port)).await;
    let mut req = request(&site, port);
    req.live = true;
    let r = doctor_with(&req, &admin()).await;
    let c = r.check("auth.authorization_header").unwrap();
    assert_eq!(c.status, Status::Fail, "{c:#?}");
    assert!(c.finding.contains("accepted as a parameter") || c.finding.contains("body"), "{c:#?}");
    assert!(c.fix.as_deref().unwrap().contains("CGIPassAuth On"));
}

#[tokio::test]
async fn a_disabled_server_fails_and_says_where_to_switch_it_on() {
    let port = free_port();
    let site = start(Knobs { disabled: true, ..good_knobs(port) }, client(port)).await;
    let r = doctor(&request(&site, port)).await;
    expect(&r, "oauth2.server", Status::Fail, &["OAuth Server Enabled"]);
    assert!(r.check("oauth2.server").unwrap().observed.iter().any(|e| e.response.contains("503")));
    assert_eq!(status(&r, "oauth2.grant.password"), Status::Skipped);
    assert_eq!(r.exit_code, 2);
}

#[tokio::test]
async fn grants_are_judged_only_where_the_server_can_tell() {
    // Like the real WP OAuth Server, the dialect checks a made-up refresh token or user before the
    // client's grant types: those answers cannot tell. The authorization endpoint can (for the code
    // grant), and a real refresh token from --live can.
    let port = free_port();
    let site = start(good_knobs(port), client(port).grants(&["password"])).await;
    let r = doctor(&request(&site, port)).await;
    expect(&r, "oauth2.grant.authorization_code", Status::Fail, &["\"Authorization Code\""]);
    let refresh = r.check("oauth2.grant.refresh_token").unwrap();
    assert!(
        refresh.status == Status::Skipped
            && refresh.skipped_because.as_deref().unwrap().contains("--live"),
        "{refresh:#?}"
    );
    assert_eq!(status(&r, "oauth2.grant.password"), Status::Skipped);

    let site = start(good_knobs(port), client(port).grants(&["authorization_code"])).await;
    let r = doctor_with(&DoctorRequest { live: true, ..request(&site, port) }, &admin()).await;
    expect(&r, "oauth2.grant.refresh_token", Status::Warn, &["\"Refresh Token\""]);
    assert_eq!(status(&r, "live.refresh_rotation"), Status::Skipped);
    assert_eq!(status(&r, "oauth2.grant.authorization_code"), Status::Pass);
}

#[tokio::test]
async fn an_unknown_client_or_a_wrong_secret_fails_the_client_check() {
    let port = free_port();
    let site = start(good_knobs(port), client(port)).await;
    let mut req = request(&site, port);
    req.client_id = Some("no-such-app".into());
    let r = doctor(&req).await;
    expect(&r, "oauth2.client", Status::Fail, &["OAuth Server > Clients"]);
    let mut req = request(&site, port);
    req.client_secret = Some(ClientSecret::new("not-the-secret"));
    let r = doctor(&req).await;
    expect(&r, "oauth2.client", Status::Fail, &["WPCONNECT_CLIENT_SECRET"]);
    assert!(!serde_json::to_string(&r).unwrap().contains("not-the-secret"));
}

#[tokio::test]
async fn redirect_uris_refused_and_fixed_ports() {
    let port = free_port();
    let site = start(good_knobs(port), client(port)).await;
    // A redirect URI that is not registered.
    let mut req = request(&site, port);
    let other = free_port();
    req.redirect_uri = Some(Url::parse(&callback(other)).unwrap());
    let r = doctor(&req).await;
    expect(&r, "oauth2.redirect_uri", Status::Fail, &[&format!("Add exactly {}", callback(other))]);
    // No redirect URI given: a random port is refused by exact matching, so a port must be
    // registered.
    req.redirect_uri = None;
    let r = doctor(&req).await;
    expect(
        &r,
        "oauth2.loopback_port",
        Status::Warn,
        &["--redirect-port 8765", "http://127.0.0.1:8765/callback"],
    );
    // The registered port works: pass, and it says how people sign in.
    let r = doctor(&request(&site, port)).await;
    let c = r.check("oauth2.loopback_port").unwrap();
    assert!(
        c.status == Status::Pass && c.finding.contains(&format!("--redirect-port {port}")),
        "{c:#?}"
    );
    // A server that accepts any loopback port.
    // WP OAuth Server without "enforce redirect URI", `http://127.0.0.1` registered: a prefix of
    // every loopback port.
    let any = start(
        Knobs { exact_redirect: false, ..good_knobs(port) },
        Client::new("desk-app", Some(SECRET), &["http://127.0.0.1"]),
    )
    .await;
    let r = doctor(&request(&any, port)).await;
    assert!(
        r.check("oauth2.loopback_port").unwrap().finding.contains("any free port"),
        "{:#?}",
        r.check("oauth2.loopback_port")
    );
}

#[tokio::test]
async fn pkce_ignored_fails_live() {
    let port = free_port();
    let site = start(Knobs { pkce_ignored: true, ..good_knobs(port) }, client(port)).await;
    let mut req = request(&site, port);
    req.live = true;
    let r = doctor_with(&req, &admin()).await;
    expect(&r, "live.pkce", Status::Fail, &["PKCE"]);
    assert!(r.check("live.pkce").unwrap().finding.contains("WRONG PKCE verifier"));
    for t in site.issued_tokens() {
        assert!(
            !site.access_token_valid(&t),
            "tokens from the wrong-verifier exchange are revoked too"
        );
    }
}

#[tokio::test]
async fn reusable_refresh_tokens_warn_live() {
    let port = free_port();
    let site = start(Knobs { refresh_reusable: true, ..good_knobs(port) }, client(port)).await;
    let mut req = request(&site, port);
    req.live = true;
    let r = doctor_with(&req, &admin()).await;
    expect(&r, "live.refresh_rotation", Status::Warn, &["single-use"]);
    assert_eq!(status(&r, "live.pkce"), Status::Pass);
    assert_eq!(r.exit_code, 1, "{:?}", not_passing(&r));
}

#[tokio::test]
async fn state_dropped_fails_live() {
    let port = free_port();
    let site = start(Knobs { drop_state: true, ..good_knobs(port) }, client(port)).await;
    let mut req = request(&site, port);
    req.live = true;
    let r = doctor_with(&req, &admin()).await;
    expect(&r, "live.state", Status::Fail, &["state"]);
}

#[tokio::test]
async fn short_lived_tokens_warn_live() {
    let port = free_port();
    let site =
        start(Knobs { access_ttl: Duration::from_secs(60), ..good_knobs(port) }, client(port))
            .await;
    let mut req = request(&site, port);
    req.live = true;
    let r = doctor_with(&req, &admin()).await;
    expect(&r, "live.token_lifetimes", Status::Warn, &["Lengthen"]);
}

#[tokio::test]
async fn a_wrong_oauth1_callback_fails_live() {
    let port = free_port();
    let registered = free_port();
    let site = start(
        Knobs {
            oauth1_consumers: vec![(
                "ck_doctor".into(),
                CONSUMER_SECRET.into(),
                callback(registered),
            )],
            ..good_knobs(port)
        },
        client(port),
    )
    .await;
    let mut req = request(&site, port);
    req.client_id = None;
    req.live = true;
    let r = doctor(&req).await;
    assert_eq!(status(&r, "oauth1.consumer"), Status::Pass, "{:#?}", r.check("oauth1.consumer"));
    expect(
        &r,
        "oauth1.callback",
        Status::Fail,
        &[&format!("exactly {}", callback(port)), "--redirect-port"],
    );
    // Without --live the callback is not tried (it would store a request token), and the key is
    // still checked, with a made-up signature.
    req.live = false;
    let r = doctor(&req).await;
    assert_eq!(status(&r, "oauth1.consumer"), Status::Pass, "{:#?}", r.check("oauth1.consumer"));
    assert_eq!(status(&r, "oauth1.callback"), Status::Skipped);
    req.consumer_key = Some("ck_nobody".into());
    let r = doctor(&req).await;
    expect(&r, "oauth1.consumer", Status::Fail, &["Users > Applications"]);
}

#[tokio::test]
async fn a_skewed_server_clock_fails() {
    let port = free_port();
    let site = start(Knobs { clock_skew_secs: 40 * 60, ..good_knobs(port) }, client(port)).await;
    let r = doctor(&request(&site, port)).await;
    expect(&r, "oauth1.clock", Status::Fail, &["NTP"]);
    assert!(
        r.check("oauth1.clock").unwrap().finding.contains("40 minutes ahead"),
        "{:#?}",
        r.check("oauth1.clock")
    );
    let site = start(Knobs { clock_skew_secs: -5 * 60, ..good_knobs(port) }, client(port)).await;
    let r = doctor(&request(&site, port)).await;
    expect(&r, "oauth1.clock", Status::Warn, &["NTP"]);
}

#[tokio::test]
async fn a_site_that_calls_itself_by_another_name_fails_the_address_check() {
    let port = free_port();
    let site = start(
        Knobs { advertised_url: Some("http://www.dialect.test".into()), ..good_knobs(port) },
        client(port),
    )
    .await;
    let r = doctor(&request(&site, port)).await;
    expect(&r, "transport.site_address", Status::Fail, &["Settings > General"]);
}

#[tokio::test]
async fn plain_permalinks_warn() {
    let port = free_port();
    let site = start(Knobs { plain_permalinks: true, ..good_knobs(port) }, client(port)).await;
    let r = doctor(&request(&site, port)).await;
    expect(&r, "rest.permalinks", Status::Warn, &["Settings > Permalinks"]);
    assert_eq!(
        status(&r, "oauth2.grant.authorization_code"),
        Status::Pass,
        "the ?oauth= endpoints work"
    );
}

#[tokio::test]
async fn https_asked_of_a_port_that_speaks_plain_http_fails() {
    // A plain-http server asked for https: no TLS at all (bad certificates: tests/tls.rs).
    let port = free_port();
    let site = start(good_knobs(port), client(port)).await;
    let https = site.url().replace("http://", "https://");
    let r = doctor(&DoctorRequest::new(https)).await;
    expect(&r, "transport.certificate", Status::Fail, &["certificate"]);
    assert!(
        r.check("transport.https").unwrap().finding.contains("does not speak https"),
        "{:#?}",
        r.check("transport.https")
    );
    assert_eq!(status(&r, "rest.reachable"), Status::Fail);
    assert_eq!(status(&r, "oauth2.client"), Status::Skipped);
    assert_eq!(r.exit_code, 2);
    assert_eq!(r.site_url, None);
}

#[tokio::test]
async fn a_site_that_does_not_answer_is_a_report_with_failures() {
    let port = free_port();
    let r = doctor(&DoctorRequest::new(format!("http://127.0.0.1:{port}"))).await;
    assert_eq!(status(&r, "transport.https"), Status::Fail);
    assert_eq!(status(&r, "rest.reachable"), Status::Fail);
    assert!(
        r.check("rest.reachable").unwrap().finding.contains("Nothing is answering"),
        "{:#?}",
        r.check("rest.reachable")
    );
    assert_eq!(r.exit_code, 2);
    let every: Vec<_> = r.checks.iter().map(|c| c.id).collect();
    assert_eq!(every, wpconnect_core::doctor::CheckId::ALL, "every check, in report order");
}
