//! The fault matrix: every network fault against every operation it applies to, on the
//! WordPress-dialect site (WP OAuth Server, Application Passwords, a media library) served over
//! real TLS at `blog.example`, with the real keyring (a Secret Service).
//!
//! Each cell injects one fault, runs one operation as the app does, and checks, rather than
//! assumes, that the person got a clear word (a message and a remedy in plain language, the
//! kind of error the fault is, no library's internals) and that nothing was lost: the accounts,
//! WP Connect's items in the keyring (counted over the Secret Service by `secret-tool`) and the
//! tokens the site holds, before and after. The matrix is printed as a table; any cell that is
//! not "ok" (it worked) or "clear" (a clear error, nothing lost) fails the test, named.
//!
//! This computer's faults (a locked or absent keyring, a read-only or full disk, a corrupt
//! accounts file, a kill in the middle) are in `crates/wpconnect-cli/tests/computer.rs`.

use std::sync::Arc;
use std::time::Duration;

use wpconnect_core::doctor::{Doctor, DoctorRequest, Status};
use wpconnect_core::http::Certificate;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::{ClientSecret, Password};
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions, SignedIn};
use wpconnect_core::store::{AccountsFile, KeyringStore, SecretStore};
use wpconnect_core::upload::{UploadFile, UploadOptions};
use wpconnect_core::{Discovered, Discoverer, DiscoveryOptions, Error, ErrorKind, HttpOptions};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};
use wpconnect_testsupport::tls::Pki;
use wpconnect_testsupport::{Fault, Request, Resolver};

mod common;
use common::{keyring_items, Person};

const NAME: &str = "blog.example";
const SECRET: &str = "matrix-client-secret";
const APP_PASSWORD: &str = "abcd EFGH ijkl MNOP qrst UVWX";

/// One fault as the matrix names it, and the fault (or DNS outage) that plays it.
#[derive(Clone)]
enum Injected {
    Dns,
    Server(Fault),
}

