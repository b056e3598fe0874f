//! The tokens themselves: their lifetimes, refresh rotation, and revocation.

use super::{ledger_stripped, token_answer, Live};
use crate::discovery::Discovered;
use crate::doctor::oauth2::refresh_not_enabled;
use crate::doctor::{failed_line, request_line, CheckId, Exchange, Ledger, Outcome};
use crate::error::Error;
use crate::oauth2::token::{grant, revoke, Grant};
use crate::oauth2::{unix_now, ErrorCode, Tokens};
use crate::rest::{get_json, TokenIn};

impl Live<'_, '_> {
    pub(super) fn lifetimes(&self, ledger: &mut Ledger<'_>, tokens: &Tokens) {
        let access_left = tokens.seconds_left(unix_now());
        let lifetime = match access_left {
            None => Outcome::warn(
                "The site gave no expires_in: the access token may never expire.",
                "Give access tokens a lifetime (WP OAuth Server: OAuth Server > Settings > Access \
                 Token Lifetime, 3600 seconds is usual).",
            ),
            Some(s) if s > 7 * 86_400 => Outcome::warn(
                format!(
                    "Access tokens live {}: a leaked token stays useful for long.",
                    human_duration(s)
                ),
                "Shorten the access token lifetime (an hour is usual) and rely on refresh tokens.",
            ),
            Some(s) if s < 150 => Outcome::warn(
                format!(
                    "Access tokens live only {}: apps must refresh almost constantly.",
                    human_duration(s)
                ),
                "Lengthen the access token lifetime (an hour is usual).",
            ),
            Some(s) => Outcome::pass(format!(
                "Access tokens live {}{}; the server does not report the refresh token's lifetime.",
                human_duration(s),
                if tokens.refresh.is_some() {
                    ", a refresh token is issued"
                } else {
                    ", no refresh token is issued"
                }
            )),
        };
        let expires_in = access_left.map(|s| s.to_string()).unwrap_or_else(|| "absent".into());
        ledger.record(
            CheckId::LiveTokenLifetimes,
            lifetime.observe(&Exchange {
                request: "the code exchange above".into(),
                response: format!("expires_in: {expires_in}"),
            }),
        );
    }

    /// Refresh rotation, when the site issued a refresh token and the client may use it. Returns
    /// the newest tokens (to revoke and test afterwards).
    pub(super) async fn refresh_rotation(
        &mut self,
        ledger: &mut Ledger<'_>,
        tokens: &Tokens,
    ) -> Tokens {
        let skipped = match (&tokens.refresh, self.probes.refresh_enabled) {
            (Some(r), None | Some(true)) => {
                let refreshed = self.refresh_twice(ledger, r.expose()).await;
                return refreshed.unwrap_or_else(|| tokens.clone());
            }
            (None, _) => "the site issued no refresh token",
            (Some(_), Some(false)) => "the refresh token grant is not enabled for this client",
        };
        ledger.record(CheckId::LiveRefreshRotation, Outcome::skipped(skipped));
        tokens.clone()
    }

