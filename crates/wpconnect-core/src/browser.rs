//! Opening the person's own browser. Behind a trait so the app, the CLI (`--no-browser`) and the
//! tests (a scripted browser) each choose how.

use std::process::{Command, Stdio};

use url::Url;

use crate::error::{Error, Result};

pub trait Browser: Send + Sync {
    /// Show `url` to the person. Returning `Ok` means it was handed over, not that they acted.
    fn open(&self, url: &Url) -> Result<()>;
}

/// The system's browser: `$BROWSER` when set (a `:`-separated list of commands, `%s` standing
/// for the address, as xdg-utils read it), else the platform's opener.
#[derive(Debug, Default, Clone)]
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &Url) -> Result<()> {
        // Only web addresses: a site's `url` could be `file:`, `smb:` or a scheme some program
        // on this computer acts on; the operating system's opener would hand it over.
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::NotAWebAddress { address: url.to_string() });
        }
        let mut tried = Vec::new();
        let from_env = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty());
        let commands: Vec<Vec<String>> = match &from_env {
            Some(list) => list
                .split(':')
                .filter(|c| !c.trim().is_empty())
                .map(|c| command_line(c, url.as_str()))
                .collect(),
            None => return system_opener(url.as_str()),
        };
        for argv in commands {
            match spawn_detached(&argv) {
                Ok(()) => return Ok(()),
                Err(e) => tried.push(e),
            }
        }
        Err(Error::BrowserUnavailable { detail: tried.join("; ") })
    }
}

/// Show a folder in the system's file manager (the platform's opener, never `$BROWSER`).
pub fn open_folder(path: &std::path::Path) -> Result<()> {
    system_opener(path.as_os_str())
}

/// The platform's own opener, through the `open` crate: `xdg-open` (or `gio`, `kde-open`...) on
/// Linux, `open` on macOS, `ShellExecuteW` on Windows; detached, so the app never waits on it.
fn system_opener(what: impl AsRef<std::ffi::OsStr>) -> Result<()> {
    open::that_detached(what.as_ref())
        .map_err(|e| Error::BrowserUnavailable { detail: format!("the system's opener: {e}") })
}

fn spawn_detached(argv: &[String]) -> std::result::Result<(), String> {
    let Some((prog, args)) = argv.split_first() else { return Err("an empty command".into()) };
    match Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(mut child) => {
            // Reap it whenever it exits; the browser may outlive the sign-in.
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        Err(e) => Err(format!("{prog}: {e}")),
    }
}

fn command_line(entry: &str, url: &str) -> Vec<String> {
    let mut argv: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
    if argv.iter().any(|a| a.contains("%s")) {
        for a in &mut argv {
            *a = a.replace("%s", url);
        }
    } else {
        argv.push(url.to_string());
    }
    argv
}

/// Opens nothing: the caller shows the address for the person to open by hand (`--no-browser`).
#[derive(Debug, Default, Clone)]
pub struct NoBrowser;

impl Browser for NoBrowser {
    fn open(&self, _url: &Url) -> Result<()> {
        Ok(())
    }
}

/// Open the address in the person's browser. Failing to is not fatal: the caller has shown the
/// address, and the person can open it by hand.
pub(crate) fn hand_to(browser: &dyn Browser, url: &Url) {
    if let Err(e) = browser.open(url) {
        tracing::warn!(error = %e, "the browser could not be opened; the person opens the address \
                                    by hand");
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_web_addresses_are_handed_to_the_system() {
        for bad in [
            "file:///etc/passwd",
            "smb://host/share",
            "ms-msdt:/id%20PCWDiagnostic",
            "javascript:alert(1)",
        ] {
            let e = SystemBrowser.open(&Url::parse(bad).unwrap()).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::NotAWebAddress, "{bad}");
            assert!(e.to_string().contains("not a web address"), "{e}");
        }
    }
    use super::*;

    #[test]
    fn browser_variable_forms() {
        assert_eq!(command_line("firefox", "http://x/"), ["firefox", "http://x/"]);
        assert_eq!(
            command_line("my-browser --new-tab %s", "http://x/"),
            ["my-browser", "--new-tab", "http://x/"]
        );
    }
}
