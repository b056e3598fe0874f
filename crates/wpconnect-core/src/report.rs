//! The diagnostic report a person sends to whoever helps them (`wpconnect report`, the app's
//! "Copy diagnostic report"): the versions, this system, whether the keyring works, the accounts
//! and the settings (nothing secret is in either), the log's last lines, and each site's doctor
//! summary (the read-only checks, never the live sign-in).
//!
//! No secret can be in it: nothing secret is gathered; the log lines pass through
//! [`redact_text`](crate::body::redact_text); and, as a last guard, every secret the keyring holds
//! for the accounts is looked for in the finished text and masked.

use std::path::{Path, PathBuf};

use serde::Serialize;
use url::Url;

use crate::browser::NoBrowser;
use crate::doctor::{Doctor, DoctorRequest, Status};
use crate::error::Result;
use crate::loopback::Cancel;
use crate::session::{Connect, ACCESS, CLIENT_SECRET, REFRESH, TOKEN_SECRET};
use crate::settings::Settings;
use crate::store::{Storage, StoredAccount, KEYRING_BACKEND};
use crate::DiscoveryOptions;

/// The document's name and version (`--json`).
pub const SCHEMA: &str = "wpconnect.report/1";
/// How many of the log's last lines go in.
pub const LOG_LINES: usize = 40;

/// What goes into a report, as gathered by [`build`].
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticReport {
    pub schema: &'static str,
    /// Seconds since the Unix epoch.
    pub generated_at: u64,
    /// The program that made it ("wpconnect 0.1.0", "WP Connect 0.1.0").
    pub program: String,
    pub core_version: &'static str,
    /// The operating system and the processor ("Debian GNU/Linux 12 (bookworm), x86_64").
    pub system: String,
    pub keyring: KeyringHealth,
    pub accounts: Vec<AccountLine>,
    /// The accounts list could not be read: why (the file itself is left as it is).
    pub accounts_problem: Option<String>,
    pub settings: Option<Settings>,
    pub settings_problem: Option<String>,
    pub log: LogTail,
    /// Each site's doctor summary, one per site of the accounts.
    pub sites: Vec<SiteSummary>,
    #[serde(skip)]
    mask: Mask,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyringHealth {
    pub backend: &'static str,
    pub works: bool,
    /// What went wrong, when it does not work.
    pub problem: Option<String>,
}

/// One account, without anything secret.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLine {
    pub id: String,
    pub site: Url,
    pub site_name: String,
    pub method: &'static str,
    /// `keyring` or `session`.
    pub kept: &'static str,
    pub standing: String,
    pub signed_in_at: u64,
    pub expires_at: Option<u64>,
    pub last_refresh: Option<u64>,
    pub plain_http: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogTail {
    pub file: Option<PathBuf>,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteSummary {
    pub site: Url,
    /// "12 passed, 1 warning, 0 failed, 18 skipped".
    pub summary: String,
    /// Each warning and failure: "title: finding".
    pub problems: Vec<String>,
}

/// Secret values to mask wherever they might appear.
#[derive(Debug, Clone, Default)]
struct Mask(Vec<String>);

impl Mask {
    /// `secret`, and the way WordPress shows an Application Password (groups of four characters
    /// with spaces between), which is how a person may have pasted it anywhere.
    fn add(&mut self, secret: String) {
        if !secret.contains(char::is_whitespace) && secret.len() > 4 {
            let chars: Vec<char> = secret.chars().collect();
            let grouped: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
            self.0.push(grouped.join(" "));
        }
        self.0.push(secret);
    }

    fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.0.iter().filter(|s| s.len() >= 4) {
            out = out.replace(s.as_str(), "[redacted]");
        }
        out
    }
}

/// What [`build`] reads.
pub struct ReportInputs<'a> {
    pub program: String,
    pub connect: &'a Connect,
    pub settings: Result<Settings>,
    /// The log file to quote from (the app's), if there is one.
    pub log_file: Option<&'a Path>,
    /// How the sites are reached for their doctor summary.
    pub discovery: DiscoveryOptions,
    /// Run the doctor for each site (off: no site is contacted).
    pub check_sites: bool,
}

/// Gather the report. Never fails: what cannot be read is said in the report.
pub async fn build(inputs: ReportInputs<'_>) -> DiagnosticReport {
    let connect = inputs.connect;
    let (accounts, accounts_problem) = match connect.accounts() {
        Ok(a) => (a, None),
        Err(e) => (Vec::new(), Some(format!("{e} {}", e.hint()))),
    };
    let keyring = match connect.keyring_works().await {
        Ok(()) => KeyringHealth { backend: KEYRING_BACKEND, works: true, problem: None },
        Err(e) => {
            KeyringHealth { backend: KEYRING_BACKEND, works: false, problem: Some(e.to_string()) }
        }
    };
    let mut mask = Mask::default();
    for a in &accounts {
        for what in [ACCESS, REFRESH, CLIENT_SECRET, TOKEN_SECRET] {
            if let Ok(Some(s)) = connect.secret(a, what).await {
                mask.add(s);
            }
        }
    }
    let (settings, settings_problem) = match inputs.settings {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let sites =
        if inputs.check_sites { summaries(&accounts, inputs.discovery).await } else { Vec::new() };
    DiagnosticReport {
        schema: SCHEMA,
        generated_at: crate::oauth2::unix_now(),
        program: inputs.program,
        core_version: crate::VERSION,
        system: system(),
        keyring,
        accounts: accounts.iter().map(line).collect(),
        accounts_problem,
        settings,
        settings_problem,
        log: LogTail {
            file: inputs.log_file.map(Path::to_path_buf),
            lines: inputs.log_file.map(tail).unwrap_or_default(),
        },
        sites,
        mask,
    }
}

fn line(a: &StoredAccount) -> AccountLine {
    AccountLine {
        id: a.id.clone(),
        site: a.site_url.clone(),
        site_name: a.site_name.clone(),
        method: a.method.label(),
        kept: match a.storage {
            Storage::Keyring => "keyring",
            Storage::Session => "session",
        },
        standing: crate::present::standing(a).1,
        signed_in_at: a.created_at,
        expires_at: a.expires_at,
        last_refresh: a.last_refresh,
        plain_http: a.plain_http,
    }
}

/// The doctor's read-only checks for each site of the accounts (each site once).
async fn summaries(accounts: &[StoredAccount], discovery: DiscoveryOptions) -> Vec<SiteSummary> {
    let mut sites: Vec<Url> = accounts.iter().map(|a| a.site_url.clone()).collect();
    sites.sort();
    sites.dedup();
    let doctor = Doctor::new(discovery);
    let mut out = Vec::new();
    for site in sites {
        let r = doctor
            .run(&DoctorRequest::new(site.as_str()), &NoBrowser, &Cancel::new(), &|_| {})
            .await;
        out.push(SiteSummary {
            site,
            summary: r.summary_line(),
            problems: r
                .checks
                .iter()
                .filter(|c| matches!(c.status, Status::Warn | Status::Fail))
                .map(|c| format!("{}: {}", c.title, c.finding))
                .collect(),
        });
    }
    out
}

/// The log's last lines, each through the redaction guard.
fn tail(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(LOG_LINES)..]
        .iter()
        .map(|l| crate::body::redact_text(l))
        .collect()
}

