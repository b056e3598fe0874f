//! `wpconnect doctor <ADDRESS>`: check a site's sign-in configuration, for its admin. One line a
//! check, then why and the fix for each that did not pass, then a summary line. Exit code: 0 all
//! passed, 1 warnings, 2 failures (2 also for a usage error, as for every command).

use std::process::ExitCode;
use std::time::Duration;

use wpconnect_core::browser::SystemBrowser;
use wpconnect_core::doctor::{Check, Doctor, DoctorRequest, Progress, Report, Status};
use wpconnect_core::secret::ClientSecret;

use crate::NetArgs;

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// The site's address, as you would type it in a browser.
    address: String,

    /// The OAuth 2 client's ID to check (WP OAuth Server or WordPress.com). Its secret, for a
    /// confidential client, comes from WPCONNECT_CLIENT_SECRET.
    #[arg(long)]
    client_id: Option<String>,

    /// The redirect URI (OAuth 2) or callback (OAuth 1.0a) people sign in with, e.g.
    /// http://127.0.0.1:8765/callback.
    #[arg(long)]
    redirect_uri: Option<url::Url>,

    /// The OAuth 1.0a application's consumer key to check. Its secret (for --live) comes from
    /// WPCONNECT_CONSUMER_SECRET (or WPCONNECT_CLIENT_SECRET when no --client-id is given).
    #[arg(long)]
    consumer_key: Option<String>,

    /// Also sign in once in your browser to test tokens for real (PKCE, lifetimes, refresh
    /// rotation, revocation...). Tokens are revoked at the end and never stored; OAuth 1.0a creates
    /// one temporary request token that is never authorized.
    #[arg(long)]
    live: bool,

    /// Seconds to wait for the browser (--live).
    #[arg(long, default_value_t = 300)]
    wait: u64,

    /// Print the report as one JSON document (schema "wpconnect.doctor/1").
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    net: NetArgs,
}

pub async fn run(args: DoctorArgs) -> ExitCode {
    let env = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty()).map(ClientSecret::new);
    let secret = env("WPCONNECT_CLIENT_SECRET");
    // The consumer secret has its own variable; the client secret's stands in when no OAuth 2
    // client is checked (as `wpconnect login --method oauth1` reads it).
    let consumer_secret = env("WPCONNECT_CONSUMER_SECRET").or_else(|| {
        if args.client_id.is_none() {
            secret.clone()
        } else {
            None
        }
    });
    let req = DoctorRequest {
        address: args.address.clone(),
        client_id: args.client_id.clone(),
        redirect_uri: args.redirect_uri.clone(),
        consumer_key: args.consumer_key.clone(),
        client_secret: secret,
        consumer_secret,
        live: args.live,
        wait: Duration::from_secs(args.wait),
        face: wpconnect_core::Face::CommandLine,
    };
    if args.live {
        errln!(
            "--live: you will sign in once in your browser; the tokens issued are revoked at \
             the end and never stored."
        );
    }
    let cancel = crate::account::cancel_on_ctrl_c();
    let json = args.json;
    let progress = move |p: Progress| {
        if let Progress::SignIn { url, .. } = p {
            errln!(
                "Sign in in your browser (opening it now); if it does not open, visit:\n\n  \
                 {url}\n"
            );
        } else if let Progress::Finished(c) = p {
            if !json {
                tracing::debug!(id = %c.id, status = ?c.status, "check settled");
            }
        }
    };
    let report = Doctor::new(args.net.discovery_options())
        .run(&req, &SystemBrowser, &cancel, &progress)
        .await;
    if json {
        outln!("{}", serde_json::to_string_pretty(&report).expect("plain data serializes"));
    } else {
        out!("{}", human(&report));
    }
    ExitCode::from(report.exit_code)
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::Skipped => "SKIP",
    }
}

/// One line a check; then, for those that did not pass, what was seen, why it matters and the fix.
pub fn human(r: &Report) -> String {
    let mut out = format!(
        "Checking {}{}\n\n",
        r.site,
        r.site_url.as_ref().map(|u| format!(" (answers at {u})")).unwrap_or_default()
    );
    let width = r.checks.iter().map(|c| c.id.as_str().len()).max().unwrap_or(0);
    for c in &r.checks {
        out.push_str(&format!("{}  {:<width$}  {}\n", mark(c.status), c.id, c.finding));
    }
    let attention: Vec<&Check> =
        r.checks.iter().filter(|c| matches!(c.status, Status::Warn | Status::Fail)).collect();
    for c in attention {
        out.push_str(&format!("\n{} {} ({})\n", mark(c.status), c.title, c.id));
        out.push_str(&format!("  Found: {}\n", c.finding));
        for e in &c.observed {
            out.push_str(&format!("  Sent:  {}\n  Got:   {}\n", e.request, e.response));
        }
        out.push_str(&format!("  Why:   {}\n", c.why));
        if let Some(f) = &c.fix {
            out.push_str(&format!("  Fix:   {f}\n"));
        }
    }
    out.push_str(&format!("\n{}\n", r.summary_line()));
    out
}
