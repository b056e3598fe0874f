//! `wpconnect login | accounts | me | logout` end to end: the real binary, a WordPress-dialect
//! site (WP OAuth Server) on loopback, the scripted browser, and the real Secret Service
//! (gnome-keyring, started by tests/keyring/with-keyring.sh under the test command).

use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use wpconnect_testsupport::browser::{Consent, TestBrowser};
use wpconnect_testsupport::dialect::{Client, Knobs, OAuthSite, User};
use wpconnect_testsupport::{keyring_here, real_plugins, RealPlugins};

mod common;
use common::test_browser_program;

/// Run `cmd` to its end (a minute at most) with `stdin` as its input; its output.
async fn finish(mut cmd: tokio::process::Command, stdin: &str) -> Output {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("finished in time")
        .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One person's machine: a config dir of their own, the shared test keyring.
struct Machine {
    config: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Machine {
    fn new() -> Machine {
        let config = tempfile::tempdir().unwrap();
        let mut env = vec![
            ("PATH".to_string(), std::env::var("PATH").unwrap_or_default()),
            ("HOME".to_string(), config.path().display().to_string()),
            ("WPCONNECT_CONFIG_DIR".to_string(), config.path().display().to_string()),
            ("WPCONNECT_CLIENT_SECRET".to_string(), "s3cret".to_string()),
        ];
        if let Ok(bus) = std::env::var("DBUS_SESSION_BUS_ADDRESS") {
            env.push(("DBUS_SESSION_BUS_ADDRESS".into(), bus));
        }
        Machine { config, env }
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_wpconnect"));
        cmd.args(args).env_clear().kill_on_drop(true);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    async fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        finish(self.command(args), stdin.unwrap_or("")).await
    }

    /// `wpconnect login URL --method password` as grace, who must get in; the account's id.
    async fn password_login(&self, url: &str) -> String {
        let out = self.run(&grace_by_password(url), Some("hopper-1906\n")).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        json(&out)["account"]["id"].as_str().unwrap().to_string()
    }

    /// `wpconnect login --no-browser ...`, with `browser` doing what the person does at the
    /// address the CLI prints.
    async fn browser_login(&self, args: &[&str], browser: TestBrowser) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut shown = Vec::new();
        let url = loop {
            let line = tokio::time::timeout(Duration::from_secs(30), err.next_line())
                .await
                .expect("the CLI printed the address")
                .unwrap();
            let Some(line) = line else { break None };
            shown.push(line.clone());
            if let Some(u) = line.trim().strip_prefix("http") {
                break Some(format!("http{u}"));
            }
        };
        let url = url.unwrap_or_else(|| panic!("no address printed: {shown:?}"));
        let visit = tokio::spawn(async move { browser.visit(&url).await });
        let rest = tokio::spawn(async move {
            let mut more = Vec::new();
            while let Ok(Some(l)) = err.next_line().await {
                more.push(l);
            }
            more
        });
        let mut out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("finished")
            .unwrap();
        let _ = visit.await;
        shown.extend(rest.await.unwrap());
        out.stderr = shown.join("\n").into_bytes();
        out
    }
}

/// `wpconnect login URL` with the password fallback as grace (her password on stdin), `--json`.
fn grace_by_password(url: &str) -> [&str; 10] {
    [
        "login",
        url,
        "--method",
        "password",
        "--client-id",
        "desk-app",
        "--username",
        "grace",
        "--password-stdin",
        "--json",
    ]
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

async fn site(knobs: Knobs) -> (OAuthSite, u16) {
    let port = free_port();
    let s = OAuthSite::start(
        knobs,
        vec![Client::new(
            "desk-app",
            Some("s3cret"),
            &[&format!("http://127.0.0.1:{port}/callback")],
        )],
        vec![User::new(3, "grace", "hopper-1906", "Grace Hopper", &["editor"])],
    )
    .await;
    (s, port)
}

fn grace(consent: Consent) -> TestBrowser {
    TestBrowser::new("grace", "hopper-1906", consent)
}

#[tokio::test]
async fn browser_login_then_accounts_me_and_logout_across_processes() {
    if !keyring_here("browser_login_then_accounts_me_and_logout_across_processes") {
        return;
    }
    let (s, port) = site(Knobs::default()).await;
    let m = Machine::new();
    let port_s = port.to_string();
    let out = m
        .browser_login(
            &[
                "login",
                &s.url(),
                "--client-id",
                "desk-app",
                "--redirect-port",
                &port_s,
                "--no-browser",
                "--json",
            ],
            grace(Consent::Allow),
        )
        .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json(&out);
    assert_eq!(doc["schema"], "wpconnect.login/1");
    assert_eq!(doc["profile"]["username"], "grace");
    assert_eq!(doc["profile"]["display_name"], "Grace Hopper");
    assert!(doc["stored_in"].as_str().unwrap().contains("Secret Service"));
    let id = doc["account"]["id"].as_str().unwrap().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("access_token") && !stdout.contains("s3cret"),
        "no secret printed: {stdout}"
    );

    // Nothing secret on disk.
    let file = std::fs::read_to_string(m.config.path().join("accounts.json")).unwrap();
    assert!(!file.contains("s3cret") && !file.to_lowercase().contains("token\":"), "{file}");

    let out = m.run(&["accounts", "--json"], None).await;
    assert_eq!(json(&out)["accounts"][0]["id"], id.as_str());

    // A new process finds the tokens in the keyring.
    let out = m.run(&["me", &id, "--json"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["profile"]["roles"][0], "editor");
    let out = m.run(&["me"], None).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("Grace Hopper (grace)"));

    let out = m.run(&["logout", &id, "--json"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["revoked"], true);
    let out = m.run(&["accounts", "--json"], None).await;
    assert_eq!(json(&out)["accounts"].as_array().unwrap().len(), 0);
    let out = m.run(&["me", &id, "--json"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["kind"], "no_such_account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_and_the_app_refreshing_one_account_at_once_use_one_rotation() {
    // A server that rotates refresh tokens (each one works once), tokens already inside the
    // refresh margin, and a slow token endpoint: the CLI and the app both need a fresh token at
    // once. Without a lock across processes the second would spend a refresh token already used
    // and lose the sign-in.
    if !keyring_here("the_cli_and_the_app_refreshing_one_account_at_once_use_one_rotation") {
        return;
    }
    let (s, _) = site(Knobs {
        access_ttl: Duration::from_secs(60),
        token_delay: Duration::from_millis(700),
        ..Default::default()
    })
    .await;
    let m = Machine::new();
    let id = m.password_login(&s.url()).await;

    // The app: the core on the same accounts file and the same Secret Service.
    use wpconnect_core::store::{AccountStatus, AccountsFile, KeyringStore};
    let keyring: std::sync::Arc<dyn wpconnect_core::store::SecretStore> =
        std::sync::Arc::new(KeyringStore::open().unwrap());
    let app = wpconnect_core::session::Connect::new(
        Default::default(),
        AccountsFile::at(m.config.path().join("accounts.json")),
        Ok(keyring),
    );
    let me_args = ["me", id.as_str(), "--json"];
    let (cli, app_me) = tokio::join!(m.run(&me_args, None), app.me(&id));
    assert!(cli.status.success(), "the CLI: {}", String::from_utf8_lossy(&cli.stderr));
    assert_eq!(json(&cli)["profile"]["username"], "grace");
    assert_eq!(app_me.unwrap_or_else(|e| panic!("the app: {e}")).profile.username, "grace");
    assert_eq!(s.counters().refresh_grants, 1, "one refresh, shared by both");
    assert_eq!(app.account(&id).unwrap().status, AccountStatus::SignedIn);
    assert_eq!(s.live_tokens().1, 1, "one live refresh token: the new one");

    let out = m.run(&["logout", &id, "--json"], None).await;
    assert_eq!(json(&out)["revoked"], true);
}

#[tokio::test]
async fn wordpress_com_sign_in_me_and_logout_through_the_cli() {
    if !keyring_here("wordpress_com_sign_in_me_and_logout_through_the_cli") {
        return;
    }
    // The dialect server plays WordPress.com's public API; the CLI is pointed at it.
    let port = free_port();
    let api = OAuthSite::start(
        Knobs { wordpress_com: true, ..Default::default() },
        vec![Client::new("55555", Some("s3cret"), &[&format!("http://127.0.0.1:{port}/callback")])],
        vec![User::new(91, "wpuser", "wp-pass", "WP User", &[])],
    )
    .await;
    let mut m = Machine::new();
    m.env.push(("WPCONNECT_WPCOM_API_BASE".into(), format!("{}/", api.url())));
    let port_s = port.to_string();
    let out = m
        .browser_login(
            &[
                "login",
                "dialect.wordpress.com",
                "--client-id",
                "55555",
                "--redirect-port",
                &port_s,
                "--no-browser",
                "--json",
            ],
            TestBrowser::new("wpuser", "wp-pass", Consent::Allow),
        )
        .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json(&out);
    assert_eq!(doc["account"]["method"], "wordpress-com");
    assert_eq!(doc["profile"]["username"], "wpuser");
    let id = doc["account"]["id"].as_str().unwrap().to_string();
    let token = api
        .server()
        .requests()
        .into_iter()
        .find(|r| r.path() == "/oauth2/token")
        .expect("a token request");
    assert!(
        token.header("authorization").is_none(),
        "WordPress.com takes the client's credentials in the body"
    );

    let out = m.run(&["me", &id, "--json"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["profile"]["display_name"], "WP User");

    let out = m.run(&["logout", &id], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("wordpress.com/me/security/connected-applications"),
        "says where to revoke: {text}"
    );
}

#[tokio::test]
async fn a_wait_that_runs_out_and_ctrl_c_exit_8() {
    if !keyring_here("a_wait_that_runs_out_and_ctrl_c_exit_8") {
        return;
    }
    let (s, port) = site(Knobs::default()).await;
    let m = Machine::new();
    let port_s = port.to_string();
    // Nobody opens the address: the wait runs out.
    let out = m
        .run(
            &[
                "login",
                &s.url(),
                "--client-id",
                "desk-app",
                "--redirect-port",
                &port_s,
                "--no-browser",
                "--wait",
                "1",
                "--json",
            ],
            None,
        )
        .await;
    assert_eq!(out.status.code(), Some(8), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json(&out);
    assert_eq!(doc["error"]["kind"], "callback_timeout");
    assert_eq!(doc["error"]["message"], "Nothing came back from the browser within 1 second.");
    assert!(!doc["error"]["hint"].as_str().unwrap().is_empty());

    // Ctrl-C while waiting: cancelled, said plainly, nothing kept.
    let mut cmd = m.command(&[
        "login",
        &s.url(),
        "--client-id",
        "desk-app",
        "--redirect-port",
        &port_s,
        "--no-browser",
    ]);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), err.next_line())
            .await
            .expect("the CLI says it waits")
            .unwrap()
            .expect("a line");
        if line.contains("Ctrl-C cancels") {
            break;
        }
    }
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let mut rest = Vec::new();
    while let Ok(Some(l)) = err.next_line().await {
        rest.push(l);
    }
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("it stops")
        .unwrap();
    assert_eq!(status.code(), Some(8), "{rest:?}");
    assert!(rest.join("\n").contains("Nothing was changed"), "{rest:?}");
    let out = m.run(&["accounts", "--json"], None).await;
    assert_eq!(json(&out)["accounts"].as_array().unwrap().len(), 0);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the loopback listener is gone"
    );
}

#[tokio::test]
async fn denied_consent_exits_6_with_its_message() {
    if !keyring_here("denied_consent_exits_6_with_its_message") {
        return;
    }
    let (s, port) = site(Knobs { consent_screen: true, ..Default::default() }).await;
    let m = Machine::new();
    let port_s = port.to_string();
    let out = m
        .browser_login(
            &[
                "login",
                &s.url(),
                "--client-id",
                "desk-app",
                "--redirect-port",
                &port_s,
                "--no-browser",
            ],
            grace(Consent::Deny),
        )
        .await;
    assert_eq!(out.status.code(), Some(6));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: WP Connect was not given access"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(!m.config.path().join("accounts.json").exists(), "nothing saved");
}

#[tokio::test]
async fn password_fallback_from_stdin_wrong_then_right() {
    if !keyring_here("password_fallback_from_stdin_wrong_then_right") {
        return;
    }
    let (s, _) = site(Knobs::default()).await;
    let m = Machine::new();
    let args = [
        "login",
        &s.url(),
        "--method",
        "password",
        "--client-id",
        "desk-app",
        "--username",
        "grace",
        "--password-stdin",
    ];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let out = m.run(&with_json, Some("not-her-password\n")).await;
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(json(&out)["error"]["kind"], "wrong_password");

    let out = m.run(&args, Some("hopper-1906\n")).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Signed in to Dialect Site as Grace Hopper (grace)"), "{text}");
    assert!(text.contains("fallback"), "{text}");
    assert!(!text.contains("hopper-1906"));
}

#[tokio::test]
async fn without_a_keyring_it_says_so_and_session_only_still_works() {
    if !keyring_here("without_a_keyring_it_says_so_and_session_only_still_works") {
        return;
    }
    let (s, _) = site(Knobs::default()).await;
    let mut m = Machine::new();
    m.env.retain(|(k, _)| k != "DBUS_SESSION_BUS_ADDRESS");
    m.env.push((
        "DBUS_SESSION_BUS_ADDRESS".into(),
        "unix:path=/nonexistent/wpconnect-test-bus".into(),
    ));
    let url = s.url();
    let base = grace_by_password(&url);
    let out = m.run(&base, Some("hopper-1906\n")).await;
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stdout));
    let doc = json(&out);
    assert_eq!(doc["error"]["kind"], "keyring_unavailable");
    assert!(doc["error"]["hint"].as_str().unwrap().contains("session only"));
    assert_eq!(
        s.counters().token_requests,
        0,
        "the password was not sent before the keyring was known to work"
    );

    let mut session = base.to_vec();
    session.push("--session-only");
    let out = m.run(&session, Some("hopper-1906\n")).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(json(&out)["stored_in"].as_str().unwrap().contains("this session only"));
    assert!(!m.config.path().join("accounts.json").exists());
}

