//! `--live`: the admin signs in once in the browser and the doctor tests the tokens for real:
//! `state` echoed, PKCE enforced (the code is first offered with a wrong verifier), codes single
//! use, token lifetimes, refresh rotation, revocation, the profile endpoint, and (definitively) the
//! Authorization header. Every token obtained is revoked at the end; none is stored.

use std::collections::HashMap;

use url::Url;

use super::oauth2::Probes;
use super::site::HEADER_FIX;
use super::CheckId;
use super::Input;
use super::{failed_line, request_line, Ctx, Exchange, Ledger, Outcome, Progress};
use crate::browser::hand_to;
use crate::browser::Browser;
use crate::discovery::Discovered;
use crate::error::Error;
use crate::loopback::{Cancel, Loopback};
use crate::oauth2::token::{grant, revoke, Grant};
use crate::oauth2::ErrorCode;
use crate::oauth2::{unix_now, AuthorizeRequest, ClientAuth, Pkce, Tokens};
use crate::rest::rest_route;
use crate::rest::{get_json, TokenIn};
use crate::secret::AccessToken;

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
        ledger.skip_rest("live", "no loopback redirect URI is accepted (see oauth2.loopback_port), so the browser's answer cannot come back here");
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
                format!("{} token(s) the doctor obtained could not be revoked; they expire on their own.", left.len()),
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

    /// One authorization in the browser: the code, the request (for its verifier), whether `state`
    /// came back.
    async fn authorize(
        &self,
        ledger: &mut Ledger<'_>,
        redirect: &Url,
        browser: &dyn Browser,
        cancel: &Cancel,
    ) -> Result<(String, AuthorizeRequest, bool), Error> {
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
                // Judge the rest of the answer as a sign-in would, state aside (reported on its own).
                let mut p: HashMap<String, String> = params.clone();
                p.insert("state".into(), request.state.clone());
                request.judge(&p)
            })
            .await?;
        ledger.secret(&code);
        Ok((code, request, echoed))
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

    async fn checks(
        &mut self,
        ledger: &mut Ledger<'_>,
        d: &Discovered,
        redirect: &Url,
        browser: &dyn Browser,
        cancel: &Cancel,
    ) {
        let (code, request, echoed) = match self.authorize(ledger, redirect, browser, cancel).await
        {
            Ok(x) => x,
            Err(e) => {
                let o = Outcome::fail(
                    format!("The sign-in in the browser did not complete: {e}"),
                    e.hint(),
                );
                ledger.record(CheckId::LiveState, o);
                ledger.skip_rest("live", "the sign-in in the browser did not complete");
                return;
            }
        };
        let auth_line = Exchange {
            request: request_line("GET", &request.url, &[]),
            response: format!("the browser came back to {} with a code", request.redirect_uri),
        };
        ledger.record(
            CheckId::LiveState,
            if echoed {
                Outcome::pass("The site sent the state back unchanged.").observe(&auth_line)
            } else {
                Outcome::fail(
                    "The site's answer did not carry the state WP Connect sent: every sign-in is refused as a possible forgery.",
                    "Update the OAuth server plugin; a server must return the state parameter unchanged (RFC 6749 §4.1.2). A proxy or security plugin rewriting the redirect can also drop it.",
                )
                .observe(&auth_line)
            },
        );

        // PKCE: the code first with a wrong verifier.
        let wrong = Pkce::new();
        let (with_wrong, ex_wrong) = self.exchange(&code, &request, wrong.verifier.expose()).await;
        let mut tokens: Option<(Tokens, String, AuthorizeRequest)> = None;
        match with_wrong {
            Ok(t) => {
                self.keep(ledger, &t);
                ledger.record(
                    CheckId::LivePkce,
                    Outcome::fail(
                        "The site issued tokens for a code presented with a WRONG PKCE verifier: PKCE is not enforced, so an intercepted code can be used by anyone.",
                        "Update WP OAuth Server (it honours PKCE when the app sends a code challenge); if it is current, check that no other plugin replaces its authorization endpoint.",
                    )
                    .observe(&ex_wrong),
                );
                tokens = Some((t, code.clone(), request));
            }
            Err(Error::OAuth { code: ErrorCode::InvalidGrant, .. }) => {
                ledger.record(
                    CheckId::LivePkce,
                    Outcome::pass("A wrong PKCE verifier was refused (invalid_grant).")
                        .observe(&ex_wrong),
                );
                let (right, ex_right) =
                    self.exchange(&code, &request, request.pkce.verifier.expose()).await;
                match right {
                    Ok(t) => {
                        self.keep(ledger, &t);
                        tokens = Some((t, code.clone(), request));
                    }
                    Err(_) => {
                        // The refused attempt used the code up: sign in a second time.
                        let _ = ex_right;
                        match self.authorize(ledger, redirect, browser, cancel).await {
                            Ok((code2, request2, _)) => match self
                                .exchange(&code2, &request2, request2.pkce.verifier.expose())
                                .await
                            {
                                (Ok(t), _) => {
                                    self.keep(ledger, &t);
                                    tokens = Some((t, code2, request2));
                                }
                                (Err(e), ex) => ledger.record(
                                    CheckId::LiveCodeReuse,
                                    Outcome::fail(
                                        format!("The second sign-in's code was refused: {e}"),
                                        e.hint(),
                                    )
                                    .observe(&ex),
                                ),
                            },
                            Err(e) => ledger.record(
                                CheckId::LiveCodeReuse,
                                Outcome::fail(
                                    format!("The second sign-in did not complete: {e}"),
                                    e.hint(),
                                ),
                            ),
                        }
                    }
                }
            }
            Err(e) => {
                ledger.record(
                    CheckId::LivePkce,
                    Outcome::fail(
                        format!("Exchanging the code failed for another reason than PKCE: {e}"),
                        e.hint(),
                    )
                    .observe(&ex_wrong),
                );
                let (right, _) =
                    self.exchange(&code, &request, request.pkce.verifier.expose()).await;
                if let Ok(t) = right {
                    self.keep(ledger, &t);
                    tokens = Some((t, code.clone(), request));
                }
            }
        }
        let Some((tokens, used_code, used_request)) = tokens else {
            ledger.skip_rest("live", "no tokens could be obtained");
            return;
        };

        // The code again: must be refused.
        let (again, ex_again) =
            self.exchange(&used_code, &used_request, used_request.pkce.verifier.expose()).await;
        let reuse = match again {
            Ok(t) => {
                self.keep(ledger, &t);
                Outcome::fail(
                    "A code that had already been exchanged was accepted again.",
                    "Update the OAuth server plugin: codes must work once (RFC 6749 §4.1.2).",
                )
            }
            Err(_) => Outcome::pass("A code already exchanged was refused the second time."),
        };
        ledger.record(CheckId::LiveCodeReuse, reuse.observe(&ex_again));
        ledger.record(
            CheckId::LiveCodeLifetime,
            Outcome::skipped("measuring it means waiting for a code to expire (WP OAuth Server: about 30 seconds); the doctor does not make you wait"),
        );

        // Lifetimes.
        let now = unix_now();
        let access_left = tokens.seconds_left(now);
        let lifetime = match access_left {
            None => Outcome::warn(
                "The site gave no expires_in: the access token may never expire.",
                "Give access tokens a lifetime (WP OAuth Server: OAuth Server > Settings > Access Token Lifetime, 3600 seconds is usual).",
            ),
            Some(s) if s > 7 * 86_400 => Outcome::warn(
                format!("Access tokens live {}: a leaked token stays useful for long.", human_duration(s)),
                "Shorten the access token lifetime (an hour is usual) and rely on refresh tokens.",
            ),
            Some(s) if s < 150 => Outcome::warn(
                format!("Access tokens live only {}: apps must refresh almost constantly.", human_duration(s)),
                "Lengthen the access token lifetime (an hour is usual).",
            ),
            Some(s) => Outcome::pass(format!(
                "Access tokens live {}{}; the server does not report the refresh token's lifetime.",
                human_duration(s),
                if tokens.refresh.is_some() { ", a refresh token is issued" } else { ", no refresh token is issued" }
            )),
        };
        ledger.record(
            CheckId::LiveTokenLifetimes,
            lifetime.observe(&Exchange {
                request: "the code exchange above".into(),
                response: format!(
                    "expires_in: {}",
                    access_left.map(|s| s.to_string()).unwrap_or_else(|| "absent".into())
                ),
            }),
        );

        // The profile, and the Authorization header for real.
        self.me_and_header(ledger, d, &tokens.access).await;

        // Refresh rotation.
        let mut latest = tokens.clone();
        match (&tokens.refresh, self.probes.refresh_enabled) {
            (Some(r1), None | Some(true)) => {
                let form = [("grant_type", "refresh_token"), ("refresh_token", r1.expose())];
                let g = Grant::Refresh { refresh_token: r1.expose() };
                let first = grant(
                    self.ctx.http,
                    &self.probes.endpoints.token,
                    &self.auth,
                    g,
                    &self.referer,
                )
                .await;
                let ex1 = Exchange {
                    request: request_line("POST", &self.probes.endpoints.token, &form),
                    response: token_answer(&first),
                };
                // A real refresh token tells whether the client may use the grant.
                let grant_outcome = match &first {
                    Ok(_) => Outcome::pass("Enabled: a real refresh token (from the sign-in above) was exchanged for new tokens."),
                    Err(Error::OAuth { code: ErrorCode::UnauthorizedClient, .. }) => crate::doctor::oauth2::refresh_not_enabled(),
                    Err(e) => Outcome::warn(format!("Refreshing with a real refresh token failed: {e}"), e.hint()),
                };
                ledger.record(CheckId::Oauth2GrantRefreshToken, grant_outcome.observe(&ex1));
                match first {
                    Err(Error::OAuth { code: ErrorCode::UnauthorizedClient, .. }) => ledger.record(
                        CheckId::LiveRefreshRotation,
                        Outcome::skipped("the refresh token grant is not enabled for this client"),
                    ),
                    Err(e) => ledger.record(
                        CheckId::LiveRefreshRotation,
                        Outcome::fail(format!("Refreshing failed: {e}"), e.hint()).observe(&ex1),
                    ),
                    Ok(t2) => {
                        self.keep(ledger, &t2);
                        latest = t2;
                        let second = grant(
                            self.ctx.http,
                            &self.probes.endpoints.token,
                            &self.auth,
                            g,
                            &self.referer,
                        )
                        .await;
                        let ex2 = Exchange {
                            request: format!(
                                "{} (the same refresh token again)",
                                request_line("POST", &self.probes.endpoints.token, &form)
                            ),
                            response: token_answer(&second),
                        };
                        let o = match second {
                            Ok(t3) => {
                                self.keep(ledger, &t3);
                                Outcome::warn(
                                    "The old refresh token still works after it was used: refresh tokens do not rotate, so a stolen one keeps working.",
                                    "Make refresh tokens single-use. WP OAuth Server (4.4) has no setting for it: add `add_filter( 'wo_unset_refresh_token_after_use', '__return_true' );` to a small must-use plugin (wp-content/mu-plugins), so each refresh retires the token it used.",
                                )
                            }
                            Err(_) => Outcome::pass("A used refresh token is refused: each refresh issues a new one and retires the old."),
                        };
                        ledger.record(CheckId::LiveRefreshRotation, o.observe(&ex1).observe(&ex2));
                    }
                }
            }
            (None, _) => ledger.record(
                CheckId::LiveRefreshRotation,
                Outcome::skipped("the site issued no refresh token"),
            ),
            (Some(_), Some(false)) => ledger.record(
                CheckId::LiveRefreshRotation,
                Outcome::skipped("the refresh token grant is not enabled for this client"),
            ),
        }

        // Revocation: revoke, then the token must stop working.
        let Some(revoke_url) = self.probes.endpoints.revoke.clone() else {
            ledger.record(CheckId::LiveRevocation, Outcome::skipped("the site has no revocation endpoint the doctor knows (WordPress.com revokes only at wordpress.com)"));
            return;
        };
        let access = latest.access.expose().to_string();
        let form = [("token", access.as_str()), ("token_type_hint", "access_token")];
        let r =
            revoke(self.ctx.http, &revoke_url, &self.auth, &access, "access_token", &self.referer)
                .await;
        let ex_r = Exchange {
            request: request_line("POST", &revoke_url, &form),
            response: match &r {
                Ok(()) => "HTTP 200".into(),
                Err(e) => failed_line(e),
            },
        };
        let o = match r {
            Err(e) => Outcome::fail(format!("The revocation endpoint refused: {e}"), e.hint()),
            Ok(()) => match self.profile_url(d) {
                None => Outcome::skipped("no profile endpoint to test the revoked token against"),
                Some(me) => {
                    let how =
                        if ledger_stripped(ledger) { TokenIn::Parameter } else { TokenIn::Header };
                    let after = get_json(self.ctx.http, &me, &latest.access, how).await;
                    let ex = Exchange {
                        request: format!(
                            "{} with the revoked token",
                            request_line("GET", &me, &[])
                        ),
                        response: match &after {
                            Ok(_) => "HTTP 200 (the profile)".into(),
                            Err(e) => failed_line(e),
                        },
                    };
                    match after {
                        Ok(_) => Outcome::fail("The revoked access token still works.", "Update the OAuth server plugin; its /oauth/revoke must revoke the token it is given (RFC 7009)."),
                        Err(_) => Outcome::pass("After revocation the access token is refused."),
                    }
                    .observe(&ex)
                }
            },
        };
        // The revocation request first, then what the token got afterwards.
        let mut o = o;
        o.observed.insert(0, ex_r);
        ledger.record(CheckId::LiveRevocation, o);
    }

    fn profile_url(&self, d: &Discovered) -> Option<Url> {
        self.probes.endpoints.me.clone().or_else(|| Some(rest_route(&d.api_root, "wp/v2/users/me")))
    }

    async fn me_and_header(
        &mut self,
        ledger: &mut Ledger<'_>,
        d: &Discovered,
        access: &AccessToken,
    ) {
        let Some(me) = self.profile_url(d) else { return };
        let line =
            format!("{} with Authorization: Bearer [redacted]", request_line("GET", &me, &[]));
        let header = get_json(self.ctx.http, &me, access, TokenIn::Header).await;
        let (profile, via) = match header {
            Ok(v) => {
                ledger.record(
                    CheckId::AuthAuthorizationHeader,
                    Outcome::pass("A real access token sent in the Authorization header was accepted: the header reaches WordPress.")
                        .observe(&Exchange { request: line.clone(), response: "HTTP 200 (the profile)".into() }),
                );
                (Some(v), "the Authorization header")
            }
            Err(e @ Error::TokenRejected { .. }) => {
                let ex_h = Exchange { request: line.clone(), response: failed_line(&e) };
                let param = get_json(self.ctx.http, &me, access, TokenIn::Parameter).await;
                let ex_p = Exchange {
                    request: format!(
                        "{} with ?access_token=[redacted]",
                        request_line("GET", &me, &[])
                    ),
                    response: match &param {
                        Ok(_) => "HTTP 200 (the profile)".into(),
                        Err(e) => failed_line(e),
                    },
                };
                match param {
                    Ok(v) => {
                        ledger.record(
                            CheckId::AuthAuthorizationHeader,
                            Outcome::fail(
                                "A fresh access token was refused in the Authorization header but accepted as a parameter: the hosting drops the header before WordPress sees it.",
                                HEADER_FIX,
                            )
                            .observe(&ex_h)
                            .observe(&ex_p),
                        );
                        (Some(v), "a parameter (the header is dropped)")
                    }
                    Err(e2) => {
                        ledger.record(
                            CheckId::LiveMe,
                            Outcome::fail(
                                format!("The profile endpoint refused a fresh token: {e2}"),
                                e2.hint(),
                            )
                            .observe(&ex_h)
                            .observe(&ex_p),
                        );
                        (None, "")
                    }
                }
            }
            Err(e) => {
                ledger.record(
                    CheckId::LiveMe,
                    Outcome::fail(format!("The profile endpoint failed: {e}"), e.hint())
                        .observe(&Exchange { request: line, response: failed_line(&e) }),
                );
                (None, "")
            }
        };
        if let Some(v) = profile {
            let keys: Vec<String> =
                v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            let missing: Vec<&str> = if self.probes.endpoints.me.is_some() {
                ME_FIELDS.iter().copied().filter(|f| !keys.iter().any(|k| k == f)).collect()
            } else {
                Vec::new()
            };
            let ex = Exchange {
                request: format!("GET {me} (token in {via})"),
                response: format!("HTTP 200 with fields: {}", keys.join(", ")),
            };
            ledger.record(
                CheckId::LiveMe,
                if missing.is_empty() {
                    Outcome::pass(format!("{me} answered with {}.", keys.join(", ")))
                } else {
                    Outcome::warn(
                        format!("{me} answered without {}.", missing.join(", ")),
                        "Update the OAuth server plugin, and check that no plugin filters its /oauth/me answer: apps read who is signed in from these fields.",
                    )
                }
                .observe(&ex),
            );
        }
        // Site Health's own test, with the same token (administrators only).
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
        let o = match answer {
            Ok(v) => match v.get("status").and_then(|s| s.as_str()) {
                Some("good") => Outcome::pass(format!("Site Health says: {}.", v.get("label").and_then(|l| l.as_str()).unwrap_or("good"))),
                Some(other) => Outcome::fail(format!("Site Health says ({other}): {}.", v.get("label").and_then(|l| l.as_str()).unwrap_or("the header is not working")), HEADER_FIX),
                None => Outcome::skipped("Site Health's answer had no status"),
            },
            Err(Error::TokenRejected { .. }) => Outcome::skipped(format!("Site Health's tests are for administrators: sign in with {} as an administrator to run it", self.ctx.req.input(Input::Live))),
            Err(e) => Outcome::skipped(format!("Site Health's test did not answer ({e})")),
        };
        ledger.record(CheckId::AuthSiteHealth, o.observe(&ex));
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

fn human_duration(s: i64) -> String {
    match s {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} day(s)", s / 86_400),
        s if s >= 3_600 => format!("about {} hour(s) ({s} seconds)", (s + 60) / 3_600),
        s if s >= 60 => format!("about {} minutes ({s} seconds)", (s + 30) / 60),
        s => format!("{s} seconds"),
    }
}