/// The system as its owner would name it, and the processor.
fn system() -> String {
    let name = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    format!("{name}, {}", std::env::consts::ARCH)
}

impl DiagnosticReport {
    /// The `wpconnect.report/1` document, secrets masked.
    pub fn to_json(&self) -> String {
        self.mask.apply(&serde_json::to_string_pretty(self).expect("plain data serializes"))
    }

    /// The report as a person reads (and pastes) it, secrets masked.
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let mut say = |s: String| {
            t.push_str(&s);
            t.push('\n');
        };
        let when = |s: Option<u64>| s.map_or("—".to_string(), utc);
        say(format!("WP Connect diagnostic report ({SCHEMA}), made {}", utc(self.generated_at)));
        say(format!("Program: {} (core {})", self.program, self.core_version));
        say(format!("System: {}", self.system));
        say(format!(
            "Keyring: {}: {}",
            self.keyring.backend,
            match &self.keyring.problem {
                None => "works".to_string(),
                Some(p) => format!("does not work: {p}"),
            }
        ));
        say(String::new());
        say(format!("Accounts ({}):", self.accounts.len()));
        if let Some(p) = &self.accounts_problem {
            say(format!("  could not be read: {p}"));
        }
        for a in &self.accounts {
            say(format!(
                "  {} · {} ({}) · {} · kept in the {} · {} · since {} · expires {} · last \
                 refresh {}{}",
                a.id,
                a.site_name,
                a.site,
                a.method,
                a.kept,
                a.standing,
                utc(a.signed_in_at),
                when(a.expires_at),
                when(a.last_refresh),
                if a.plain_http { " · plain http chosen" } else { "" }
            ));
        }
        say(String::new());
        match (&self.settings, &self.settings_problem) {
            (Some(s), _) => say(format!(
                "Settings: redirect ports {:?}, WordPress.com client {}, redirect port {}, log \
                 level {:?}, sign-in timeout {} s",
                s.redirect_ports,
                s.wpcom_client_id.as_deref().unwrap_or("none"),
                s.wpcom_redirect_port.map_or("none".to_string(), |p| p.to_string()),
                s.log_level,
                s.sign_in_timeout_secs
            )),
            (None, Some(p)) => say(format!("Settings: could not be read: {p}")),
            (None, None) => {}
        }
        say(String::new());
        for s in &self.sites {
            say(format!("Site {}: {}", s.site, s.summary));
            for p in &s.problems {
                say(format!("  - {p}"));
            }
        }
        if !self.sites.is_empty() {
            say(String::new());
        }
        match &self.log.file {
            Some(f) => say(format!("Log ({}), last {} lines:", f.display(), self.log.lines.len())),
            None => say("Log: none".into()),
        }
        for l in &self.log.lines {
            say(format!("  {l}"));
        }
        self.mask.apply(&t)
    }
}

/// "2026-12-01 17:30:05 UTC".
fn utc(secs: u64) -> String {
    let (y, m, d, hh, mm, ss) = crate::app_passwords::civil(secs);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_secret_is_masked_wherever_it_appears() {
        let mut m = Mask::default();
        for s in ["s3cr3t-token", "abcdEFGHijklMNOP", "x"] {
            m.add(s.into());
        }
        assert_eq!(
            m.apply("a s3cr3t-token, abcdEFGHijklMNOP and abcd EFGH ijkl MNOP, x"),
            "a [redacted], [redacted] and [redacted], x",
            "as kept and as WordPress shows it; too short a value is not hunted (it would mask \
             ordinary words)"
        );
    }

    #[test]
    fn times_read_as_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_796_146_185), "2026-12-01 17:29:45 UTC");
    }

    #[test]
    fn the_log_tail_is_the_last_lines_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wpconnect.log");
        let mut text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        text.push_str("sent Authorization: Bearer abc.def.ghi\n");
        std::fs::write(&path, text).unwrap();
        let lines = tail(&path);
        assert_eq!(lines.len(), LOG_LINES);
        assert_eq!(lines[0], format!("line {}", 101 - LOG_LINES));
        assert!(!lines.last().unwrap().contains("abc.def.ghi"), "{lines:?}");
    }
}