#[tokio::test]
async fn a_locked_keyring_is_named_with_its_remedy() {
    if !keyring_here("a_locked_keyring_is_named_with_its_remedy") {
        return;
    }
    let (s, _) = site(Knobs::default()).await;
    let m = Machine::new();
    // A keyring session of its own, whose login collection is then locked (no one is there to
    // type its password: the unlock prompt cannot appear).
    let keyring_home = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/keyring/with-keyring.sh");
    let lock = "dbus-send --session --print-reply --dest=org.freedesktop.secrets \
                /org/freedesktop/secrets \
                org.freedesktop.Secret.Service.Lock \
                array:objpath:/org/freedesktop/secrets/collection/login >/dev/null && exec \
                \"$0\" \"$@\"";
    let mut cmd = tokio::process::Command::new(script);
    cmd.args(["bash", "-c", lock, env!("CARGO_BIN_EXE_wpconnect")])
        .args(grace_by_password(&s.url()))
        .env_clear()
        .env("WPCONNECT_KEYRING_HOME", keyring_home.path());
    for (k, v) in m.env.iter().filter(|(k, _)| k != "DBUS_SESSION_BUS_ADDRESS") {
        cmd.env(k, v);
    }
    let out = finish(cmd, "hopper-1906\n").await;
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert_eq!(doc["error"]["kind"], "keyring_locked", "{doc}");
    assert!(doc["error"]["hint"].as_str().unwrap().contains("Unlock your keyring"), "{doc}");
    assert!(!m.config.path().join("accounts.json").exists(), "no half-saved account");
}