fn faults() -> Vec<(&'static str, Injected)> {
    use Injected::Server as S;
    vec![
        ("DNS failure", Injected::Dns),
        ("connection refused", S(Fault::Refuse)),
        ("reset mid-body", S(Fault::ResetMidBody)),
        ("TLS: untrusted certificate", S(Fault::UntrustedCertificate)),
        ("one byte a second", S(Fault::Drip)),
        ("503 with an HTML page", S(Fault::HtmlPage(503))),
        ("200 with an HTML page", S(Fault::HtmlPage(200))),
        ("truncated JSON", S(Fault::TruncatedJson)),
        ("a huge body (64 MiB)", S(Fault::HugeBody(64 << 20))),
        ("wrong content type", S(Fault::WrongContentType)),
        ("401 mid-session", S(Fault::Unauthorized)),
        ("429 with Retry-After", S(Fault::TooManyRequests(120))),
        ("server clock 5 h ahead", S(Fault::ClockOff(5 * 3600))),
        ("server clock 5 h behind", S(Fault::ClockOff(-5 * 3600))),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Discover,
    PasswordSignIn,
    BrowserSignIn,
    OAuth1SignIn,
    AppPasswordSignIn,
    Refresh,
    Me,
    SignOut,
    Upload,
    Doctor,
}

const OPS: [(Op, &str); 10] = [
    (Op::Discover, "discover"),
    (Op::PasswordSignIn, "password"),
    (Op::BrowserSignIn, "browser"),
    (Op::OAuth1SignIn, "oauth1"),
    (Op::AppPasswordSignIn, "app pw"),
    (Op::Refresh, "refresh"),
    (Op::Me, "/me"),
    (Op::SignOut, "sign-out"),
    (Op::Upload, "upload"),
    (Op::Doctor, "doctor"),
];

impl Op {
    fn signs_in(self) -> bool {
        matches!(
            self,
            Op::PasswordSignIn | Op::BrowserSignIn | Op::OAuth1SignIn | Op::AppPasswordSignIn
        )
    }
    /// The person's browser takes part (and is not the app: faults strike only the app).
    fn uses_browser(self) -> bool {
        matches!(self, Op::BrowserSignIn | Op::OAuth1SignIn)
    }
    fn needs_account(self) -> bool {
        matches!(self, Op::Refresh | Op::Me | Op::SignOut | Op::Upload)
    }
}

/// The kinds of error a fault must be reported as, where only one reading is right.
fn expected(fault: &Injected, op: Op) -> Option<Vec<ErrorKind>> {
    let mut kinds = match fault {
        Injected::Dns => vec![ErrorKind::Dns],
        Injected::Server(Fault::Refuse) => vec![ErrorKind::ConnectionRefused],
        Injected::Server(Fault::UntrustedCertificate) => vec![ErrorKind::Tls],
        Injected::Server(Fault::Drip) => vec![ErrorKind::Timeout],
        Injected::Server(Fault::HugeBody(_)) => vec![ErrorKind::ResponseTooLarge],
        Injected::Server(Fault::TooManyRequests(_)) => vec![ErrorKind::RateLimited],
        _ => return None,
    };
    // The browser cannot reach the site either: nothing comes back to the app.
    if op.uses_browser()
        && matches!(fault, Injected::Server(Fault::Refuse | Fault::UntrustedCertificate))
    {
        kinds.push(ErrorKind::CallbackTimeout);
    }
    Some(kinds)
}

/// A fault that struck after the site did its work: a token it issued may never have reached
/// the app, which cannot end what it never saw (it expires on the site).
fn lost_in_transit(fault: &Injected) -> bool {
    matches!(
        fault,
        Injected::Server(
            Fault::ResetMidBody | Fault::Drip | Fault::TruncatedJson | Fault::HugeBody(_)
        )
    )
}

/// Words that belong to a library's internals, not to a message for a person.
const INTERNALS: &[&str] = &[
    "reqwest",
    "hyper",
    "error sending request",
    "os {",
    "os error",
    "docs.rs",
    "custom {",
    "kind: ",
    "tcp connect error",
    "<!doctype",
    "<html",
    "serde",
    "panicked",
];

/// Why a message is not clear, if it is not.
fn unclear(message: &str, hint: &str) -> Option<String> {
    if message.trim().is_empty() {
        return Some("no message".into());
    }
    if hint.trim().is_empty() {
        return Some(format!("no remedy for \"{message}\""));
    }
    let lower = format!("{message} {hint}").to_lowercase();
    INTERNALS
        .iter()
        .find(|w| lower.contains(**w))
        .map(|w| format!("internals (\"{w}\") shown: \"{message}\" / \"{hint}\""))
}

struct World {
    pki: Pki,
    site: OAuthSite,
    resolver: Resolver,
    http: HttpOptions,
    discovered: Discovered,
    photo: std::path::PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let pki = Pki::new();
        let port = free_port();
        let site = OAuthSite::start_https(
            &pki.leaf(&[NAME]),
            NAME,
            Knobs {
                app_passwords: true,
                oauth1_consumers: vec![(
                    "matrix-consumer".into(),
                    "matrix-consumer-secret".into(),
                    format!("http://127.0.0.1:{port}/callback"),
                )],
                ..Default::default()
            },
            vec![Client::new(
                "desk-app",
                Some(SECRET),
                &[&format!("http://127.0.0.1:{port}/callback")],
            )],
            vec![User::new(7, "ada", "correct horse", "Ada Lovelace", &["author"])],
        )
        .await;
        let resolver = Resolver::new().map_to(NAME, site.server().addr());
        let http = HttpOptions {
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            resolver: Some(Arc::new(resolver.clone())),
            extra_roots: vec![Certificate::from_pem(pki.ca_pem().as_bytes()).unwrap()],
            ..Default::default()
        };
        let discovered =
            Discoverer::new(DiscoveryOptions { http: http.clone(), ..Default::default() })
                .discover(NAME)
                .await
                .expect("the site is found before any fault");
        let dir = tempfile::tempdir().unwrap();
        let photo = wpconnect_testsupport::photos::photos(dir.path()).remove(0);
        World { pki, site, resolver, http, discovered, photo, port, _dir: dir }
    }

    async fn inject(&self, fault: &Injected, op: Op) {
        match fault {
            Injected::Dns => self.resolver.set_down(true),
            Injected::Server(f) => {
                // The person's browser is not the app: in a browser sign-in, only what the app
                // itself asks is struck (connection faults strike both).
                let browser = op.uses_browser();
                self.site
                    .server()
                    .inject(f.clone(), move |r: &Request| {
                        !(browser
                            && (r.path().starts_with("/oauth/authorize")
                                || r.path().starts_with("/oauth1/authorize")
                                || r.path().starts_with("/wp-login.php")))
                    })
                    .await
            }
        }
    }

    async fn heal(&self) {
        self.resolver.set_down(false);
        self.site.server().heal().await;
    }

    fn client(&self) -> OAuth2Client {
        OAuth2Client {
            client_id: "desk-app".into(),
            client_secret: Some(ClientSecret::new(SECRET)),
            redirect_ports: vec![self.port],
            scope: None,
        }
    }

    /// Ada signs in with her password (the OAuth2 password grant).
    async fn sign_in(&self, connect: &Connect) -> Result<SignedIn, Error> {
        connect
            .sign_in_password(
                &self.discovered,
                self.client(),
                "ada",
                Password::new("correct horse"),
                sign_in_opts(),
            )
            .await
    }

    fn person(&self) -> Person {
        Person::new(
            TestBrowser::new("ada", "correct horse", Consent::Allow)
                .with_tls(self.pki.ca_pem(), &[(NAME, self.site.server().addr())]),
        )
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The OAuth 1.0a sign-in here returns through the loopback: no code is ever pasted.
#[allow(clippy::result_large_err)]
fn no_pasted_code() -> Result<String, Error> {
    unreachable!("a loopback callback, not a pasted code")
}

fn sign_in_opts() -> SignInOptions {
    SignInOptions { timeout: Duration::from_secs(3), ..Default::default() }
}

/// What one operation ended in.
enum Outcome {
    Worked(String),
    Failed(Box<Error>),
    /// The doctor's report: its failing checks' findings and fixes.
    Report(Vec<(String, String)>),
}

async fn run(w: &World, connect: &Connect, op: Op, account: Option<&str>) -> Outcome {
    let done = |r: Result<String, Error>| match r {
        Ok(s) => Outcome::Worked(s),
        Err(e) => Outcome::Failed(Box::new(e)),
    };
    match op {
        Op::Discover => done(
            Discoverer::new(DiscoveryOptions { http: w.http.clone(), ..Default::default() })
                .discover(NAME)
                .await
                .map(|d| d.site.name),
        ),
        Op::PasswordSignIn => done(w.sign_in(connect).await.map(|s| s.profile.username)),
        Op::BrowserSignIn => {
            let person = w.person();
            done(
                connect
                    .sign_in_browser(
                        &w.discovered,
                        w.client(),
                        sign_in_opts(),
                        &person,
                        &Cancel::new(),
                        |_, _| {},
                    )
                    .await
                    .map(|s| s.profile.username),
            )
        }
        Op::OAuth1SignIn => {
            let person = w.person();
            let consumer = wpconnect_core::oauth1::Consumer {
                key: "matrix-consumer".into(),
                secret: ClientSecret::new("matrix-consumer-secret"),
            };
            done(
                connect
                    .sign_in_oauth1(
                        &w.discovered,
                        consumer,
                        Some(w.port),
                        sign_in_opts(),
                        &person,
                        &Cancel::new(),
                        |_, _| {},
                        no_pasted_code,
                    )
                    .await
                    .map(|s| s.profile.username),
            )
        }
        Op::AppPasswordSignIn => done(
            connect
                .sign_in_app_password_paste(
                    &w.discovered,
                    "ada",
                    Password::new(APP_PASSWORD),
                    sign_in_opts(),
                )
                .await
                .map(|s| s.profile.username),
        ),
        Op::Refresh => {
            let id = account.unwrap();
            let expiry = connect.account(id).unwrap().expires_at;
            done(connect.refresh(id, expiry).await.map(|_| "refreshed".into()))
        }
        Op::Me => done(connect.me(account.unwrap()).await.map(|m| m.profile.username)),
        Op::SignOut => match connect.sign_out(account.unwrap()).await {
            Ok(out) if out.revoked => Outcome::Worked("revoked".into()),
            // Signed out here; the person is told the site could not be.
            Ok(out) => Outcome::Report(vec![(
                out.revoke_problem.unwrap_or_default(),
                "signed out on this computer".into(),
            )]),
            Err(e) => Outcome::Failed(Box::new(e)),
        },
        Op::Upload => {
            let files = vec![UploadFile::new(&w.photo)];
            let opts = UploadOptions { jobs: 1, ..Default::default() };
            match connect.upload(account.unwrap(), files, opts, &|_| {}, &Cancel::new()).await {
                Ok(report) => match &report.files[0].outcome {
                    Ok(m) => Outcome::Worked(format!("media {}", m.id)),
                    Err(e) => Outcome::Failed(Box::new(e.clone())),
                },
                Err(e) => Outcome::Failed(Box::new(e)),
            }
        }
        Op::Doctor => {
            let report =
                Doctor::new(DiscoveryOptions { http: w.http.clone(), ..Default::default() })
                    .run(
                        &DoctorRequest::new(NAME),
                        &wpconnect_core::browser::NoBrowser,
                        &Cancel::new(),
                        &|_| {},
                    )
                    .await;
            let failing: Vec<(String, String)> = report
                .checks
                .iter()
                .filter(|c| c.status == Status::Fail)
                .map(|c| (c.finding.clone(), c.fix.clone().unwrap_or_default()))
                .collect();
            if failing.is_empty() {
                Outcome::Worked(report.summary_line())
            } else {
                Outcome::Report(failing)
            }
        }
    }
}

/// What is kept, to compare before and after.
#[derive(Debug, Clone, PartialEq)]
struct Kept {
    accounts: Vec<String>,
    keyring: usize,
    live: (usize, usize),
}

fn kept(w: &World, connect: &Connect) -> Kept {
    Kept {
        accounts: connect.accounts().unwrap().into_iter().map(|a| a.id).collect(),
        keyring: keyring_items(),
        live: w.site.live_tokens(),
    }
}

/// One cell: "ok", "clear", or what is wrong; and the words the person saw.
async fn cell(w: &World, fault: &Injected, op: Op) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let keyring: Arc<dyn SecretStore> = Arc::new(KeyringStore::open().expect("a Secret Service"));
    let connect = Connect::new(
        w.http.clone(),
        AccountsFile::at(dir.path().join("accounts.json")),
        Ok(keyring),
    );
    if op == Op::AppPasswordSignIn {
        w.site.add_app_password(7, "matrix", APP_PASSWORD);
    }
    let account = if op.needs_account() {
        Some(w.sign_in(&connect).await.expect("signed in before the fault").account.id)
    } else {
        None
    };
    let before = kept(w, &connect);
    w.inject(fault, op).await;
    let outcome = run(w, &connect, op, account.as_deref()).await;
    let met = w.site.server().faults_met();
    w.heal().await;
    let after = kept(w, &connect);

    let mut problems = Vec::new();
    let (verdict, words) = match &outcome {
        Outcome::Worked(what) => ("ok", what.clone()),
        Outcome::Failed(e) => {
            if let Some(why) = unclear(&e.to_string(), &e.hint()) {
                problems.push(why);
            }
            if let Some(kinds) = expected(fault, op) {
                if !kinds.contains(&e.kind()) {
                    problems.push(format!("said {:?} (\"{e}\"), expected {kinds:?}", e.kind()));
                }
            }
            ("clear", format!("{e} | {}", e.hint()))
        }
        Outcome::Report(lines) => {
            for (finding, fix) in lines {
                if let Some(why) = unclear(finding, fix) {
                    problems.push(why);
                }
            }
            let (f, x) = lines.first().cloned().unwrap_or_default();
            ("clear", format!("{f} | {x}"))
        }
    };
    // A fault that was never met proves nothing.
    if let Injected::Server(f) = fault {
        if met == 0 && *f != Fault::Refuse {
            problems.push("the fault was never met".into());
        }
    }
    // Nothing lost.
    let failed = !matches!(outcome, Outcome::Worked(_));
    match op {
        _ if op.signs_in() && failed => {
            if after.accounts != before.accounts || after.keyring != before.keyring {
                problems.push(format!("a failed sign-in left something: {before:?} → {after:?}"));
            }
            let new_live = after.live.0.saturating_sub(before.live.0);
            if new_live > 0 && !lost_in_transit(fault) {
                problems
                    .push(format!("a failed sign-in left {new_live} live token(s) on the site"));
            }
        }
        Op::Refresh | Op::Me | Op::Upload
            if failed && (after.accounts != before.accounts || after.keyring != before.keyring) =>
        {
            problems.push(format!("the account's keeping changed: {before:?} → {after:?}"));
        }
        Op::SignOut => {
            if matches!(outcome, Outcome::Worked(_)) && after.live.0 >= before.live.0 {
                problems.push(format!(
                    "said revoked, but the site still holds the tokens: {before:?} → {after:?}"
                ));
            }
            if !after.accounts.is_empty() {
                problems.push("the account is still listed after signing out".into());
            }
            if after.keyring >= before.keyring {
                problems.push(format!("sign-out left keyring items: {before:?} → {after:?}"));
            }
        }
        _ => {}
    }
    // Leave the next cell a clean slate: sign out what this one made (the site healed).
    for a in connect.accounts().unwrap() {
        connect.sign_out(&a.id).await.unwrap();
    }
    if problems.is_empty() {
        (verdict.to_string(), words)
    } else {
        (format!("FAIL: {}", problems.join("; ")), words)
    }
}

#[tokio::test]
async fn every_network_fault_against_every_operation() {
    if !wpconnect_testsupport::keyring_here("every_network_fault_against_every_operation") {
        return;
    }
    let w = World::new().await;
    let keyring_at_start = keyring_items();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let mut words = Vec::new();
    let mut lost = 0;
    // WPCONNECT_FAULTS=words: only the faults whose names hold them (to look at one row).
    let only = std::env::var("WPCONNECT_FAULTS").unwrap_or_default();
    for (name, fault) in faults().into_iter().filter(|(n, _)| n.contains(only.as_str())) {
        let mut row = Vec::new();
        for (op, op_name) in OPS {
            let live_before = w.site.live_tokens().0;
            let started = std::time::Instant::now();
            let (verdict, said) = cell(&w, &fault, op).await;
            let said = format!("[{:.1} s] {said}", started.elapsed().as_secs_f64());
            lost += w.site.live_tokens().0.saturating_sub(live_before);
            if verdict.starts_with("FAIL") {
                failures.push(format!("{name} × {op_name}: {verdict}\n    said: {said}"));
                row.push("FAIL".to_string());
            } else {
                row.push(verdict);
            }
            words.push(format!("{name} × {op_name}: {said}"));
        }
        rows.push((name, row));
    }
    let mut table = format!("\n{:<28}", "fault \\ operation");
    for (_, op_name) in OPS {
        table.push_str(&format!("{op_name:>9}"));
    }
    for (name, row) in &rows {
        table.push_str(&format!("\n{name:<28}"));
        for c in row {
            table.push_str(&format!("{c:>9}"));
        }
    }
    println!("{table}");
    println!(
        "\nok: the operation worked despite the fault; clear: a clear message and a remedy, \
         nothing lost (accounts, keyring items, the site's tokens checked before and after)."
    );
    println!("\nWhat the person read, cell by cell:\n{}", words.join("\n"));
    println!(
        "\nkeyring items {keyring_at_start} → {}; access tokens left live on the site (an answer \
         the fault destroyed on the way, or a sign-out the site could not be told of; each \
         expires on the site): {lost}; live on the site now {:?}",
        keyring_items(),
        w.site.live_tokens()
    );
    assert!(failures.is_empty(), "{table}\n\n{}", failures.join("\n"));
    assert_eq!(keyring_items(), keyring_at_start, "every keyring item made was deleted");
}
