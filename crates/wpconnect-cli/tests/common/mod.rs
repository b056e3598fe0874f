//! Helpers shared by the CLI's test suites: run the real binary in a hermetic environment.

#![allow(dead_code)]

use std::process::Output;

/// Run `wpconnect` with `args`, with its own HOME and config dirs and no user settings.
pub async fn wpconnect(args: &[&str]) -> Output {
    wpconnect_env(args, &[]).await
}

pub async fn wpconnect_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = std::env::temp_dir().join(format!("wpconnect-test-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_wpconnect"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("wpconnect finished within a minute")
        .expect("wpconnect runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", stdout(o)))
}

/// The scripted browser as a program, for `$BROWSER` (built by the test command beside wpconnect).
pub fn test_browser_program(test: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_BIN_EXE_wpconnect"))
        .with_file_name("wpconnect-test-browser");
    if p.is_file() {
        return Some(p);
    }
    if std::env::var_os("WPCONNECT_TEST_COMMAND").is_some() {
        panic!(
            "{test}: {} is missing: scripts/test.sh builds it (cargo build -p \
             wpconnect-testsupport --bins)",
            p.display()
        );
    }
    eprintln!(
        "\n*** SKIPPED {test}: build the test browser first: cargo build -p \
         wpconnect-testsupport --bins ***\n"
    );
    None
}

#[allow(unused_imports)]
pub use wpconnect_testsupport::{real_wordpress, RealWordPress};