/// Every file under `dir`, read as text.
fn all_files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.display().to_string(),
                    String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned(),
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn at_trace_level_no_secret_reaches_output_logs_or_files() {
    let test = "at_trace_level_no_secret_reaches_output_logs_or_files";
    if !keyring_here(test) {
        return;
    }
    let Some(browser) = test_browser_program(test) else { return };
    let port = free_port();
    let port1 = free_port();
    let s = OAuthSite::start(
        Knobs {
            access_ttl: Duration::from_secs(60),
            oauth1_consumers: vec![(
                "ck_trace".into(),
                "s3cret".into(),
                format!("http://127.0.0.1:{port1}/callback"),
            )],
            ..Default::default()
        },
        vec![Client::new(
            "desk-app",
            Some("s3cret"),
            &[&format!("http://127.0.0.1:{port}/callback")],
        )],
        vec![User::new(3, "grace", "hopper-1906", "Grace Hopper", &["editor"])],
    )
    .await;
    let mut m = Machine::new();
    m.env.push(("BROWSER".into(), browser.display().to_string()));
    m.env.push(("WPCONNECT_TEST_BROWSER_USER".into(), "grace".into()));
    m.env.push(("WPCONNECT_TEST_BROWSER_PASSWORD".into(), "hopper-1906".into()));
    let trail = m.config.path().join("browser.log");
    m.env.push(("WPCONNECT_TEST_BROWSER_LOG".into(), trail.display().to_string()));
    m.env.push(("WPCONNECT_LOG".into(), "trace".into()));
    let port_s = port.to_string();

    let mut outputs = Vec::new();
    // The browser flow through $BROWSER, then every other command, all at trace level.
    let out = m
        .run(&["login", &s.url(), "--client-id", "desk-app", "--redirect-port", &port_s], None)
        .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Signed in to Dialect Site as Grace Hopper")
    );
    assert!(
        std::fs::read_to_string(&trail).unwrap().starts_with("200 http://127.0.0.1:"),
        "the browser landed on the callback page"
    );
    outputs.push(out);
    for args in [&["me", "--json"][..], &["refresh", "--json"], &["accounts", "--json"]] {
        let out = m.run(args, None).await;
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        outputs.push(out);
    }
    // The password fallback too, with its password on stdin.
    let out = m.run(&grace_by_password(&s.url()), Some("hopper-1906\n")).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    outputs.push(out);
    let out = m.run(&["logout", "--json"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&out)["revoked"], true);
    outputs.push(out);
    // OAuth 1.0a too: its token and token secret, and its consumer secret.
    let port1_s = port1.to_string();
    let out = m
        .run(
            &[
                "login",
                &s.url(),
                "--method",
                "oauth1",
                "--consumer-key",
                "ck_trace",
                "--redirect-port",
                &port1_s,
            ],
            None,
        )
        .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    outputs.push(out);
    for args in [&["me", "--json"][..], &["logout", "--json"]] {
        let out = m.run(args, None).await;
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        outputs.push(out);
    }

    let tokens = s.issued_tokens();
    assert!(tokens.len() >= 8, "tokens were issued: {}", tokens.len());
    assert!(s.counters().refresh_grants >= 1, "refresh ran");
    let logs: String = outputs
        .iter()
        .map(|o| {
            format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
        })
        .collect();
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"), "trace logging was really on");
    let mut secrets: Vec<String> = tokens;
    secrets.push("s3cret".into());
    secrets.push("hopper-1906".into());
    let files = all_files(m.config.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("accounts.json")), "{files:?}");
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret appeared in the output or logs: {secret}"
        );
        for (path, text) in files.iter().filter(|(p, _)| !p.ends_with("browser.log")) {
            assert!(!text.contains(secret.as_str()), "a secret appeared in {path}");
        }
    }
}

