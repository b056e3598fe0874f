//! What a person types, turned into the addresses worth trying.
//!
//! People paste anything: `example.com`, `http://example.com/`, `https://example.com/wp-admin/`,
//! `…/wp-login.php?redirect_to=…`, `bücher.example:8080`, the REST root itself.
//! [`SiteAddress::parse`]
//! keeps the part that names the site (scheme if given, host, port, the path of a subfolder
//! install) and [`SiteAddress::candidates`] lists the base URLs to try, https first.

use std::net::IpAddr;

use serde::Serialize;
use url::Url;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Https,
    Http,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAddress {
    /// What was typed, trimmed.
    pub input: String,
    /// The scheme the person typed, if any.
    pub scheme: Option<Scheme>,
    /// ASCII (punycode) host, as sent on the wire.
    pub host: String,
    pub port: Option<u16>,
    /// Path of the site's base, always ending in `/`.
    pub path: String,
}

/// Path segments that are part of WordPress, not of the site's base address.
const WP_ENTRY_FILES: &[&str] =
    &["wp-login.php", "index.php", "xmlrpc.php", "wp-signup.php", "wp-activate.php", "wp-cron.php"];
const WP_SUBTREES: &[&str] = &["wp-admin", "wp-json", "wp-content", "wp-includes"];

impl SiteAddress {
    pub fn parse(input: &str) -> Result<SiteAddress> {
        let trimmed = input.trim();
        let invalid = |reason: &str| Error::InvalidAddress {
            input: trimmed.to_string(),
            reason: reason.to_string(),
        };
        if trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(invalid("it contains spaces"));
        }
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((s, rest)) => match s.to_ascii_lowercase().as_str() {
                "https" => (Some(Scheme::Https), rest),
                "http" => (Some(Scheme::Http), rest),
                other => {
                    return Err(invalid(&format!(
                        "\"{other}://\" is not a web address scheme (use http or https)"
                    )))
                }
            },
            None => (None, trimmed.trim_start_matches("//")),
        };
        if rest.is_empty() {
            return Err(invalid("it has no host name"));
        }
        let scheme_str = match scheme {
            Some(Scheme::Http) => "http",
            _ => "https",
        };
        let url = Url::parse(&format!("{scheme_str}://{rest}"))
            .map_err(|e| invalid(&url_error_reason(e)))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "it contains a user name or password; type only the site's address",
            ));
        }
        // One trailing dot (a fully qualified name) is fine; it is dropped.
        let host = match url.host_str().map(|h| h.strip_suffix('.').unwrap_or(h)) {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => return Err(invalid("it has no host name")),
        };
        if !host.starts_with('[') && host.parse::<IpAddr>().is_err() {
            if !host.contains('.') && host != "localhost" {
                return Err(invalid("the host name has no dot; add the domain, like example.com"));
            }
            if host.split('.').any(|label| label.is_empty()) {
                return Err(invalid("the host name has an empty part"));
            }
        }
        Ok(SiteAddress {
            input: trimmed.to_string(),
            scheme,
            host,
            port: url.port(),
            path: base_path(url.path()),
        })
    }

    /// Base URLs to try, in order: the typed scheme only, or https then http.
    pub fn candidates(&self) -> Vec<Url> {
        let schemes: &[Scheme] = match self.scheme {
            Some(Scheme::Https) => &[Scheme::Https],
            Some(Scheme::Http) => &[Scheme::Http],
            None => &[Scheme::Https, Scheme::Http],
        };
        schemes.iter().map(|s| self.url(*s)).collect()
    }

    pub fn url(&self, scheme: Scheme) -> Url {
        let scheme = match scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
        };
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        Url::parse(&format!("{scheme}://{}{port}{}", self.host, self.path))
            .expect("parts of a parsed URL form a URL")
    }

    /// A site hosted on WordPress.com.
    pub fn is_wordpress_com(&self) -> bool {
        let h = self.host.to_ascii_lowercase();
        h.ends_with(".wordpress.com") && !h.starts_with("public-api.")
    }
}

/// This computer, whatever the network does: a loopback address, or `localhost` and its
/// subdomains (which resolvers must answer with loopback, RFC 6761).
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if let Ok(ip) = h.parse::<IpAddr>() {
        return ip.is_loopback();
    }
    h == "localhost" || h.ends_with(".localhost")
}

/// Keep the path of the site's base: drop everything from a WordPress subtree or entry file on.
fn base_path(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let lower = seg.to_ascii_lowercase();
        if WP_SUBTREES.contains(&lower.as_str()) || WP_ENTRY_FILES.contains(&lower.as_str()) {
            break;
        }
        kept.push(seg);
    }
    if kept.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", kept.join("/"))
    }
}