    /// Refreshes with the sign-in's refresh token (a real one also tells whether the client may
    /// use the grant), then offers the same refresh token again: rotation means it is refused.
    async fn refresh_twice(&mut self, ledger: &mut Ledger<'_>, used: &str) -> Option<Tokens> {
        let form = [("grant_type", "refresh_token"), ("refresh_token", used)];
        let line = request_line("POST", &self.probes.endpoints.token, &form);
        let first = self.refresh(used).await;
        let ex1 = Exchange { request: line.clone(), response: token_answer(&first) };
        let grant_outcome = match &first {
            Ok(_) => Outcome::pass(
                "Enabled: a real refresh token (from the sign-in above) was exchanged for new \
                 tokens.",
            ),
            Err(Error::OAuth { code: ErrorCode::UnauthorizedClient, .. }) => refresh_not_enabled(),
            Err(e) => Outcome::warn(
                format!("Refreshing with a real refresh token failed: {e}"),
                self.ctx.hint(e),
            ),
        };
        ledger.record(CheckId::Oauth2GrantRefreshToken, grant_outcome.observe(&ex1));
        let refreshed = match first {
            Ok(t) => t,
            Err(Error::OAuth { code: ErrorCode::UnauthorizedClient, .. }) => {
                let o = Outcome::skipped("the refresh token grant is not enabled for this client");
                ledger.record(CheckId::LiveRefreshRotation, o);
                return None;
            }
            Err(e) => {
                let o = Outcome::fail(format!("Refreshing failed: {e}"), self.ctx.hint(&e));
                ledger.record(CheckId::LiveRefreshRotation, o.observe(&ex1));
                return None;
            }
        };
        self.keep(ledger, &refreshed);
        let second = self.refresh(used).await;
        let ex2 = Exchange {
            request: format!("{line} (the same refresh token again)"),
            response: token_answer(&second),
        };
        let o = match second {
            Ok(t) => {
                self.keep(ledger, &t);
                Outcome::warn(
                    "The old refresh token still works after it was used: refresh tokens do not \
                     rotate, so a stolen one keeps working.",
                    "Make refresh tokens single-use. WP OAuth Server (4.4) has no setting for it: \
                     add `add_filter( 'wo_unset_refresh_token_after_use', '__return_true' );` to \
                     a small must-use plugin (wp-content/mu-plugins), so each refresh retires the \
                     token it used.",
                )
            }
            Err(_) => Outcome::pass(
                "A used refresh token is refused: each refresh issues a new one and retires the \
                 old.",
            ),
        };
        ledger.record(CheckId::LiveRefreshRotation, o.observe(&ex1).observe(&ex2));
        Some(refreshed)
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, Error> {
        let g = Grant::Refresh { refresh_token };
        grant(self.ctx.http, &self.probes.endpoints.token, &self.auth, g, &self.referer).await
    }

    /// Revocation: revoke the newest access token, then it must stop working.
    pub(super) async fn revocation(
        &self,
        ledger: &mut Ledger<'_>,
        d: &Discovered,
        latest: &Tokens,
    ) {
        let Some(revoke_url) = self.probes.endpoints.revoke.clone() else {
            let o = Outcome::skipped(
                "the site has no revocation endpoint the doctor knows (WordPress.com revokes only \
                 at wordpress.com)",
            );
            ledger.record(CheckId::LiveRevocation, o);
            return;
        };
        let access = latest.access.expose();
        let form = [("token", access), ("token_type_hint", "access_token")];
        let r =
            revoke(self.ctx.http, &revoke_url, &self.auth, access, "access_token", &self.referer)
                .await;
        let ex_r = Exchange {
            request: request_line("POST", &revoke_url, &form),
            response: match &r {
                Ok(()) => "HTTP 200".into(),
                Err(e) => failed_line(e),
            },
        };
        let mut o = match r {
            Err(e) => {
                Outcome::fail(format!("The revocation endpoint refused: {e}"), self.ctx.hint(&e))
            }
            Ok(()) => self.after_revocation(ledger, d, latest).await,
        };
        // The revocation request first, then what the token got afterwards.
        o.observed.insert(0, ex_r);
        ledger.record(CheckId::LiveRevocation, o);
    }

    /// The profile asked with the revoked access token.
    async fn after_revocation(
        &self,
        ledger: &Ledger<'_>,
        d: &Discovered,
        latest: &Tokens,
    ) -> Outcome {
        let Some(me) = self.profile_url(d) else {
            return Outcome::skipped("no profile endpoint to test the revoked token against");
        };
        let how = if ledger_stripped(ledger) { TokenIn::Parameter } else { TokenIn::Header };
        let after = get_json(self.ctx.http, &me, &latest.access, how).await;
        let ex = Exchange {
            request: format!("{} with the revoked token", request_line("GET", &me, &[])),
            response: match &after {
                Ok(_) => "HTTP 200 (the profile)".into(),
                Err(e) => failed_line(e),
            },
        };
        match after {
            Ok(_) => Outcome::fail(
                "The revoked access token still works.",
                "Update the OAuth server plugin; its /oauth/revoke must revoke the token it is \
                 given (RFC 7009).",
            ),
            Err(_) => Outcome::pass("After revocation the access token is refused."),
        }
        .observe(&ex)
    }
}

fn human_duration(s: i64) -> String {
    match s {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} day(s)", s / 86_400),
        s if s >= 3_600 => format!("about {} hour(s) ({s} seconds)", (s + 60) / 3_600),
        s if s >= 60 => format!("about {} minutes ({s} seconds)", (s + 30) / 60),
        s => format!("{s} seconds"),
    }
}
