//! WordPress core's Application Passwords (WordPress 5.6+): the person approves this app in their
//! browser and WordPress hands back a password for it; or, as a last resort, the person pastes
//! one they created in their profile. Used with HTTP Basic on the REST API.
//!
//! WordPress has no `state`: our one-time nonce rides in `success_url`'s query (WordPress keeps
//! it) and is checked on the way back, with the `site_url` WordPress reports (it must be there,
//! and name the origin discovery verified, scheme included).
//!
//! WordPress hands the approved password over in a URL: the loopback's query string (kept in the
//! browser's history) or a `wpconnect:` URL on a second process's command line (visible to other
//! users in `ps`). So the session swaps it at once for one that never left this program (made
//! over REST with the received one, which is then deleted): see [`successor_name`].

mod flow;

use std::collections::HashMap;

use url::Url;

use crate::error::{Error, Result};
use crate::secret::AccessToken;

/// WP Connect's fixed `app_id`: lets site admins recognise (and revoke) our passwords.
pub const APP_ID: &str = "6f1c1a8e-5d2b-4f63-9a57-3c0f2e7b9d41";

/// Where WordPress sends the browser back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Return {
    /// The loopback listener: WordPress only accepts plain-http `success_url`s from sites whose
    /// environment type is `local`, so this is for local sites.
    Loopback(Url),
    /// The desktop app's URL scheme (`wpconnect://auth/callback`), for every other site.
    Scheme(Url),
}

/// An approval request about to be opened in the browser.
#[derive(Debug)]
pub struct ApprovalRequest {
    pub url: Url,
    pub nonce: String,
    pub app_name: String,
    /// The origin discovery verified: the answer must name it.
    origin: Url,
}

/// What the approval gave: the user and their new password for this app, as it arrived in a URL
/// (to be exchanged before it is kept).
#[derive(Debug)]
pub struct Approved {
    pub user_login: String,
    pub password: AccessToken,
    /// The name the person approved.
    pub app_name: String,
}

/// Where answers arriving through the app's URL scheme (`wpconnect://auth/callback?...`) go:
/// the desktop app hands every URL the operating system gives it to [`CallbackInbox::deliver`],
/// which passes it to the sign-in waiting for its nonce. Unknown or stale URLs are dropped.
#[derive(Debug, Default)]
pub struct CallbackInbox {
    waiting:
        std::sync::Mutex<HashMap<String, tokio::sync::oneshot::Sender<HashMap<String, String>>>>,
}

impl CallbackInbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// Wait for the answer that carries `nonce`.
    pub fn expect(&self, nonce: &str) -> tokio::sync::oneshot::Receiver<HashMap<String, String>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.waiting.lock().expect("not poisoned").insert(nonce.to_string(), tx);
        rx
    }

    /// Stop waiting for `nonce` (the sign-in ended some other way).
    pub fn forget(&self, nonce: &str) {
        self.waiting.lock().expect("not poisoned").remove(nonce);
    }

    /// Hand over a URL the operating system opened the app with. True when a sign-in took it.
    pub fn deliver(&self, url: &Url) -> bool {
        let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let Some(nonce) = params.get("nonce") else { return false };
        let waiter = self.waiting.lock().expect("not poisoned").remove(nonce);
        match waiter {
            Some(tx) => tx.send(params).is_ok(),
            None => false,
        }
    }
}

/// The URL scheme the desktop app registers.
pub const SCHEME_CALLBACK: &str = "wpconnect://auth/callback";

/// Can the loopback receive the approval for this site? WordPress accepts a plain-http
/// `success_url` only when the site's environment type is `local`, which nothing outside the
/// site can see; but it offers Application Passwords over plain http only then too. So: a site
/// on http, yes; a site on https, no, whatever its name (`https://blog.local` may well be a
/// production environment, and WordPress would refuse the return address on its own page).
pub fn loopback_possible(site_url: &Url) -> bool {
    site_url.scheme() == "http"
}

/// `app_name` must be unique per user: WordPress refuses a repeat ("Each application name should
/// be unique.") on its approval page, and the sign-in would wait in vain. The device and the
/// moment name it for the person; a short random tag keeps two sign-ins in the same second (the
/// CLI and the app, say) apart.
pub fn app_name(device: &str, now_unix: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(now_unix);
    let tag = tag_other_than("");
    format!("WP Connect on {device} ({y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02} UTC, #{tag})")
}

/// Four random hex digits, not `old`.
fn tag_other_than(old: &str) -> String {
    loop {
        let [a, b] = crate::crypto::random_bytes::<2>();
        let tag = format!("{a:02x}{b:02x}");
        if tag != old {
            return tag;
        }
    }
}

