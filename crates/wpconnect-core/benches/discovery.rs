//! Discovery's cost in round trips: how many requests it makes and how long it takes when every
//! answer is 50 ms away, against the floor.
//!
//! The floor is measured in the same run, not assumed: one fresh GET against the same server (new
//! client, new connection, same 50 ms) is one round trip. A typical site (the page carries the
//! `Link` header and `/wp-json/` answers) can be discovered in one round trip, because the page
//! and the `/wp-json/` guess go out in parallel; a plain-permalinks site needs two (the guess
//! misses, the advertised `?rest_route=/` root is fetched next).
//!
//! Prints one line per case: requests, median wall time, floor, and the ratio to the floor; then
//! the same against the real test WordPress with its real auth plugins, when it runs.
//! Run: `cargo bench -p wpconnect-core --bench discovery`.

use std::time::{Duration, Instant};

use url::Url;
use wpconnect_core::http::{Certificate, Http};
use wpconnect_core::{Discoverer, DiscoveryOptions, HttpOptions};
use wpconnect_testsupport::tls::Pki;
use wpconnect_testsupport::{wp, Reply, Request, Resolver, Server};

const LATENCY: Duration = Duration::from_millis(50);
const RUNS: usize = 15;

fn plain_permalinks(req: &Request, base: &str) -> Reply {
    match (req.path(), req.query()) {
        ("/index.php", Some(q)) if q.starts_with("rest_route=") => {
            Reply::json(200, wp::index(base, "Plain Site", wp::app_passwords(base)))
        }
        _ => Reply::html(200, "<html><head></head><body>home</body></html>")
            .header("Link", format!("<{base}/index.php?rest_route=/>; rel=\"https://api.w.org/\"")),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// One round trip, measured: a fresh client's single GET against the same server (a new
/// connection: TCP, and the TLS handshake for https, are in it).
async fn one_round_trip(server: &Server, opts: &HttpOptions) -> Duration {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let http = Http::new(opts.clone());
        let url = Url::parse(&format!("{}/", server.url())).unwrap();
        let t = Instant::now();
        let mut answer = http.get(url).await.expect("baseline GET");
        answer.body(1 << 20, Duration::from_secs(5)).await.expect("baseline body");
        times.push(t.elapsed());
    }
    median(times)
}

struct Figures {
    requests: f64,
    wall: Duration,
}

async fn discover_many(server: &Server, typed: &str, opts: &HttpOptions) -> Figures {
    let mut times = Vec::with_capacity(RUNS);
    let before = server.request_count();
    for _ in 0..RUNS {
        // A fresh discoverer each time: no connection reuse from the previous run.
        let d = Discoverer::new(DiscoveryOptions { http: opts.clone(), ..Default::default() });
        let t = Instant::now();
        d.discover(typed).await.expect("discovery succeeds");
        times.push(t.elapsed());
    }
    let requests = (server.request_count() - before) as f64 / RUNS as f64;
    Figures { requests, wall: median(times) }
}

#[tokio::main]
async fn main() {
    println!(
        "discovery at {} ms injected latency per answer, median of {RUNS} runs",
        LATENCY.as_millis()
    );
    println!(
        "{:<28} {:>8} {:>10} {:>12} {:>10} {:>8}",
        "case", "requests", "wall", "floor", "floor RTs", "ratio"
    );
    let mut worst: f64 = 0.0;
    // https: a site on the web typed as a bare name, reached through the test resolver, with a
    // certificate from an authority made for this run (TLS handshakes are in the wall and the
    // floor).
    let pki = Pki::new();
    let name = "bench.example";
    let https =
        Server::start_https_with_latency(LATENCY, &pki.leaf(&[name]), name, wp::typical).await;
    let tls_opts = HttpOptions {
        resolver: Some(std::sync::Arc::new(Resolver::new().map_to(name, https.addr()))),
        extra_roots: vec![Certificate::from_pem(pki.ca_pem().as_bytes()).unwrap()],
        ..Default::default()
    };
    let plain_opts = HttpOptions::default();
    let typical = Server::start_with_latency(LATENCY, wp::typical).await;
    let plain = Server::start_with_latency(LATENCY, plain_permalinks).await;
    for (label, floor_rts, server, typed, opts) in [
        ("typical (Link + /wp-json/)", 1u32, &typical, typical.url(), &plain_opts),
        ("plain permalinks", 2u32, &plain, plain.url(), &plain_opts),
        ("typical over https, bare name", 1u32, &https, name.to_string(), &tls_opts),
    ] {
        let (name, server) = (label, server);
        let rtt = one_round_trip(server, opts).await;
        let floor = rtt * floor_rts;
        let f = discover_many(server, &typed, opts).await;
        let ratio = f.wall.as_secs_f64() / floor.as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "{:<28} {:>8.1} {:>8.1}ms {:>10.1}ms {:>10} {:>7.2}x",
            name,
            f.requests,
            f.wall.as_secs_f64() * 1e3,
            floor.as_secs_f64() * 1e3,
            floor_rts,
            ratio
        );
    }
    println!("worst ratio to the floor: {worst:.2}x (1.00x = no round trip wasted)");
    println!(
        "(floor: \"floor RTs\" x one fresh GET of the home page measured in this run: a new \
         connection (TCP, and the TLS handshake for https), the 50 ms, the answer)"
    );
    real_plugin_sites().await;
}

