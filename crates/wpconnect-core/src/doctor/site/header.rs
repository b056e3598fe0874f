//! Whether the Authorization header reaches WordPress.

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};

use crate::discovery::Discovered;
use crate::doctor::oauth2::Probes;
use crate::doctor::{
    failed_line, probe_value, request_line, response_line, CheckId, Ctx, Exchange, Input, Ledger,
    Outcome,
};
use crate::http::limits;
use crate::rest::rest_route;

use super::HEADER_FIX;

/// Does the Authorization header reach WordPress? Settled already by the live checks when a real
/// token was at hand; otherwise from the token endpoint's answers (client credentials in the header
/// vs in the body), or WordPress's own answer to a made-up Application Password.
pub(crate) async fn authorization_header(
    ctx: &Ctx<'_>,
    ledger: &mut Ledger<'_>,
    d: &Discovered,
    probes: Option<&Probes>,
) {
    if ledger.has(CheckId::AuthAuthorizationHeader) {
        return;
    }
    if let Some(p) = probes {
        if let Some(crate::doctor::oauth2::HeaderFinding { stripped, observed: exchanges }) =
            &p.header_via_token_endpoint
        {
            let outcome = if *stripped {
                Outcome::fail(
                    "The token endpoint refused the client's credentials in the Authorization \
                     header (invalid_client) and accepted the same credentials in the request \
                     body: the header does not reach WordPress.",
                    HEADER_FIX,
                )
            } else {
                Outcome::pass(
                    "The token endpoint read the client's credentials from the \
                     Authorization header: the header reaches WordPress.",
                )
            };
            ledger.record(CheckId::AuthAuthorizationHeader, outcome.observe_all(exchanges));
            return;
        }
    }
    // WordPress answers a made-up Application Password for an unknown user with `invalid_username`
    // when the header reaches it (and Application Passwords are in use on the site).
    let me = rest_route(&d.api_root, "wp/v2/users/me");
    let user = probe_value("user");
    let pair = base64::engine::general_purpose::STANDARD
        .encode(format!("{user}:{}", probe_value("password")));
    let mut headers = HeaderMap::new();
    if let Ok(mut v) = HeaderValue::from_str(&format!("Basic {pair}")) {
        v.set_sensitive(true);
        headers.insert(AUTHORIZATION, v);
    }
    let request = format!(
        "{} with Authorization: Basic (user {user}, a made-up password)",
        request_line("GET", &me, &[])
    );
    let outcome = match ctx.http.send(reqwest::Method::GET, me.clone(), headers, None).await {
        Err(e) => Outcome::skipped(format!("the probe got no answer ({e})"))
            .observe(&Exchange { request, response: failed_line(&e) }),
        Ok(mut a) => {
            let body = a.body(limits::JSON, ctx.http.options().timeout).await.unwrap_or_default();
            let ex = Exchange { request, response: response_line(a.status.as_u16(), &body) };
            match crate::body::rest_error(&body).map(|e| e.0).as_deref() {
                Some(
                    "invalid_username"
                    | "incorrect_password"
                    | "invalid_email"
                    | "application_passwords_disabled"
                    | "application_passwords_disabled_for_user",
                ) => Outcome::pass(
                    "WordPress answered a made-up Application Password with its own \
                     refusal: the Authorization header reaches WordPress.",
                )
                .observe(&ex),
                _ => Outcome::skipped(format!(
                    "WordPress answered the made-up Application Password as if no credentials had \
                     been sent, which it does when the header is dropped, but also when no \
                     Application Password was ever created on the site, and always on \
                     WordPress 6.1; run with {} (WP OAuth Server) or {} to tell",
                    ctx.req.input(Input::ClientId),
                    ctx.req.input(Input::Live)
                ))
                .observe(&ex),
            }
        }
    };
    ledger.record(CheckId::AuthAuthorizationHeader, outcome);
}
