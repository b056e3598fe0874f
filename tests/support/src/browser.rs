//! A scripted "person at a browser": follows redirects, keeps cookies, fills in WordPress's login
//! form, answers a consent screen, and ends where the site sends it (the app's loopback
//! callback). Loopback only: it refuses to visit any other address.

use std::collections::HashMap;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

/// What the person does on a consent screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
}

#[derive(Debug, Clone)]
pub struct TestBrowser {
    pub username: String,
    pub password: String,
    pub consent: Consent,
    /// An extra trusted certificate authority (PEM) and names sent to loopback sockets, for
    /// sites served over https by [`crate::Server::start_https`].
    pub tls: Option<(String, Vec<(String, std::net::SocketAddr)>)>,
}

/// Where the visit ended.
#[derive(Debug, Clone)]
pub struct Visit {
    pub status: u16,
    pub url: String,
    pub body: String,
    /// Every address visited, in order.
    pub trail: Vec<String>,
}

impl TestBrowser {
    pub fn new(username: &str, password: &str, consent: Consent) -> Self {
        TestBrowser { username: username.into(), password: password.into(), consent, tls: None }
    }

    /// Trust `ca_pem` too, and reach each name at its loopback socket (as its DNS would).
    pub fn with_tls(mut self, ca_pem: &str, names: &[(&str, std::net::SocketAddr)]) -> Self {
        assert!(
            names.iter().all(|(_, a)| a.ip().is_loopback()),
            "the test browser only visits loopback"
        );
        self.tls =
            Some((ca_pem.to_string(), names.iter().map(|(n, a)| (n.to_string(), *a)).collect()));
        self
    }

    /// Visit `start` and go where the pages lead, acting as the person would.
    pub async fn visit(&self, start: &str) -> Result<Visit, String> {
        self.visit_until(start, |_| false).await
    }

