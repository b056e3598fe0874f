//! The client-configuration doctor: for a site's admin, check by check, whether people can sign in
//! to the site with WP Connect, what is wrong when they cannot, and the exact fix.
//!
//! [`Doctor::run`] always returns a [`Report`], even for a site that cannot be reached (its checks
//! then fail or are skipped, each saying why). Every check of [`CATALOGUE`] appears in every
//! report, in the catalogue's order, so the JSON document (`"schema": "wpconnect.doctor/1"`,
//! described in `docs/doctor.md`) has a stable shape.
//!
//! What it sends: read-only probes (GETs, and token-endpoint requests that are refused by design:
//! a made-up user, a made-up code, a made-up refresh token). Only with [`DoctorRequest::live`]
//! does anything change on the site: the admin signs in once in the browser (one or two
//! authorizations), tokens are issued, refreshed and revoked (every token the doctor obtained is
//! revoked at the end, and none is stored), and with OAuth 1.0a a temporary request token is
//! created (never authorized). The report never holds a secret: excerpts are redacted, and every
//! secret value the run handled is scrubbed from the report before it is returned.

mod checks;
mod ledger;
mod live;
mod oauth1;
mod oauth2;
mod site;

pub use checks::CheckId;
pub(crate) use ledger::{Ledger, Outcome};

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::browser::Browser;
use crate::discovery::{Discoverer, DiscoveryOptions};
use crate::error::Face;
use crate::http::{redact_query, Http};
use crate::loopback::Cancel;
use crate::secret::ClientSecret;

/// What to check.
#[derive(Debug, Clone)]
pub struct DoctorRequest {
    /// The site's address, as the admin typed it.
    pub address: String,
    /// The OAuth 2 client's ID (WP OAuth Server or WordPress.com): enables the `oauth2.*` checks.
    pub client_id: Option<String>,
    /// The redirect URI people sign in with (`http://127.0.0.1:<port>/callback` for WP Connect),
    /// or the OAuth 1.0a callback.
    pub redirect_uri: Option<Url>,
    /// The OAuth 1.0a consumer key: enables the `oauth1.*` checks.
    pub consumer_key: Option<String>,
    /// The OAuth 2 client secret (never a command-line flag: the CLI reads
    /// `WPCONNECT_CLIENT_SECRET`). `None` for a public client.
    pub client_secret: Option<ClientSecret>,
    /// The OAuth 1.0a consumer secret, for `--live` (the CLI reads `WPCONNECT_CONSUMER_SECRET`, or
    /// `WPCONNECT_CLIENT_SECRET` when no OAuth 2 client is checked).
    pub consumer_secret: Option<ClientSecret>,
    /// Sign in once in the browser to run the `live.*` checks (and the definitive Authorization
    /// header test). Tokens are revoked at the end and never stored.
    pub live: bool,
    /// How long to wait for the browser (`--live`).
    pub wait: Duration,
    /// Who asked: the report names the doctor's own inputs as that face shows them (a flag on the
    /// command line, a field or option in the app's Check configuration panel).
    pub face: Face,
}

impl DoctorRequest {
    pub fn new(address: impl Into<String>) -> Self {
        DoctorRequest {
            address: address.into(),
            client_id: None,
            redirect_uri: None,
            consumer_key: None,
            client_secret: None,
            consumer_secret: None,
            live: false,
            wait: crate::loopback::DEFAULT_TIMEOUT,
            face: Face::CommandLine,
        }
    }

    /// One of the doctor's own inputs, named as the face that asked shows it.
    pub(crate) fn input(&self, input: Input) -> &'static str {
        match (self.face, input) {
            (Face::CommandLine, Input::ClientId) => "--client-id",
            (Face::CommandLine, Input::ConsumerKey) => "--consumer-key",
            (Face::CommandLine, Input::RedirectUri) => "--redirect-uri",
            (Face::CommandLine, Input::Live) => "--live",
            (Face::Desktop, Input::ClientId) => "OAuth2 client ID",
            (Face::Desktop, Input::ConsumerKey) => "OAuth 1.0a consumer key",
            (Face::Desktop, Input::RedirectUri) => "Redirect URI",
            (Face::Desktop, Input::Live) => "Live",
        }
    }
}

/// The doctor's own inputs, as findings refer to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    ClientId,
    ConsumerKey,
    RedirectUri,
    Live,
}

/// A check's verdict.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skipped,
}

