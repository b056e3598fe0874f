//! Drives the real WP Connect window through WebDriver: `tauri-driver` (which starts
//! WebKitWebDriver) on loopback ports, the app binary built with its front end embedded.
//!
//! The test command (`scripts/test.sh`) builds the app, installs the drivers, runs the tests under
//! Xvfb and sets `WPCONNECT_TEST_APP` to the binary. Run outside it, the tests skip loudly; under
//! it (`WPCONNECT_TEST_COMMAND` set), anything missing is a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

/// The app under test, or `None` (with a loud message) when not run by the test command.
pub fn app_under_test() -> Option<PathBuf> {
    match std::env::var_os("WPCONNECT_TEST_APP") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(p.is_file(), "WPCONNECT_TEST_APP={} is not a file", p.display());
            Some(p)
        }
        None if std::env::var_os("WPCONNECT_TEST_COMMAND").is_some() => {
            panic!("WPCONNECT_TEST_APP is not set: scripts/test.sh must build the app and set it")
        }
        None => {
            eprintln!(
                "\n*** SKIPPED: GUI test needs the app and tauri-driver; run scripts/test.sh ***\n"
            );
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0").local_addr().unwrap().port()
}

/// Where screenshots go: `tests/.state/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.state/screenshots");
    std::fs::create_dir_all(&dir).expect("create screenshot dir");
    dir
}

/// A running app with a WebDriver session on it. Dropping it ends the session and the drivers.
pub struct App {
    /// One app window at a time: the app is single-instance, a second one would hand over.
    _one_at_a_time: Option<tokio::sync::MutexGuard<'static, ()>>,
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
    /// When the app was asked to start (the WebDriver session requested).
    started: Instant,
}

