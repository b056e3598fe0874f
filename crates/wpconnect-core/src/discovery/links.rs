//! Finding the REST root a page advertises: the `Link` header, then the HTML `<link>`.

use url::Url;

/// The link relation WordPress uses for its REST API root.
pub const API_REL: &str = "https://api.w.org/";

/// The REST root from `Link` header values (a response may carry several headers, each with
/// several comma-separated links).
pub fn api_root_from_link_headers<'a>(
    values: impl IntoIterator<Item = &'a str>,
    base: &Url,
) -> Option<Url> {
    values.into_iter().find_map(|v| {
        split_links(v).into_iter().find_map(|(target, params)| {
            params
                .iter()
                .any(|(k, v)| {
                    k.eq_ignore_ascii_case("rel")
                        && v.split_ascii_whitespace().any(|r| r == API_REL)
                })
                .then(|| base.join(target.trim()).ok().filter(is_web))
                .flatten()
        })
    })
}

/// Split one `Link` header value into `(target, [(param, value)])` pairs.
fn split_links(value: &str) -> Vec<(&str, Vec<(&str, String)>)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close_rel) = rest[open..].find('>') else { break };
        let close = open + close_rel;
        let target = &rest[open + 1..close];
        let mut params = Vec::new();
        let mut tail = &rest[close + 1..];
        // Parameters run until the next comma outside quotes.
        loop {
            tail = tail.trim_start();
            if !tail.starts_with(';') {
                break;
            }
            tail = tail[1..].trim_start();
            let name_end = tail.find(['=', ';', ',']).unwrap_or(tail.len());
            let name = tail[..name_end].trim();
            tail = &tail[name_end..];
            let mut val = String::new();
            if let Some(after_eq) = tail.strip_prefix('=') {
                let after_eq = after_eq.trim_start();
                if let Some(quoted) = after_eq.strip_prefix('"') {
                    let end = quoted.find('"').unwrap_or(quoted.len());
                    val = quoted[..end].to_string();
                    tail = quoted.get(end + 1..).unwrap_or("");
                } else {
                    let end = after_eq.find([';', ',']).unwrap_or(after_eq.len());
                    val = after_eq[..end].trim().to_string();
                    tail = &after_eq[end..];
                }
            }
            params.push((name, val));
        }
        out.push((target, params));
        match tail.find(',') {
            Some(i) => rest = &tail[i + 1..],
            None => break,
        }
    }
    out
}

/// The REST root from `<link rel="https://api.w.org/" href="…">` in an HTML page.
pub fn api_root_from_html(html: &str, base: &Url) -> Option<Url> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<link") {
        let start = from + i + 5;
        let end = lower[start..].find('>').map(|e| start + e).unwrap_or(lower.len());
        let attrs = parse_attributes(&html[start..end]);
        from = end;
        let rel_matches = attrs.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("rel") && v.split_ascii_whitespace().any(|r| r == API_REL)
        });
        if rel_matches {
            if let Some((_, href)) = attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case("href")) {
                if let Some(u) = base.join(decode_entities(href).trim()).ok().filter(is_web) {
                    return Some(u);
                }
            }
        }
    }
    None
}

/// An address the next request can go to: a link to anything else (`javascript:`, `data:`, a
/// made-up scheme) is not the REST API, whatever its `rel` says (found by fuzzing).
fn is_web(u: &Url) -> bool {
    matches!(u.scheme(), "http" | "https") && u.has_host()
}

