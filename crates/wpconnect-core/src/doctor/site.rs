//! The site itself: transport, REST API, advertised methods, and whether the Authorization
//! header reaches WordPress.

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, LOCATION};
use url::Url;

use super::oauth2::Probes;
use super::CheckId;
use super::Input;
use super::{
    failed_line, probe_value, request_line, response_line, Ctx, Exchange, Ledger, Outcome,
};
use crate::discovery::{Discovered, Permalinks};
use crate::error::Error;
use crate::http::limits;
use crate::rest::rest_route;

/// The lines that let the Authorization header through, for each kind of hosting.
pub(crate) const HEADER_FIX: &str = "Let the Authorization header through to PHP. Apache \
                                     (.htaccess, above the WordPress block): `RewriteEngine On` + \
                                     `RewriteRule .* - \
                                     [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]`, or `SetEnvIf \
                                     Authorization \"(.*)\" \
                                     HTTP_AUTHORIZATION=$1`; Apache 2.4.13+ with CGI/FastCGI: \
                                     `CGIPassAuth On`; nginx with \
                                     PHP-FPM: `fastcgi_param HTTP_AUTHORIZATION \
                                     $http_authorization;` in the PHP \
                                     location block. Then run this check again.";

/// The site could not be read at all: say what failed, skip the rest.
pub(crate) fn unreachable(ledger: &mut Ledger, req: &super::DoctorRequest, e: &Error) {
    let observed = Exchange {
        request: format!("GET {} (and its REST API)", req.address.trim()),
        response: failed_line(e),
    };
    let finding = e.to_string();
    match e {
        Error::Tls { detail, .. } => {
            ledger.record(
                CheckId::TransportHttps,
                Outcome::fail(
                    format!("The site's https does not work: {detail}."),
                    e.hint_for(req.face),
                )
                .observe(&observed),
            );
            ledger.record(
                CheckId::TransportCertificate,
                Outcome::fail(
                    format!("The certificate is not accepted: {detail}."),
                    "Install a \
                     certificate issued for this exact name by a public authority (Let's Encrypt \
                     is \
                     free; most hosts install one with a click), with its full chain, and renew \
                     it before it expires.",
                )
                .observe(&observed),
            );
        }
        e if e.category() == crate::Category::Network || e.category() == crate::Category::Usage => {
            ledger.record(
                CheckId::TransportHttps,
                Outcome::fail(finding.clone(), e.hint_for(req.face)).observe(&observed),
            );
        }
        _ => {}
    }
    ledger.record(
        CheckId::RestReachable,
        Outcome::fail(finding, e.hint_for(req.face)).observe(&observed),
    );
}

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
        Outcome::pass(format!(
            "Local environment over http ({host} is this computer: every address \
             it resolves to is a loopback one): fine for a site that only this computer reaches; a \
             public site needs https."
        )),
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
         with a click), then set both addresses in Settings > General to https:// and redirect \
         http \
         to https.";
    match &tried {
        Err(Error::Tls { detail, .. }) => {
            ledger.record(
                CheckId::TransportHttps,
                Outcome::fail(
                    format!(
                        "The site answers over \
                         plain http at {at}; its https does not work ({detail})."
                    ),
                    fix_https,
                )
                .observe(&ex),
            );
            ledger.record(
                CheckId::TransportCertificate,
                Outcome::fail(
                    format!(
                        "https://{host}/ has a certificate that cannot be trusted: \
                         {detail}."
                    ),
                    "Install a certificate issued for this exact name by a public \
                     authority, with its full chain, and renew it before it expires.",
                )
                .observe(&ex),
            );
        }
        Ok(_) => {
            ledger.record(
                CheckId::TransportHttps,
                Outcome::fail(
                    format!(
                        "https works, but the site calls itself {} and answered over \
                         plain http.",
                        d.site.url
                    ),
                    "Set both addresses in Settings > General \
                     (WordPress Address and Site Address) to https://, and redirect http to \
                     https.",
                )
                .observe(&ex),
            );
            ledger.record(
                CheckId::TransportCertificate,
                Outcome::pass(format!("https://{host}/ has a trusted certificate.")).observe(&ex),
            );
        }
        Err(_) => {
            ledger.record(
                CheckId::TransportHttps,
                Outcome::fail(
                    format!(
                        "The site answers only \
                         over plain http at {at}: everything people send it can be read on the way."
                    ),
                    fix_https,
                )
                .observe(&ex),
            );
            ledger.record(
                CheckId::TransportCertificate,
                Outcome::skipped("nothing answers over https, so there is no certificate to check"),
            );
        }
    }
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
    let outcome = match ctx.http.get_bytes(me.clone(), limits::JSON).await {
        Err(e) => {
            Outcome::warn(format!("{me} did not answer: {e}.{plugins}"), ctx.hint(&e)).observe(
                &Exchange { request: request_line("GET", &me, &[]), response: failed_line(&e) },
            )
        }
        Ok((answer, body)) => {
            let status = answer.status.as_u16();
            let ex = Exchange {
                request: request_line("GET", &me, &[]),
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
    };
    ledger.record(CheckId::RestNotBlocked, outcome);
    let permalinks = match d.permalinks {
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
    };
    let root = Exchange {
        request: format!("GET {}", d.api_root),
        response: "HTTP 200, the REST index".into(),
    };
    ledger.record(CheckId::RestPermalinks, permalinks.observe(&root));
}

pub(crate) fn methods(ledger: &mut Ledger, d: &Discovered) {
    let m = &d.methods;
    let mut names = Vec::new();
    if m.application_passwords.is_some() {
        names.push("Application Passwords".to_string());
    }
    if let Some(o) = &m.oauth2 {
        names.push(format!(
            "OAuth 2 ({}, authorize at {})",
            o.software.clone().unwrap_or_else(|| format!("{:?}", o.server)),
            o.authorize
        ));
    }
    if let Some(o) = &m.oauth1 {
        names.push(format!("OAuth 1.0a (request at {})", o.request));
    }
    let observed = Exchange {
        request: format!("GET {}", d.api_root),
        response: format!(
            "REST index \"authentication\": {}",
            serde_json::to_string(m).unwrap_or_default()
        ),
    };
    ledger.record(
        CheckId::MethodsAdvertised,
        if names.is_empty() {
            Outcome::fail(
                "The REST index advertises no sign-in method.",
                "Serve the site over https (or set WP_ENVIRONMENT_TYPE to local on a local site) \
                 so WordPress offers Application Passwords, or install and configure an OAuth \
                 server plugin (WP OAuth Server, or the WP REST API OAuth1 plugin).",
            )
            .observe(&observed)
        } else {
            Outcome::pass(format!("Advertised: {}.", names.join("; "))).observe(&observed)
        },
    );
    let same_site = if d.foreign_endpoints.is_empty() {
        Outcome::pass(format!(
            "Every sign-in endpoint the REST index names is on {}.",
            d.api_root.host_str().unwrap_or("the site")
        ))
    } else {
        let named: Vec<String> =
            d.foreign_endpoints.iter().map(|f| format!("{} at {}", f.what, f.url)).collect();
        Outcome::fail(
            format!(
                "The REST index names endpoints on other hosts, refused: {}.",
                named.join("; ")
            ),
            "Find what rewrites the REST index's \"authentication\" section (a plugin's settings, \
             a proxy or CDN rule, the site's home/siteurl options) and make every endpoint the \
             site's own address; then check that no plugin was tampered with.",
        )
        .observe(&observed)
    };
    ledger.record(CheckId::MethodsSameSite, same_site);
    ledger.record(CheckId::MethodsMetadata, metadata(d));
    ledger
        .record(CheckId::MethodsApplicationPasswords, application_passwords(d).observe(&observed));
}

/// The OAuth server's metadata document, when it publishes one, against the REST index.
fn metadata(d: &Discovered) -> Outcome {
    match (&d.metadata, &d.methods.oauth2) {
        (_, None) => Outcome::skipped("the site has no OAuth 2 server"),
        (None, Some(_)) => Outcome::skipped(
            "the OAuth server publishes no discovery document \
             (/.well-known/oauth-authorization-server or openid-configuration); WP Connect reads \
             the REST index",
        ),
        (Some(md), Some(_)) if md.warnings.is_empty() => Outcome::pass(format!(
            "{} agrees with the \
             REST index.",
            md.source
        )),
        (Some(md), Some(_)) => Outcome::warn(
            format!(
                "{} contradicts the REST index or itself: {}",
                md.source,
                md.warnings.join(" ")
            ),
            "These are known defects of WP OAuth Server's discovery document (issuer forced to \
             https, a garbled grant list, no PKCE methods). WP Connect uses the REST index, so \
             it is not affected; other apps may be: update the plugin, and tell app \
             developers to use the REST index's endpoints.",
        )
        .observe(&Exchange {
            request: format!("GET {}", md.source),
            response: "HTTP 200 (a \
                       metadata document)"
                .into(),
        }),
    }
}

/// Application Passwords: WordPress offers them over https, or on a local environment.
fn application_passwords(d: &Discovered) -> Outcome {
    let m = &d.methods;
    let https = d.site.https;
    let local = d.local();
    match (&m.application_passwords, https) {
        (Some(a), true) => Outcome::pass(format!(
            "Available over https{}.",
            a.authorization_url
                .as_ref()
                .map(|u| format!("; people approve apps at {u}"))
                .unwrap_or_default()
        )),
        (Some(_), false) => Outcome::pass(
            "Available: the site is a local environment over http \
             (WordPress offers them over http only when its environment type is \"local\").",
        ),
        (None, false) if local => Outcome::warn(
            "Not available: the site is served over http and WordPress does not consider it a \
             local environment.",
            "For a local development site, add `define( 'WP_ENVIRONMENT_TYPE', 'local' );` to \
             wp-config.php; for anything else, serve the site over https.",
        ),
        (None, false) => Outcome::warn(
            "Not available: WordPress offers Application Passwords only over https (or on local \
             environments), and this site is served over http.",
            "Serve the site over https; WordPress then offers Application Passwords by itself.",
        ),
        (None, true) => Outcome::warn(
            "Not available although the site is served over https: a plugin or a code snippet \
             switches them off (the wp_is_application_passwords_available filter), or the site \
             runs WordPress older than 5.6.",
            "Look for a security plugin setting such as \"Disable Application Passwords\" \
             (Wordfence, Solid Security and others have one) or a \
             `wp_is_application_passwords_available` filter returning false, and allow \
             them; update WordPress if it is older than 5.6.",
        ),
    }
}

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
        if let Some(super::oauth2::HeaderFinding { stripped, observed: exchanges }) =
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
