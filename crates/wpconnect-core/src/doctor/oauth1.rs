//! OAuth 1.0a (the WP REST API OAuth1 plugin, `--consumer-key`): the key known, the callback
//! registered, the clocks agreeing.
//!
//! Without `--live` the request-token call is signed with a made-up secret on purpose: the plugin
//! checks the key and the timestamp before the signature, so its refusal tells whether the key is
//! known without creating anything on the site. With `--live` (and the consumer secret) the call
//! is signed properly: the plugin then checks the callback and, when all is right, stores a
//! temporary request token that is never authorized.

use url::Url;

use super::CheckId;
use super::Input;
use super::{failed_line, request_line, Ctx, Exchange, Ledger, Outcome};
use crate::discovery::Discovered;
use crate::error::{Error, Face};
use crate::oauth1::token_request;
use crate::oauth1::{parse_http_date, Consumer};
use crate::oauth2::unix_now;
use crate::secret::ClientSecret;

pub(crate) async fn run(ctx: &Ctx<'_>, ledger: &mut Ledger<'_>, d: &Discovered) {
    let Some(ep) = d.methods.oauth1.clone() else {
        ledger.skip_rest(
            "oauth1",
            "the site does not advertise OAuth 1.0a (the WP REST API OAuth1 plugin)",
        );
        return;
    };
    ledger.record(CheckId::Oauth1Clock, clock(ctx, d).await);
    let Some(key) = ctx.req.consumer_key.clone() else {
        ledger.skip_rest(
            "oauth1",
            &format!(
                "no {} given: name the application's consumer key to check it",
                ctx.req.input(Input::ConsumerKey)
            ),
        );
        return;
    };
    let live_secret = ctx.req.consumer_secret.clone().filter(|_| ctx.req.live);
    let callback = ctx.req.redirect_uri.as_ref().map(Url::to_string);
    let asked = Asked {
        signed: live_secret.is_some() && callback.is_some(),
        callback,
        consumer: Consumer {
            key,
            secret: live_secret.unwrap_or_else(|| ClientSecret::new(super::probe_value("secret"))),
        },
    };
    let (result, ex) = request_token(ctx, d, &ep.request, &asked).await;
    let text = match &result {
        Err(Error::OAuth1 { text, .. }) => text.to_ascii_lowercase(),
        _ => String::new(),
    };
    let consumer = consumer_outcome(ctx, &asked, &result, &text);
    ledger.record(CheckId::Oauth1Consumer, consumer.observe(&ex));
    ledger.record(CheckId::Oauth1Callback, callback_outcome(ctx, &asked, &result, &text, &ex));
}

/// The request-token call as the doctor makes it.
struct Asked {
    consumer: Consumer,
    /// The callback people sign in with, when the admin named it.
    callback: Option<String>,
    /// Signed with the real consumer secret (`--live` with a callback), else with a made-up one.
    signed: bool,
}

