//! `wpconnect doctor <ADDRESS>`: check a site's sign-in configuration, for its admin. One line a
//! check, then why and the fix for each that did not pass, then a summary line. Exit code: 0 all
//! passed, 1 warnings, 2 failures (2 also for a usage error, as for every command).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use wpconnect_core::browser::SystemBrowser;
use wpconnect_core::doctor::{Check, CheckId, Doctor, DoctorRequest, Progress, Report, Status};
use wpconnect_core::secret::ClientSecret;

use crate::output::{clean, paint, Stream, Style};
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
    // On a terminal each check prints as it settles (a live check waits on the browser); piped,
    // the report prints whole at the end, in catalogue order.
    let live_lines = !json && std::io::stdout().is_terminal();
    if live_lines {
        outln!("Checking {}\n", args.address);
    }
    let progress = move |p: Progress| match p {
        Progress::SignIn { url, .. } => errln!(
            "Sign in in your browser (opening it now); if it does not open, visit:\n\n  {url}\n"
        ),
        Progress::Finished(c) if live_lines => {
            println!("{}", check_line(&c));
            let _ = std::io::stdout().flush();
        }
        Progress::Finished(c) => {
            tracing::debug!(id = %c.id, status = ?c.status, "check settled");
        }
    };
    let report = Doctor::new(args.net.discovery_options())
        .run(&req, &SystemBrowser, &cancel, &progress)
        .await;
    if json {
        outln!("{}", serde_json::to_string_pretty(&report).expect("plain data serializes"));
    } else if live_lines {
        print!("{}", details(&report));
    } else {
        print!("{}", human(&report));
    }
    ExitCode::from(report.exit_code)
}

/// The check's status word, coloured where stdout allows.
fn mark(s: Status) -> String {
    let (word, style) = match s {
        Status::Pass => ("PASS", Style::Good),
        Status::Warn => ("WARN", Style::Warning),
        Status::Fail => ("FAIL", Style::Error),
        Status::Skipped => ("SKIP", Style::Quiet),
    };
    paint(Stream::Out, style, word)
}

/// `PASS  transport.https  finding`, ids padded to the longest there is.
fn check_line(c: &Check) -> String {
    let width = CheckId::ALL.iter().map(|c| c.as_str().len()).max().unwrap_or(0);
    format!("{}  {:<width$}  {}", mark(c.status), c.id.as_str(), clean(&c.finding))
}

/// One line a check; then, for those that did not pass, what was seen, why it matters and the fix.
pub fn human(r: &Report) -> String {
    let mut out = format!(
        "Checking {}{}\n\n",
        clean(&r.site),
        r.site_url.as_ref().map(|u| format!(" (answers at {u})")).unwrap_or_default()
    );
    for c in &r.checks {
        out.push_str(&check_line(c));
        out.push('\n');
    }
    out.push_str(&details(r));
    out
}

/// What follows the check lines: for each check that did not pass, what was seen, why it matters
/// and the fix; then the summary. Site-sent text is cleaned, this program's colours kept.
fn details(r: &Report) -> String {
    let mut out = String::new();
    let attention: Vec<&Check> =
        r.checks.iter().filter(|c| matches!(c.status, Status::Warn | Status::Fail)).collect();
    for c in attention {
        let mut text = format!("{} ({})\n  Found: {}\n", c.title, c.id, c.finding);
        for e in &c.observed {
            text.push_str(&format!("  Sent:  {}\n  Got:   {}\n", e.request, e.response));
        }
        text.push_str(&format!("  Why:   {}\n", c.why));
        if let Some(f) = &c.fix {
            text.push_str(&format!("  Fix:   {f}\n"));
        }
        out.push_str(&format!("\n{} {}", mark(c.status), clean(&text)));
    }
    out.push_str(&format!("\n{}\n", clean(&r.summary_line())));
    out
}
