//! OAuth 1.0a (RFC 5849) for the WP REST API OAuth1 plugin: request signing (HMAC-SHA1, or
//! HMAC-SHA256 where asked), and the three-legged flow's requests.
//!
//! The signature base URL is built from the site's home URL origin, not from the address the
//! request went to: the plugin computes it that way, so `www.` and non-`www.` addresses of the
//! same site must sign alike.

pub(crate) mod flow;
pub(crate) use flow::token_request;

use std::collections::HashMap;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use url::Url;

use crate::secret::{AccessToken, ClientSecret};

/// Signature methods the plugin accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureMethod {
    HmacSha1,
    HmacSha256,
}

impl SignatureMethod {
    pub fn name(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
        }
    }
}

/// RFC 5849 §3.6 percent-encoding: everything but ALPHA, DIGIT, `-`, `.`, `_`, `~`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The base string URI (§3.4.1.2): scheme and host lower-cased, default ports dropped, no query.
/// `origin` (the site's home URL) gives scheme, host and port when set.
pub fn base_uri(url: &Url, origin: Option<&Url>) -> String {
    let from = origin.unwrap_or(url);
    let scheme = from.scheme().to_ascii_lowercase();
    let host = from.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = match (scheme.as_str(), from.port()) {
        ("http", Some(80)) | ("https", Some(443)) | (_, None) => String::new(),
        (_, Some(p)) => format!(":{p}"),
    };
    format!("{scheme}://{host}{port}{}", url.path())
}

/// The signature base string (§3.4.1): method, base URI, and every parameter (query, form body,
/// `oauth_*` but the signature), encoded, sorted by name then value.
pub fn base_string(
    method: &str,
    url: &Url,
    origin: Option<&Url>,
    params: &[(String, String)],
) -> String {
    let mut all: Vec<(String, String)> =
        url.query_pairs().map(|(k, v)| (encode(&k), encode(&v))).collect();
    all.extend(params.iter().map(|(k, v)| (encode(k), encode(v))));
    all.sort();
    let normalized = all.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(&base_uri(url, origin)),
        encode(&normalized)
    )
}

/// `HMAC(consumer_secret&token_secret, base_string)`, base64.
pub fn sign(
    method: SignatureMethod,
    base: &str,
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    let mac = match method {
        SignatureMethod::HmacSha1 => {
            let mut m = <Hmac<sha1::Sha1> as Mac>::new_from_slice(key.as_bytes())
                .expect("HMAC takes any key");
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        SignatureMethod::HmacSha256 => {
            let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes())
                .expect("HMAC takes any key");
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
    };
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// The consumer (the app registered with the plugin).
#[derive(Debug, Clone)]
pub struct Consumer {
    pub key: String,
    pub secret: ClientSecret,
}

/// A token and its secret (temporary or access). Its Debug shows neither: with the consumer's
/// key, the token identifies the person's authorization.
#[derive(Clone)]
pub struct TokenPair {
    pub token: String,
    pub secret: AccessToken,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("token", &"[redacted]")
            .field("secret", &self.secret)
            .finish()
    }
}

/// One request to sign.
pub struct Signing<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub origin: Option<&'a Url>,
    pub consumer: &'a Consumer,
    pub token: Option<&'a TokenPair>,
    /// `oauth_callback`, `oauth_verifier`: protocol parameters beyond the usual.
    pub extra: &'a [(&'a str, &'a str)],
    /// Form body parameters (signed); JSON bodies are not signed.
    pub form: &'a [(&'a str, &'a str)],
    pub signature_method: SignatureMethod,
    pub nonce: String,
    pub timestamp: u64,
}

