//! The app's log: `<platform log dir>/wpconnect.log` (on Linux
//! `~/.local/share/org.wpconnect.desktop/logs/`), at the level chosen in Settings, every line
//! passed through the core's redaction before it is written. Nothing is meant to log a secret;
//! the redaction is the second guard. The file is capped: past 1 MiB it starts over, keeping
//! the previous one as `wpconnect.log.1`.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};
use wpconnect_core::settings::LogLevel;

const CAP: u64 = 1024 * 1024;

static RELOAD: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

fn filter(level: LogLevel) -> EnvFilter {
    let l = level.directive();
    EnvFilter::new(format!("warn,wpconnect_core={l},wpconnect_desktop_lib={l}"))
}

/// Start logging to `dir`. Failing to log is never a reason not to start: errors go to stderr.
pub fn init(dir: &Path, level: LogLevel) {
    let writer = match RedactingFile::open(dir) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("WP Connect: cannot write logs to {}: {e}", dir.display());
            return;
        }
    };
    let (filter, handle) = reload::Layer::new(filter(level));
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(false)
        .with_writer(Mutex::new(writer));
    if tracing_subscriber::registry().with(filter).with(fmt).try_init().is_ok() {
        let _ = RELOAD.set(handle);
    }
}

/// Change the level at once (from Settings).
pub fn set_level(level: LogLevel) {
    if let Some(h) = RELOAD.get() {
        let _ = h.reload(filter(level));
    }
}

/// Appends redacted lines to the log file, starting over past [`CAP`].
struct RedactingFile {
    path: PathBuf,
    file: File,
    written: u64,
    pending: Vec<u8>,
}

impl RedactingFile {
    fn open(dir: &Path) -> io::Result<RedactingFile> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(wpconnect_core::store::LOG_FILE);
        let file = open_private(&path)?;
        let written = file.metadata()?.len();
        Ok(RedactingFile { path, file, written, pending: Vec::new() })
    }

    fn rotate(&mut self) -> io::Result<()> {
        let old = self.path.with_extension("log.1");
        std::fs::rename(&self.path, &old)?;
        self.file = open_private(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

fn open_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

impl Write for RedactingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let clean = wpconnect_core::body::redact_text(&String::from_utf8_lossy(&line));
            if self.written + clean.len() as u64 > CAP {
                self.rotate()?;
            }
            self.file.write_all(clean.as_bytes())?;
            self.written += clean.len() as u64;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_redacted_before_they_reach_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RedactingFile::open(dir.path()).unwrap();
        w.write_all(
            b"token request answered {\"access_token\":\"SECRET-A\",\"expires_in\":3600}\n",
        )
        .unwrap();
        w.write_all(b"header Authorization: Bearer SECRET-B split ").unwrap();
        w.write_all(b"across writes\n").unwrap();
        w.flush().unwrap();
        let text = std::fs::read_to_string(dir.path().join("wpconnect.log")).unwrap();
        assert!(!text.contains("SECRET-A") && !text.contains("SECRET-B"), "{text}");
        assert!(text.contains("expires_in") && text.contains("split across writes"), "{text}");
    }

    #[test]
    fn the_log_starts_over_past_its_cap() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RedactingFile::open(dir.path()).unwrap();
        let line = format!("{}\n", "x".repeat(1023));
        for _ in 0..1100 {
            w.write_all(line.as_bytes()).unwrap();
        }
        let now = std::fs::metadata(dir.path().join("wpconnect.log")).unwrap().len();
        assert!(now <= CAP, "{now}");
        assert!(dir.path().join("wpconnect.log.1").is_file());
    }
}
