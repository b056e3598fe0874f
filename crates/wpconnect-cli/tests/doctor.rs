//! `wpconnect doctor` end to end: the real binary against the WordPress-dialect site on loopback
//! (and, under the test command, the real WordPress): what the admin reads, the JSON document's
//! stable shape, exit codes, and no secret anywhere in the output.

mod common;
use common::*;

use std::time::Duration;

use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

const SECRET: &str = "cli-doctor-secret-77";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A correctly configured site, then `change` (a misconfiguration) applied to it.
async fn good_site(port: u16, change: impl FnOnce(&mut Knobs)) -> OAuthSite {
    let mut knobs = Knobs {
        exact_redirect: true,
        app_passwords: true,
        app_passwords_in_use: true,
        ..Default::default()
    };
    change(&mut knobs);
    OAuthSite::start(
        knobs,
        vec![Client::new(
            "desk-app",
            Some(SECRET),
            &[&format!("http://127.0.0.1:{port}/callback")],
        )],
        vec![User::new(1, "ada", "correct horse", "Ada Admin", &["administrator"])],
    )
    .await
}

fn args(site: &OAuthSite, port: u16) -> Vec<String> {
    let cb = format!("http://127.0.0.1:{port}/callback");
    ["doctor", &site.url(), "--client-id", "desk-app", "--redirect-uri", &cb, "--timeout", "5"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Every check id, in report order: the JSON document's stable vocabulary.
const IDS: &[&str] = &[
    "transport.https",
    "transport.certificate",
    "transport.http_redirect",
    "transport.site_address",
    "rest.reachable",
    "rest.not_blocked",
    "rest.permalinks",
    "auth.authorization_header",
    "auth.site_health",
    "methods.advertised",
    "methods.same_site",
    "methods.metadata",
    "methods.application_passwords",
    "oauth2.server",
    "oauth2.client",
    "oauth2.redirect_uri",
    "oauth2.redirect_matching",
    "oauth2.loopback_port",
    "oauth2.grant.authorization_code",
    "oauth2.grant.refresh_token",
    "oauth2.grant.password",
    "live.state",
    "live.pkce",
    "live.code_reuse",
    "live.code_lifetime",
    "live.token_lifetimes",
    "live.refresh_rotation",
    "live.revocation",
    "live.me",
    "oauth1.consumer",
    "oauth1.callback",
    "oauth1.clock",
];

#[tokio::test]
async fn a_good_site_reads_as_all_passed_and_exits_0() {
    let port = free_port();
    let site = good_site(port, |_| {}).await;
    let out =
        wpconnect_env(&refs(&args(&site, port)), &[("WPCONNECT_CLIENT_SECRET", SECRET)]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.starts_with(&format!("Checking {}", site.url())), "{text}");
    for want in [
        "PASS  transport.https ",
        "Local environment over http",
        "PASS  oauth2.redirect_matching ",
        "PASS  auth.authorization_header ",
        "SKIP  live.pkce ",
        "--live signs in once",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains("FAIL") && !text.contains("WARN") && !text.contains("Fix:"), "{text}");
    assert!(text.trim_end().ends_with("skipped"), "the summary line ends the output:\n{text}");
    assert!(text.contains(", 0 warnings, 0 failed, "), "{text}");
}

#[tokio::test]
async fn a_misconfigured_site_says_why_and_how_to_fix_it_and_exits_2() {
    let port = free_port();
    let site = good_site(port, |k| {
        k.strip_authorization = true;
        k.exact_redirect = false;
    })
    .await;
    let out =
        wpconnect_env(&refs(&args(&site, port)), &[("WPCONNECT_CLIENT_SECRET", SECRET)]).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for want in [
        "FAIL  auth.authorization_header ",
        "WARN  oauth2.redirect_matching ",
        "FAIL Authorization header reaches WordPress (auth.authorization_header)",
        "  Why:   Tokens and Application Passwords travel in the Authorization header",
        "CGIPassAuth On",
        "fastcgi_param HTTP_AUTHORIZATION $http_authorization;",
        "  Sent:  POST ",
        "Enforce Redirect URI",
        "1 warning, 1 failed,",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains(SECRET));
}

#[tokio::test]
async fn warnings_alone_exit_1() {
    let port = free_port();
    let site = good_site(port, |k| k.exact_redirect = false).await;
    let out = wpconnect_env(
        &[&refs(&args(&site, port))[..], &["--json"]].concat(),
        &[("WPCONNECT_CLIENT_SECRET", SECRET)],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let doc = json(&out);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(doc["summary"]["warn"], 1);
}

#[tokio::test]
async fn the_json_document_has_a_stable_shape() {
    let port = free_port();
    let site = good_site(port, |_| {}).await;
    let out = wpconnect_env(
        &[&refs(&args(&site, port))[..], &["--json"]].concat(),
        &[("WPCONNECT_CLIENT_SECRET", SECRET)],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let doc = json(&out);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&doc),
        ["checks", "exit_code", "live", "schema", "site", "site_url", "summary"]
    );
    assert_eq!(doc["schema"], "wpconnect.doctor/1");
    assert_eq!(doc["site"], site.url().as_str());
    assert_eq!(doc["live"], false);
    assert_eq!(keys(&doc["summary"]), ["fail", "pass", "skipped", "warn"]);
    let checks = doc["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, IDS, "every check, always, in this order");
    let mut counted = std::collections::HashMap::new();
    for c in checks {
        assert_eq!(
            keys(c),
            [
                "finding",
                "fix",
                "group",
                "id",
                "not_needed",
                "observed",
                "skipped_because",
                "status",
                "title",
                "why"
            ],
            "{c}"
        );
        let status = c["status"].as_str().unwrap();
        assert!(["pass", "warn", "fail", "skipped"].contains(&status), "{c}");
        *counted.entry(status.to_string()).or_insert(0) += 1;
        assert_eq!(c["group"], c["id"].as_str().unwrap().split('.').next().unwrap());
        assert_eq!(c["skipped_because"].is_string(), status == "skipped", "{c}");
        assert_eq!(c["fix"].is_string(), status == "warn" || status == "fail", "{c}");
        for e in c["observed"].as_array().unwrap() {
            assert_eq!(keys(e), ["request", "response"], "{c}");
        }
    }
    for s in ["pass", "warn", "fail", "skipped"] {
        let key = if s == "skipped" { "skipped" } else { s };
        assert_eq!(doc["summary"][key], counted.get(s).copied().unwrap_or(0), "{s}");
    }
}

#[tokio::test]
async fn a_site_that_cannot_be_reached_is_a_report_with_failures_exit_2() {
    let port = free_port();
    let out = wpconnect(&["doctor", &format!("http://127.0.0.1:{port}"), "--json"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let doc = json(&out);
    let check = |id: &str| {
        doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone()
    };
    assert_eq!(check("rest.reachable")["status"], "fail");
    assert!(check("rest.reachable")["finding"].as_str().unwrap().contains("Nothing is answering"));
    assert_eq!(check("oauth2.client")["status"], "skipped");
    // A usage error is still a usage error.
    let out = wpconnect(&["doctor", "http://127.0.0.1:1", "--redirect-uri", "not a uri"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--redirect-uri"), "{}", stderr(&out));
}

#[tokio::test]
async fn live_through_the_browser_finds_pkce_ignored_and_leaks_no_secret() {
    let test = "live_through_the_browser_finds_pkce_ignored_and_leaks_no_secret";
    let Some(browser) = test_browser_program(test) else { return };
    let port = free_port();
    let site = good_site(port, |k| {
        k.pkce_ignored = true;
        k.refresh_reusable = true;
    })
    .await;
    let browser = browser.display().to_string();
    let env = [
        ("WPCONNECT_CLIENT_SECRET", SECRET),
        ("BROWSER", browser.as_str()),
        ("WPCONNECT_TEST_BROWSER_USER", "ada"),
        ("WPCONNECT_TEST_BROWSER_PASSWORD", "correct horse"),
        ("WPCONNECT_LOG", "trace"),
    ];
    let out = tokio::time::timeout(
        Duration::from_secs(90),
        wpconnect_env(
            &[&refs(&args(&site, port))[..], &["--live", "--json", "--wait", "30"]].concat(),
            &env,
        ),
    )
    .await
    .expect("finished");
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(2), "{doc:#}\n{}", stderr(&out));
    let check = |id: &str| {
        doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone()
    };
    assert_eq!(check("live.pkce")["status"], "fail", "{:#}", check("live.pkce"));
    assert_eq!(
        check("live.refresh_rotation")["status"],
        "warn",
        "{:#}",
        check("live.refresh_rotation")
    );
    assert_eq!(check("live.me")["status"], "pass", "{:#}", check("live.me"));
    assert_eq!(check("auth.site_health")["status"], "pass", "{:#}", check("auth.site_health"));
    assert_eq!(doc["live"], true);
    // Not the client secret, not one token the site issued: in the report, the log, anywhere.
    let everything = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!everything.contains(SECRET), "the client secret leaked");
    let issued = site.issued_tokens();
    assert!(issued.len() >= 4, "the live checks obtained tokens: {}", issued.len());
    for t in issued {
        assert!(!everything.contains(&t), "a token leaked: {t}");
        assert!(!site.access_token_valid(&t), "and every one was revoked");
    }
}

#[tokio::test]
async fn against_the_real_wordpress_transport_and_application_passwords_tell_the_truth() {
    let Some(wp) = real_wordpress(
        "against_the_real_wordpress_transport_and_application_passwords_tell_the_truth",
    ) else {
        return;
    };
    let out = wpconnect(&["doctor", &wp.url, "--json"]).await;
    let doc = json(&out);
    let check = |id: &str| {
        doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone()
    };
    // A local environment over http: said as it is.
    assert_eq!(check("transport.https")["status"], "pass", "{doc:#}");
    assert!(
        check("transport.https")["finding"]
            .as_str()
            .unwrap()
            .contains("Local environment over http"),
        "{doc:#}"
    );
    assert_eq!(check("transport.certificate")["status"], "skipped");
    assert_eq!(check("rest.reachable")["status"], "pass");
    assert_eq!(check("rest.not_blocked")["status"], "pass", "{:#}", check("rest.not_blocked"));
    assert_eq!(check("rest.permalinks")["status"], "pass");
    // WordPress offers Application Passwords over http because its environment type is local.
    let ap = check("methods.application_passwords");
    assert_eq!(ap["status"], "pass", "{ap:#}");
    assert!(ap["finding"].as_str().unwrap().contains("environment type is \"local\""), "{ap:#}");
    // WordPress 6.1 answers a made-up Application Password as anonymous even when the header
    // arrives (facts file): without an OAuth client or --live the doctor cannot tell, and says so.
    let h = check("auth.authorization_header");
    assert_eq!(h["status"], "skipped", "{h:#}");
    assert!(h["skipped_because"].as_str().unwrap().contains("--live"), "{h:#}");
    assert_eq!(check("oauth2.client")["status"], "skipped");
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    // Plain permalinks on the second site: a warning with the fix.
    let out = wpconnect(&["doctor", &wp.plain_url, "--json"]).await;
    let doc = json(&out);
    let p = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "rest.permalinks")
        .unwrap()
        .clone();
    assert_eq!(p["status"], "warn", "{p:#}");
    assert!(p["fix"].as_str().unwrap().contains("Settings > Permalinks"));
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
}