#[tokio::test]
async fn app_password_against_the_real_wordpress_through_browser_program() {
    let test = "app_password_against_the_real_wordpress_through_browser_program";
    let Some(wp) = wpconnect_testsupport::real_wordpress(test) else { return };
    if !keyring_here(test) {
        return;
    }
    let Some(browser) = test_browser_program(test) else { return };
    let mut m = Machine::new();
    m.env.retain(|(k, _)| k != "WPCONNECT_CLIENT_SECRET");
    m.env.push(("BROWSER".into(), browser.display().to_string()));
    m.env.push(("WPCONNECT_TEST_BROWSER_USER".into(), wp.author_user.clone()));
    m.env.push(("WPCONNECT_TEST_BROWSER_PASSWORD".into(), wp.author_password.clone()));
    m.env.push(("WPCONNECT_LOG".into(), "trace".into()));
    let login = m.run(&["login", &wp.url, "--method", "app-password", "--json"], None).await;
    assert!(
        login.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&login.stdout),
        String::from_utf8_lossy(&login.stderr)
    );
    let doc = json(&login);
    assert_eq!(doc["account"]["method"], "application-passwords");
    assert_eq!(doc["profile"]["display_name"], "Ada Author");
    let id = doc["account"]["id"].as_str().unwrap().to_string();
    let me = m.run(&["me"], None).await;
    let text = String::from_utf8_lossy(&me.stdout);
    assert!(text.contains("Ada Author") && text.contains(&wp.tagline), "{text}");

    // The password WordPress issued is in the keyring, and nowhere in the output, logs or files.
    let looked_up = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            wpconnect_core::store::SERVICE,
            "username",
            &format!("{id}/access-token"),
        ])
        .output()
        .unwrap();
    let issued = String::from_utf8_lossy(&looked_up.stdout).to_string();
    assert_eq!(issued.replace(' ', "").len(), 24, "an Application Password is in the keyring");
    for out in [&login, &me] {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("DEBUG") || all.contains("TRACE"), "trace logging was on");
        assert!(
            !all.contains(&issued) && !all.contains(&issued.replace(' ', "")),
            "the Application Password leaked"
        );
        assert!(!all.contains(&wp.author_password), "the login password leaked");
    }
    for (path, text) in all_files(m.config.path()) {
        assert!(
            !text.contains(&issued) && !text.contains(&issued.replace(' ', "")),
            "the Application Password is in {path}"
        );
    }
    let out = m.run(&["logout", "--json"], None).await;
    assert_eq!(json(&out)["revoked"], true, "{}", String::from_utf8_lossy(&out.stdout));

    // A pasted password that is wrong.
    let out = m
        .run(
            &[
                "login",
                &wp.url,
                "--method",
                "app-password",
                "--username",
                &wp.author_user,
                "--password-stdin",
                "--json",
            ],
            Some("abcd efgh ijkl mnop qrst uvwx\n"),
        )
        .await;
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(json(&out)["error"]["kind"], "wrong_app_password");
}

#[tokio::test]
async fn oauth1_through_the_browser_program_on_the_registered_port() {
    let test = "oauth1_through_the_browser_program_on_the_registered_port";
    if !keyring_here(test) {
        return;
    }
    let Some(browser) = test_browser_program(test) else { return };
    let port = free_port();
    let s = OAuthSite::start(
        Knobs {
            oauth1_consumers: vec![(
                "ck_cli".into(),
                "cs_cli".into(),
                format!("http://127.0.0.1:{port}/callback"),
            )],
            ..Default::default()
        },
        vec![],
        vec![User::new(3, "grace", "hopper-1906", "Grace Hopper", &["editor"])],
    )
    .await;
    let mut m = Machine::new();
    m.env.retain(|(k, _)| k != "WPCONNECT_CLIENT_SECRET");
    m.env.push(("WPCONNECT_CLIENT_SECRET".into(), "cs_cli".into()));
    m.env.push(("BROWSER".into(), browser.display().to_string()));
    m.env.push(("WPCONNECT_TEST_BROWSER_USER".into(), "grace".into()));
    m.env.push(("WPCONNECT_TEST_BROWSER_PASSWORD".into(), "hopper-1906".into()));
    let port_s = port.to_string();
    let out = m
        .run(
            &[
                "login",
                &s.url(),
                "--method",
                "oauth1",
                "--consumer-key",
                "ck_cli",
                "--redirect-port",
                &port_s,
                "--json",
            ],
            None,
        )
        .await;
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["account"]["method"], "oauth1");
    let out = m.run(&["me", "--json"], None).await;
    assert_eq!(
        json(&out)["profile"]["username"],
        "grace",
        "a new process signs with the keyring's secrets"
    );
    let out = m.run(&["logout"], None).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("wp-admin"));
}

#[tokio::test]
async fn an_empty_password_on_stdin_is_a_usage_error_before_any_request() {
    let (s, _) = site(Knobs::default()).await;
    let m = Machine::new();
    for method in ["password", "app-password"] {
        let out = m
            .run(
                &[
                    "login",
                    &s.url(),
                    "--method",
                    method,
                    "--client-id",
                    "desk-app",
                    "--username",
                    "grace",
                    "--password-stdin",
                    "--json",
                ],
                Some("\n"),
            )
            .await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{method}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let doc = json(&out);
        assert_eq!(doc["error"]["kind"], "invalid_input", "{doc}");
        assert!(doc["error"]["message"].as_str().unwrap().contains("empty"), "{doc}");
    }
    assert_eq!(s.server().request_count(), 0, "nothing was sent to the site, discovery included");
}

mod real_plugins {
    //! The CLI against the REAL plugins (WP OAuth Server 4.4.0 and the OAuth 1.0a server 0.4.4 on
    //! the "oauth" site, OAuth 2 for WordPress 0.2.0 on "wpapi"), with the real Secret Service and
    //! the scripted browser as $BROWSER: what issue "Sign-in fails on real WP OAuth Server sites"
    //! saw break, end to end.

    use super::*;

    /// A machine whose $BROWSER is the scripted browser, logging in as the test site's author.
    fn machine(wp: &RealPlugins, browser: &std::path::Path, secret: &str) -> Machine {
        let mut m = Machine::new();
        m.env.retain(|(k, _)| k != "WPCONNECT_CLIENT_SECRET");
        m.env.push(("WPCONNECT_CLIENT_SECRET".into(), secret.into()));
        m.env.push(("BROWSER".into(), browser.display().to_string()));
        m.env.push(("WPCONNECT_TEST_BROWSER_USER".into(), wp.wp.author_user.clone()));
        m.env.push(("WPCONNECT_TEST_BROWSER_PASSWORD".into(), wp.wp.author_password.clone()));
        m
    }