/// The name of the password that replaces an approved one (WordPress refuses a second password of
/// the same name while the first exists): the approved name with a new tag, so the profile still
/// reads as what the person approved.
pub fn successor_name(approved: &str) -> String {
    match approved.rsplit_once(", #") {
        Some((head, tail)) if tail.len() == 5 && tail.ends_with(')') => {
            format!("{head}, #{})", tag_other_than(&tail[..4]))
        }
        _ => format!("{approved} #{}", tag_other_than("")),
    }
}

/// Unix time to UTC calendar fields (days-from-civil inverse; no time zone database needed).
pub(crate) fn civil(t: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (t / 86_400) as i64;
    let secs = t % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 { y + 1 } else { y },
        m,
        d,
        (secs / 3600) as u32,
        (secs % 3600 / 60) as u32,
        (secs % 60) as u32,
    )
}

impl ApprovalRequest {
    /// `origin`: where discovery verified the site answered (scheme, host and port).
    pub fn new(
        authorization_url: &Url,
        origin: &Url,
        app_name: &str,
        back: &Return,
    ) -> ApprovalRequest {
        let nonce = crate::crypto::random_state();
        let mut success = match back {
            Return::Loopback(u) | Return::Scheme(u) => u.clone(),
        };
        success.query_pairs_mut().append_pair("nonce", &nonce);
        let mut reject = success.clone();
        reject.query_pairs_mut().append_pair("success", "false");
        let mut url = authorization_url.clone();
        url.query_pairs_mut()
            .append_pair("app_name", app_name)
            .append_pair("app_id", APP_ID)
            .append_pair("success_url", success.as_str())
            .append_pair("reject_url", reject.as_str());
        ApprovalRequest { url, nonce, app_name: app_name.to_string(), origin: origin.clone() }
    }

    /// Check what came back: our nonce, then refusal, then the site and the credentials.
    pub fn judge(&self, params: &HashMap<String, String>) -> Result<Approved> {
        match params.get("nonce") {
            Some(n) if crate::crypto::same(n, &self.nonce) => {}
            _ => return Err(Error::StateMismatch),
        }
        if params.get("success").map(String::as_str) == Some("false") {
            return Err(Error::AccessDenied {
                description: Some("the connection was not approved in WordPress".into()),
            });
        }
        // WordPress always names itself (`site_url()`); an answer that does not, or names another
        // site or the same host over another scheme, did not come from the site we asked.
        let reported = params.get("site_url").map(String::as_str).unwrap_or("");
        if !same_site(reported, &self.origin) {
            let reported = if reported.is_empty() {
                "an answer that does not name its site".to_string()
            } else {
                reported.to_string()
            };
            return Err(Error::SiteMismatch { expected: self.origin.clone(), reported });
        }
        let user_login = params.get("user_login").filter(|u| !u.is_empty()).cloned();
        let password = params.get("password").filter(|p| !p.is_empty()).cloned();
        match (user_login, password) {
            (Some(user_login), Some(password)) => Ok(Approved {
                user_login,
                password: AccessToken::new(password),
                app_name: self.app_name.clone(),
            }),
            _ => Err(Error::MissingCode {
                detail: Some("WordPress sent no user name or password back".into()),
            }),
        }
    }
}

