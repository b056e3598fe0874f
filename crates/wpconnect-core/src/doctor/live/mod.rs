//! `--live`: the admin signs in once in the browser and the doctor tests the tokens for real:
//! `state` echoed, PKCE enforced (the code is first offered with a wrong verifier), codes single
//! use, token lifetimes, refresh rotation, revocation, the profile endpoint, and (definitively) the
//! Authorization header. Every token obtained is revoked at the end; none is stored.

mod code;
mod profile;
mod tokens;

use std::collections::HashMap;

use url::Url;

use super::oauth2::Probes;
use super::{failed_line, request_line, CheckId, Ctx, Exchange, Input, Ledger, Outcome, Progress};
use crate::browser::{hand_to, Browser};
use crate::discovery::Discovered;
use crate::error::Error;
use crate::loopback::{Cancel, Loopback};
use crate::oauth2::token::{grant, revoke, Grant};
use crate::oauth2::{unix_now, AuthorizeRequest, ClientAuth, Tokens};
use crate::rest::rest_route;

/// Fields WP OAuth Server's `/oauth/me` returns (facts file).
const ME_FIELDS: &[&str] =
    &["ID", "user_login", "user_email", "display_name", "user_roles", "capabilities"];

struct Live<'a, 'b> {
    ctx: &'a Ctx<'b>,
    probes: &'a Probes,
    auth: ClientAuth,
    referer: Url,
    /// Every token obtained, to revoke at the end: (token, hint).
    obtained: Vec<(String, &'static str)>,
}

/// One authorization in the browser: the code, the request (for its verifier), and whether the
/// site sent `state` back.
struct Authorized {
    code: String,
    request: AuthorizeRequest,
    state_echoed: bool,
}

/// A code that was redeemed: the tokens, and the code and request they came from.
struct SignedIn {
    tokens: Tokens,
    code: String,
    request: AuthorizeRequest,
}

pub(crate) async fn run(
    ctx: &Ctx<'_>,
    ledger: &mut Ledger<'_>,
    d: &Discovered,
    probes: Option<&Probes>,
    browser: &dyn Browser,
    cancel: &Cancel,
) {
    let Some(probes) = probes else {
        ledger.skip_rest(
            "live",
            &format!(
                "the live checks need an OAuth 2 client that passed the checks above ({})",
                ctx.req.input(Input::ClientId)
            ),
        );
        return;
    };
    let Some(redirect) = probes.usable_redirect.clone() else {
        ledger.skip_rest(
            "live",
            "no loopback redirect URI is accepted (see oauth2.loopback_port), \
             so the browser's answer cannot come back here",
        );
        return;
    };
    let mut live = Live {
        ctx,
        probes,
        auth: probes.endpoints.client_auth(&probes.client_id, ctx.req.client_secret.clone()),
        referer: d.site_url(),
        obtained: Vec::new(),
    };
    live.checks(ledger, d, &redirect, browser, cancel).await;
    // Clean up: revoke every token obtained, whatever happened.
    let mut left = Vec::new();
    if let Some(url) = &probes.endpoints.revoke {
        for (t, hint) in std::mem::take(&mut live.obtained) {
            if revoke(ctx.http, url, &live.auth, &t, hint, &live.referer).await.is_err() {
                left.push(hint);
            }
        }
    } else {
        left = live.obtained.iter().map(|(_, h)| *h).collect();
    }
    if !left.is_empty() && !ledger.has(CheckId::LiveRevocation) {
        ledger.record(
            CheckId::LiveRevocation,
            Outcome::warn(
                format!(
                    "{} token(s) the doctor obtained could not be revoked; they expire on \
                     their own.",
                    left.len()
                ),
                "Revoke them in wp-admin (OAuth Server > Tokens) if you want them gone now.",
            ),
        );
    }
}

impl Live<'_, '_> {
    fn keep(&mut self, ledger: &mut Ledger, t: &Tokens) {
        ledger.secret(t.access.expose());
        self.obtained.push((t.access.expose().to_string(), "access_token"));
        if let Some(r) = &t.refresh {
            ledger.secret(r.expose());
            self.obtained.push((r.expose().to_string(), "refresh_token"));
        }
    }

