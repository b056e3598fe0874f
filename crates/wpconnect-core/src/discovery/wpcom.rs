//! WordPress.com and Jetpack: the site as WordPress.com's public API describes it.

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::site::{trim_json_prefix, OAuth2Endpoints, OAuth2Server, SiteInfo};

/// The real WordPress.com public API; configurable so tests point it at a local server.
pub const DEFAULT_API_BASE: &str = "https://public-api.wordpress.com/";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WpcomSite {
    /// WordPress.com's blog ID, used in its API paths and its OAuth2 `blog` parameter.
    pub id: u64,
    pub name: String,
    pub description: String,
    pub url: String,
    /// A self-hosted site connected through Jetpack (as opposed to hosted on WordPress.com).
    pub jetpack: bool,
    pub is_private: bool,
    pub timezone: Option<String>,
    pub gmt_offset: Option<f64>,
    pub icon_url: Option<String>,
}

/// `GET /rest/v1.1/sites/<site>` for a domain or ID.
pub fn site_url(api_base: &Url, site: &str) -> Url {
    let mut u = api_base.join("rest/v1.1/sites/").expect("relative path joins");
    u.path_segments_mut().expect("http(s) URL").pop_if_empty().push(site);
    u
}

pub fn parse_site(body: &[u8]) -> Option<WpcomSite> {
    site_from_value(&serde_json::from_slice(trim_json_prefix(body)).ok()?)
}

/// The same, from a document already parsed (the signed-in fetch of the site).
pub fn site_from_value(v: &Value) -> Option<WpcomSite> {
    let o = v.as_object()?;
    let id = match o.get("ID")? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let options = o.get("options");
    Some(WpcomSite {
        id,
        name: s("name"),
        description: s("description"),
        url: s("URL"),
        jetpack: o.get("jetpack").and_then(Value::as_bool).unwrap_or(false),
        is_private: o.get("is_private").and_then(Value::as_bool).unwrap_or(false),
        timezone: options
            .and_then(|x| x.get("timezone"))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        gmt_offset: options.and_then(|x| x.get("gmt_offset")).and_then(|g| match g {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }),
        icon_url: o
            .get("icon")
            .and_then(|i| i.get("img"))
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// Site info for a site hosted on WordPress.com (it has no REST index of its own to read).
pub fn site_info(w: &WpcomSite) -> SiteInfo {
    SiteInfo {
        name: w.name.clone(),
        description: w.description.clone(),
        url: w.url.clone(),
        home: w.url.clone(),
        gmt_offset: w.gmt_offset.unwrap_or(0.0),
        timezone: w.timezone.clone(),
        namespaces: Vec::new(),
        icon_url: w.icon_url.clone(),
        https: w.url.starts_with("https://"),
    }
}

/// WordPress.com's OAuth2 endpoints under `api_base`.
pub fn oauth2_endpoints(api_base: &Url) -> OAuth2Endpoints {
    let j = |p: &str| api_base.join(p).expect("relative path joins");
    OAuth2Endpoints {
        server: OAuth2Server::WordpressCom,
        authorize: j("oauth2/authorize"),
        token: j("oauth2/token"),
        me: Some(j("rest/v1.1/me")),
        grant_types: vec!["authorization_code".into(), "implicit".into()],
        software: Some("WordPress.com".into()),
        version: Some("2.0".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_v1_1_site() {
        let body = br#"{"ID":123456,"name":"Cat Pics","description":"Daily cats","URL":"https://catpics.wordpress.com",
          "jetpack":false,"is_private":false,"icon":{"img":"https://x/icon.png"},
          "options":{"timezone":"Europe/Oslo","gmt_offset":1}}"#;
        let w = parse_site(body).unwrap();
        assert_eq!(w.id, 123456);
        assert_eq!(w.name, "Cat Pics");
        assert_eq!(w.timezone.as_deref(), Some("Europe/Oslo"));
        assert_eq!(w.gmt_offset, Some(1.0));
        let info = site_info(&w);
        assert!(info.https);
        assert_eq!(info.timezone_label(), "Europe/Oslo (UTC+1)");
        assert!(parse_site(br#"{"error":"unknown_blog","message":"Unknown blog"}"#).is_none());
    }

    #[test]
    fn urls_under_a_configurable_base() {
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(
            site_url(&base, "cats.wordpress.com").as_str(),
            "http://127.0.0.1:9/rest/v1.1/sites/cats.wordpress.com"
        );
        assert_eq!(oauth2_endpoints(&base).token.as_str(), "http://127.0.0.1:9/oauth2/token");
    }
}