/// The clocks, from the site's Date header.
async fn clock(ctx: &Ctx<'_>, d: &Discovered) -> Outcome {
    let a = match ctx.http.get(d.api_root.clone()).await {
        Ok(a) => a,
        Err(e) => return Outcome::skipped(format!("the site did not answer ({e})")),
    };
    let date =
        a.headers.get(reqwest::header::DATE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let ex = Exchange {
        request: request_line("GET", &d.api_root, &[]),
        response: format!(
            "HTTP {} Date: {}",
            a.status.as_u16(),
            date.as_deref().unwrap_or("(none)")
        ),
    };
    match date.as_deref().and_then(parse_http_date) {
        None => Outcome::skipped("the site sent no readable Date header").observe(&ex),
        Some(server) => clock_outcome(server as i64 - unix_now() as i64).observe(&ex),
    }
}

async fn request_token(
    ctx: &Ctx<'_>,
    d: &Discovered,
    endpoint: &Url,
    asked: &Asked,
) -> (Result<crate::oauth1::TokenPair, Error>, Exchange) {
    let cb = asked.callback.clone().unwrap_or_else(|| "oob".into());
    let result = token_request(
        ctx.http,
        endpoint,
        &d.site_url(),
        &asked.consumer,
        None,
        &[("oauth_callback", &cb)],
        Some(&cb),
    )
    .await;
    let how = if asked.signed {
        "signed with the consumer secret"
    } else {
        "signed with a made-up secret on purpose"
    };
    let ex = Exchange {
        request: format!(
            "POST {endpoint} with Authorization: OAuth (consumer {}, callback {cb}, {how})",
            asked.consumer.key
        ),
        response: match &result {
            Ok(_) => "HTTP 200 oauth_token=[redacted]&oauth_token_secret=[redacted]&\
                      oauth_callback_confirmed=true"
                .into(),
            Err(Error::OAuth1 { status, text, .. }) => format!("HTTP {status} {text}"),
            Err(e) => failed_line(e),
        },
    };
    (result, ex)
}

/// The consumer key (and, signed, its secret), from the plugin's refusal text (`text`, lower case).
fn consumer_outcome<T>(
    ctx: &Ctx<'_>,
    asked: &Asked,
    result: &Result<T, Error>,
    text: &str,
) -> Outcome {
    let key = &asked.consumer.key;
    let oauth1 = matches!(result, Err(Error::OAuth1 { .. }));
    match result {
        Ok(_) => Outcome::pass(format!("The consumer key {key} and its secret are accepted.")),
        Err(_) if oauth1 && text.contains("consumer") => Outcome::fail(
            format!("The site does not know the consumer key {key}."),
            "Copy the consumer key again from wp-admin (Users > Applications > the application), \
             or add an application there for WP Connect.",
        ),
        Err(_) if oauth1 && text.contains("timestamp") => Outcome::fail(
            "The site refused the request's timestamp before looking at the key: the clocks \
             differ by more than 15 minutes (see oauth1.clock).",
            "Set the server's clock right (NTP) — or this computer's, if it is the one that is \
             off.",
        ),
        Err(_) if oauth1 && text.contains("signature") && !asked.signed => Outcome::pass(format!(
            "The consumer key {key} is known (the site checked it, then refused the made-up \
             signature, as intended); its secret is checked with {}.",
            ctx.req.input(Input::Live)
        )),
        Err(_) if oauth1 && text.contains("signature") => Outcome::fail(
            format!(
                "The site knows the consumer key {key} but not with this secret (the signature \
                 does not match)."
            ),
            format!(
                "Set {} to the application's consumer secret (wp-admin: Users > Applications > \
                 the application). If it is right, check the site's address in Settings > \
                 General: signatures are built on it.",
                match ctx.req.face {
                    Face::CommandLine => "WPCONNECT_CONSUMER_SECRET",
                    Face::Desktop => "the consumer secret",
                }
            ),
        ),
        Err(_) if oauth1 && text.contains("callback") => {
            Outcome::pass(format!("The consumer key {key} and its secret are accepted."))
        }
        Err(e) => {
            Outcome::warn(format!("The request-token call failed: {e}"), e.hint_for(ctx.req.face))
        }
    }
}

/// The callback: judged only from a properly signed request.
fn callback_outcome<T>(
    ctx: &Ctx<'_>,
    asked: &Asked,
    result: &Result<T, Error>,
    text: &str,
    ex: &Exchange,
) -> Outcome {
    let cli = ctx.req.face == Face::CommandLine;
    match (&asked.callback, asked.signed, result) {
        (None, _, _) => Outcome::skipped(format!(
            "no {} given: name the callback people sign in with \
             (http://127.0.0.1:<port>/callback, or oob)",
            ctx.req.input(Input::RedirectUri)
        )),
        (Some(_), false, _) => Outcome::skipped(format!(
            "checking the callback needs a properly signed request, which makes the site store an \
             unused temporary token: run with {} and the consumer secret{}",
            ctx.req.input(Input::Live),
            if cli { " (WPCONNECT_CONSUMER_SECRET)" } else { "" }
        )),
        (Some(cb), true, Ok(_)) => {
            Outcome::pass(format!("The site accepts the callback {cb}.")).observe(ex)
        }
        (Some(cb), true, Err(_)) if text.contains("callback") => Outcome::fail(
            format!(
                "The site refuses the callback {cb}: it must match the application's registered \
                 callback in scheme, host, port and path."
            ),
            format!(
                "In wp-admin (Users > Applications > the application) set the callback to exactly \
                 {cb}{}, or have people sign in with the port that is registered ({}).",
                if cb == "oob" { "" } else { " (OAuth 1.0a cannot use a random port)" },
                if cli {
                    "`wpconnect login --method oauth1 --redirect-port <port>`"
                } else {
                    "the Callback port on the sign-in form"
                }
            ),
        )
        .observe(ex),
        (Some(_), true, Err(_)) => Outcome::skipped(
            "the request was refused before the callback was looked at (see oauth1.consumer)",
        ),
    }
}

fn clock_outcome(skew: i64) -> Outcome {
    let side = if skew > 0 { "ahead of" } else { "behind" };
    let amount = if skew.abs() >= 120 {
        format!("{} minutes", skew.abs() / 60)
    } else {
        format!("{} seconds", skew.abs())
    };
    if skew.abs() > 15 * 60 {
        Outcome::fail(
            format!("The site's clock is {amount} {side} this computer's: the OAuth1 plugin \
                     refuses requests more than 15 minutes off."),
            "Set the server's clock right (enable NTP, e.g. `timedatectl set-ntp true`, or ask the \
             host); if this computer's clock is the wrong one, turn on automatic time here.",
        )
    } else if skew.abs() > 60 {
        Outcome::warn(
            format!(
                "The site's clock is {amount} {side} this computer's (the plugin allows 15 \
                 minutes)."
            ),
            "Enable NTP on the server (or automatic time on this computer) before the difference \
             grows.",
        )
    } else {
        let within = skew.abs().max(1);
        Outcome::pass(format!(
            "The site's clock agrees with this computer's (within {within} second{}).",
            if within == 1 { "" } else { "s" }
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_thresholds() {
        assert_eq!(clock_outcome(3).status, super::super::Status::Pass);
        assert_eq!(clock_outcome(-300).status, super::super::Status::Warn);
        let f = clock_outcome(3600);
        assert_eq!(f.status, super::super::Status::Fail);
        assert!(f.finding.contains("60 minutes ahead"), "{}", f.finding);
    }
}
