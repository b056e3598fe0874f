//! The site itself: transport, REST API, advertised methods, and whether the Authorization
//! header reaches WordPress.

mod header;
mod rest;
mod transport;

pub(crate) use header::authorization_header;
pub(crate) use rest::rest;
pub(crate) use transport::transport;

use super::CheckId;
use super::{failed_line, Exchange, Ledger, Outcome};
use crate::discovery::Discovered;
use crate::error::Error;

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