/// Is `reported` (WordPress's `site_url`) the site we asked? Scheme, host and port must agree;
/// a path (WordPress in a folder), a trailing slash or a `www.` difference is not another site.
fn same_site(reported: &str, origin: &Url) -> bool {
    let Ok(r) = Url::parse(reported) else { return false };
    let host = |u: &Url| u.host_str().map(|h| h.trim_start_matches("www.").to_ascii_lowercase());
    r.scheme() == origin.scheme()
        && host(&r) == host(origin)
        && r.port_or_known_default() == origin.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ApprovalRequest {
        ApprovalRequest::new(
            &Url::parse("http://127.0.0.1:8080/wp-admin/authorize-application.php").unwrap(),
            &Url::parse("http://127.0.0.1:8080").unwrap(),
            "WP Connect on test",
            &Return::Loopback(Url::parse("http://127.0.0.1:5555/callback").unwrap()),
        )
    }

    fn p(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_request_carries_our_nonce_in_both_urls() {
        let r = request();
        let q: HashMap<_, _> = r.url.query_pairs().into_owned().collect();
        assert_eq!(q["app_id"], APP_ID);
        assert!(q["success_url"].ends_with(&format!("nonce={}", r.nonce)));
        assert!(q["reject_url"].ends_with("&success=false"));
    }

    #[test]
    fn approval_refusal_forgery_and_wrong_site() {
        let r = request();
        let n = r.nonce.clone();
        let ok = r
            .judge(&p(&[
                ("nonce", &n),
                ("site_url", "http://127.0.0.1:8080/"),
                ("user_login", "author"),
                ("password", "abcd efgh ijkl mnop qrst uvwx"),
            ]))
            .unwrap();
        assert_eq!(ok.user_login, "author");
        assert!(matches!(
            r.judge(&p(&[("nonce", &n), ("success", "false")])),
            Err(Error::AccessDenied { .. })
        ));
        assert!(matches!(
            r.judge(&p(&[("nonce", "forged"), ("user_login", "a"), ("password", "b")])),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            r.judge(&p(&[
                ("nonce", &n),
                ("site_url", "http://evil.example/"),
                ("user_login", "a"),
                ("password", "b")
            ])),
            Err(Error::SiteMismatch { .. })
        ));
        assert!(matches!(
            r.judge(&p(&[
                ("nonce", &n),
                ("site_url", "http://127.0.0.1:8080"),
                ("user_login", "a")
            ])),
            Err(Error::MissingCode { .. })
        ));
    }

    #[test]
    fn the_answer_must_name_the_verified_origin_scheme_included() {
        let r = request();
        let n = r.nonce.clone();
        let with = |site: Option<&str>| {
            let mut q = p(&[("nonce", &n), ("user_login", "a"), ("password", "b")]);
            if let Some(s) = site {
                q.insert("site_url".into(), s.into());
            }
            r.judge(&q)
        };
        assert!(with(Some("http://127.0.0.1:8080/wp")).is_ok(), "WordPress in a folder");
        for wrong in [
            None,
            Some(""),
            Some("https://127.0.0.1:8080/"),
            Some("http://127.0.0.1:8081/"),
            Some("not a url"),
        ] {
            let e = with(wrong).unwrap_err();
            assert!(matches!(e, Error::SiteMismatch { .. }), "{wrong:?}: {e}");
        }
        assert!(with(None).unwrap_err().to_string().contains("does not name its site"));
    }

    #[test]
    fn a_successor_keeps_the_approved_name_with_a_new_tag() {
        let approved = app_name("laptop", 1_764_000_000);
        let next = successor_name(&approved);
        assert_eq!(next.len(), approved.len());
        assert_eq!(next[..next.len() - 5], approved[..approved.len() - 5], "{next} / {approved}");
        assert_ne!(next, approved);
        assert!(successor_name("pasted name").starts_with("pasted name #"));
    }

    #[test]
    fn names_are_unique_per_second_and_readable() {
        let name = app_name("laptop", 1_764_000_000);
        assert!(
            name.starts_with("WP Connect on laptop (2025-11-24 16:00:00 UTC, #")
                && name.ends_with(')')
                && name.len() == 53,
            "{name}"
        );
        // Two sign-ins in the same second still get names WordPress accepts (it refuses repeats).
        let names: std::collections::HashSet<String> =
            (0..20).map(|_| app_name("laptop", 1_764_000_000)).collect();
        assert!(names.len() >= 19, "{names:?}");
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
    }

    #[test]
    fn loopback_only_for_local_sites() {
        assert!(loopback_possible(&Url::parse("http://127.0.0.1:8080/").unwrap()));
        assert!(
            !loopback_possible(&Url::parse("https://blog.local/").unwrap()),
            "an https site may not be a local environment"
        );
        assert!(!loopback_possible(&Url::parse("https://example.com/").unwrap()));
    }

    #[tokio::test]
    async fn the_inbox_hands_each_url_to_the_sign_in_waiting_for_its_nonce() {
        let inbox = CallbackInbox::new();
        let rx = inbox.expect("n1");
        assert!(
            !inbox
                .deliver(&Url::parse("wpconnect://auth/callback?nonce=other&password=x").unwrap()),
            "not ours"
        );
        assert!(
            !inbox.deliver(&Url::parse("wpconnect://auth/callback?password=x").unwrap()),
            "no nonce"
        );
        assert!(inbox.deliver(
            &Url::parse("wpconnect://auth/callback?nonce=n1&user_login=a&password=b").unwrap()
        ));
        assert_eq!(rx.await.unwrap()["user_login"], "a");
        assert!(
            !inbox.deliver(
                &Url::parse("wpconnect://auth/callback?nonce=n1&user_login=a&password=b").unwrap()
            ),
            "only once"
        );
    }
}
