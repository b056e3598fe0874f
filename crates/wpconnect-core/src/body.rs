//! Reading what servers send back: telling HTML from JSON, naming what answered instead of
//! WordPress, and quoting the first bytes of a body (with secrets masked) in error messages.

use url::Url;

use crate::error::Error;

/// Is this body a web page rather than the JSON that was asked for?
pub fn looks_like_html(content_type: Option<&str>, body: &[u8]) -> bool {
    let start = crate::site::trim_json_prefix(body);
    content_type.is_some_and(|c| c.to_ascii_lowercase().contains("text/html"))
        && !start.starts_with(b"{")
        || start.first() == Some(&b'<')
}

/// The page quoted with secrets masked: a token endpoint's answer that opens with a PHP notice
/// is "HTML", and the token is in it.
pub fn html_error(url: Url, status: u16, body: &[u8]) -> Error {
    Error::HtmlInsteadOfJson {
        url: crate::http::redact_query(&url),
        status,
        snippet: page_text(body),
        cause: likely_cause(body),
    }
}

/// What a person would read on a web page: its title, else its first words with the markup
/// left out (scripts and styles too), secrets masked; short. Never raw HTML in a message.
pub fn page_text(body: &[u8]) -> String {
    let html = String::from_utf8_lossy(&body[..body.len().min(16 * 1024)]);
    let lower = html.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|i| {
        let start = i + lower[i..].find('>')? + 1;
        let end = start + lower[start..].find("</title")?;
        Some(&html[start..end])
    });
    let source = title.filter(|t| !t.trim().is_empty()).unwrap_or(&html);
    // Byte by byte: `<` and `>` are ASCII, never part of another character's UTF-8 bytes.
    let b = source.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let (mut in_tag, mut skip_until) = (false, None::<&[u8]>);
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = skip_until {
            if b[i..].get(..end.len()).is_some_and(|h| h.eq_ignore_ascii_case(end)) {
                skip_until = None;
                i += end.len();
            } else {
                i += 1;
            }
            continue;
        }
        if b[i] == b'<' {
            let head = b[i..b.len().min(i + 8)].to_ascii_lowercase();
            if head.starts_with(b"<script") {
                skip_until = Some(b"</script>");
            } else if head.starts_with(b"<style") {
                skip_until = Some(b"</style>");
            } else if head.starts_with(b"<!--") {
                skip_until = Some(b"-->");
            } else {
                in_tag = true;
            }
        } else if in_tag {
            if b[i] == b'>' {
                in_tag = false;
                out.push(b' ');
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    let text = String::from_utf8_lossy(&out);
    let text = text
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#8217;", "’");
    snippet_redacted(text.as_bytes())
}

/// The JSON object after the notices PHP prints when a site shows its errors
/// (`<br />\n<b>Notice</b>: ... <br />\n{...}`), if the body is that.
pub fn json_after_php_notices(body: &[u8]) -> Option<&[u8]> {
    let head = String::from_utf8_lossy(&body[..body.len().min(256)]).to_ascii_lowercase();
    let notice =
        ["<b>notice</b>", "<b>warning</b>", "<b>deprecated</b>", "<b>strict standards</b>"];
    if !(head.trim_start().starts_with("<br") && notice.iter().any(|n| head.contains(n))) {
        return None;
    }
    let end = body.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if body[end] != b'}' {
        return None;
    }
    body.iter().enumerate().filter(|(_, b)| **b == b'{').take(16).map(|(i, _)| &body[i..=end]).find(
        |json| serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(json).is_ok(),
    )
}

/// A WordPress REST error document: `{code, message, data: {status}}`.
pub fn rest_error(body: &[u8]) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_slice(crate::site::trim_json_prefix(body)).ok()?;
    let code = v.get("code")?.as_str()?.to_string();
    let message = v.get("message").and_then(|m| m.as_str()).unwrap_or_default().to_string();
    Some((code, message))
}

/// What is probably answering instead of WordPress, from the page's text.
pub fn likely_cause(body: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]).to_ascii_lowercase();
    let table: &[(&[&str], &'static str)] = &[
        (&["wordfence"], "the Wordfence security plugin blocking the request"),
        (&["sucuri"], "the Sucuri website firewall"),
        (
            &["cf-browser-verification", "challenge-platform", "just a moment...", "cloudflare"],
            "a Cloudflare browser check or firewall rule",
        ),
        (&["mod_security", "modsecurity"], "a ModSecurity firewall rule at the host"),
        (&["ithemes", "solid security"], "the Solid Security (iThemes) plugin"),
        (&["all in one wp security", "aiowps"], "the All In One WP Security plugin"),
        (
            &[
                "briefly unavailable for scheduled maintenance",
                "maintenance mode",
                "under maintenance",
                "coming soon",
            ],
            "a maintenance or coming-soon page",
        ),
        (
            &["loginform", "wp-login.php", "user_login"],
            "a plugin that forces visitors to sign in first",
        ),
    ];
    table
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| text.contains(n)))
        .map(|(_, cause)| *cause)
}

