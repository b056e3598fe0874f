//! The REST API: reachable, not blocked or changed by a plugin, and under which permalinks.

use crate::discovery::{Discovered, Permalinks};
use crate::doctor::{
    failed_line, request_line, response_line, CheckId, Ctx, Exchange, Ledger, Outcome,
};
use crate::http::limits;
use crate::rest::rest_route;
use url::Url;

/// Known security plugins, by the REST namespace they register.
const SECURITY_NAMESPACES: &[(&str, &str)] = &[
    ("wordfence/", "Wordfence"),
    ("ithemes-security/", "Solid Security (iThemes)"),
    ("solid-security/", "Solid Security"),
    ("aios/", "All In One WP Security"),
    ("sucuri", "Sucuri"),
    ("wp-cerber", "WP Cerber"),
    ("jetpack-protect", "Jetpack Protect"),
];

pub(crate) async fn rest(ctx: &Ctx<'_>, ledger: &mut Ledger<'_>, d: &Discovered) {
    ledger.record(
        CheckId::RestReachable,
        Outcome::pass(format!("WordPress's REST API answers at {}.", d.api_root)).observe(
            &Exchange {
                request: format!("GET {}", d.api_root),
                response: format!(
                    "HTTP 200, a WordPress REST index: \"{}\", {} namespaces",
                    d.site.name,
                    d.site.namespaces.len()
                ),
            },
        ),
    );
    let security: Vec<&str> = SECURITY_NAMESPACES
        .iter()
        .filter(|(ns, _)| d.site.namespaces.iter().any(|n| n.starts_with(ns)))
        .map(|(_, name)| *name)
        .collect();
    let plugins = if security.is_empty() {
        String::new()
    } else {
        format!(" Security plugins seen in the REST index: {}.", security.join(", "))
    };
    let me = rest_route(&d.api_root, "wp/v2/users/me");
    let outcome = not_blocked(ctx, &me, &security, &plugins).await;
    ledger.record(CheckId::RestNotBlocked, outcome);
    let root = Exchange {
        request: format!("GET {}", d.api_root),
        response: "HTTP 200, the REST index".into(),
    };
    ledger.record(CheckId::RestPermalinks, permalinks(d).observe(&root));
}

fn permalinks(d: &Discovered) -> Outcome {
    match d.permalinks {
        Some(Permalinks::Pretty) => Outcome::pass(format!(
            "Pretty permalinks: the REST API lives \
             at {}.",
            d.api_root
        )),
        Some(Permalinks::Plain) => Outcome::warn(
            format!(
                "Plain permalinks: /wp-json/ does not exist, the REST API answers only at {}.",
                d.api_root
            ),
            "In Settings > Permalinks choose any structure but \"Plain\" (\"Post name\" is usual) \
             and save; WP Connect copes with plain permalinks, but many apps do not.",
        ),
        None => Outcome::skipped(
            "the site is hosted on WordPress.com, which has its own API \
             addresses",
        ),
    }
}

/// An anonymous request for the current user: WordPress's own 401, or something in between.
async fn not_blocked(ctx: &Ctx<'_>, me: &Url, security: &[&str], plugins: &str) -> Outcome {
    match ctx.http.get_bytes(me.clone(), limits::JSON).await {
        Err(e) => {
            Outcome::warn(format!("{me} did not answer: {e}.{plugins}"), ctx.hint(&e)).observe(
                &Exchange { request: request_line("GET", me, &[]), response: failed_line(&e) },
            )
        }
        Ok((answer, body)) => {
            let status = answer.status.as_u16();
            let ex = Exchange {
                request: request_line("GET", me, &[]),
                response: response_line(status, &body),
            };
            let code = crate::body::rest_error(&body).map(|e| e.0);
            if crate::body::looks_like_html(answer.content_type(), &body) {
                let cause = crate::body::likely_cause(&body).unwrap_or(
                    "something other than \
                     WordPress (a firewall, a security or maintenance plugin, the host)",
                );
                Outcome::fail(
                    format!(
                        "A REST request from an app got a web page (HTTP {status}) instead of \
                         WordPress's JSON: this looks like {cause}.{plugins}"
                    ),
                    "Allow the REST API (/wp-json/ and ?rest_route=) for apps in the security \
                     plugin or firewall that answers, and take the site out of maintenance \
                     mode.",
                )
                .observe(&ex)
            } else if status == 401 && code.as_deref() == Some("rest_not_logged_in") {
                Outcome::pass(format!(
                    "An anonymous request for the current user gets WordPress's \
                     own answer (401 rest_not_logged_in): nothing stands between apps and the REST \
                     API.{plugins}"
                ))
                .observe(&ex)
            } else {
                let who = if security.is_empty() {
                    "a plugin or the host".to_string()
                } else {
                    security.join(" or ")
                };
                Outcome::warn(
                    format!(
                        "An anonymous request for the current user got HTTP {status}{} instead \
                         of WordPress's 401 rest_not_logged_in: {who} seems to change how the REST \
                         API answers.{plugins}",
                        code.map(|c| format!(" ({c})")).unwrap_or_default()
                    ),
                    format!(
                        "Check the REST API settings of {who}: apps must be able to reach \
                         /wp-json/ (and send the Authorization header) without a browser session."
                    ),
                )
                .observe(&ex)
            }
        }
    }
}
