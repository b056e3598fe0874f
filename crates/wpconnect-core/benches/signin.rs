//! Sign-in's cost after the browser comes back: from the callback reaching the loopback listener
//! to the profile and site info being ready, when every answer of the site is 50 ms away.
//!
//! The floor is two round trips (the code exchange, then the profile and the site info in
//! parallel), with one round trip measured in the same run: a fresh GET against the same server.
//! The tokens go where the app puts them: the real Secret Service when one runs (scripts/test.sh
//! runs this under tests/keyring/with-keyring.sh), so its writes are in the measured time but not
//! in the floor. Prints the median time, the floor, their ratio, and the store used.
//! Run: `cargo bench -p wpconnect-core --bench signin`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;
use wpconnect_core::browser::Browser;
use wpconnect_core::http::Http;
use wpconnect_core::loopback::Cancel;
use wpconnect_core::secret::ClientSecret;
use wpconnect_core::session::{Connect, OAuth2Client, SignInOptions};
use wpconnect_core::store::{AccountsFile, KeyringStore, MemoryStore, SecretStore};
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
    /// Reads the site's request count when the callback is reached (the real site's log).
    count: Option<Arc<dyn Fn() -> usize + Send + Sync>>,
    counted: Arc<Mutex<usize>>,
}

impl Browser for Timed {
    fn open(&self, url: &Url) -> wpconnect_core::Result<()> {
        let (b, port, at, url) =
            (self.browser.clone(), self.port, self.callback_at.clone(), url.to_string());
        let (count, counted) = (self.count.clone(), self.counted.clone());
        tokio::spawn(async move {
            let visit = b
                .visit_until(&url, |u| u.port() == Some(port) && u.path() == "/callback")
                .await
                .expect("reaches the callback");
            if let Some(c) = count {
                *counted.lock().unwrap() = c();
            }
            *at.lock().unwrap() = Some(Instant::now());
            let _ = reqwest::get(&visit.url).await;
        });
        Ok(())
    }
}

/// Where the tokens go: the Secret Service when the test command provides one, else memory.
fn store() -> Arc<dyn SecretStore> {
    if std::env::var_os("WPCONNECT_TEST_KEYRING").is_some() {
        Arc::new(KeyringStore::open().expect("the Secret Service answers"))
    } else {
        Arc::new(MemoryStore::new())
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
        vec![Client::new(
            "bench",
            Some("bench-secret"),
            &[&format!("http://127.0.0.1:{port}/callback")],
        )],
        vec![User::new(1, "bench", "bench-pass", "Bench User", &["author"])],
    )
    .await;
    let discovered = Discoverer::new(DiscoveryOptions::default())
        .discover(&site.url())
        .await
        .expect("discovery");

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
    for run in 0..RUNS {
        // A first sign-in each time (a fresh accounts file): re-signing in also ends the replaced
        // tokens.
        let connect = Connect::new(
            HttpOptions::default(),
            AccountsFile::at(dir.path().join(format!("accounts-{run}.json"))),
            Ok(store()),
        );
        let at = Arc::new(Mutex::new(None));
        let person = Timed {
            browser: TestBrowser::new("bench", "bench-pass", Consent::Allow),
            port,
            callback_at: at.clone(),
            count: None,
            counted: Default::default(),
        };
        let client = OAuth2Client {
            client_id: "bench".into(),
            client_secret: Some(ClientSecret::new("bench-secret")),
            redirect_ports: vec![port],
            scope: None,
        };
        let opts = SignInOptions { timeout: Duration::from_secs(30), ..Default::default() };
        let done = connect
            .sign_in_browser(&discovered, client, opts, &person, &Cancel::new(), |_, _| {})
            .await
            .expect("sign-in");
        let ready = Instant::now();
        let t0 = at.lock().unwrap().expect("callback time noted");
        times.push(ready - t0);
        assert_eq!(done.profile.username, "bench");
        // Requests after the callback: the exchange, /wp/v2/users/me, the REST index.
        let after: usize = site
            .server()
            .requests()
            .iter()
            .rev()
            .take_while(|r| !r.target.starts_with("/oauth/authorize"))
            .count();
        requests += after as f64 / RUNS as f64;
        let _ = connect.sign_out(&done.account.id).await;
    }
    let t = median(times);
    let floor = rtt * 2;
    println!(
        "sign-in at {} ms injected latency per answer, median of {RUNS} runs; tokens kept in {}",
        LATENCY.as_millis(),
        store().describe()
    );
    println!(
        "(floor: 2 x one fresh GET measured in this run; the wall also holds the keyring \
         writes and the accounts file)"
    );
    println!(
        "{:<36} {:>8} {:>10} {:>12} {:>8}",
        "case", "requests", "wall", "floor (2 RT)", "ratio"
    );
    print_row(requests, t, floor);
    real_plugin_site(&dir).await;
}