/// The first bytes of a body, as readable one-line text.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(1024)]);
    let mut out = String::new();
    let mut last_space = false;
    for c in text.trim_start_matches('\u{feff}').chars() {
        let c = if c.is_whitespace() || c.is_control() { ' ' } else { c };
        if c == ' ' && (last_space || out.is_empty()) {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
        if out.chars().count() >= 160 {
            out.push('…');
            break;
        }
    }
    out.trim_end().to_string()
}

const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "client_secret",
    "code",
    "code_verifier",
    "oauth_token_secret",
    "oauth_token",
    "oauth_verifier",
    "oauth_signature",
    "user_password",
    "pwd",
    "token",
];

/// Text without its HTML: tags dropped, the common entities decoded, trimmed (WordPress's
/// "rendered" fields, when the raw ones are not given).
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#8217;", "\u{2019}")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// [`snippet`] of a body from an endpoint that deals in secrets: the values of secret-looking JSON
/// keys and form fields are replaced by `[redacted]` before anything is quoted.
pub fn snippet_redacted(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned();
    snippet(redact(&text).as_bytes())
}

/// A line of text (a log line) with secrets masked: secret-looking JSON keys and form fields, and
/// the credentials after `Bearer ` / `Basic ` / `OAuth `. A second guard: nothing is meant to log
/// a secret in the first place.
pub fn redact_text(text: &str) -> String {
    let mut out = redact(text);
    for scheme in ["Bearer ", "Basic ", "OAuth ", "bearer ", "basic ", "BEARER ", "BASIC "] {
        let mut from = 0;
        while let Some(at) = out[from..].find(scheme).map(|i| from + i + scheme.len()) {
            let end = out[at..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == ',')
                .map_or(out.len(), |e| at + e);
            if end > at && &out[at..end] != "[redacted]" {
                out.replace_range(at..end, "[redacted]");
            }
            from = at;
        }
    }
    out
}

fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let after_word = out.chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        match (!after_word).then(|| secret_value_at(rest)).flatten() {
            Some((kept, value_end)) => {
                out.push_str(&rest[..kept]);
                out.push_str("[redacted]");
                rest = &rest[value_end..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// WordPress REST errors name themselves in a `"code"` field (`rest_missing_callback_param`,
/// `oauth2.endpoints.token.invalid_client`): words joined by `_` or `.`, which an OAuth
/// authorization code (random letters and digits) never is. Those are shown, not masked.
fn is_error_code(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_lowercase())
        && value.contains(['_', '.'])
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
}

/// If `s` starts with a secret key (`"key": "value"` or `key=value`), the length of what to keep
/// (the key and the punctuation before the value) and where the value ends.
fn secret_value_at(s: &str) -> Option<(usize, usize)> {
    for key in SECRET_KEYS {
        // JSON (`"key": "value"`), also as it appears inside another JSON string
        // (`\"key\":\"value\"`).
        for quote in ["\\\"", "\""] {
            let Some(after) = s
                .strip_prefix(quote)
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix(quote))
            else {
                continue;
            };
            let Some(colon) = after.trim_start().strip_prefix(':') else { continue };
            let value = colon.trim_start();
            let value = value.strip_prefix(quote).unwrap_or(value);
            let kept = s.len() - value.len();
            let end = value.find(['"', '\\', ',', '}']).unwrap_or(value.len());
            if *key == "code" && is_error_code(&value[..end]) {
                return None;
            }
            return Some((kept, kept + end));
        }
        // Forms and queries (`key=value`), and `key: value` in text.
        let Some(rest) = s.strip_prefix(key) else { continue };
        let value = if let Some(v) = rest.strip_prefix('=') {
            v
        } else if let Some(v) = rest
            .strip_prefix(": ")
            .or_else(|| rest.strip_prefix(':').filter(|v| !v.starts_with('/')))
        {
            v.trim_start()
        } else {
            continue;
        };
        let kept = s.len() - value.len();
        let end = value.find(['&', ' ', ',', ';', '"', '\'', '\n']).unwrap_or(value.len());
        if end == 0 || (*key == "code" && is_error_code(&value[..end])) {
            continue;
        }
        return Some((kept, kept + end));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_shown_by_what_it_says_never_its_markup() {
        let nginx = b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>\
                      <body><h1>Service Unavailable</h1></body></html>";
        assert_eq!(page_text(nginx), "503 Service Unavailable");
        let untitled = b"<html><head><style>h1{color:red}</style><script>var t='x<y';</script>\
                         </head><body><!-- hi --><h1>Access&nbsp;denied</h1><p>by the \
                         <b>firewall</b></p></body></html>";
        assert_eq!(page_text(untitled), "Access denied by the firewall");
        let leaky = b"<p>{\"access_token\":\"SECRET123\"}</p>";
        assert!(!page_text(leaky).contains("SECRET123"), "{}", page_text(leaky));
    }

    #[test]
    fn secrets_are_masked_in_json_and_forms() {
        let s = snippet_redacted(br#"{"access_token":"AAA111","expires_in":3600,"refresh_token": "RRR222","scope":"basic"}"#);
        assert!(!s.contains("AAA111") && !s.contains("RRR222"), "{s}");
        assert!(s.contains("\"expires_in\":3600") && s.contains("basic"), "{s}");
        let f = snippet_redacted(
            b"oauth_token=T0K&oauth_token_secret=S3CRET&oauth_callback_confirmed=true",
        );
        assert!(!f.contains("S3CRET") && f.contains("oauth_callback_confirmed=true"), "{f}");
        let cut = snippet_redacted(br#"{"access_token":"NOEND"#);
        assert!(!cut.contains("NOEND"), "{cut}");
    }

    #[test]
    fn log_lines_lose_credentials_and_keep_the_rest() {
        let line = r#"GET /wp-json/wp/v2/users/me authorization="Bearer tok123" other=Basic dXNlcjpwYXNz password=hunter2 status=200"#;
        let r = redact_text(line);
        for secret in ["tok123", "dXNlcjpwYXNz", "hunter2"] {
            assert!(!r.contains(secret), "{r}");
        }
        assert!(r.contains("/wp-json/wp/v2/users/me") && r.contains("status=200"), "{r}");
        assert_eq!(redact_text("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn rest_error_codes_are_shown_and_oauth_codes_masked() {
        let rest = snippet_redacted(br#"{"code":"rest_missing_callback_param","message":"Missing parameter(s): client_id","data":{"status":400}}"#);
        assert!(rest.contains("\"code\":\"rest_missing_callback_param\""), "{rest}");
        let dotted =
            snippet_redacted(br#"{"code":"oauth2.endpoints.token.exchange_token.invalid_client"}"#);
        assert!(
            dotted.contains("oauth2.endpoints.token.exchange_token.invalid_client"),
            "{dotted}"
        );
        for secret in
            [r#"{"code":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"}"#, r#"{"code":"AbC123xyz"}"#]
        {
            let r = snippet_redacted(secret.as_bytes());
            assert!(
                r.contains("[redacted]") && !r.contains("9f86d0") && !r.contains("AbC123"),
                "{r}"
            );
        }
    }

    #[test]
    fn the_gaps_a_review_found_are_closed() {
        // A JSON document quoted inside another JSON string.
        let nested =
            redact_text(r#"{"body":"{\"access_token\":\"AT-nested-1\",\"expires_in\":3600}"}"#);
        assert!(!nested.contains("AT-nested-1"), "{nested}");
        assert!(nested.contains("expires_in"), "{nested}");
        // `key: value` in text, lower-case schemes, OAuth 1.0a and WordPress login fields.
        for (line, secret) in [
            ("access_token: AT-colon-2 next", "AT-colon-2"),
            ("authorization: bearer tok-lower-3", "tok-lower-3"),
            ("authorization: basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
            ("oauth_token=OT-4&oauth_verifier=V5", "OT-4"),
            ("log=ada&pwd=hunter2-6&wp-submit=Log+In", "hunter2-6"),
            ("user_password=UP-7", "UP-7"),
            ("oauth_signature=SIG-8", "SIG-8"),
        ] {
            let out = redact_text(line);
            assert!(!out.contains(secret), "{line} -> {out}");
        }
        assert_eq!(
            redact_text("see https://example.com/token:/path"),
            "see https://example.com/token:/path"
        );
    }

    #[test]
    fn a_token_answer_that_opens_with_a_php_notice_is_quoted_without_the_token() {
        let body = br#"<br /><b>Notice</b>: Undefined index in /var/www/plugin.php on line 3<br />{"access_token":"AT-php-9","refresh_token":"RT-php-10","expires_in":3600}"#;
        assert!(looks_like_html(Some("text/html"), body));
        let e = html_error(
            Url::parse("https://s.example/oauth/token?access_token=Q-11").unwrap(),
            200,
            body,
        );
        let shown = format!("{e} {e:?}");
        for secret in ["AT-php-9", "RT-php-10", "Q-11"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("Notice"), "the page is still quoted: {shown}");
    }

    #[test]
    fn words_that_merely_end_in_a_key_are_left_alone() {
        assert_eq!(snippet_redacted(b"zipcode=12345"), "zipcode=12345");
    }
}