    fn keyring_secret(account: &str, what: &str) -> String {
        let out = std::process::Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                wpconnect_core::store::SERVICE,
                "username",
                &format!("{account}/{what}"),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[track_caller]
    fn author_profile(wp: &RealPlugins, doc: &serde_json::Value) {
        let p = &doc["profile"];
        assert_eq!(p["username"], wp.wp.author_user.as_str(), "{doc}");
        assert_eq!(p["display_name"], "Ada Author");
        assert_eq!(p["email"], "author@wpconnect.test");
        assert_eq!(p["roles"], serde_json::json!(["author"]));
        assert!(p["capabilities"].as_array().unwrap().iter().any(|c| c == "upload_files"), "{doc}");
    }

    #[tokio::test]
    async fn oauth2_browser_and_password_sign_in_me_and_logout_on_wp_oauth_server() {
        let test = "oauth2_browser_and_password_sign_in_me_and_logout_on_wp_oauth_server";
        if !keyring_here(test) {
            return;
        }
        let Some(wp) = real_plugins(test) else { return };
        let Some(browser) = test_browser_program(test) else { return };
        let port = free_port();
        let (client, secret) =
            wp.oauth2_client("oauth", port, "authorization_code refresh_token password", false);
        let m = machine(&wp, &browser, &secret);
        let port_s = port.to_string();

        // The browser flow: WordPress 301s /oauth/authorize and /oauth/me to a trailing slash.
        let out = m
            .run(
                &[
                    "login",
                    &wp.oauth_url,
                    "--method",
                    "oauth2",
                    "--client-id",
                    &client,
                    "--redirect-port",
                    &port_s,
                    "--json",
                ],
                None,
            )
            .await;
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = json(&out);
        author_profile(&wp, &doc);
        assert_eq!(doc["account"]["method"], "oauth2");
        assert_eq!(doc["account"]["site_name"], wp.wp.name.as_str());
        let id = doc["account"]["id"].as_str().unwrap().to_string();
        let access = keyring_secret(&id, "access-token");
        assert_eq!(access.len(), 40, "WP OAuth Server's token is in the Secret Service");
        assert!(wp.token_valid("oauth", &access));

        // Another process: profile and site, field by field.
        let out = m.run(&["me", &id, "--json"], None).await;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let me = json(&out);
        author_profile(&wp, &me);
        assert_eq!(me["site"]["name"], wp.wp.name.as_str());
        assert_eq!(me["site"]["description"], wp.wp.tagline.as_str());
        assert_eq!(me["site"]["url"], wp.oauth_url.as_str());
        assert_eq!(me["site"]["timezone"], wp.wp.timezone.as_str());

        // Sign-out revokes on the server, which then refuses the token.
        let out = m.run(&["logout", &id, "--json"], None).await;
        assert_eq!(json(&out)["revoked"], true, "{}", String::from_utf8_lossy(&out.stdout));
        assert!(!wp.token_valid("oauth", &access));
        assert_eq!(wp.live_tokens("oauth", &client), (0, 0));
        assert_eq!(keyring_secret(&id, "access-token"), "", "forgotten here too");

        // The password fallback: wrong, then right.
        let args = [
            "login",
            &wp.oauth_url,
            "--method",
            "password",
            "--client-id",
            &client,
            "--username",
            &wp.wp.author_user,
            "--password-stdin",
            "--json",
        ];
        let out = m.run(&args, Some("\n")).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "an empty password is a usage error: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let out = m.run(&args, Some("not-the-password\n")).await;
        assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(json(&out)["error"]["kind"], "wrong_password");
        assert_eq!(wp.live_tokens("oauth", &client), (0, 0));
        let out = m.run(&args, Some(&format!("{}\n", wp.wp.author_password))).await;
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        author_profile(&wp, &json(&out));
        let out = m.run(&["logout", "--json"], None).await;
        assert_eq!(json(&out)["revoked"], true);
        assert_eq!(wp.live_tokens("oauth", &client), (0, 0));
    }

    #[tokio::test]
    async fn the_rest_api_teams_oauth2_plugin_through_the_cli() {
        let test = "the_rest_api_teams_oauth2_plugin_through_the_cli";
        if !keyring_here(test) {
            return;
        }
        let Some(wp) = real_plugins(test) else { return };
        let Some(browser) = test_browser_program(test) else { return };
        let port = free_port();
        let (client, secret) = wp.oauth2_client("wpapi", port, "authorization_code", false);
        let m = machine(&wp, &browser, &secret);
        let out = m
            .run(
                &[
                    "login",
                    &wp.wpapi_url,
                    "--method",
                    "oauth2",
                    "--client-id",
                    &client,
                    "--redirect-port",
                    &port.to_string(),
                    "--json",
                ],
                None,
            )
            .await;
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        author_profile(&wp, &json(&out));
        let out = m.run(&["me", "--json"], None).await;
        author_profile(&wp, &json(&out));
        assert_eq!(json(&out)["site"]["url"], wp.wpapi_url.as_str());
        let out = m.run(&["logout", "--json"], None).await;
        assert!(out.status.success());
    }

    #[tokio::test]
    async fn oauth1_on_the_registered_port_through_the_cli() {
        let test = "oauth1_on_the_registered_port_through_the_cli";
        if !keyring_here(test) {
            return;
        }
        let Some(wp) = real_plugins(test) else { return };
        let Some(browser) = test_browser_program(test) else { return };
        let port = free_port();
        let (key, secret) =
            wp.oauth1_consumer("oauth", &format!("http://127.0.0.1:{port}/callback"));
        let m = machine(&wp, &browser, &secret);
        let out = m
            .run(
                &[
                    "login",
                    &wp.oauth_url,
                    "--method",
                    "oauth1",
                    "--consumer-key",
                    &key,
                    "--redirect-port",
                    &port.to_string(),
                    "--json",
                ],
                None,
            )
            .await;
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        author_profile(&wp, &json(&out));
        let out = m.run(&["me", "--json"], None).await;
        author_profile(&wp, &json(&out));
        let out = m.run(&["logout"], None).await;
        assert!(String::from_utf8_lossy(&out.stdout).contains("wp-admin"));
    }

    #[tokio::test]
    async fn doctor_live_on_wp_oauth_server() {
        let test = "doctor_live_on_wp_oauth_server";
        let Some(wp) = real_plugins(test) else { return };
        let Some(browser) = test_browser_program(test) else { return };
        // On the "oauth" site, whose settings no test changes.
        let port = free_port();
        let (client, secret) =
            wp.oauth2_client("oauth", port, "authorization_code refresh_token password", false);
        let m = machine(&wp, &browser, &secret);
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let out = m
            .run(
                &[
                    "doctor",
                    &wp.oauth_url,
                    "--client-id",
                    &client,
                    "--redirect-uri",
                    &redirect,
                    "--live",
                    "--json",
                ],
                None,
            )
            .await;
        let doc = json(&out);
        let check = |id: &str| {
            doc["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone()
        };
        for id in [
            "live.me",
            "live.pkce",
            "live.state",
            "live.revocation",
            "oauth2.redirect_uri",
            "oauth2.grant.refresh_token",
        ] {
            assert_eq!(check(id)["status"], "pass", "{id}: {}", check(id));
        }
        assert_eq!(
            check("oauth2.redirect_matching")["status"],
            "warn",
            "the plugin's default is a prefix match"
        );
        assert_eq!(
            check("live.refresh_rotation")["status"],
            "warn",
            "the plugin's default keeps used refresh tokens"
        );
        assert_eq!(out.status.code(), Some(1), "warnings only");
        assert_eq!(wp.live_tokens("oauth", &client), (0, 0), "the doctor revoked what it obtained");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret), "no secret in the report");
    }
}

