//! The profile endpoint with a real token, the Authorization header (definitively: a fresh token
//! refused in the header but accepted as a parameter means the hosting drops it), and Site
//! Health's own header test.

use serde_json::Value;
use url::Url;

use super::{ledger_stripped, Live, ME_FIELDS};
use crate::discovery::Discovered;
use crate::doctor::site::HEADER_FIX;
use crate::doctor::{failed_line, request_line, CheckId, Exchange, Input, Ledger, Outcome};
use crate::error::Error;
use crate::rest::{get_json, rest_route, TokenIn};
use crate::secret::AccessToken;

impl Live<'_, '_> {
    pub(super) async fn me_and_header(
        &mut self,
        ledger: &mut Ledger<'_>,
        d: &Discovered,
        access: &AccessToken,
    ) {
        let Some(me) = self.profile_url(d) else { return };
        if let Some((profile, via)) = self.authorization_header(ledger, &me, access).await {
            self.me_fields(ledger, &me, &profile, via);
        }
        self.site_health(ledger, d, access).await;
    }

    /// The profile with the token in the Authorization header, and as a parameter when the header
    /// was refused. Returns the profile and how the token went.
    async fn authorization_header(
        &self,
        ledger: &mut Ledger<'_>,
        me: &Url,
        access: &AccessToken,
    ) -> Option<(Value, &'static str)> {
        let line =
            format!("{} with Authorization: Bearer [redacted]", request_line("GET", me, &[]));
        match get_json(self.ctx.http, me, access, TokenIn::Header).await {
            Ok(v) => {
                let o = Outcome::pass(
                    "A real access token sent in the Authorization header was accepted: the \
                     header reaches WordPress.",
                );
                let ex = Exchange { request: line, response: "HTTP 200 (the profile)".into() };
                ledger.record(CheckId::AuthAuthorizationHeader, o.observe(&ex));
                Some((v, "the Authorization header"))
            }
            Err(e @ Error::TokenRejected { .. }) => {
                let refused = Exchange { request: line, response: failed_line(&e) };
                self.as_parameter(ledger, me, access, refused).await
            }
            Err(e) => {
                let o =
                    Outcome::fail(format!("The profile endpoint failed: {e}"), self.ctx.hint(&e));
                let ex = Exchange { request: line, response: failed_line(&e) };
                ledger.record(CheckId::LiveMe, o.observe(&ex));
                None
            }
        }
    }

    /// After the header was refused: the same token as a parameter.
    async fn as_parameter(
        &self,
        ledger: &mut Ledger<'_>,
        me: &Url,
        access: &AccessToken,
        refused: Exchange,
    ) -> Option<(Value, &'static str)> {
        let param = get_json(self.ctx.http, me, access, TokenIn::Parameter).await;
        let ex = Exchange {
            request: format!("{} with ?access_token=[redacted]", request_line("GET", me, &[])),
            response: match &param {
                Ok(_) => "HTTP 200 (the profile)".into(),
                Err(e) => failed_line(e),
            },
        };
        match param {
            Ok(v) => {
                let o = Outcome::fail(
                    "A fresh access token was refused in the Authorization header but accepted as \
                     a parameter: the hosting drops the header before WordPress sees it.",
                    HEADER_FIX,
                );
                ledger.record(CheckId::AuthAuthorizationHeader, o.observe(&refused).observe(&ex));
                Some((v, "a parameter (the header is dropped)"))
            }
            Err(e) => {
                let o = Outcome::fail(
                    format!("The profile endpoint refused a fresh token: {e}"),
                    self.ctx.hint(&e),
                );
                ledger.record(CheckId::LiveMe, o.observe(&refused).observe(&ex));
                None
            }
        }
    }

    /// The fields of WP OAuth Server's `/oauth/me` that apps read.
    fn me_fields(&self, ledger: &mut Ledger<'_>, me: &Url, profile: &Value, via: &str) {
        let keys: Vec<String> =
            profile.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        let missing: Vec<&str> = if self.probes.endpoints.me.is_some() {
            ME_FIELDS.iter().copied().filter(|f| !keys.iter().any(|k| k == f)).collect()
        } else {
            Vec::new()
        };
        let ex = Exchange {
            request: format!("GET {me} (token in {via})"),
            response: format!("HTTP 200 with fields: {}", keys.join(", ")),
        };
        let o = if missing.is_empty() {
            Outcome::pass(format!("{me} answered with {}.", keys.join(", ")))
        } else {
            Outcome::warn(
                format!("{me} answered without {}.", missing.join(", ")),
                "Update the OAuth server plugin, and check that no plugin filters its /oauth/me \
                 answer: apps read who is signed in from these fields.",
            )
        };
        ledger.record(CheckId::LiveMe, o.observe(&ex));
    }

    /// Site Health's own test, with the same token (administrators only).
    async fn site_health(&self, ledger: &mut Ledger<'_>, d: &Discovered, access: &AccessToken) {
        let test = rest_route(&d.api_root, "wp-site-health/v1/tests/authorization-header");
        let how = if ledger_stripped(ledger) { TokenIn::Parameter } else { TokenIn::Header };
        let answer = get_json(self.ctx.http, &test, access, how).await;
        let ex = Exchange {
            request: format!("{} with the token", request_line("GET", &test, &[])),
            response: match &answer {
                Ok(v) => {
                    format!("HTTP 200 {}", crate::body::snippet_redacted(v.to_string().as_bytes()))
                }
                Err(e) => failed_line(e),
            },
        };
        let label = |v: &Value, otherwise: &'static str| {
            v.get("label").and_then(|l| l.as_str()).unwrap_or(otherwise).to_string()
        };
        let o = match answer {
            Ok(v) => match v.get("status").and_then(|s| s.as_str()) {
                Some("good") => Outcome::pass(format!("Site Health says: {}.", label(&v, "good"))),
                Some(other) => Outcome::fail(
                    format!(
                        "Site Health says ({other}): {}.",
                        label(&v, "the header is not working")
                    ),
                    HEADER_FIX,
                ),
                None => Outcome::skipped("Site Health's answer had no status"),
            },
            Err(Error::TokenRejected { .. }) => Outcome::skipped(format!(
                "Site Health's tests are for administrators: sign in with {} as an administrator \
                 to run it",
                self.ctx.req.input(Input::Live)
            )),
            Err(e) => Outcome::skipped(format!("Site Health's test did not answer ({e})")),
        };
        ledger.record(CheckId::AuthSiteHealth, o.observe(&ex));
    }
}