fn parse_attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() || c == '/' {
            chars.next();
            continue;
        }
        // name
        let mut name_end = i;
        while let Some(&(j, c)) = chars.peek() {
            if c.is_whitespace() || c == '=' || c == '/' {
                break;
            }
            name_end = j + c.len_utf8();
            chars.next();
        }
        let name = s[i..name_end].to_string();
        while matches!(chars.peek(), Some(&(_, c)) if c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if matches!(chars.peek(), Some(&(_, '='))) {
            chars.next();
            while matches!(chars.peek(), Some(&(_, c)) if c.is_whitespace()) {
                chars.next();
            }
            match chars.peek().copied() {
                Some((_, q @ ('"' | '\''))) => {
                    chars.next();
                    for (_, c) in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    while let Some(&(_, c)) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                }
            }
        }
        if name.is_empty() {
            chars.next();
        } else {
            out.push((name, value));
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&#038;", "&").replace("&#38;", "&").replace("&#x26;", "&").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.com/").unwrap()
    }

    #[test]
    fn link_header_forms() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (
                &[r#"<https://example.com/wp-json/>; rel="https://api.w.org/""#],
                Some("https://example.com/wp-json/"),
            ),
            (
                &[
                    r#"<https://example.com/wp-json/wp/v2/pages/2>; rel="alternate"; type="application/json", <https://example.com/wp-json/>; rel="https://api.w.org/""#,
                ],
                Some("https://example.com/wp-json/"),
            ),
            (
                &[
                    r#"<https://example.com/?p=2>; rel=shortlink"#,
                    r#"<https://example.com/index.php?rest_route=/>; rel="https://api.w.org/""#,
                ],
                Some("https://example.com/index.php?rest_route=/"),
            ),
            (&[r#"</wp-json/>; rel="https://api.w.org/""#], Some("https://example.com/wp-json/")),
            (
                &[r#"<https://example.com/wp-json/>;rel=https://api.w.org/"#],
                Some("https://example.com/wp-json/"),
            ),
            (
                &[r#"<https://example.com/wp-json/>; title="a, b"; rel="https://api.w.org/""#],
                Some("https://example.com/wp-json/"),
            ),
            (&[r#"<https://example.com/wp-json/>; rel="alternate""#], None),
            (&[r#"<https://example.com/>; rel="https://api.w.org/x""#], None),
            (&["garbage"], None),
            (&[""], None),
        ];
        for (values, want) in cases {
            let got = api_root_from_link_headers(values.iter().copied(), &base());
            assert_eq!(got.map(|u| u.to_string()).as_deref(), *want, "{values:?}");
        }
    }

    #[test]
    fn html_link_forms() {
        let cases = [
            (
                r#"<head><link rel="https://api.w.org/" href="https://example.com/wp-json/" /></head>"#,
                Some("https://example.com/wp-json/"),
            ),
            (
                r#"<LINK REL='https://api.w.org/' HREF='/wp-json/'>"#,
                Some("https://example.com/wp-json/"),
            ),
            (
                r#"<link href="https://example.com/index.php?rest_route=/&#038;x=1" rel="https://api.w.org/">"#,
                Some("https://example.com/index.php?rest_route=/&x=1"),
            ),
            (
                r#"<link rel=https://api.w.org/ href=https://example.com/wp-json/>"#,
                Some("https://example.com/wp-json/"),
            ),
            (
                r#"<link rel="stylesheet" href="x.css"><link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/1">"#,
                None,
            ),
            ("<html><body>no links</body></html>", None),
            ("<link", None),
            ("<link rel=\"https://api.w.org/\"", None),
        ];
        for (html, want) in cases {
            assert_eq!(
                api_root_from_html(html, &base()).map(|u| u.to_string()).as_deref(),
                want,
                "{html}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,200}") {
            let _ = api_root_from_link_headers([s.as_str()], &base());
            let _ = api_root_from_html(&s, &base());
        }

        #[test]
        fn link_tag_found_among_noise(prefix in "[a-z <>=\"']{0,40}", href in "/[a-z0-9][a-z0-9/]{0,20}") {
            let html = format!("{prefix}><link rel=\"https://api.w.org/\" href=\"{href}\">");
            let got = api_root_from_html(&html, &base());
            proptest::prop_assert_eq!(got, Some(base().join(&href).unwrap()));
        }
    }
}