/// One request the doctor sent and what came back (secrets redacted).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// `GET https://…` or `POST https://… grant_type=password&username=…&password=[redacted]`.
    pub request: String,
    /// `HTTP 400 {"error":"invalid_grant",…}`: the status and a redacted excerpt of the body, or
    /// what went wrong on the way.
    pub response: String,
}

/// One check in the report.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Stable identifier (`transport.https`, …), serialized as that string.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: CheckId,
    /// The part of the id before the first dot.
    pub group: String,
    pub title: String,
    pub status: Status,
    /// What was found, in one or two sentences.
    pub finding: String,
    /// What was sent and what came back.
    pub observed: Vec<Exchange>,
    /// Why this matters.
    pub why: String,
    /// What the admin should change, in their terms (`None` when nothing needs changing).
    pub fix: Option<String>,
    /// For a skipped check: why it was not run.
    pub skipped_because: Option<String>,
    /// For a pass that only holds because the check does not apply here: why ("the site is on
    /// this computer"). A window shows "Not needed" rather than "Pass".
    #[serde(default)]
    pub not_needed: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skipped: usize,
}

/// The doctor's report. Serialized as the stable document `wpconnect.doctor/1`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    /// What the admin typed.
    pub site: String,
    /// Where the site answered (`None` when it could not be reached).
    pub site_url: Option<String>,
    /// Whether the `--live` checks were asked for.
    pub live: bool,
    pub checks: Vec<Check>,
    pub summary: Summary,
    /// 0: every check passed (or was skipped); 1: warnings; 2: failures.
    pub exit_code: u8,
}

impl Report {
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id.as_str() == id)
    }

    /// One line: "12 passed, 1 warning, 2 failed, 5 skipped".
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{}, {}, {}, {}",
            plural(s.pass, "passed", "passed"),
            plural(s.warn, "warning", "warnings"),
            plural(s.fail, "failed", "failed"),
            plural(s.skipped, "skipped", "skipped")
        )
    }
}

/// What the doctor is doing, for a progress display.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A check is settled (checks settle in roughly catalogue order; place them by id).
    Finished(Check),
    /// `--live`: the admin signs in at this address (opened in the browser too).
    SignIn { url: Url, redirect_uri: Url },
}

/// The exit code scripts gate on: 0 all pass (skips included), 1 warnings, 2 failures.
pub fn exit_code(summary: &Summary) -> u8 {
    if summary.fail > 0 {
        2
    } else if summary.warn > 0 {
        1
    } else {
        0
    }
}

/// The doctor. Cheap to create; one per run or one for many.
#[derive(Debug, Clone)]
pub struct Doctor {
    http: Http,
    discovery: DiscoveryOptions,
}

impl Doctor {
    pub fn new(discovery: DiscoveryOptions) -> Doctor {
        Doctor { http: Http::new(discovery.http.clone()), discovery }
    }

    /// Run every check that applies and return the report (never an error: a site that cannot be
    /// reached gives a report whose checks fail or are skipped, each saying why). `browser` and
    /// `cancel` are used only with `--live`; `progress` hears about each settled check.
    pub async fn run(
        &self,
        req: &DoctorRequest,
        browser: &dyn Browser,
        cancel: &Cancel,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Report {
        let mut ledger = Ledger::new(progress);
        for s in [&req.client_secret, &req.consumer_secret].into_iter().flatten() {
            ledger.secret(s.expose());
        }
        // The doctor compares the metadata documents with the REST index (methods.metadata).
        let discovered =
            Discoverer::new(DiscoveryOptions { metadata: true, ..self.discovery.clone() })
                .discover(&req.address)
                .await;
        let ctx = Ctx { http: &self.http, req };
        match &discovered {
            Err(e) => site::unreachable(&mut ledger, req, e),
            Ok(d) => check_site(&ctx, &mut ledger, d, browser, cancel).await,
        }
        ledger.report(req, discovered.ok().map(|d| d.answered_at.to_string()))
    }
}

/// Every group of checks, in order, for a site that was read.
async fn check_site(
    ctx: &Ctx<'_>,
    ledger: &mut Ledger<'_>,
    d: &crate::discovery::Discovered,
    browser: &dyn Browser,
    cancel: &Cancel,
) {
    let req = ctx.req;
    site::transport(ctx, ledger, d).await;
    site::rest(ctx, ledger, d).await;
    site::methods(ledger, d);
    let probes = oauth2::run(ctx, ledger, d).await;
    if req.live {
        live::run(ctx, ledger, d, probes.as_ref(), browser, cancel).await;
        // Left to the live sign-in (a made-up refresh token cannot tell): said here when it could
        // not try.
        if probes.is_some() && !ledger.has(CheckId::Oauth2GrantRefreshToken) {
            ledger.record(
                CheckId::Oauth2GrantRefreshToken,
                Outcome::skipped(
                    "a made-up refresh token cannot tell, and the live sign-in did not get a real \
                     one to try",
                ),
            );
        }
    } else {
        ledger.skip_rest(
            "live",
            &format!(
                "not asked for: {} signs in once in the browser to test tokens for real",
                req.input(Input::Live)
            ),
        );
    }
    site::authorization_header(ctx, ledger, d, probes.as_ref()).await;
    let site_health = if req.live {
        "the test needs an administrator's sign-in with a token the site accepts (see the live \
         checks)"
            .to_string()
    } else {
        format!(
            "the test needs a signed-in administrator: run with {} as an administrator",
            req.input(Input::Live)
        )
    };
    ledger.record(CheckId::AuthSiteHealth, Outcome::skipped(site_health));
    oauth1::run(ctx, ledger, d).await;
}

/// What every check group reads.
pub(crate) struct Ctx<'a> {
    pub(crate) http: &'a Http,
    pub(crate) req: &'a DoctorRequest,
}

