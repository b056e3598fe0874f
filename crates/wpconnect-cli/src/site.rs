//! `wpconnect site <ADDRESS>`: what the site is and how to sign in to it.

use std::process::ExitCode;

use serde::Serialize;
use wpconnect_core::{Discovered, Discoverer, Method};

use crate::output::{fail, table};
use crate::NetArgs;

#[derive(clap::Args, Debug)]
pub struct SiteArgs {
    /// The site's address, as you would type it in a browser (example.com,
    /// https://example.com/blog).
    address: String,

    /// Print one JSON document (schema "wpconnect.site/1") instead of a table.
    #[arg(long)]
    json: bool,

    /// Also read the OAuth server's metadata documents (/.well-known/...): hints only, and one or
    /// two round trips more.
    #[arg(long)]
    metadata: bool,

    #[command(flatten)]
    net: NetArgs,
}

/// The JSON document `wpconnect site --json` prints. Fields are only ever added.
#[derive(Serialize)]
struct SiteDoc<'a> {
    schema: &'static str,
    #[serde(flatten)]
    discovered: &'a Discovered,
}

pub async fn run(args: SiteArgs) -> ExitCode {
    let discoverer = Discoverer::new(wpconnect_core::DiscoveryOptions {
        metadata: args.metadata,
        ..args.net.discovery_options()
    });
    match discoverer.discover(&args.address).await {
        Ok(d) => {
            if args.json {
                let doc = SiteDoc { schema: "wpconnect.site/1", discovered: &d };
                outln!("{}", serde_json::to_string_pretty(&doc).expect("plain data serializes"));
            } else {
                out!("{}", human(&d));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, args.json),
    }
}

fn human(d: &Discovered) -> String {
    let s = &d.site;
    let mut rows: Vec<(&str, String)> = vec![
        ("Site", if s.name.is_empty() { "(no name)".into() } else { s.name.clone() }),
        ("Tagline", if s.description.is_empty() { "(none)".into() } else { s.description.clone() }),
        ("Address", s.url.clone()),
    ];
    if s.home != s.url {
        rows.push(("Home", s.home.clone()));
    }
    rows.push(("REST API", d.api_root.to_string()));
    rows.push(("Time zone", s.timezone_label()));
    rows.push((
        "Secure",
        if s.https {
            "yes (https)".into()
        } else if d.local() {
            "no (http), but the site is on this computer".into()
        } else {
            "no (http: the connection is not encrypted; signing in needs --allow-plain-http)".into()
        },
    ));
    if !s.namespaces.is_empty() {
        rows.push(("Namespaces", s.namespaces.join(", ")));
    }
    if let Some(w) = &d.wordpress_com {
        rows.push((
            "WordPress.com",
            format!(
                "blog ID {}{}",
                w.id,
                if w.jetpack { " (connected through Jetpack)" } else { "" }
            ),
        ));
    }
    let offered: Vec<String> = d.recommended.offered.iter().map(|m| method_line(d, *m)).collect();
    rows.push((
        "Sign-in",
        if offered.is_empty() { "none advertised".into() } else { offered.join("\n") },
    ));
    rows.push(("Recommended", d.recommended.reason.clone()));
    if let Some(m) = &d.metadata {
        for w in &m.warnings {
            rows.push(("Metadata", w.clone()));
        }
    }
    for n in &d.notes {
        rows.push(("Note", n.clone()));
    }
    table(&rows)
}

fn method_line(d: &Discovered, m: Method) -> String {
    let detail = match m {
        Method::ApplicationPasswords => d
            .methods
            .application_passwords
            .as_ref()
            .and_then(|a| a.authorization_url.as_ref())
            .map(|u| format!("approve at {u}"))
            .unwrap_or_else(|| "paste one from your profile".into()),
        Method::Oauth2 | Method::WordpressCom => d
            .methods
            .oauth2
            .as_ref()
            .map(|o| format!("authorize at {}", o.authorize))
            .unwrap_or_default(),
        Method::Oauth1 => d
            .methods
            .oauth1
            .as_ref()
            .map(|o| format!("authorize at {}", o.authorize))
            .unwrap_or_default(),
    };
    format!("{}: {detail}", m.label())
}
