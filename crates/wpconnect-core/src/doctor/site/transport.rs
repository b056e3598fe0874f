//! Transport: https and its certificate, plain http redirected, the site's own address.

use reqwest::header::{HeaderMap, LOCATION};
use url::Url;

use crate::discovery::Discovered;
use crate::doctor::{failed_line, request_line, CheckId, Ctx, Exchange, Ledger, Outcome};
use crate::error::Error;

pub(crate) async fn transport(ctx: &Ctx<'_>, ledger: &mut Ledger<'_>, d: &Discovered) {
    if d.answered_at.scheme() == "https" {
        over_https(ctx, ledger, d).await;
    } else if d.local() {
        local_http(ledger, d);
    } else {
        plain_http_elsewhere(ctx, ledger, d).await;
    }
    ledger.record(CheckId::TransportSiteAddress, site_address(d));
}

/// A site on https: its certificate was trusted (discovery got through), and plain http should
/// redirect to it.
async fn over_https(ctx: &Ctx<'_>, ledger: &mut Ledger<'_>, d: &Discovered) {
    let at = &d.answered_at;
    let host = at.host_str().unwrap_or_default();
    ledger.record(
        CheckId::TransportHttps,
        Outcome::pass(format!("The site answers over https at {at}.")),
    );
    ledger.record(
        CheckId::TransportCertificate,
        Outcome::pass(format!(
            "{host}'s certificate is trusted (checked against the public \
             certificate authorities this app trusts)."
        )),
    );
    let mut http_url = at.clone();
    let _ = http_url.set_scheme("http");
    let _ = http_url.set_port(None);
    let outcome = match ctx
        .http
        .probe(reqwest::Method::GET, http_url.clone(), HeaderMap::new(), None)
        .await
    {
        Ok(a) => {
            let location =
                a.headers.get(LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
            let ex = Exchange {
                request: request_line("GET", &http_url, &[]),
                response: format!(
                    "HTTP {}{}",
                    a.status.as_u16(),
                    if location.is_empty() {
                        String::new()
                    } else {
                        format!(" Location: {location}")
                    }
                ),
            };
            let to_https = a.status.is_redirection()
                && http_url.join(&location).is_ok_and(|u| u.scheme() == "https");
            if to_https {
                Outcome::pass(format!("{http_url} redirects to https.")).observe(&ex)
            } else {
                Outcome::warn(
                    format!(
                        "{http_url} answers over plain http (HTTP {}) instead of redirecting \
                         to https.",
                        a.status.as_u16()
                    ),
                    "Redirect every http request to https: Apache `RewriteCond %{HTTPS} off` + \
                     `RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [L,R=301]`; nginx \
                     `return 301 https://$host$request_uri;` in the port-80 server block \
                     (many hosts have a \"force https\" switch).",
                )
                .observe(&ex)
            }
        }
        Err(e) => Outcome::pass(format!(
            "Nothing answers over plain http ({e}), so nothing can be \
             sent unencrypted by mistake."
        ))
        .observe(&Exchange {
            request: request_line("GET", &http_url, &[]),
            response: failed_line(&e),
        }),
    };
    ledger.record(CheckId::TransportHttpRedirect, outcome);
}

/// A site on this computer over plain http.
fn local_http(ledger: &mut Ledger<'_>, d: &Discovered) {
    let host = d.answered_at.host_str().unwrap_or_default();
    ledger.record(
        CheckId::TransportHttps,
        Outcome::not_needed(
            format!(
                "Local environment over http ({host} is this computer: every address \
                 it resolves to is a loopback one): fine for a site that only this computer \
                 reaches; a public site needs https."
            ),
            "site on this computer",
        ),
    );
    ledger.record(
        CheckId::TransportCertificate,
        Outcome::skipped(
            "the site is a local environment \
             served over http: there is no certificate to check",
        ),
    );
    ledger.record(
        CheckId::TransportHttpRedirect,
        Outcome::skipped("the site is a local environment served over http"),
    );
}

/// A site elsewhere over plain http: does its https work at all?
async fn plain_http_elsewhere(ctx: &Ctx<'_>, ledger: &mut Ledger<'_>, d: &Discovered) {
    let at = &d.answered_at;
    let host = at.host_str().unwrap_or_default();
    let mut https_url = at.clone();
    let _ = https_url.set_scheme("https");
    let _ = https_url.set_port(None);
    let tried = ctx.http.get(https_url.clone()).await;
    let ex = Exchange {
        request: request_line("GET", &https_url, &[]),
        response: match &tried {
            Ok(a) => format!("HTTP {}", a.status.as_u16()),
            Err(e) => failed_line(e),
        },
    };
    let fix_https =
        "Get a certificate for the site (Let's Encrypt is free; most hosts install one \
         with a click), then set both addresses in Settings > General to https:// and \
         redirect http to https.";
    let (https, certificate) = match &tried {
        Err(Error::Tls { detail, .. }) => (
            Outcome::fail(
                format!(
                    "The site answers over plain http at {at}; its https does not work ({detail})."
                ),
                fix_https,
            ),
            Outcome::fail(
                format!("https://{host}/ has a certificate that cannot be trusted: {detail}."),
                "Install a certificate issued for this exact name by a public authority, with its \
                 full chain, and renew it before it expires.",
            )
            .observe(&ex),
        ),
        Ok(_) => (
            Outcome::fail(
                format!(
                    "https works, but the site calls itself {} and answered over plain http.",
                    d.site.url
                ),
                "Set both addresses in Settings > General (WordPress Address and Site Address) to \
                 https://, and redirect http to https.",
            ),
            Outcome::pass(format!("https://{host}/ has a trusted certificate.")).observe(&ex),
        ),
        Err(_) => (
            Outcome::fail(
                format!(
                    "The site answers only over plain http at {at}: everything people send it can \
                     be read on the way."
                ),
                fix_https,
            ),
            Outcome::skipped("nothing answers over https, so there is no certificate to check"),
        ),
    };
    ledger.record(CheckId::TransportHttps, https.observe(&ex));
    ledger.record(CheckId::TransportCertificate, certificate);
    ledger.record(CheckId::TransportHttpRedirect, Outcome::skipped("the site is served over http"));
}

/// Do the site's `url` and `home` agree with where it answered?
fn site_address(d: &Discovered) -> Outcome {
    let at = &d.answered_at;
    let mut problems = Vec::new();
    let mut host_problem = false;
    for (name, value) in
        [("WordPress Address (url)", &d.site.url), ("Site Address (home)", &d.site.home)]
    {
        let Ok(u) = Url::parse(value) else {
            problems.push(format!("its {name} \"{value}\" is not an address"));
            continue;
        };
        let bare = |h: Option<&str>| h.map(|h| h.to_ascii_lowercase());
        if bare(u.host_str()) != bare(at.host_str())
            || u.port_or_known_default() != at.port_or_known_default() && u.scheme() == at.scheme()
        {
            host_problem = true;
            let www = u
                .host_str()
                .zip(at.host_str())
                .is_some_and(|(a, b)| a.trim_start_matches("www.") == b.trim_start_matches("www."));
            problems.push(format!(
                "its {name} is {value}{}",
                if www { " (www and non-www differ)" } else { "" }
            ));
        } else if u.scheme() != at.scheme() {
            problems.push(format!(
                "its {name} is {value} ({} instead of {})",
                u.scheme(),
                at.scheme()
            ));
        } else if name.contains("home")
            && u.path().trim_end_matches('/') != at.path().trim_end_matches('/')
        {
            problems.push(format!("its {name} is {value} (another folder)"));
        }
    }
    let observed = Exchange {
        request: format!("GET {}", d.api_root),
        response: format!("REST index: \"url\": \"{}\", \"home\": \"{}\"", d.site.url, d.site.home),
    };
    if problems.is_empty() {
        return Outcome::pass(format!("The site calls itself {} and answers there.", d.site.home))
            .observe(&observed);
    }
    let finding = format!("The site answered at {at}, but {}.", problems.join(", and "));
    let fix = format!(
        "In Settings > General, set WordPress Address and Site Address to the address the site \
         really answers at ({}), or redirect every other address (www or not, http or https) to \
         it; with WP_HOME/WP_SITEURL in wp-config.php, change them there.",
        at.as_str().trim_end_matches('/')
    );
    if host_problem {
        Outcome::fail(finding, fix).observe(&observed)
    } else {
        Outcome::warn(finding, fix).observe(&observed)
    }
}
