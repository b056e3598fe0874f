//! `wpconnect`: WP Connect on the command line. Every command is a thin face of
//! `wpconnect-core`; with `--json` each prints one stable JSON document.
//!
//! Exit codes (for scripts): 0 success; 1 internal error; 2 usage (a bad flag or address);
//! 3 the site is not a usable WordPress site (no REST API, blocked, HTML instead of JSON);
//! 4 network (DNS, refused, TLS, timeout, redirects); 5 the site's server failed; 6 sign-in
//! refused or failed (wrong password, denied, client misconfigured, sign in again); 7 this
//! computer (keyring locked or missing, accounts file, browser, port); 8 cancelled or timed out.
//! `wpconnect doctor` has its own: 0 every check passed (or was skipped), 1 warnings, 2 failures
//! (a site that cannot be reached is a report with failing checks, so 2).

// The core's one `Error` is large by design (it carries what a person needs); see its lib.rs.
#![allow(clippy::result_large_err)]

#[macro_use]
mod output;
mod account;
mod doctor;
mod site;
mod upload;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use wpconnect_core::{Category, DiscoveryOptions, HttpOptions};

#[derive(Parser)]
#[command(name = "wpconnect", version = wpconnect_core::VERSION, about = "Connect to your \
                                                                          WordPress sites, safely.")]
struct Cli {
    /// Log level for diagnostics on stderr (error, warn, info, debug, trace).
    #[arg(long, global = true, env = "WPCONNECT_LOG", default_value = "warn")]
    log_level: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find a site's REST API and tell what the site is and how to sign in to it.
    Site(site::SiteArgs),
    /// Sign in to a site (OAuth 2 in your browser, or the password fallback).
    Login(account::LoginArgs),
    /// List the accounts you are signed in to.
    Accounts(account::AccountsArgs),
    /// Show who you are signed in as (refreshing the sign-in if needed).
    Me(account::AccountArgs),
    /// Refresh the sign-in's tokens now.
    Refresh(account::AccountArgs),
    /// Sign out: revoke on the site where possible, and delete the tokens from this computer.
    Logout(account::AccountArgs),
    /// For site admins: check the site's sign-in configuration (https, REST API, Authorization
    /// header, OAuth client, redirect URIs, grants; --live signs in once to test tokens). Exit code
    /// 0 all passed, 1 warnings, 2 failures.
    Doctor(doctor::DoctorArgs),
    /// Upload photos (or any media) to a site's media library, location data removed first.
    Upload(upload::UploadArgs),
}

/// Settings shared by commands that talk to sites.
#[derive(clap::Args, Debug, Clone)]
pub struct NetArgs {
    /// Seconds to wait for each request.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,

    /// WordPress.com's public API (for testing against another server).
    #[arg(
        long,
        env = "WPCONNECT_WPCOM_API_BASE",
        default_value = wpconnect_core::discovery::wpcom::DEFAULT_API_BASE,
        hide = true
    )]
    wpcom_api_base: url::Url,
}

impl NetArgs {
    pub fn discovery_options(&self) -> DiscoveryOptions {
        DiscoveryOptions {
            http: HttpOptions {
                timeout: Duration::from_secs(self.timeout),
                ..HttpOptions::from_environment()
            },
            wpcom_api_base: self.wpcom_api_base.clone(),
            metadata: false,
        }
    }
}

pub fn exit_code(category: Category) -> u8 {
    match category {
        Category::Usage => 2,
        Category::NotWordpress => 3,
        Category::Network => 4,
        Category::Server => 5,
        Category::Auth => 6,
        Category::Local => 7,
        Category::Cancelled => 8,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(format!(
        "wpconnect={0},wpconnect_core={0}",
        cli.log_level
    ))
    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();

    let runtime =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                errln!("error: could not start: {e}");
                return ExitCode::from(1);
            }
        };
    runtime.block_on(async {
        match cli.command {
            Command::Site(args) => site::run(args).await,
            Command::Login(args) => account::login(args).await,
            Command::Accounts(args) => account::accounts(args).await,
            Command::Me(args) => account::me(args).await,
            Command::Refresh(args) => account::refresh(args).await,
            Command::Logout(args) => account::logout(args).await,
            Command::Doctor(args) => doctor::run(args).await,
            Command::Upload(args) => upload::run(args).await,
        }
    })
}