/// One line: requests after the callback, median time, the floor and the ratio.
fn print_row(requests: f64, t: Duration, floor: Duration) {
    println!(
        "{:<36} {:>8.1} {:>8.1}ms {:>10.1}ms {:>7.2}x",
        "callback → profile and site ready",
        requests,
        t.as_secs_f64() * 1e3,
        floor.as_secs_f64() * 1e3,
        t.as_secs_f64() / floor.as_secs_f64()
    );
}

/// The same, against the real WP OAuth Server on the test WordPress (no injected latency: the
/// time is WordPress's own). One round trip is one fresh GET of the REST index (what curl of it
/// costs), measured in the same run; the floor is two of them (the exchange, then the profile
/// requests in parallel: core's /wp/v2/users/me and the REST index).
async fn real_plugin_site(dir: &tempfile::TempDir) {
    let Some(wp) = wpconnect_testsupport::real_plugins("signin bench (real WP OAuth Server)")
    else {
        return;
    };
    let state = std::env::var("WPCONNECT_TEST_WP_STATE").expect("the harness names its state dir");
    let requests_so_far: Arc<dyn Fn() -> usize + Send + Sync> = Arc::new(move || {
        std::fs::read_to_string(format!("{state}/oauth/php.log"))
            .map(|l| l.lines().filter(|l| l.ends_with(" Accepted")).count())
            .unwrap_or(0)
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (client_id, secret) =
        wp.oauth2_client("oauth", port, "authorization_code refresh_token", false);
    let discovered = Discoverer::new(DiscoveryOptions::default())
        .discover(&wp.oauth_url)
        .await
        .expect("discovery");
    let index = Url::parse(&format!("{}/wp-json/", wp.oauth_url)).unwrap();
    let (mut rtts, mut times, mut requests) = (Vec::new(), Vec::new(), 0.0);
    for _ in 0..RUNS {
        let http = Http::new(HttpOptions::default());
        let t = Instant::now();
        let mut a = http.get(index.clone()).await.unwrap();
        a.body(8 << 20, Duration::from_secs(10)).await.unwrap();
        rtts.push(t.elapsed());

        let connect = Connect::new(
            HttpOptions::default(),
            AccountsFile::at(dir.path().join("real.json")),
            Ok(store()),
        );
        let at = Arc::new(Mutex::new(None));
        let counted = Arc::new(Mutex::new(0));
        let person = Timed {
            browser: TestBrowser::new(&wp.wp.author_user, &wp.wp.author_password, Consent::Allow),
            port,
            callback_at: at.clone(),
            count: Some(requests_so_far.clone()),
            counted: counted.clone(),
        };
        let client = OAuth2Client {
            client_id: client_id.clone(),
            client_secret: Some(ClientSecret::new(secret.clone())),
            redirect_ports: vec![port],
            scope: None,
        };
        let opts = SignInOptions { timeout: Duration::from_secs(30), ..Default::default() };
        let done = connect
            .sign_in_browser(&discovered, client, opts, &person, &Cancel::new(), |_, _| {})
            .await
            .expect("sign-in");
        let ready = Instant::now();
        let after = requests_so_far();
        let t0 = at.lock().unwrap().expect("callback time noted");
        times.push(ready - t0);
        requests += (after - *counted.lock().unwrap()) as f64 / RUNS as f64;
        let _ = connect.sign_out(&done.account.id).await;
    }
    let (rtt, t) = (median(rtts), median(times));
    let floor = rtt * 2;
    println!(
        "sign-in on the real WP OAuth Server (tests/wordpress \"oauth\"), median of {RUNS} runs"
    );
    print_row(requests, t, floor);
}
