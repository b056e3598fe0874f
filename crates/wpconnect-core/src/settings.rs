//! The person's settings: fixed redirect ports, their WordPress.com client, how much to log.
//! `<config dir>/settings.json`, next to the accounts file; no secret is ever kept here.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::{config_dir, save_private_json};

/// How much the app writes to its log.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    /// The `tracing` filter directive for this level.
    pub fn directive(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Ports registered with OAuth2 clients (`http://127.0.0.1:<port>/callback`), tried in order;
    /// empty: any free port (for servers that accept any loopback port).
    pub redirect_ports: Vec<u16>,
    /// The WordPress.com application's client ID (developer.wordpress.com/apps).
    pub wpcom_client_id: Option<String>,
    /// The port of the redirect URL registered with that application.
    pub wpcom_redirect_port: Option<u16>,
    pub log_level: LogLevel,
    /// How long a browser sign-in may take before it is given up, in seconds.
    pub sign_in_timeout_secs: u64,
}

/// The app's own WordPress.com application, when the build names one (the environment variables
/// `WPCONNECT_WPCOM_CLIENT_ID` and `WPCONNECT_WPCOM_REDIRECT_PORT` at compile time): the
/// defaults of [`Settings`], so a person never types a client ID for WordPress.com.
pub const BUILT_IN_WPCOM_CLIENT_ID: Option<&str> = option_env!("WPCONNECT_WPCOM_CLIENT_ID");

fn built_in_wpcom_redirect_port() -> Option<u16> {
    option_env!("WPCONNECT_WPCOM_REDIRECT_PORT").and_then(|p| p.parse().ok())
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            redirect_ports: Vec::new(),
            wpcom_client_id: BUILT_IN_WPCOM_CLIENT_ID.map(String::from),
            wpcom_redirect_port: built_in_wpcom_redirect_port(),
            log_level: LogLevel::Info,
            sign_in_timeout_secs: crate::loopback::DEFAULT_TIMEOUT.as_secs(),
        }
    }
}

impl Settings {
    /// Check what a person entered; the message says what to change.
    pub fn validate(&self) -> Result<()> {
        let bad = |detail: String| Error::InvalidSetting { detail };
        if let Some(p) =
            self.redirect_ports.iter().chain(self.wpcom_redirect_port.iter()).find(|p| **p < 1024)
        {
            return Err(bad(format!(
                "port {p} is reserved for system services; registered redirect \
                 ports must be 1024 or above"
            )));
        }
        if !(30..=3600).contains(&self.sign_in_timeout_secs) {
            return Err(bad(format!(
                "a sign-in timeout of {} s is out of range (30 to 3600 seconds)",
                self.sign_in_timeout_secs
            )));
        }
        if self.wpcom_client_id.as_deref().is_some_and(|id| {
            !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }) {
            return Err(bad(
                "a WordPress.com client ID is a number (letters, digits, - and _ only)".into(),
            ));
        }
        Ok(())
    }
}

/// The settings file.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn default_location() -> Result<SettingsFile> {
        Ok(SettingsFile { path: config_dir()?.join("settings.json") })
    }

    pub fn at(path: impl Into<PathBuf>) -> SettingsFile {
        SettingsFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved settings, or the defaults when there are none yet.
    pub fn load(&self) -> Result<Settings> {
        match std::fs::read(&self.path) {
            Ok(bytes) => read_settings(&self.path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Error::ConfigFile {
                path: self.path.clone(),
                detail: crate::store::accounts::io_words(&e),
            }),
        }
    }

    pub fn save(&self, settings: &Settings) -> Result<()> {
        settings.validate()?;
        save_private_json(&self.path, settings)
    }
}

/// The settings a settings file holds (`path` only names it in the error).
pub(crate) fn read_settings(path: &Path, bytes: &[u8]) -> Result<Settings> {
    serde_json::from_slice(bytes).map_err(|e| Error::ConfigFile {
        path: path.to_path_buf(),
        detail: format!("it is not valid: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_missing_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::at(dir.path().join("settings.json"));
        assert_eq!(file.load().unwrap(), Settings::default());
        let s = Settings {
            redirect_ports: vec![8642, 8643],
            wpcom_client_id: Some("12345".into()),
            log_level: LogLevel::Debug,
            ..Default::default()
        };
        file.save(&s).unwrap();
        assert_eq!(file.load().unwrap(), s);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(file.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn bad_settings_are_refused_with_what_to_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = SettingsFile::at(dir.path().join("settings.json"));
        let e =
            file.save(&Settings { redirect_ports: vec![80], ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("port 80"), "{e}");
        assert!(!file.path().exists(), "nothing written");
        let e = file.save(&Settings { sign_in_timeout_secs: 5, ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("30 to 3600"), "{e}");
    }
}
