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
mod report;
mod site;
mod upload;

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use wpconnect_core::{Category, DiscoveryOptions, HttpOptions};

#[derive(Parser)]
#[command(name = "wpconnect", version = wpconnect_core::VERSION, about = "Connect to your \
                                                                          WordPress sites, safely.")]
pub struct Cli {
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
    /// A diagnostic report to send to whoever helps you: versions, system, keyring, accounts and
    /// settings (nothing secret), the log's last lines, each site's check.
    Report(report::ReportArgs),
    /// Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell), e.g.
    /// `wpconnect completions bash > ~/.local/share/bash-completion/completions/wpconnect`.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `wpconnect man | man -l -`; with --dir, write it and one
    /// page a command (wpconnect-login.1, ...) into DIR.
    #[command(hide = true)]
    Man {
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
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

/// `--version`: this program's and the core's versions, and the keyring its secrets go to.
fn long_version() -> String {
    format!(
        "{}\ncore: wpconnect-core {}\nkeyring: {}",
        env!("CARGO_PKG_VERSION"),
        wpconnect_core::VERSION,
        wpconnect_core::store::KEYRING_BACKEND
    )
}

/// The command line as clap knows it, with the long version (for parsing, completions and the
/// manual page alike).
pub fn command() -> clap::Command {
    Cli::command().long_version(long_version())
}

/// The manual: `wpconnect.1` on stdout, or it and a page for each command written into `dir`.
fn man_pages(dir: Option<&std::path::Path>) -> std::io::Result<()> {
    let top = command();
    let Some(dir) = dir else {
        return clap_mangen::Man::new(top).render(&mut std::io::stdout());
    };
    std::fs::create_dir_all(dir)?;
    let page = |title: String, cmd: clap::Command| {
        let mut out = Vec::new();
        let source = format!("wpconnect {}", env!("CARGO_PKG_VERSION"));
        clap_mangen::Man::new(cmd).title(title.clone()).source(source).render(&mut out)?;
        std::fs::write(dir.join(format!("{title}.1")), out)
    };
    for sub in top.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = sub.get_name();
        let title = format!("wpconnect-{name}");
        let cmd = sub.clone().name(&title).bin_name(format!("wpconnect {name}"));
        page(title, cmd)?;
    }
    page("wpconnect".into(), top)
}

/// A panic is a bug: say so plainly, ask for a report, and exit 1 (the documented "internal
/// error"), the same in every build (the release profile aborts on panic, which would be 134).
fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    let place =
        info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
    output::labelled(
        output::Style::Error,
        "error:",
        &format!("wpconnect stopped on an internal error (a bug): {what}{place}."),
    );
    output::labelled(
        output::Style::Hint,
        "hint:",
        "please report it to WP Connect's issue tracker with this message, `wpconnect --version` \
         and the command you ran (leave out any password).",
    );
    std::process::exit(1);
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(on_panic));
    if std::env::var_os("WPCONNECT_TEST_PANIC").is_some() {
        // The test suite's way to prove the panic path (a bug cannot be made on demand).
        panic!("WPCONNECT_TEST_PANIC is set");
    }
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
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
                output::labelled(output::Style::Error, "error:", &format!("could not start: {e}"));
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
            Command::Report(args) => report::run(args).await,
            Command::Completions { shell } => {
                clap_complete::generate(shell, &mut command(), "wpconnect", &mut std::io::stdout());
                ExitCode::SUCCESS
            }
            Command::Man { dir } => match man_pages(dir.as_deref()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    errln!("error: could not write the manual pages: {e}");
                    ExitCode::from(7)
                }
            },
        }
    })
}
