//! RFC 8414 / OpenID Connect discovery documents: read only as hints.
//!
//! WP OAuth Server's document is known to be wrong in places (issuer forced to https, a garbled
//! grant list, no PKCE methods), so nothing is inferred from it alone: it is reported, and its
//! disagreements with the REST index are said out loud.

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::site::{trim_json_prefix, OAuth2Endpoints};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerMetadata {
    /// The document this came from.
    pub source: Url,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub grant_types_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    /// Where the document contradicts itself, the REST index or the site.
    pub warnings: Vec<String>,
}

const KNOWN_GRANTS: &[&str] = &[
    "authorization_code",
    "implicit",
    "password",
    "client_credentials",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
];

/// The well-known documents to look for, relative to the site's home.
pub fn candidates(home: &Url) -> [Url; 2] {
    let root = {
        let mut u = home.clone();
        u.set_query(None);
        u.set_fragment(None);
        if !u.path().ends_with('/') {
            let p = format!("{}/", u.path());
            u.set_path(&p);
        }
        u
    };
    [
        root.join(".well-known/oauth-authorization-server").expect("relative path joins"),
        root.join(".well-known/openid-configuration").expect("relative path joins"),
    ]
}

/// Parse a metadata document; `None` when it is not a JSON object with at least one endpoint.
pub fn parse(
    body: &[u8],
    source: Url,
    site_https: bool,
    index: Option<&OAuth2Endpoints>,
) -> Option<ServerMetadata> {
    let v: Value = serde_json::from_slice(trim_json_prefix(body)).ok()?;
    let o = v.as_object()?;
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |k: &str| -> Vec<String> {
        o.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let mut m = ServerMetadata {
        source,
        issuer: s("issuer"),
        authorization_endpoint: s("authorization_endpoint"),
        token_endpoint: s("token_endpoint"),
        revocation_endpoint: s("revocation_endpoint"),
        userinfo_endpoint: s("userinfo_endpoint"),
        grant_types_supported: list("grant_types_supported"),
        code_challenge_methods_supported: list("code_challenge_methods_supported"),
        warnings: Vec::new(),
    };
    if m.authorization_endpoint.is_none() && m.token_endpoint.is_none() {
        return None;
    }
    if let Some(issuer) = &m.issuer {
        if issuer.starts_with("https://") && !site_https {
            m.warnings.push(format!(
                "The metadata names the issuer {issuer} (https) but the site answers over http; \
                 the endpoints from the REST index are used."
            ));
        }
    }
    if m.code_challenge_methods_supported.is_empty() {
        m.warnings.push(
            "PKCE support is not advertised (no code_challenge_methods_supported); WP Connect \
             always sends S256 anyway."
                .into(),
        );
    } else if !m.code_challenge_methods_supported.iter().any(|x| x == "S256") {
        m.warnings.push("The server does not list S256 among its PKCE methods.".into());
    }
    let garbled: Vec<&String> =
        m.grant_types_supported.iter().filter(|g| !KNOWN_GRANTS.contains(&g.as_str())).collect();
    if !garbled.is_empty() {
        m.warnings.push(format!(
            "The grant list contains entries no OAuth server defines ({}); it is used only as a \
             hint.",
            garbled.iter().map(|g| format!("{g:?}")).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(ix) = index {
        for (name, meta, ours) in [
            ("authorization", &m.authorization_endpoint, &ix.authorize),
            ("token", &m.token_endpoint, &ix.token),
        ] {
            if let Some(meta) = meta {
                if !same_endpoint(meta, ours) {
                    m.warnings.push(format!(
                        "The metadata's {name} endpoint ({meta}) differs from the REST index's \
                         ({ours}); the REST index's is used."
                    ));
                }
            }
        }
    }
    Some(m)
}

/// Equal but for the scheme WP OAuth Server forces to https.
fn same_endpoint(meta: &str, ours: &Url) -> bool {
    let strip = |s: &str| {
        s.trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    };
    strip(meta) == strip(ours.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::OAuth2Server;

    fn index() -> OAuth2Endpoints {
        OAuth2Endpoints {
            server: OAuth2Server::WpOauthServer,
            authorize: Url::parse("http://example.test/oauth/authorize").unwrap(),
            token: Url::parse("http://example.test/oauth/token").unwrap(),
            me: None,
            grant_types: vec![],
            software: None,
            version: None,
        }
    }

    #[test]
    fn wp_oauth_server_defects_are_reported() {
        // As WP OAuth Server serves it on an http site.
        let body = br#"{"issuer":"https://example.test","authorization_endpoint":"https://example.test/oauth/authorize",
            "token_endpoint":"https://example.test/oauth/token","userinfo_endpoint":"https://example.test/oauth/me",
            "grant_types_supported":["authorization_code","implicit","client_credentials","refresh_token","Array"]}"#;
        let src = Url::parse("http://example.test/.well-known/openid-configuration").unwrap();
        let m = parse(body, src, false, Some(&index())).unwrap();
        let w = m.warnings.join("\n");
        assert!(w.contains("issuer https://example.test (https)"), "{w}");
        assert!(w.contains("PKCE support is not advertised"), "{w}");
        assert!(w.contains("\"Array\""), "{w}");
        // Same endpoints but for the forced scheme: no complaint about them.
        assert!(!w.contains("differs"), "{w}");
    }

    #[test]
    fn disagreeing_endpoint_and_clean_document() {
        let src =
            Url::parse("https://example.test/.well-known/oauth-authorization-server").unwrap();
        let body = br#"{"issuer":"https://example.test","authorization_endpoint":"https://other.test/authorize",
            "token_endpoint":"https://example.test/oauth/token","code_challenge_methods_supported":["S256"],
            "grant_types_supported":["authorization_code","refresh_token"]}"#;
        let m = parse(body, src.clone(), true, Some(&index())).unwrap();
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
        assert!(
            m.warnings[0].contains("authorization endpoint (https://other.test/authorize) differs")
        );
        assert!(parse(b"<html>", src.clone(), true, None).is_none());
        assert!(parse(b"{\"issuer\":\"x\"}", src, true, None).is_none());
    }

    #[test]
    fn candidates_follow_home() {
        let [a, b] = candidates(&Url::parse("https://example.com/blog").unwrap());
        assert_eq!(a.as_str(), "https://example.com/blog/.well-known/oauth-authorization-server");
        assert_eq!(b.as_str(), "https://example.com/blog/.well-known/openid-configuration");
    }
}