impl Ctx<'_> {
    /// What to do about an error, in the words of the face that asked.
    pub(crate) fn hint(&self, e: &crate::Error) -> String {
        e.hint_for(self.req.face)
    }
}

/// `GET <url>` with secret query values masked.
pub(crate) fn request_line(method: &str, url: &Url, form: &[(&str, &str)]) -> String {
    let shown = redact_query(url);
    if form.is_empty() {
        return format!("{method} {shown}");
    }
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    format!("{method} {shown} {}", crate::body::snippet_redacted(body.as_bytes()))
}

/// `HTTP 400 {...}`: the status and a redacted excerpt of the body.
pub(crate) fn response_line(status: u16, body: &[u8]) -> String {
    let excerpt = crate::body::snippet_redacted(body);
    if excerpt.is_empty() {
        format!("HTTP {status} (empty body)")
    } else {
        format!("HTTP {status} {excerpt}")
    }
}

/// An exchange that ended in an error before any answer.
pub(crate) fn failed_line(e: &crate::Error) -> String {
    format!("no answer: {e}")
}

/// A made-up value for probes: recognisable in the site's logs, never valid.
pub(crate) fn probe_value(what: &str) -> String {
    format!("wpconnect-doctor-probe-{what}-{}", &crate::crypto::random_state()[..10])
}

#[cfg(test)]
mod tests {
    use super::ledger::to_check;
    use super::*;

    #[test]
    fn exit_codes_gate_on_the_worst_status() {
        assert_eq!(exit_code(&Summary { pass: 3, skipped: 4, ..Default::default() }), 0);
        assert_eq!(exit_code(&Summary { pass: 3, warn: 1, ..Default::default() }), 1);
        assert_eq!(exit_code(&Summary { warn: 1, fail: 1, ..Default::default() }), 2);
    }

    #[test]
    fn request_lines_never_show_secret_values() {
        let u = Url::parse("https://s.example/oauth/token?code=abc123").unwrap();
        let line = request_line(
            "POST",
            &u,
            &[
                ("grant_type", "password"),
                ("username", "x"),
                ("password", "hunter22"),
                ("code_verifier", "vvvv1111"),
            ],
        );
        assert!(
            !line.contains("abc123") && !line.contains("hunter22") && !line.contains("vvvv1111"),
            "{line}"
        );
        assert!(line.contains("grant_type=password"), "{line}");
    }

    #[test]
    fn the_ledger_scrubs_known_secrets_everywhere() {
        let progress = |_p: Progress| {};
        let mut l = Ledger::new(&progress);
        l.secret("tok-SECRET-1");
        let c = l.scrubbed(to_check(
            CheckId::LiveMe,
            Outcome::warn("saw tok-SECRET-1", "fix tok-SECRET-1").observe(&Exchange {
                request: "GET x?t=tok-SECRET-1".into(),
                response: "tok-SECRET-1".into(),
            }),
        ));
        assert!(!serde_json::to_string(&c).unwrap().contains("tok-SECRET-1"));
    }
}