impl App {
    /// Start `tauri-driver` on free loopback ports and open a session on `app`, with `env` added
    /// to the app's environment (tauri-driver passes its own environment on).
    pub async fn launch(app: &Path, env: &[(&str, &str)]) -> App {
        static ONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let guard = ONE.lock().await;
        // A free port can be taken by another test's server before the driver binds it: the
        // driver then exits, and is started again on other ports.
        let mut attempt = 0;
        let app_ = loop {
            attempt += 1;
            let (port, native) = (free_port(), free_port());
            let mut cmd = Command::new(
                std::env::var("WPCONNECT_TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()),
            );
            cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::inherit());
            for (k, v) in env {
                cmd.env(k, v);
            }
            let driver =
                cmd.spawn().expect("start tauri-driver (cargo install tauri-driver@^2 --locked)");
            let http = reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap();
            let mut candidate = App {
                _one_at_a_time: None,
                http,
                base: format!("http://127.0.0.1:{port}"),
                session: String::new(),
                driver,
                started: Instant::now(),
            };
            // The driver needs a moment to listen.
            let deadline = Instant::now() + Duration::from_secs(20);
            let up = loop {
                if candidate.driver.try_wait().ok().flatten().is_some() {
                    break Err("tauri-driver exited (its port was taken?)".to_string());
                }
                match candidate.call("GET", "/status", None).await {
                    Ok(_) => break Ok(()),
                    Err(e) if Instant::now() > deadline => break Err(e),
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            };
            match up {
                Ok(()) => break candidate,
                Err(e) if attempt >= 3 => panic!("tauri-driver did not come up: {e}"),
                Err(_) => {
                    let _ = candidate.driver.kill();
                }
            }
        };
        let mut app_ = app_;
        app_._one_at_a_time = Some(guard);
        let caps =
            json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app}}}});
        app_.started = Instant::now();
        let v = app_
            .call("POST", "/session", Some(caps))
            .await
            .expect("open a WebDriver session on the app");
        app_.session = v["sessionId"].as_str().expect("sessionId").to_string();
        app_
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{}", self.base, path);
        let req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .body(body.unwrap_or_else(|| json!({})).to_string()),
        };
        let resp = req.send().await.map_err(|e| e.to_string())?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_str(&text).map_err(|_| format!("{status}: {text}"))?;
        if !status.is_success() {
            return Err(format!("{status}: {}", v["value"]));
        }
        Ok(v["value"].clone())
    }

    async fn session_call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        self.call(method, &format!("/session/{}{}", self.session, path), body).await
    }

    /// The text of the element matching `css`, once it exists (when the page re-renders between
    /// finding and reading, the new element is read).
    pub async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let id = self.find(css).await;
            match self.session_call("GET", &format!("/element/{id}/text"), None).await {
                Ok(v) => return v.as_str().unwrap_or_default().to_string(),
                Err(e) if e.contains("stale element reference") && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("text of {css}: {e}"),
            }
        }
    }

    /// Wait (up to `timeout`) until the text of `css` satisfies `pred`; return it. Panics with the
    /// last text seen, which is what a person would have been looking at.
    pub async fn wait_for_text(
        &self,
        css: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(id) = self.try_find(css).await {
                if let Ok(v) = self.session_call("GET", &format!("/element/{id}/text"), None).await
                {
                    last = v.as_str().unwrap_or_default().to_string();
                    if pred(&last) {
                        return last;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never showed what was expected; last text: {last:?}");
    }

    async fn try_find(&self, css: &str) -> Result<String, String> {
        let v = self
            .session_call("POST", "/element", Some(json!({"using": "css selector", "value": css})))
            .await?;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("no element id in {v}"))
    }

    pub async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.try_find(css).await {
                Ok(id) => return id,
                Err(e) if Instant::now() > deadline => panic!("no element {css}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Click the element matching `css` (waiting for it to exist). When the page re-renders
    /// between finding and clicking ("stale element reference"), the new one is clicked, as a
    /// person clicks the button they see.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let id = self.find(css).await;
            self.scroll_to(&id).await;
            match self.session_call("POST", &format!("/element/{id}/click"), None).await {
                Ok(_) => return,
                Err(e) if e.contains("stale element reference") && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("click {css}: {e}"),
            }
        }
    }

    /// Scroll the element into view, as a person scrolls to what they click or type into:
    /// WebKitWebDriver does not scroll inside the page's own scrolling area (below the header).
    async fn scroll_to(&self, id: &str) {
        let _ = self
            .session_call(
                "POST",
                "/execute/sync",
                Some(json!({
                    "script": "arguments[0].scrollIntoView({block: 'center'}); return true",
                    "args": [{"element-6066-11e4-a52e-4f735466cecf": id}],
                })),
            )
            .await;
    }

    /// Replace the text of the input matching `css` with `text`, as typed.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.scroll_to(&id).await;
        self.session_call("POST", &format!("/element/{id}/clear"), None)
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        self.session_call("POST", &format!("/element/{id}/value"), Some(json!({"text": text})))
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Choose files in the file input matching `css`, as a person does in the file dialog.
    pub async fn choose_files(&self, css: &str, paths: &[PathBuf]) {
        let id = self.find(css).await;
        let text: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text.join("\n")})),
        )
        .await
        .unwrap_or_else(|e| panic!("choose files in {css}: {e}"));
    }

    /// The `value` of the input matching `css`.
    pub async fn value(&self, css: &str) -> String {
        self.script("return document.querySelector(arguments[0])?.value ?? null", json!([css]))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Whether an element matches `css` now.
    pub async fn exists(&self, css: &str) -> bool {
        self.script("return document.querySelector(arguments[0]) !== null", json!([css])).await
            == json!(true)
    }

    /// Wait until an element matches `css`; panics with the page's text if it never does.
    pub async fn wait_for(&self, css: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.exists(css).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never appeared; the window showed: {:?}", self.page_text().await);
    }

    /// Everything the window shows, as text.
    pub async fn page_text(&self) -> String {
        self.script("return document.body.innerText", json!([]))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Press keys as a person does on the keyboard (WebDriver key actions: `"\u{E004}"` is Tab,
    /// `"\u{E009}"` Control); `chord` keys are held down together, then let go in reverse.
    pub async fn press(&self, chord: &[&str]) {
        let mut actions: Vec<Value> =
            chord.iter().map(|k| json!({"type": "keyDown", "value": k})).collect();
        actions.extend(chord.iter().rev().map(|k| json!({"type": "keyUp", "value": k})));
        self.session_call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await
        .unwrap_or_else(|e| panic!("press {chord:?}: {e}"));
        let _ = self.session_call("DELETE", "/actions", None).await;
    }

    /// What has the keyboard focus: its `data-testid`, else its id, else its tag and text.
    pub async fn focused(&self) -> String {
        self.script(
            "const e = document.activeElement; return e ? (e.dataset.testid || e.id || \
             (e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().slice(0, 80))) : ''",
            json!([]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Open every folded "Details" on the screen, as a curious person would.
    pub async fn open_details(&self) {
        self.script(
            "document.querySelectorAll('details').forEach(d => d.open = true); return true",
            json!([]),
        )
        .await;
    }

    /// The words from `JARGON` the window shows right now in what matches `css` (folded details do
    /// not show).
    pub async fn jargon_shown(&self, css: &str) -> Vec<String> {
        let found = self
            .script(
                "const text = [...document.querySelectorAll(arguments[1])].map(e => \
                 e.innerText).join('\\n'); return arguments[0].flatMap(src => { \
                 const m = text.match(new RegExp(src, 'im')); return m ? [src + ' → ' + \
                 JSON.stringify(m[0])] : []; })",
                json!([JARGON, css]),
            )
            .await;
        serde_json::from_value(found).unwrap_or_default()
    }

    /// The lowest contrast between any visible text on the screen and what is behind it, with the
    /// element it was measured on (WCAG 2 relative luminance; disabled controls left out, as WCAG
    /// leaves them out).
    pub async fn lowest_contrast(&self) -> (f64, String) {
        let v = self.script(CONTRAST_JS, json!([])).await;
        (v[0].as_f64().unwrap_or(0.0), v[1].as_str().unwrap_or_default().to_string())
    }

    /// Whether the element matching `css` is entirely inside the window's visible area.
    pub async fn in_view(&self, css: &str) -> bool {
        self.script(
            "const e = document.querySelector(arguments[0]); if (!e || !e.getClientRects().length) \
             return false; const r = e.getBoundingClientRect(); \
             return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth",
            json!([css]),
        )
        .await
            == json!(true)
    }

    /// Scroll the screen to its end, as a person does with the End key or the scroll bar.
    pub async fn scroll_to_end(&self) {
        self.script(
            "const s = document.querySelector('.scroller') || document.scrollingElement; \
             s.scrollTo(0, s.scrollHeight); return true",
            json!([]),
        )
        .await;
    }

    /// Whether the screen needs scrolling sideways (it should reflow instead).
    pub async fn scrolls_sideways(&self) -> bool {
        self.script(
            "return [document.documentElement, document.querySelector('.scroller')].some(e => e && \
             e.scrollWidth > e.clientWidth)",
            json!([]),
        )
        .await
            == json!(true)
    }

    /// Go to one of the app's screens (`#/add`, ...), as a link would.
    pub async fn go(&self, hash: &str) {
        self.script("location.hash = arguments[0]; return true", json!([hash])).await;
    }

    /// Run `script` in the page (synchronously) with `args`; its return value.
    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.session_call("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Call one of the app's commands from the page, as the front end does; `Ok` with its result or
    /// `Err` with the `{kind, message, hint}` error.
    pub async fn invoke(
        &self,
        command: &str,
        args: Value,
        timeout: Duration,
    ) -> Result<Value, Value> {
        let ms = timeout.as_millis() as u64;
        self.session_call("POST", "/timeouts", Some(json!({"script": ms + 5000})))
            .await
            .expect("set script timeout");
        let script = "const [cmd, args, done] = arguments; window.__TAURI_INTERNALS__.invoke(cmd, \
                      args).then(r => done({ok: r}), e => done({err: e}));";
        let v = self
            .session_call(
                "POST",
                "/execute/async",
                Some(json!({"script": script, "args": [command, args]})),
            )
            .await
            .expect("the command answered");
        match v.get("ok") {
            Some(ok) => Ok(ok.clone()),
            None => Err(v.get("err").cloned().unwrap_or(v)),
        }
    }

    /// The window title as the page sets it.
    pub async fn title(&self) -> String {
        self.session_call("GET", "/title", None)
            .await
            .expect("title")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Save a PNG of the window to `tests/.state/screenshots/<name>.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // Let the page paint what the DOM already holds: two animation frames.
        let paint = json!({"script": "const done = arguments[arguments.length - 1]; \
                                      requestAnimationFrame(() => requestAnimationFrame(() => \
                                      done(true)));", "args": []});
        self.session_call("POST", "/execute/async", Some(paint)).await.expect("wait for paint");
        let v = self.session_call("GET", "/screenshot", None).await.expect("screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("base64 png"))
            .expect("valid base64");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// A screenshot is a picture of this window's page: the page's size in device pixels, and
    /// something drawn on it (a blank or one-colour frame has a handful of colours; a page of text
    /// with anti-aliasing has hundreds).
    pub async fn assert_picture_of_the_page(&self, shot: &Path) {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(shot).expect("the screenshot"),
        ));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
        let frame = reader.next_frame(&mut buf).expect("one frame");
        let px = &buf[..frame.buffer_size()];
        let size = self
            .script(
                "return [window.innerWidth * window.devicePixelRatio, \
                 window.innerHeight * window.devicePixelRatio]",
                json!([]),
            )
            .await;
        let (w, h) = (
            size[0].as_f64().unwrap_or(0.0).round() as u32,
            size[1].as_f64().unwrap_or(0.0).round() as u32,
        );
        assert!(
            frame.width.abs_diff(w) <= 1 && frame.height.abs_diff(h) <= 1,
            "{}: {}x{}, the page is {w}x{h}",
            shot.display(),
            frame.width,
            frame.height
        );
        let step = frame.color_type.samples();
        let colours: std::collections::HashSet<&[u8]> =
            px.chunks(step).map(|c| &c[..3.min(step)]).collect();
        assert!(
            colours.len() > 50,
            "{}: only {} colours, a blank frame?",
            shot.display(),
            colours.len()
        );
    }

    /// When the app was asked to start.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The tauri-driver process (the app and its WebKit processes run below it).
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    pub async fn close(mut self) {
        let _ = self.session_call("DELETE", "", None).await;
        self.session.clear();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // SIGTERM first: tauri-driver stops its WebKitWebDriver only then (a SIGKILL orphans it).
        // The app itself is ended too: after a failed test no session was closed, and a window
        // left running would take the next launches (the app is single-instance).
        let tree = descendants(self.driver.id());
        let _ = Command::new("kill").args(["-TERM", &self.driver.id().to_string()]).status();
        for pid in tree.iter().rev() {
            // Some have gone with their parent already.
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        // Wait for the app to be gone: until then it holds the single-instance name, and the next
        // launch would hand over to it.
        let deadline = Instant::now() + Duration::from_secs(10);
        while tree.iter().any(|p| Path::new(&format!("/proc/{p}")).exists())
            && Instant::now() < deadline
        {
            let _ = self.driver.try_wait();
            std::thread::sleep(Duration::from_millis(50));
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.driver.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Every process below `pid` (children first, then theirs), read from /proc.
pub fn descendants(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let p: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // The parent is the 2nd field after the parenthesised command name.
            let after = stat.rsplit_once(')')?.1;
            let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((p, ppid))
        })
        .collect();
    let mut out = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for (child, _) in parents.iter().filter(|(_, pp)| *pp == p) {
            out.push(*child);
            frontier.push(*child);
        }
    }
    out
}

/// Words a blogger should never meet on the screens everyone uses (as JavaScript regular
/// expressions, matched case-insensitively against the window's visible text): protocol names,
/// OAuth client terms, where secrets are kept by their technical names, API words, a command-line
/// flag, a raw `snake_case` capability name.
pub const JARGON: &[&str] = &[
    r"PKCE",
    r"OAuth",
    r"client ID",
    r"client secret",
    r"consumer (key|secret)",
    r"confidential",
    r"redirect (port|URI)",
    r"callback port",
    r"keyring",
    r"Secret Service",
    r"\bREST\b",
    r"\bAPI\b",
    r"namespace",
    r"fallback",
    r"connection refused",
    r"\btokens?\b",
    r"\bscopes?\b",
    r"(^|\s)--[a-z]",
    r"\b[a-z]+_[a-z_]+\b",
];

const CONTRAST_JS: &str = r#"
const rgb = (c) => { const m = c.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const behind = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if ((c[3] ?? 1) > 0) return c; } return [255, 255, 255]; };
let worst = [99, ""];
for (const el of document.querySelectorAll("body *")) {
  if (el.closest("[disabled], .visually-hidden, details:not([open]) > :not(summary)")) continue;
  const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length) continue;
  const st = getComputedStyle(el);
  if (st.visibility === "hidden" || Number(st.opacity) === 0) continue;
  const a = lum(rgb(st.color)), b = lum(behind(el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < worst[0]) worst = [Math.round(ratio * 100) / 100, `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${st.color} on ${behind(el)}`];
}
return worst;
"#;
