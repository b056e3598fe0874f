//! A small photo-upload tool on WP Connect's core: the accounts the person signed in to (with
//! `wpconnect login` or the app) are there, tokens in the OS keyring; it uploads the files named
//! on the command line to one of them, with a progress line, and prints where each one went.
//!
//! ```text
//! cargo run --example photo_upload -- [--account ID] PHOTO...
//! ```

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use wpconnect_core::loopback::Cancel;
use wpconnect_core::session::Connect;
use wpconnect_core::store::{AccountsFile, LazyKeyring, SecretStore};
use wpconnect_core::upload::{UploadEvent, UploadFile, UploadOptions};
use wpconnect_core::HttpOptions;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let chosen = match args.iter().position(|a| a == "--account") {
        Some(i) if i + 1 < args.len() => {
            let id = args.remove(i + 1);
            args.remove(i);
            Some(id)
        }
        _ => None,
    };
    if args.is_empty() {
        eprintln!("usage: photo_upload [--account ID] PHOTO...");
        return ExitCode::from(2);
    }
    // The accounts file and the OS keyring, as the CLI and the app use them.
    let accounts = match AccountsFile::default_location() {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let keyring: Arc<dyn SecretStore> = Arc::new(LazyKeyring::new());
    let connect = Connect::new(HttpOptions::from_environment(), accounts, Ok(keyring));
    let account = match (chosen, connect.accounts()) {
        (Some(id), _) => id,
        (None, Ok(all)) if all.len() == 1 => all[0].id.clone(),
        (None, Ok(all)) => {
            eprintln!("Choose an account with --account:");
            for a in all {
                eprintln!("  {}  ({})", a.id, a.site_url);
            }
            return ExitCode::from(2);
        }
        (None, Err(e)) => return fail(&e),
    };
    let files: Vec<UploadFile> = args.iter().map(UploadFile::new).collect();
    let progress = |e: UploadEvent| {
        if let UploadEvent::Progress { batch_sent, batch_bytes, .. } = e {
            let percent = (batch_sent * 100).checked_div(batch_bytes).unwrap_or(100);
            eprint!("\ruploading… {percent:>3}%");
            let _ = std::io::stderr().flush();
        }
    };
    let report = match connect
        .upload(&account, files, UploadOptions::default(), &progress, &Cancel::new())
        .await
    {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    eprintln!();
    for f in &report.files {
        match &f.outcome {
            Ok(media) => println!("{}: {} (edit: {})", f.name, media.source_url, media.edit_link),
            Err(e) => println!("{}: failed: {e} {}", f.path.display(), e.hint()),
        }
    }
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fail(e: &wpconnect_core::Error) -> ExitCode {
    eprintln!("{e}\n{}", e.hint());
    ExitCode::from(1)
}