impl Signing<'_> {
    /// The `Authorization: OAuth ...` header value.
    pub fn header(&self) -> String {
        let mut oauth: Vec<(String, String)> = vec![
            ("oauth_consumer_key".into(), self.consumer.key.clone()),
            ("oauth_nonce".into(), self.nonce.clone()),
            ("oauth_signature_method".into(), self.signature_method.name().into()),
            ("oauth_timestamp".into(), self.timestamp.to_string()),
            ("oauth_version".into(), "1.0".into()),
        ];
        if let Some(t) = self.token {
            oauth.push(("oauth_token".into(), t.token.clone()));
        }
        oauth.extend(self.extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut params = oauth.clone();
        params.extend(self.form.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let base = base_string(self.method, self.url, self.origin, &params);
        let signature = sign(
            self.signature_method,
            &base,
            self.consumer.secret.expose(),
            self.token.map(|t| t.secret.expose()).unwrap_or(""),
        );
        oauth.push(("oauth_signature".into(), signature));
        let fields = oauth
            .iter()
            .map(|(k, v)| format!("{}=\"{}\"", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join(", ");
        format!("OAuth {fields}")
    }
}

/// A fresh nonce (never repeated: the plugin rejects repeats).
pub fn nonce() -> String {
    crate::crypto::random_state()
}

/// An HTTP `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`) as Unix seconds.
pub fn parse_http_date(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, month, year, time, _] = parts.as_slice() else { return None };
    let d: i64 = day.parse().ok()?;
    let m = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|x| x == month)? as i64
        + 1;
    let y: i64 = year.parse().ok()?;
    let hms: Vec<i64> = time.split(':').filter_map(|x| x.parse().ok()).collect();
    let [h, mi, se] = hms.as_slice() else { return None };
    // A date a clock can show (and no arithmetic overflow on one that cannot: found by fuzzing).
    let plausible = (1..=31).contains(&d)
        && (1970..=9999).contains(&y)
        && (0..24).contains(h)
        && (0..60).contains(mi)
        && (0..=60).contains(se);
    if !plausible {
        return None;
    }
    // Days from civil (proleptic Gregorian).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + se).ok()
}

/// Parse a form-encoded token answer (`oauth_token=...&oauth_token_secret=...`).
pub fn parse_form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_token_pair_never_prints_its_parts() {
        let p =
            TokenPair { token: "tok-visible-1".into(), secret: AccessToken::new("sec-visible-2") };
        let shown = format!("{p:?}");
        assert!(!shown.contains("tok-visible-1") && !shown.contains("sec-visible-2"), "{shown}");
    }
    use super::*;

    fn consumer() -> Consumer {
        Consumer { key: "dpf43f3p2l4k3l03".into(), secret: ClientSecret::new("kd94hf93k423kf44") }
    }

    #[test]
    fn rfc5849_section_1_2_temporary_credentials() {
        let url = Url::parse("https://photos.example.net/initiate").unwrap();
        let s = Signing {
            method: "POST",
            url: &url,
            origin: None,
            consumer: &consumer(),
            token: None,
            extra: &[("oauth_callback", "http://printer.example.com/ready")],
            form: &[],
            signature_method: SignatureMethod::HmacSha1,
            nonce: "wIjqoS".into(),
            timestamp: 137131200,
        };
        // The RFC's example omits oauth_version; so does this check's base string.
        let params: Vec<(String, String)> = [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131200"),
            ("oauth_nonce", "wIjqoS"),
            ("oauth_callback", "http://printer.example.com/ready"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let base = base_string("POST", &url, None, &params);
        assert_eq!(
            sign(SignatureMethod::HmacSha1, &base, "kd94hf93k423kf44", ""),
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
        );
        assert!(s.header().starts_with("OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\""));
    }

    #[test]
    fn rfc5849_section_1_2_protected_resource() {
        let url =
            Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original").unwrap();
        let params: Vec<(String, String)> = [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let base = base_string("GET", &url, None, &params);
        assert_eq!(
            sign(SignatureMethod::HmacSha1, &base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }

    #[test]
    fn rfc5849_section_3_4_1_base_string() {
        let url = Url::parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
        let params: Vec<(String, String)> = [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            ("c2", ""),
            ("a3", "2 q"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            base_string("POST", &url, None, &params),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
    }

    #[test]
    fn base_uri_from_the_home_origin() {
        let req = Url::parse("http://WWW.Example.com:80/blog/wp-json/wp/v2/users/me?context=edit")
            .unwrap();
        assert_eq!(base_uri(&req, None), "http://www.example.com/blog/wp-json/wp/v2/users/me");
        let home = Url::parse("https://example.com/blog").unwrap();
        assert_eq!(base_uri(&req, Some(&home)), "https://example.com/blog/wp-json/wp/v2/users/me");
        assert_eq!(
            base_uri(&Url::parse("http://127.0.0.1:8080/x").unwrap(), None),
            "http://127.0.0.1:8080/x"
        );
    }

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784111777));
        assert_eq!(parse_http_date("nonsense"), None);
    }

    #[test]
    fn encoding_is_rfc3986_strict() {
        assert_eq!(encode("a b+c*~/"), "a%20b%2Bc%2A~%2F");
        assert_eq!(encode("é"), "%C3%A9");
    }
}
