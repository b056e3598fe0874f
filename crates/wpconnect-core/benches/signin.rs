//! Sign-in's cost after the browser comes back: from the callback reaching the loopback listener
//! to the profile and site info being ready, when every answer of the site is 50 ms away.
//!
//! The floor is two round trips (the code exchange, then profile, enrichment and site info in
//! parallel), with one round trip measured in the same run: a fresh GET against the same server.
//! Prints the median time, the floor and their ratio.
//! Run: `cargo bench -p wpconnect-core --bench signin`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;
use wpconnect_core::browser::Browser;
use wpconnect_core::http::Http;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::ClientSecret;
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{AccountsFile, MemoryStore, SecretStore, Storage};
use wpconnect_core::{Discoverer, DiscoveryOptions, HttpOptions};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};

const LATENCY: Duration = Duration::from_millis(50);
const RUNS: usize = 9;

/// Plays the person up to the loopback, notes the time, then delivers the callback.
struct Timed {
    browser: TestBrowser,
    port: u16,
    callback_at: Arc<Mutex<Option<Instant>>>,
}

impl Browser for Timed {
    fn open(&self, url: &Url) -> wpconnect_core::Result<()> {
        let (b, port, at, url) = (self.browser.clone(), self.port, self.callback_at.clone(), url.to_string());
        tokio::spawn(async move {
            let visit = b.visit_until(&url, |u| u.port() == Some(port) && u.path() == "/callback").await.expect("reaches the callback");
            *at.lock().unwrap() = Some(Instant::now());
            let _ = reqwest::get(&visit.url).await;
        });
        Ok(())
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let site = OAuthSite::start(
        Knobs { latency: LATENCY, ..Default::default() },
        vec![Client::new("bench", Some("bench-secret"), &[&format!("http://127.0.0.1:{port}/callback")])],
        vec![User::new(1, "bench", "bench-pass", "Bench User", &["author"])],
    )
    .await;
    let discovered = Discoverer::new(DiscoveryOptions::default()).discover(&site.url()).await.expect("discovery");

    // One round trip, measured: a fresh client's single GET against the same server.
    let mut rtts = Vec::new();
    for _ in 0..RUNS {
        let http = Http::new(HttpOptions::default());
        let t = Instant::now();
        let mut a = http.get(Url::parse(&format!("{}/", site.url())).unwrap()).await.unwrap();
        a.body(1 << 20, Duration::from_secs(5)).await.unwrap();
        rtts.push(t.elapsed());
    }
    let rtt = median(rtts);

    let dir = tempfile::tempdir().unwrap();
    let mut times = Vec::new();
    let mut requests = 0.0;
    for _ in 0..RUNS {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let connect = Connect::new(HttpOptions::default(), AccountsFile::at(dir.path().join("accounts.json")), Ok(store));
        let at = Arc::new(Mutex::new(None));
        let person = Timed { browser: TestBrowser::new("bench", "bench-pass", Consent::Allow), port, callback_at: at.clone() };
        let client = OAuth2Client {
            client_id: "bench".into(),
            client_secret: Some(ClientSecret::new("bench-secret")),
            redirect_ports: vec![port],
            scope: None,
        };
        let opts = SignInOptions { storage: Storage::Keyring, timeout: Duration::from_secs(30) };
        let done = connect
            .sign_in_browser(&discovered, client, opts, &person, &Cancel::new(), |_, _| {})
            .await
            .expect("sign-in");
        let ready = Instant::now();
        let t0 = at.lock().unwrap().expect("callback time noted");
        times.push(ready - t0);
        assert_eq!(done.profile.username, "bench");
        // Requests after the callback: the exchange, /oauth/me, /wp/v2/users/me, the REST index.
        let after: usize = site.server().requests().iter().rev().take_while(|r| !r.target.starts_with("/oauth/authorize")).count();
        requests += after as f64 / RUNS as f64;
    }
    let t = median(times);
    let floor = rtt * 2;
    println!("sign-in at {} ms injected latency per answer, median of {RUNS} runs", LATENCY.as_millis());
    println!("{:<36} {:>8} {:>10} {:>12} {:>8}", "case", "requests", "wall", "floor (2 RT)", "ratio");
    println!(
        "{:<36} {:>8.1} {:>8.1}ms {:>10.1}ms {:>7.2}x",
        "callback → profile and site ready",
        requests,
        t.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e3,
        t.as_secs_f64() / floor.as_secs_f64()
    );
}
