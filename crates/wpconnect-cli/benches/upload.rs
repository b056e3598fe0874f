//! Uploading a big file: `wpconnect upload` against curl, the same 256 MB file to the same local
//! WordPress in the same run, alternating, best of each. Prints the throughput ratio (target:
//! at least 0.9 of curl's) and the uploader's peak memory growth over its idle size (target: at
//! most 20 MB): the peak resident size of `wpconnect upload` with the big file, less the same
//! command's with a 1 KB file.
//!
//! The WordPress is the test command's "pretty" site, served for this run by a second PHP
//! built-in server whose limits take the file (`upload_max_filesize`, `post_max_size`: PHP's
//! defaults refuse anything over 2 MB). Run under the test command (scripts/test.sh), or with
//! its environment: `tests/wordpress/wp-env.sh start`, then its env file exported, then
//! `tests/keyring/with-keyring.sh cargo bench -p wpconnect-cli --bench upload`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SIZE: u64 = 256 * 1024 * 1024;
const RUNS: usize = 2;

fn var(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

/// Peak resident memory (VmHWM, KiB) of a command, read from /proc while it runs; and its time.
fn run_measured(cmd: &mut Command) -> (Duration, u64, std::process::Output) {
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        if let Ok(s) = std::fs::read_to_string(&status_file) {
            if let Some(v) = s.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                peak = peak.max(v.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0));
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = start.elapsed();
    (took, peak, child.wait_with_output().unwrap())
}

/// Delete every media item named like the benchmark's file (the library keeps nothing of it).
fn clean_library(url: &str, user: &str, pass: &str) {
    let list = Command::new("curl")
        .args(["-s", "-u", &format!("{user}:{pass}")])
        .arg(format!("{url}/wp-json/wp/v2/media?search=bench-upload&per_page=50&context=edit"))
        .output()
        .unwrap();
    let items: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap_or_default();
    for id in items.as_array().into_iter().flatten().filter_map(|m| m["id"].as_u64()) {
        let _ = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-X", "DELETE", "-u", &format!("{user}:{pass}")])
            .arg(format!("{url}/wp-json/wp/v2/media/{id}?force=true"))
            .status();
    }
}

fn main() {
    let (Some(_), Some(user), Some(pass)) = (
        var("WPCONNECT_TEST_WP_STATE"),
        var("WPCONNECT_TEST_WP_AUTHOR_USER"),
        var("WPCONNECT_TEST_WP_AUTHOR_APP_PASSWORD"),
    ) else {
        println!("upload benchmark: SKIPPED (no test WordPress: run it under scripts/test.sh)");
        return;
    };
    let site = wpconnect_testsupport::BigUploads::start().expect("the test WordPress");
    let dir = tempfile::tempdir().unwrap();
    let big: PathBuf = dir.path().join("bench-upload.zip");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(SIZE).unwrap();
    let small = dir.path().join("bench-upload-small.zip");
    std::fs::write(&small, vec![7u8; 1024]).unwrap();
    let config = dir.path().join("config");
    let wpconnect = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wpconnect"));
        c.args(args).env("WPCONNECT_CONFIG_DIR", &config).stdin(Stdio::piped());
        c
    };
    // Signed in as the author, with the known Application Password, for the whole run.
    let mut login = wpconnect(&[
        "login",
        &site.url,
        "--method",
        "app-password",
        "--username",
        &user,
        "--password-stdin",
        "--json",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    {
        use std::io::Write;
        login.stdin.take().unwrap().write_all(format!("{pass}\n").as_bytes()).unwrap();
    }
    let out = login.wait_with_output().unwrap();
    assert!(out.status.success(), "login: {}", String::from_utf8_lossy(&out.stderr));

    let media = format!("{}/wp-json/wp/v2/media", site.url);
    let curl = || {
        let mut c = Command::new("curl");
        // No `Expect: 100-continue`: PHP's server never answers it, and curl would wait a second.
        c.args(["-s", "-f", "-o", "/dev/null", "-H", "Expect:", "-u", &format!("{user}:{pass}")])
            .arg("-F")
            .arg(format!("file=@{};type=application/zip", big.display()))
            .arg(&media);
        c
    };
    let (_, idle_kib, out) = run_measured(
        wpconnect(&["upload", small.to_str().unwrap(), "--keep-location"]).stdin(Stdio::null()),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    clean_library(&site.url, &user, &pass);
    let (mut best_curl, mut best_ours, mut peak_kib) = (Duration::MAX, Duration::MAX, 0);
    for _ in 0..RUNS {
        let (t, _, out) = run_measured(&mut curl());
        assert!(out.status.success(), "curl failed: {}", String::from_utf8_lossy(&out.stderr));
        best_curl = best_curl.min(t);
        clean_library(&site.url, &user, &pass);
        let (t, kib, out) =
            run_measured(wpconnect(&["upload", big.to_str().unwrap()]).stdin(Stdio::null()));
        assert!(out.status.success(), "wpconnect failed: {}", String::from_utf8_lossy(&out.stdout));
        best_ours = best_ours.min(t);
        peak_kib = peak_kib.max(kib);
        clean_library(&site.url, &user, &pass);
    }
    let mb = SIZE as f64 / 1_000_000.0;
    let (ours, theirs) = (mb / best_ours.as_secs_f64(), mb / best_curl.as_secs_f64());
    println!("upload of {} MiB to the local WordPress (best of {RUNS}):", SIZE / 1024 / 1024);
    println!(
        "  curl -F             {:>7.0} ms  {theirs:>6.0} MB/s",
        best_curl.as_secs_f64() * 1000.0
    );
    println!(
        "  wpconnect upload    {:>7.0} ms  {ours:>6.0} MB/s",
        best_ours.as_secs_f64() * 1000.0
    );
    println!("  throughput ratio to curl: {:.2}x (target >= 0.9x)", ours / theirs);
    let growth = peak_kib.saturating_sub(idle_kib) as f64 / 1024.0;
    println!(
        "  peak memory: {:.1} MiB idle (a 1 KB upload), {:.1} MiB with the big file: growth {growth:.1} MiB (target <= 20 MiB)",
        idle_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0
    );
}