    async fn authorize(
        &self,
        ledger: &mut Ledger<'_>,
        redirect: &Url,
        browser: &dyn Browser,
        cancel: &Cancel,
    ) -> Result<Authorized, Error> {
        let port = redirect.port().into_iter().collect::<Vec<_>>();
        let loopback = Loopback::bind(&port).await?;
        let request = AuthorizeRequest::new(
            &self.probes.endpoints,
            &self.probes.client_id,
            loopback.redirect_uri(),
            None,
            &[],
        );
        (ledger.progress)(Progress::SignIn {
            url: request.url.clone(),
            redirect_uri: request.redirect_uri.clone(),
        });
        hand_to(browser, &request.url);
        let mut echoed = false;
        let code = loopback
            .wait(self.ctx.req.wait, cancel, |params| {
                echoed =
                    params.get("state").is_some_and(|s| crate::crypto::same(s, &request.state));
                // Judge the rest of the answer as a sign-in would, state aside (reported on its
                // own).
                let mut p: HashMap<String, String> = params.clone();
                p.insert("state".into(), request.state.clone());
                request.judge(&p)
            })
            .await?;
        ledger.secret(&code);
        Ok(Authorized { code, request, state_echoed: echoed })
    }

    async fn exchange(
        &self,
        code: &str,
        request: &AuthorizeRequest,
        verifier: &str,
    ) -> (Result<Tokens, Error>, Exchange) {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", request.redirect_uri.as_str()),
            ("code_verifier", verifier),
        ];
        let g = Grant::Code { code, redirect_uri: &request.redirect_uri, verifier };
        let result =
            grant(self.ctx.http, &self.probes.endpoints.token, &self.auth, g, &self.referer).await;
        let ex = Exchange {
            request: request_line("POST", &self.probes.endpoints.token, &form),
            response: token_answer(&result),
        };
        (result, ex)
    }

    /// The checks in order; each step records its own checks, and a step that leaves nothing to
    /// test with ends the run (the remaining live checks are then skipped, each saying why).
    async fn checks(
        &mut self,
        ledger: &mut Ledger<'_>,
        d: &Discovered,
        redirect: &Url,
        browser: &dyn Browser,
        cancel: &Cancel,
    ) {
        let Some(first) = self.state(ledger, redirect, browser, cancel).await else { return };
        let Some(signed_in) = self.pkce(ledger, first, redirect, browser, cancel).await else {
            ledger.skip_rest("live", "no tokens could be obtained");
            return;
        };
        self.code_reuse(ledger, &signed_in).await;
        self.lifetimes(ledger, &signed_in.tokens);
        self.me_and_header(ledger, d, &signed_in.tokens.access).await;
        let latest = self.refresh_rotation(ledger, &signed_in.tokens).await;
        self.revocation(ledger, d, &latest).await;
    }

    fn profile_url(&self, d: &Discovered) -> Option<Url> {
        self.probes.endpoints.me.clone().or_else(|| Some(rest_route(&d.api_root, "wp/v2/users/me")))
    }
}

fn ledger_stripped(ledger: &Ledger) -> bool {
    ledger
        .outcomes
        .iter()
        .any(|(id, o)| *id == CheckId::AuthAuthorizationHeader && o.status == super::Status::Fail)
}

/// A token endpoint's answer, for the report: the lifetime, never the tokens.
fn token_answer(r: &Result<Tokens, Error>) -> String {
    match r {
        Ok(t) => format!(
            "HTTP 200 tokens issued (access_token [redacted]{}{})",
            t.refresh.as_ref().map(|_| ", refresh_token [redacted]").unwrap_or(""),
            t.seconds_left(unix_now()).map(|s| format!(", expires_in ~{s}")).unwrap_or_default()
        ),
        Err(Error::OAuth { status, code, description, .. }) => {
            format!(
                "HTTP {status} {code}{}",
                description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            )
        }
        Err(e) => failed_line(e),
    }
}
