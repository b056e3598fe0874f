//! `wpconnect report`: the diagnostic report to send to whoever helps you (no secret is in it).

use std::path::PathBuf;
use std::process::ExitCode;

use wpconnect_core::report::{build, ReportInputs};
use wpconnect_core::settings::SettingsFile;
use wpconnect_core::store::{log_dir, LOG_FILE};
use wpconnect_core::Error;

use crate::account::connect;
use crate::output::fail;
use crate::NetArgs;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Write the report to FILE (readable by you only) instead of printing it.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The report as the `wpconnect.report/1` JSON document.
    #[arg(long)]
    json: bool,
    /// Leave out each site's check (then nothing is sent to any site).
    #[arg(long)]
    offline: bool,
    #[command(flatten)]
    net: NetArgs,
}

pub async fn run(args: ReportArgs) -> ExitCode {
    let connect = match connect(&args.net).await {
        Ok(c) => c,
        Err(e) => return fail(&e, args.json),
    };
    let log = log_dir().ok().map(|d| d.join(LOG_FILE)).filter(|f| f.is_file());
    let report = build(ReportInputs {
        program: format!("wpconnect {}", env!("CARGO_PKG_VERSION")),
        connect: &connect,
        settings: SettingsFile::default_location().and_then(|f| f.load()),
        log_file: log.as_deref(),
        discovery: args.net.discovery_options(),
        check_sites: !args.offline,
    })
    .await;
    let text = if args.json { report.to_json() } else { report.to_text() };
    match &args.output {
        None => {
            outln!("{}", text.trim_end());
            ExitCode::SUCCESS
        }
        Some(path) => match write_private(path, &text) {
            Ok(()) => {
                errln!("The report is in {}: read it, then send it.", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, args.json),
        },
    }
}

/// Write `text` to `path`, readable by its owner only.
fn write_private(path: &std::path::Path, text: &str) -> Result<(), Error> {
    use std::io::Write as _;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::ConfigFile { path: path.to_path_buf(), detail: e.to_string() })
}