fn url_error_reason(e: url::ParseError) -> String {
    match e {
        url::ParseError::InvalidPort => "the port is not a number from 1 to 65535".into(),
        url::ParseError::EmptyHost => "it has no host name".into(),
        url::ParseError::IdnaError => {
            "the host name is not a valid international domain name".into()
        }
        url::ParseError::InvalidIpv4Address | url::ParseError::InvalidIpv6Address => {
            "the IP address is not valid".into()
        }
        other => format!("it cannot be read as an address ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> SiteAddress {
        SiteAddress::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn dots_alone_are_not_a_host() {
        for bad in [".", ".#", "..", "a..", "https://./"] {
            assert!(SiteAddress::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SiteAddress::parse("example.com.").unwrap().candidates()[0].as_str(),
            "https://example.com/"
        );
    }

    #[test]
    fn bare_host_tries_https_then_http() {
        let a = p("example.com");
        assert_eq!(a.scheme, None);
        let c: Vec<String> = a.candidates().iter().map(|u| u.to_string()).collect();
        assert_eq!(c, ["https://example.com/", "http://example.com/"]);
    }

    #[test]
    fn forms_people_type() {
        let cases = [
            ("example.com", None, "example.com", None, "/"),
            ("EXAMPLE.com/", None, "example.com", None, "/"),
            ("http://example.com", Some(Scheme::Http), "example.com", None, "/"),
            ("HTTPS://example.com/", Some(Scheme::Https), "example.com", None, "/"),
            ("example.com:8080", None, "example.com", Some(8080), "/"),
            ("http://127.0.0.1:8080/", Some(Scheme::Http), "127.0.0.1", Some(8080), "/"),
            ("https://example.com:443/", Some(Scheme::Https), "example.com", None, "/"),
            ("https://example.com/wp-admin", Some(Scheme::Https), "example.com", None, "/"),
            (
                "https://example.com/wp-admin/post.php?post=1&action=edit",
                Some(Scheme::Https),
                "example.com",
                None,
                "/",
            ),
            ("example.com/wp-login.php?redirect_to=x", None, "example.com", None, "/"),
            ("example.com/blog/wp-login.php", None, "example.com", None, "/blog/"),
            (
                "https://example.com/blog/wp-admin/",
                Some(Scheme::Https),
                "example.com",
                None,
                "/blog/",
            ),
            ("https://example.com/blog", Some(Scheme::Https), "example.com", None, "/blog/"),
            ("https://example.com/wp-json/", Some(Scheme::Https), "example.com", None, "/"),
            (
                "https://example.com/wp-json/wp/v2/posts",
                Some(Scheme::Https),
                "example.com",
                None,
                "/",
            ),
            (
                "https://example.com/index.php?rest_route=/",
                Some(Scheme::Https),
                "example.com",
                None,
                "/",
            ),
            ("  example.com  ", None, "example.com", None, "/"),
            ("example.com.", None, "example.com", None, "/"),
            ("//example.com/x", None, "example.com", None, "/x/"),
            ("https://example.com/#top", Some(Scheme::Https), "example.com", None, "/"),
            ("localhost:8881", None, "localhost", Some(8881), "/"),
            ("[::1]:8080", None, "[::1]", Some(8080), "/"),
            ("bücher.example", None, "xn--bcher-kva.example", None, "/"),
            ("https://пример.рф/wp-admin", Some(Scheme::Https), "xn--e1afmkfd.xn--p1ai", None, "/"),
        ];
        for (input, scheme, host, port, path) in cases {
            let a = p(input);
            assert_eq!(a.scheme, scheme, "{input}");
            assert_eq!(a.host, host, "{input}");
            assert_eq!(a.port, port, "{input}");
            assert_eq!(a.path, path, "{input}");
        }
    }

    #[test]
    fn explicit_scheme_is_respected() {
        assert_eq!(p("http://example.com").candidates().len(), 1);
        assert_eq!(p("https://example.com").candidates()[0].scheme(), "https");
    }

    #[test]
    fn bad_input_says_why() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("ftp://example.com", "not a web address scheme"),
            ("example com", "spaces"),
            ("https://", "no host"),
            ("example.com:99999", "port"),
            ("https://user:pw@example.com", "user name or password"),
            ("intranet", "no dot"),
            ("a..b.com", "empty part"),
            ("http://[::1", "IP address"),
        ];
        for (input, why) in cases {
            let e = SiteAddress::parse(input).expect_err(input);
            assert_eq!(e.kind(), crate::ErrorKind::InvalidAddress, "{input}");
            assert!(e.to_string().contains(why), "{input}: {e}");
            assert!(!e.hint().is_empty());
        }
    }

    #[test]
    fn loopback_by_name_and_wpcom() {
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("[::1]"));
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("dev.localhost"));
        // A name is not an address: `.local` and `.test` are decided by what they resolve to.
        assert!(!is_loopback_host("mysite.local"));
        assert!(!is_loopback_host("mysite.test"));
        assert!(!is_loopback_host("example.com"));
        assert!(p("myblog.wordpress.com").is_wordpress_com());
        assert!(!p("public-api.wordpress.com").is_wordpress_com());
        assert!(!p("wordpress.com.evil.example").is_wordpress_com());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_candidates_are_sane(s in "\\PC{0,60}") {
            if let Ok(a) = SiteAddress::parse(&s) {
                for u in a.candidates() {
                    proptest::prop_assert!(u.path().ends_with('/'));
                    proptest::prop_assert!(u.query().is_none());
                    proptest::prop_assert!(u.scheme() == "https" || u.scheme() == "http");
                }
            }
        }
    }
}