    /// Like [`visit`](Self::visit), but stop before requesting the first address `stop` picks
    /// (returned as the visit's `url`, with status 0).
    pub async fn visit_until(
        &self,
        start: &str,
        stop: impl Fn(&url::Url) -> bool,
    ) -> Result<Visit, String> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(std::time::Duration::from_secs(20));
        let mut names: Vec<String> = Vec::new();
        if let Some((ca, resolve)) = &self.tls {
            builder = builder.tls_certs_merge([
                reqwest::Certificate::from_pem(ca.as_bytes()).map_err(|e| e.to_string())?
            ]);
            for (name, addr) in resolve {
                builder = builder.resolve(name, *addr);
                names.push(name.to_ascii_lowercase());
            }
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        let mut cookies: HashMap<String, String> = HashMap::new();
        let mut url = url::Url::parse(start).map_err(|e| format!("{start}: {e}"))?;
        let mut form: Option<Vec<(String, String)>> = None;
        let mut trail = Vec::new();
        // WordPress keeps a user's sessions in one user-meta row, read and written back whole: two
        // logins of the same user at the same moment (tests running side by side) can each drop
        // the other's session, and the loser's next page says "Please log in again." A person
        // logs in again; so does this browser, up to three times (a wrong password stops there).
        let mut logins = 0;
        for _ in 0..25 {
            if stop(&url) {
                return Ok(Visit { status: 0, url: url.to_string(), body: String::new(), trail });
            }
            if !is_loopback(&url)
                && !url.host_str().is_some_and(|h| names.contains(&h.to_ascii_lowercase()))
            {
                return Err(format!("the test browser only visits loopback addresses, not {url}"));
            }
            trail.push(url.to_string());
            let cookie =
                cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let mut req = match &form {
                Some(f) => client
                    .post(url.clone())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(
                        url::form_urlencoded::Serializer::new(String::new())
                            .extend_pairs(f.iter())
                            .finish(),
                    ),
                None => client.get(url.clone()),
            };
            if !cookie.is_empty() {
                req = req.header(COOKIE, cookie);
            }
            let resp = req.send().await.map_err(|e| format!("{url}: {e}"))?;
            form = None;
            for c in resp.headers().get_all(SET_COOKIE) {
                if let Some((k, v)) =
                    c.to_str().unwrap_or("").split(';').next().and_then(|kv| kv.split_once('='))
                {
                    cookies.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
            let status = resp.status().as_u16();
            if (300..400).contains(&status) {
                let loc = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                url = url.join(&loc).map_err(|e| format!("bad Location {loc}: {e}"))?;
                continue;
            }
            let body = resp.text().await.unwrap_or_default();
            if body.contains("id=\"loginform\"")
                && logins < 3
                && (logins == 0 || asked_again(&body))
            {
                logins += 1;
                let mut f = hidden_inputs(&body);
                f.retain(|(k, _)| k != "log" && k != "pwd");
                f.push(("log".into(), self.username.clone()));
                f.push(("pwd".into(), self.password.clone()));
                if !f.iter().any(|(k, _)| k == "wp-submit") {
                    f.push(("wp-submit".into(), "Log In".into()));
                }
                url = url
                    .join(
                        &form_action(&body, "loginform").unwrap_or_else(|| "/wp-login.php".into()),
                    )
                    .map_err(|e| e.to_string())?;
                form = Some(f);
                continue;
            }
            // WordPress's own "Authorize Application" page (wp-admin/authorize-application.php).
            if body.contains("value=\"authorize_application_password\"") {
                let mut f = form_inputs(&body);
                f.push(if self.consent == Consent::Allow {
                    ("approve".into(), "Yes, I approve of this connection".into())
                } else {
                    ("reject".into(), "No, I do not approve of this connection".into())
                });
                let at = body.find("authorize_application_password").unwrap_or(0);
                let start = body[..at].rfind("<form").unwrap_or(0);
                let tag_end = body[start..].find('>').map(|e| e + start).unwrap_or(start);
                let action =
                    attr(&body[start..tag_end], "action").map(|a| unescape(&a)).unwrap_or_default();
                url = url.join(&action).map_err(|e| e.to_string())?;
                form = Some(f);
                continue;
            }
            // The real plugins' consent pages: the OAuth 1.0a server's
            // (wp-login.php?action=oauth1_authorize)
            // and the WP REST API team's OAuth 2 plugin's (action=oauth2_authorize): a form whose
            // `wp-submit` button is "authorize" or "cancel", with a nonce among its hidden inputs.
            if let Some(id) = ["oauth1_authorize_form", "oauth2_authorize_form"]
                .into_iter()
                .find(|id| body.contains(&format!("id=\"{id}\"")))
            {
                let mut f = hidden_inputs(&body);
                f.push((
                    "wp-submit".into(),
                    if self.consent == Consent::Allow { "authorize" } else { "cancel" }.into(),
                ));
                url = url
                    .join(&form_action(&body, id).unwrap_or_default())
                    .map_err(|e| e.to_string())?;
                form = Some(f);
                continue;
            }
            if body.contains("id=\"consent\"") {
                let mut f = hidden_inputs(&body);
                f.push((
                    "authorize".into(),
                    if self.consent == Consent::Allow { "allow" } else { "deny" }.into(),
                ));
                url = url
                    .join(&form_action(&body, "consent").unwrap_or_default())
                    .map_err(|e| e.to_string())?;
                form = Some(f);
                continue;
            }
            return Ok(Visit { status, url: url.to_string(), body, trail });
        }
        Err(format!("too many steps; visited {trail:?}"))
    }
}

/// WordPress's login page after a session it issued was lost (not after a wrong password).
fn asked_again(login_page: &str) -> bool {
    login_page.contains("Please log in again.")
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// The `action` of the form with this id.
fn form_action(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let start = html[..at].rfind("<form")?;
    let tag_end = html[start..].find('>')? + start;
    attr(&html[start..tag_end], "action").map(|a| unescape(&a))
}

/// `(name, value)` of every hidden input.
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    inputs_of(html, &["hidden"])
}

/// `(name, value)` of every hidden and text input (what a form submits as it stands).
fn form_inputs(html: &str) -> Vec<(String, String)> {
    inputs_of(html, &["hidden", "text"])
}

fn inputs_of(html: &str, types: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<input") {
        let tag_end = rest[i..].find('>').map(|e| e + i).unwrap_or(rest.len());
        let tag = &rest[i..tag_end];
        if attr(tag, "type").is_some_and(|t| types.contains(&t.as_str())) {
            if let Some(name) = attr(tag, "name") {
                out.push((unescape(&name), unescape(&attr(tag, "value").unwrap_or_default())));
            }
        }
        rest = &rest[tag_end..];
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    for quote in ['"', '\''] {
        let key = format!(" {name}={quote}");
        if let Some(i) = tag.find(&key) {
            let v = &tag[i + key.len()..];
            return v.find(quote).map(|e| v[..e].to_string());
        }
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#038;", "&")
        .replace("&amp;", "&")
}
