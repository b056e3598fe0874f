//! The command line behaves as a well-mannered Unix program: colour only on a terminal (a real
//! pseudo-terminal, through util-linux's `script`) and never with NO_COLOR; `doctor` prints each
//! check as it settles on a terminal; completions and manual pages come from the clap definition;
//! `--version` names the core and the keyring; a panic exits 1 with the "please report" message.

mod common;
use common::*;

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

const ESC: char = '\x1b';

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A site whose OAuth client `desk-app` sends people back to `callback`.
async fn site(callback: &str) -> OAuthSite {
    let knobs = Knobs { app_passwords: true, exact_redirect: true, ..Default::default() };
    OAuthSite::start(
        knobs,
        vec![Client::new("desk-app", None, &[callback])],
        vec![User::new(1, "ada", "correct horse", "Ada Admin", &["administrator"])],
    )
    .await
}

/// `wpconnect ARGS` on a pseudo-terminal (stdout and stderr both a terminal), with `env`; the
/// running `script` process and its output so far, read as it comes.
fn on_a_terminal(args: &[&str], env: &[(&str, &str)]) -> tokio::process::Child {
    let home = tempfile::tempdir().unwrap().keep();
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_wpconnect"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let mut cmd = tokio::process::Command::new("script");
    cmd.args(["-qfec", &quoted.join(" "), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("util-linux's `script` runs")
}

async fn terminal_output(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let child = on_a_terminal(args, env);
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("finished within a minute")
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn colour_only_on_a_terminal_and_never_with_no_color() {
    let s = site("http://127.0.0.1:8765/callback").await;
    let url = s.url();
    let doctor = ["doctor", url.as_str(), "--timeout", "5"];

    let (code, tty) = terminal_output(&doctor, &[]).await;
    assert_eq!(code, Some(0), "{tty}");
    assert!(tty.contains(&format!("{ESC}[32mPASS{ESC}[0m  transport.https")), "{tty:?}");
    assert!(tty.contains(&format!("{ESC}[2mSKIP{ESC}[0m")), "{tty:?}");

    let (code, plain) = terminal_output(&doctor, &[("NO_COLOR", "1")]).await;
    assert_eq!(code, Some(0), "{plain}");
    assert!(!plain.contains(ESC), "NO_COLOR, yet: {plain:?}");
    assert!(plain.contains("PASS  transport.https"), "{plain}");

    let (_, dumb) = terminal_output(&doctor, &[("TERM", "dumb")]).await;
    assert!(!dumb.contains(ESC), "TERM=dumb, yet: {dumb:?}");

    // Errors on a terminal: the "error:" and "hint:" words coloured, the text not.
    let (code, err) = terminal_output(&["site", "ftp://example.invalid"], &[]).await;
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("{ESC}[1;31merror:{ESC}[0m ")), "{err:?}");
    assert!(err.contains(&format!("{ESC}[1;36mhint:{ESC}[0m ")), "{err:?}");

    // Piped (what scripts and every other test here see): no escape at all.
    let piped = wpconnect(&doctor).await;
    let text = format!("{}{}", stdout(&piped), stderr(&piped));
    assert!(!text.contains(ESC), "{text:?}");
    let piped = wpconnect(&["site", "ftp://example.invalid"]).await;
    assert!(!stderr(&piped).contains(ESC) && stderr(&piped).contains("error: "));
}

#[tokio::test]
async fn doctor_prints_each_check_as_it_settles_on_a_terminal() {
    let callback = format!("http://127.0.0.1:{}/callback", free_port());
    let s = site(&callback).await;
    let url = s.url();
    // --live waits for a browser that never comes: the checks made before it are on the screen
    // while it waits.
    let mut child = on_a_terminal(
        &[
            "doctor",
            &url,
            "--client-id",
            "desk-app",
            "--redirect-uri",
            &callback,
            "--live",
            "--wait",
            "120",
            "--timeout",
            "5",
        ],
        &[("BROWSER", "true"), ("NO_COLOR", "1")],
    );
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        let mut buf = [0u8; 4096];
        while !(seen.contains("PASS  rest.reachable") && seen.contains("Sign in in your browser")) {
            let n = stdout.read(&mut buf).await.unwrap();
            assert!(n > 0, "the output ended before the check was shown: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
    .await;
    assert!(found.is_ok(), "no check line while the doctor waits on the browser: {seen:?}");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the check was shown while the doctor still waited, not at the end: {seen}"
    );
    assert!(!seen.contains("passed,"), "no summary yet: {seen}");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn completions_and_manual_pages_come_from_the_command_definition() {
    for (shell, marker) in [
        ("bash", "_wpconnect()"),
        ("zsh", "#compdef wpconnect"),
        ("fish", "complete -c wpconnect"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = wpconnect(&["completions", shell]).await;
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        for sub in ["login", "doctor", "upload", "logout"] {
            assert!(script.contains(sub), "{shell} completes `{sub}`");
        }
    }
    let bad = wpconnect(&["completions", "cmd.exe"]).await;
    assert_eq!(bad.status.code(), Some(2), "an unknown shell is a usage error");

    let man = wpconnect(&["man"]).await;
    assert_eq!(man.status.code(), Some(0));
    let page = stdout(&man);
    assert!(page.contains(".TH wpconnect 1"), "{page}");
    assert!(page.contains("Connect to your WordPress sites, safely."), "{page}");

    let dir = tempfile::tempdir().unwrap();
    let out = wpconnect(&["man", "--dir", &dir.path().display().to_string()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let login = std::fs::read_to_string(dir.path().join("wpconnect-login.1")).unwrap();
    assert!(login.contains(".TH wpconnect-login 1"), "{login}");
    assert!(login.contains("wpconnect login"), "the synopsis names the command: {login}");
    assert!(login.contains("session\\-only"), "the flags are documented: {login}");
    assert!(!dir.path().join("wpconnect-man.1").exists(), "the hidden command has no page");
}

#[tokio::test]
async fn version_names_the_core_and_the_keyring() {
    let out = wpconnect(&["--version"]).await;
    assert_eq!(out.status.code(), Some(0));
    let v = env!("CARGO_PKG_VERSION");
    assert_eq!(
        stdout(&out),
        format!("wpconnect {v}\ncore: wpconnect-core {v}\nkeyring: the Secret Service (GNOME Keyring, KWallet)\n")
    );
    let short = wpconnect(&["-V"]).await;
    assert_eq!(stdout(&short), format!("wpconnect {v}\n"));
}

#[tokio::test]
async fn a_panic_exits_1_and_asks_for_a_report() {
    let out = wpconnect_env(&["accounts"], &[("WPCONNECT_TEST_PANIC", "1")]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: wpconnect stopped on an internal error (a bug)"), "{err}");
    assert!(err.contains("hint: please report it"), "{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "no developer noise: {err}");
}
