//! First paint and memory of WP Connect showing an account, against an empty Tauri window built
//! in the same run (`tests/empty-window`, same toolchain, profile and WebKit). Prints figures and
//! the ratios; the target is ≤ 1.1× on both. Not a test: nothing here fails on a slow machine.
//!
//! - time to content: from asking WebDriver for the window to the account's row being in the page
//!   with its pictures loaded (the person's avatar and the site's icon, served on loopback as a
//!   site would serve them; the empty window: its one paragraph), polled every 5 ms; tauri-driver's
//!   own start-up is outside the measure.
//! - first contentful paint as WebKit reports it (Paint Timing), from the page's navigation start.
//! - memory: the proportional set size (PSS, /proc/<pid>/smaps_rollup) of the app process and
//!   every process below it (WebKitWebProcess, WebKitNetworkProcess), after the content is shown
//!   and the page has been idle for a second.
//!
//! Both are release builds, as people run them: `WPCONNECT_BENCH_APP` (the binary from the Debian
//! package) and `WPCONNECT_EMPTY_APP`, built by scripts/test.sh in one cargo invocation (same
//! profile, same Tauri features). Runs where the GUI tests run (Xvfb, a session bus).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use wpconnect_core::store::{AccountsFile, Storage, StoredAccount};
use wpconnect_gui_tests::{descendants, App};

const ROUNDS: usize = 9;