#[tokio::test]
async fn plain_http_elsewhere_needs_allow_plain_http_which_the_account_keeps() {
    // The person's proxy (`http_proxy`, as their environment names it) stands in for the network:
    // `http://blog.example` is reached through it, so it is not on this computer whatever the
    // name; the site answers plain http, and a password goes there only when the person says so.
    if !keyring_here("plain_http_elsewhere_needs_allow_plain_http_which_the_account_keeps") {
        return;
    }
    let name = "blog.example";
    let pki = wpconnect_testsupport::tls::Pki::new();
    let s = OAuthSite::start_https(
        &pki.leaf(&[name]),
        name,
        Knobs::default(),
        vec![Client::new("desk-app", Some("s3cret"), &["http://127.0.0.1/callback"])],
        vec![User::new(3, "grace", "hopper-1906", "Grace Hopper", &["editor"])],
    )
    .await;
    let mut m = Machine::new();
    m.env.push(("http_proxy".into(), format!("http://{}", s.server().addr())));
    let credentialed = || {
        s.server()
            .requests()
            .iter()
            .filter(|r| {
                r.path().starts_with("/oauth/token")
                    || r.header("authorization").is_some()
                    || String::from_utf8_lossy(&r.body).contains("hopper")
            })
            .count()
    };

    let out = m.run(&["site", "http://blog.example"], None).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("signing in needs --allow-plain-http"), "{text}");
    assert!(s.server().requests().iter().all(|r| r.proxied), "it went through the proxy");

    let args = grace_by_password("http://blog.example");
    let out = m.run(&args, Some("hopper-1906\n")).await;
    let e = json(&out)["error"].clone();
    assert_eq!(e["kind"], "insecure_connection", "{e}");
    assert_eq!(out.status.code(), Some(2), "a flag is what is missing: usage, {e}");
    assert!(e["hint"].as_str().unwrap().contains("--allow-plain-http"), "{e}");
    assert_eq!(credentialed(), 0, "neither the password nor the client secret left");

    let mut chosen = args.to_vec();
    chosen.push("--allow-plain-http");
    let out = m.run(&chosen, Some("hopper-1906\n")).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(
        warning.contains("http://blog.example/ is not encrypted and not on this computer"),
        "{warning}"
    );
    let id = json(&out)["account"]["id"].as_str().unwrap().to_string();
    assert!(credentialed() > 0);

    // A later run uses the account over plain http because the account records the choice.
    let out = m.run(&["me", &id, "--json"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["profile"]["display_name"], "Grace Hopper");
    let out = m.run(&["logout", &id, "--json"], None).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(s.server().requests().iter().all(|r| r.proxied && !r.https));
}