/// Requests a real test site has received: PHP's built-in server closes every connection after one
/// request and logs each one it accepts.
fn php_requests(state: &str, site: &str) -> usize {
    std::fs::read_to_string(format!("{state}/{site}/php.log"))
        .map(|l| l.lines().filter(|l| l.ends_with(" Accepted")).count())
        .unwrap_or(0)
}

/// The same measure against the real test WordPress with its real auth plugins (no injected
/// latency: the time is WordPress's own). The floor is what `curl` of the REST index costs: one
/// fresh GET of `/wp-json/` with its body, measured in the same run.
async fn real_plugin_sites() {
    let (Ok(state), Ok(oauth), Ok(wpapi)) = (
        std::env::var("WPCONNECT_TEST_WP_STATE"),
        std::env::var("WPCONNECT_TEST_WP_OAUTH_URL"),
        std::env::var("WPCONNECT_TEST_WP_WPAPI_URL"),
    ) else {
        println!("real plugin sites: not running (scripts/test.sh starts them), not measured");
        return;
    };
    println!("real WordPress with its auth plugins (tests/wordpress), median of {RUNS} runs");
    println!(
        "{:<44} {:>8} {:>10} {:>12} {:>8}",
        "case", "requests", "wall", "floor (1 GET)", "ratio"
    );
    for (name, site, url) in [
        ("WP OAuth Server + OAuth 1.0a (\"oauth\")", "oauth", oauth),
        ("OAuth 2 for WordPress (\"wpapi\")", "wpapi", wpapi),
    ] {
        let index = Url::parse(&format!("{url}/wp-json/")).unwrap();
        let mut floor = Vec::with_capacity(RUNS);
        let mut wall = Vec::with_capacity(RUNS);
        let before = php_requests(&state, site);
        // Alternating, so both see the same load.
        for _ in 0..RUNS {
            let http = Http::new(HttpOptions::default());
            let t = Instant::now();
            let mut a = http.get(index.clone()).await.expect("the REST index");
            a.body(8 << 20, Duration::from_secs(10)).await.expect("its body");
            floor.push(t.elapsed());
            let d = Discoverer::new(DiscoveryOptions::default());
            let t = Instant::now();
            d.discover(&url).await.expect("discovery succeeds");
            wall.push(t.elapsed());
        }
        let requests = (php_requests(&state, site) - before) as f64 / RUNS as f64 - 1.0;
        let (floor, wall) = (median(floor), median(wall));
        println!(
            "{:<44} {:>8.1} {:>8.1}ms {:>10.1}ms {:>7.2}x",
            name,
            requests,
            wall.as_secs_f64() * 1e3,
            floor.as_secs_f64() * 1e3,
            wall.as_secs_f64() / floor.as_secs_f64()
        );
    }
    println!(
        "(requests: discovery's own, per run; the target is one round trip of the floor: the \
         page and the index in parallel)"
    );
}