struct Sample {
    content_ms: f64,
    fcp_ms: f64,
    pss_kib: u64,
    /// PSS by process name (the app, WebKitWebProcess, WebKitNetworkProcess).
    by_process: Vec<(String, u64)>,
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// The app's process (run by WebKitWebDriver under tauri-driver) and every process below it.
fn app_processes(driver: u32, app: &Path) -> Vec<u32> {
    let app = std::fs::canonicalize(app).unwrap_or_else(|_| app.to_path_buf());
    let Some(root) = descendants(driver).into_iter().find(|p| exe_of(*p).is_some_and(|e| e == app))
    else {
        return Vec::new();
    };
    let mut all = vec![root];
    all.extend(descendants(root));
    all
}

/// The account row with every picture in it loaded.
const ACCOUNT_READY: &str = "const row = document.querySelector('[data-testid=account]'); const \
                             imgs = row ? [...row.querySelectorAll('img')] : []; return !!row && \
                             imgs.length === 2 && \
                             imgs.every(i => i.complete && i.naturalWidth > 0)";
const EMPTY_READY: &str = "return !!document.querySelector('#ready')";

async fn sample(bin: &Path, env: &[(&str, &str)], ready_js: &str) -> Sample {
    let app = App::launch(bin, env).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.script(ready_js, json!([])).await != json!(true) {
        assert!(
            Instant::now() < deadline,
            "never ready ({ready_js}) in {}: {}",
            bin.display(),
            app.page_text().await
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let content_ms = app.started().elapsed().as_secs_f64() * 1000.0;
    let fcp = app
        .script(
            "const e = performance.getEntriesByName('first-contentful-paint')[0] || \
             performance.getEntriesByType('paint')[0]; return e ? e.startTime : -1",
            json!([]),
        )
        .await;
    if std::env::var_os("WPCONNECT_BENCH_TRACE").is_some() {
        let t = app
            .script(
                "return performance.getEntries().map(e => `${e.entryType} ${e.name} \
                 @${e.startTime.toFixed(1)} +${e.duration.toFixed(1)}`).concat([`dcl \
                 ${performance.timing.domContentLoadedEventEnd - \
                 performance.timing.navigationStart} load ${performance.timing.loadEventEnd - \
                 performance.timing.navigationStart}`]).join('\\n')",
                json!([]),
            )
            .await;
        eprintln!("{}\n{}", bin.display(), t.as_str().unwrap_or_default());
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let procs = app_processes(app.driver_pid(), bin);
    assert!(!procs.is_empty(), "found the app's processes");
    let by_process: Vec<(String, u64)> = procs
        .iter()
        .map(|p| {
            (
                std::fs::read_to_string(format!("/proc/{p}/comm"))
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                pss_kib(*p),
            )
        })
        .collect();
    let pss_kib = by_process.iter().map(|(_, k)| k).sum();
    app.close().await;
    Sample { content_ms, fcp_ms: fcp.as_f64().unwrap_or(-1.0), pss_kib, by_process }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// One account, whose avatar and site icon `pictures` serves.
fn one_account(dir: &Path, pictures: &str) {
    let url = url::Url::parse("http://127.0.0.1:9/").unwrap();
    let account = StoredAccount {
        user_id: Some("4".into()),
        created_at: 0,
        avatar_url: Some(format!("{pictures}/avatar.png")),
        site_icon_url: Some(format!("{pictures}/site-icon.png")),
        ..StoredAccount::new(
            "ada@127.0.0.1:9".into(),
            wpconnect_core::Method::ApplicationPasswords,
            url.clone(),
            "Benchmark Site".into(),
            url.join("wp-json/").unwrap(),
            "ada".into(),
            "Ada Author".into(),
            Storage::Keyring,
        )
    };
    AccountsFile::at(dir.join("accounts.json")).save(&[account]).unwrap();
}

#[tokio::main]
async fn main() {
    let (Some(app), Some(empty)) =
        (std::env::var_os("WPCONNECT_BENCH_APP"), std::env::var_os("WPCONNECT_EMPTY_APP"))
    else {
        eprintln!(
            "first_paint: skipped (WPCONNECT_BENCH_APP and WPCONNECT_EMPTY_APP are set by \
             scripts/test.sh)"
        );
        return;
    };
    let (app, empty) = (PathBuf::from(app), PathBuf::from(empty));
    let config = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let png = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/64x64.png"))
        .expect("an icon to serve");
    let pictures = wpconnect_testsupport::Server::start(move |req, _| match req.path() {
        "/avatar.png" | "/site-icon.png" => wpconnect_testsupport::Reply::new(200)
            .header("Content-Type", "image/png")
            .body(png.clone()),
        _ => wpconnect_testsupport::Reply::new(404),
    })
    .await;
    one_account(config.path(), &pictures.url());
    let (c, l) = (config.path().display().to_string(), logs.path().display().to_string());
    let env = [("WPCONNECT_CONFIG_DIR", c.as_str()), ("WPCONNECT_LOG_DIR", l.as_str())];
    // Alternate the two so drift (caches, thermal) falls on both alike; one warm-up each.
    sample(&empty, &[], EMPTY_READY).await;
    sample(&app, &env, ACCOUNT_READY).await;
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        base.push(sample(&empty, &[], EMPTY_READY).await);
        ours.push(sample(&app, &env, ACCOUNT_READY).await);
    }
    let m = |v: &[Sample], f: fn(&Sample) -> f64| median(v.iter().map(f).collect());
    let (oc, bc) = (m(&ours, |s| s.content_ms), m(&base, |s| s.content_ms));
    let (of, bf) = (m(&ours, |s| s.fcp_ms), m(&base, |s| s.fcp_ms));
    let (op, bp) = (m(&ours, |s| s.pss_kib as f64), m(&base, |s| s.pss_kib as f64));
    println!(
        "first_paint: WP Connect showing an account (its row, avatar and site icon loaded) vs \
         an empty Tauri window, median of {ROUNDS} launches each"
    );
    println!(
        "  time to content:        {oc:7.0} ms vs {bc:7.0} ms  = {:.2}x (target <= 1.1x)",
        oc / bc
    );
    if of > 0.0 && bf > 0.0 {
        println!(
            "  first contentful paint: {of:7.0} ms vs {bf:7.0} ms  = {:.2}x (from navigation \
             start)",
            of / bf
        );
    } else {
        println!("  first contentful paint: not reported by this WebKit");
    }
    println!(
        "  memory (PSS, app + WebKit processes): {:.1} MiB vs {:.1} MiB = {:.2}x (target <= 1.1x)",
        op / 1024.0,
        bp / 1024.0,
        op / bp
    );
    let show = |s: &Sample| {
        s.by_process
            .iter()
            .map(|(n, k)| format!("{n} {:.1}", *k as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "    by process (MiB, last launch): WP Connect: {}; empty: {}",
        show(ours.last().unwrap()),
        show(base.last().unwrap())
    );
}