/// A JPEG's structure with a GPS position in its Exif block (the dialect does not decode images).
fn jpeg_with_position() -> Vec<u8> {
    let mut tiff = b"II\x2a\0\x08\0\0\0\x01\0\x25\x88\x04\0\x01\0\0\0\x1a\0\0\0\0\0\0\0".to_vec();
    tiff.extend_from_slice(b"\x01\0\x02\0\x05\0\x03\0\0\0\x2c\0\0\0\0\0\0\0");
    for v in [48u32, 1, 51, 1, 2939, 100] {
        tiff.extend_from_slice(&v.to_le_bytes());
    }
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE1];
    j.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
    j.extend_from_slice(b"Exif\0\0");
    j.extend_from_slice(&tiff);
    j.extend_from_slice(&[0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
    j
}

#[tokio::test]
async fn upload_prints_a_line_per_file_a_json_document_and_the_exit_code_of_what_failed() {
    if !keyring_here(
        "upload_prints_a_line_per_file_a_json_document_and_the_exit_code_of_what_failed",
    ) {
        return;
    }
    let (s, _) = site(Knobs::default()).await;
    let m = Machine::new();
    let id = m.password_login(&s.url()).await;
    let dir = m.config.path();
    let photo = dir.join("Été.jpg");
    std::fs::write(&photo, jpeg_with_position()).unwrap();
    let svg = dir.join("drawing.svg");
    std::fs::write(&svg, b"<svg/>").unwrap();
    let (photo, svg) = (photo.display().to_string(), svg.display().to_string());

    // The account named, one photo, JSON.
    let out = m
        .run(&["upload", &id, &photo, "--alt", "Quai", "--draft-post", "Holiday", "--json"], None)
        .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json(&out);
    assert_eq!(doc["schema"], "wpconnect.upload/1");
    assert_eq!(doc["files"][0]["status"], "uploaded");
    assert_eq!(doc["files"][0]["name"], "Été.jpg");
    assert_eq!(doc["files"][0]["media"]["alt_text"], "Quai");
    assert_eq!(doc["files"][0]["location_removed"][0], "EXIF GPS (latitude)");
    assert_eq!(doc["post"]["status"], "created");
    assert!(doc["post"]["post"]["edit_link"]
        .as_str()
        .unwrap()
        .contains("/wp-admin/post.php?post="));
    assert_eq!(doc["summary"]["uploaded"], 1);

    // The only account, left out; a file the site refuses: a line each, exit code 2 (usage).
    let out = m.run(&["upload", &photo, &svg], None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("uploaded  Été.jpg"), "{stdout}");
    assert!(
        stdout.contains("failed    drawing.svg: The site does not accept this type of file"),
        "{stdout}"
    );
    assert!(stdout.contains("1 uploaded, 1 failed"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sending Été.jpg"),
        "plain progress lines off a terminal"
    );

    // A file that is not there: this computer's side, exit code 7.
    let out = m.run(&["upload", &id, "/nonexistent/x.jpg", "--json"], None).await;
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(json(&out)["files"][0]["error"]["kind"], "file_unreadable");
    assert_eq!(s.media().len(), 2, "the photo twice, nothing else");
}

#[tokio::test]
async fn the_report_to_send_says_what_helps_and_holds_no_secret() {
    if !keyring_here("the_report_to_send_says_what_helps_and_holds_no_secret") {
        return;
    }
    let (s, _) =
        site(Knobs { app_passwords: true, app_passwords_in_use: true, ..Default::default() }).await;
    let app_password = "abcd EFGH ijkl MNOP qrst UVWX";
    s.add_app_password(3, "pasted by hand", app_password);
    let mut m = Machine::new();
    let logs = tempfile::tempdir().unwrap();
    m.env.push(("WPCONNECT_LOG_DIR".into(), logs.path().display().to_string()));
    // Two accounts: the password fallback (OAuth 2 tokens and the client secret in the keyring)
    // and a pasted Application Password.
    let oauth = m.password_login(&s.url()).await;
    let login = [
        "login",
        &s.url(),
        "--method",
        "app-password",
        "--username",
        "grace",
        "--password-stdin",
        "--json",
    ];
    let out = m.run(&login, Some(&format!("{app_password}\n"))).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tokens = s.issued_tokens();
    assert!(tokens.len() >= 2, "{tokens:?}");

    // Secrets planted where a careless program would leave them: the log, in the forms log lines
    // take and bare, and the environment.
    let mut planted = tokens.clone();
    planted.extend(["s3cret", "hopper-1906", app_password].map(String::from));
    let log = [
        format!("request Authorization: Bearer {}", tokens[0]),
        format!(
            "token answer {{\"access_token\":\"{}\",\"refresh_token\":\"{}\"}}",
            tokens[0], tokens[1]
        ),
        "form grant_type=password&username=grace&password=hopper-1906&client_secret=s3cret".into(),
        format!("a bare token: {} and {}", tokens[0], tokens[1]),
        format!("a bare Application Password: {app_password}"),
    ]
    .join("\n");
    std::fs::write(logs.path().join("wpconnect.log"), log).unwrap();
    m.env.push(("WPCONNECT_PLANTED".into(), planted.join(" ")));

    let text = m.run(&["report"], None).await;
    let doc = m.run(&["report", "--json"], None).await;
    let file = m.config.path().join("report.txt");
    let written =
        m.run(&["report", "--offline", "--output", &file.display().to_string()], None).await;
    for out in [&text, &doc, &written] {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let doc = json(&doc);
    let kept = std::fs::read_to_string(&file).unwrap();
    for secret in &planted {
        for (what, report) in [("text", &text), ("json", &doc.to_string()), ("file", &kept)] {
            assert!(
                !report.contains(secret.as_str()),
                "the {what} report holds {secret}: {report}"
            );
        }
    }

    // What helps whoever reads it is there.
    assert_eq!(doc["schema"], "wpconnect.report/1");
    assert_eq!(doc["accounts"].as_array().unwrap().len(), 2, "{doc}");
    assert_eq!(doc["keyring"]["works"], true, "{doc}");
    assert_eq!(doc["log"]["lines"].as_array().unwrap().len(), 5);
    let summary = doc["sites"][0]["summary"].as_str().unwrap();
    assert!(summary.contains("passed") && summary.contains("skipped"), "{summary}");
    assert!(
        text.contains(&oauth) && text.contains("Keyring: ") && text.contains(": works"),
        "{text}"
    );
    assert!(text.contains(&format!("Site {}/", s.url())), "{text}");
    assert!(!kept.contains("Site http"), "--offline: no site was checked: {kept}");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
}

/// The keys of WP Connect's keyring items for accounts on the site at `port`, read over the
/// Secret Service by another client of it (`secret-tool`), not through WP Connect.
fn keyring_keys_for(port: u16) -> Vec<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", wpconnect_core::store::SERVICE])
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let site = format!(":{port}");
    let mut keys: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("attribute.username = "))
        .filter(|k| k.contains(&site))
        .map(str::to_string)
        .collect();
    keys.sort();
    keys
}

/// The error document of a failed `--json` run: (kind, message, hint).
fn error_of(out: &Output) -> (String, String, String) {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "an error document on stdout; stdout: {} stderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let field = |k: &str| doc["error"][k].as_str().unwrap_or_default().to_string();
    (field("kind"), field("message"), field("hint"))
}

/// This computer's faults, each against signing in (and listing accounts where the fault is
/// in the accounts file): a clear word, and nothing lost: the accounts file (its bytes), WP
/// Connect's keyring items for the site (counted over the Secret Service) and the tokens the
/// site holds, before and after. A kill (SIGKILL) at moments spread over a sign-in leaves no
/// half account, no corrupt file and no keyring item that no account names. Printed as a table.
/// (A locked keyring: `a_locked_keyring_is_named_with_its_remedy`. A read-only folder cannot
/// be played here: the tests run as root, whom permissions do not stop.)
#[tokio::test]
async fn this_computers_faults_lose_nothing() {
    if !keyring_here("this_computers_faults_lose_nothing") {
        return;
    }
    let (s, _) = site(Knobs::default()).await;
    let url = s.url();
    let port = s.server().port();
    let login = grace_by_password(&url);
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut judge = |fault: &str, out: &Output, kinds: &[&str], problems: Vec<String>| {
        let (kind, message, hint) = error_of(out);
        let mut problems = problems;
        if out.status.success() {
            problems.push("it succeeded".into());
        }
        if !kinds.contains(&kind.as_str()) {
            problems.push(format!("said {kind} (\"{message}\"), expected one of {kinds:?}"));
        }
        if message.is_empty() || hint.is_empty() {
            problems.push(format!("no clear word: \"{message}\" / \"{hint}\""));
        }
        let lower = message.to_lowercase();
        if ["zbus", "dbus error", "(os error"].iter().any(|w| lower.contains(w)) {
            problems.push(format!("a library's words shown: \"{message}\""));
        }
        let verdict = if problems.is_empty() { "clear" } else { "FAIL" };
        if !problems.is_empty() {
            failures.push(format!("{fault}: {}", problems.join("; ")));
        }
        rows.push((format!("{fault:<40} {verdict}"), format!("{message} | {hint}")));
    };

    // The keyring is absent: no D-Bus session to reach it through.
    let mut m = Machine::new();
    m.env.retain(|(k, _)| k != "DBUS_SESSION_BUS_ADDRESS");
    m.env.push(("DBUS_SESSION_BUS_ADDRESS".into(), "unix:path=/nonexistent/bus".into()));
    let out = m.run(&login, Some("hopper-1906\n")).await;
    let mut lost = Vec::new();
    if m.config.path().join("accounts.json").exists() {
        lost.push("an accounts file was written".into());
    }
    if s.live_tokens() != (0, 0) {
        lost.push(format!("tokens live on the site: {:?}", s.live_tokens()));
    }
    judge("keyring absent (no D-Bus session) × sign-in", &out, &["keyring_unavailable"], lost);

    // The accounts file is corrupt, or cut short: never replaced, never read as "no accounts".
    for (what, bytes) in [
        ("corrupt", b"\x00\x13garbage{{{".to_vec()),
        ("truncated", br#"{"version":1,"accounts":[{"id":"grace@127.0.0.1:1","meth"#.to_vec()),
    ] {
        let m = Machine::new();
        let file = m.config.path().join("accounts.json");
        std::fs::write(&file, &bytes).unwrap();
        let listed = m.run(&["accounts", "--json"], None).await;
        let mut lost = Vec::new();
        if std::fs::read(&file).unwrap() != bytes {
            lost.push("the file was changed".into());
        }
        let (_, message, _) = error_of(&listed);
        if !message.contains("accounts.json") {
            lost.push(format!("the file is not named: {message}"));
        }
        judge(&format!("accounts file {what} × accounts"), &listed, &["config_file"], lost);
        let out = m.run(&login, Some("hopper-1906\n")).await;
        let mut lost = Vec::new();
        if std::fs::read(&file).unwrap() != bytes {
            lost.push("the file was replaced".into());
        }
        if !keyring_keys_for(port).is_empty() {
            lost.push(format!("keyring items left: {:?}", keyring_keys_for(port)));
        }
        if s.live_tokens() != (0, 0) {
            lost.push(format!("tokens live on the site: {:?}", s.live_tokens()));
        }
        judge(&format!("accounts file {what} × sign-in"), &out, &["config_file"], lost);
    }

    // The disk is full: no file may grow (RLIMIT_FSIZE 0, its signal ignored so writes fail
    // with "File too large" as on a full disk, rather than killing the process).
    let m = Machine::new();
    let mut cmd = tokio::process::Command::new("bash");
    cmd.args([
        "-c",
        "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_wpconnect"),
    ])
    .args(login)
    .env_clear();
    for (k, v) in &m.env {
        cmd.env(k, v);
    }
    let out = finish(cmd, "hopper-1906\n").await;
    let mut lost = Vec::new();
    let file = m.config.path().join("accounts.json");
    if std::fs::metadata(&file).is_ok_and(|f| f.len() > 0) {
        lost.push("an accounts file was written".into());
    }
    let strays: Vec<_> = std::fs::read_dir(m.config.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".tmp") || n.starts_with('.'))
        .collect();
    if !strays.is_empty() {
        lost.push(format!("temporary files left: {strays:?}"));
    }
    if !keyring_keys_for(port).is_empty() {
        lost.push(format!("keyring items no account names: {:?}", keyring_keys_for(port)));
    }
    if s.live_tokens() != (0, 0) {
        lost.push(format!("the issued tokens are live on the site: {:?}", s.live_tokens()));
    }
    judge("disk full (no file may grow) × sign-in", &out, &["config_file"], lost);

    // Killed (SIGKILL) at moments spread over a sign-in: whatever moment, what is left is
    // whole: no account, or one account with its secrets.
    let mut kills = Vec::new();
    for after_ms in (0..16u64).map(|i| 5 + i * 10).chain([200, 300]) {
        let m = Machine::new();
        let mut cmd = m.command(&login);
        cmd.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(b"hopper-1906\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(after_ms)).await;
        let killed = child.start_kill().is_ok();
        let status = child.wait().await.unwrap();
        // What the person sees next: the next run of WP Connect (listing the accounts) first
        // finishes what the killed one left.
        let listed = m.run(&["accounts", "--json"], None).await;
        assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
        let file = m.config.path().join("accounts.json");
        let accounts: Vec<String> = match std::fs::read(&file) {
            Err(_) => Vec::new(),
            Ok(b) => match serde_json::from_slice::<serde_json::Value>(&b) {
                Ok(doc) => doc["accounts"]
                    .as_array()
                    .map(|a| a.iter().map(|x| x["id"].as_str().unwrap_or("").to_string()).collect())
                    .unwrap_or_default(),
                Err(e) => {
                    failures
                        .push(format!("killed after {after_ms} ms: a corrupt accounts file ({e})"));
                    Vec::new()
                }
            },
        };
        let keys = keyring_keys_for(port);
        let orphans: Vec<&String> = keys
            .iter()
            .filter(|k| !accounts.iter().any(|a| k.starts_with(&format!("{a}/"))))
            .collect();
        if !orphans.is_empty() {
            failures.push(format!(
                "killed after {after_ms} ms: keyring items no account names: {orphans:?}"
            ));
        }
        for a in &accounts {
            if !keys.iter().any(|k| k.starts_with(&format!("{a}/"))) {
                failures
                    .push(format!("killed after {after_ms} ms: account {a} without its secrets"));
            }
        }
        let stage = if status.success() || !killed {
            "finished"
        } else if accounts.is_empty() {
            "nothing kept"
        } else {
            "account kept whole"
        };
        kills.push(format!("{after_ms} ms: {stage}"));
        // The next run starts clean: sign out what this one kept (revoking it on the site).
        for a in &accounts {
            let out = m.run(&["logout", a, "--json"], None).await;
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        for k in orphans {
            let _ = std::process::Command::new("secret-tool")
                .args(["clear", "service", wpconnect_core::store::SERVICE, "username", k])
                .status();
        }
    }
    rows.push((
        format!(
            "{:<40} {}",
            "killed (SIGKILL) during sign-in",
            if failures.iter().any(|f| f.starts_with("killed")) { "FAIL" } else { "whole" }
        ),
        kills.join(", "),
    ));

    println!("\n{:<40} verdict", "fault × operation");
    for (row, _) in &rows {
        println!("{row}");
    }
    println!("\nWhat the person read:");
    for (row, said) in &rows {
        println!("{}: {said}", row.split("  ").next().unwrap_or(row).trim());
    }
    println!(
        "\ntokens live on the site after the kills (issued to a process killed before it could \
         keep or end them; each expires on the site): {:?}",
        s.live_tokens()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
