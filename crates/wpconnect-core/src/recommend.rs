//! Which sign-in method to use on a site, and why, in one line a person can read.

use serde::{Deserialize, Serialize};

use crate::site::{AuthMethods, OAuth2Server, SiteInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// WordPress core Application Passwords (browser approval, or pasting one).
    ApplicationPasswords,
    /// OAuth2 authorization code + PKCE against the site's own OAuth2 server plugin.
    Oauth2,
    /// OAuth 1.0a (the WP REST API OAuth1 plugin).
    Oauth1,
    /// WordPress.com's OAuth2 (WordPress.com and Jetpack sites).
    WordpressCom,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::ApplicationPasswords => "Application Passwords",
            Method::Oauth2 => "OAuth2 (browser sign-in with PKCE)",
            Method::Oauth1 => "OAuth 1.0a",
            Method::WordpressCom => "WordPress.com sign-in",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// `None` when the site offers nothing this app can use.
    pub method: Option<Method>,
    pub reason: String,
    /// Every usable method, best first (the recommended one included).
    pub offered: Vec<Method>,
}

/// Recommend a method from what the site advertises.
pub fn recommend(methods: &AuthMethods, site: &SiteInfo, local: bool) -> Recommendation {
    let mut offered = Vec::new();
    let wpcom = methods.oauth2.as_ref().is_some_and(|o| o.server == OAuth2Server::WordpressCom);
    if wpcom {
        offered.push(Method::WordpressCom);
    }
    if methods.application_passwords.is_some() {
        offered.push(Method::ApplicationPasswords);
    }
    if methods.oauth2.is_some() && !wpcom {
        offered.push(Method::Oauth2);
    }
    if methods.oauth1.is_some() {
        offered.push(Method::Oauth1);
    }
    let approval_page =
        methods.application_passwords.as_ref().is_some_and(|a| a.authorization_url.is_some());
    let reason = match offered.first() {
        Some(Method::WordpressCom) => {
            "WordPress.com sign-in: this site signs in with WordPress.com accounts; you approve \
             the app in your browser and it never sees your password."
                .to_string()
        }
        Some(Method::ApplicationPasswords) if approval_page => {
            "Application Passwords: built into WordPress, no plugin or client registration needed; \
             you approve the app in your browser."
                .to_string()
        }
        Some(Method::ApplicationPasswords) => {
            "Application Passwords: built into WordPress; this site has no approval page, so \
             create one under Users > Profile > Application Passwords and paste it."
                .to_string()
        }
        Some(Method::Oauth2) => {
            let who = match methods.oauth2.as_ref().map(|o| o.server) {
                Some(OAuth2Server::FeaturePlugin) => "the OAuth2 plugin",
                _ => "WP OAuth Server",
            };
            format!(
                "OAuth2 with PKCE: you sign in on the site, in your browser, and the app never sees your \
                 password; needs a client ID registered in {who} by the site's admin."
            )
        }
        Some(Method::Oauth1) => {
            "OAuth 1.0a: the only method this site offers; needs a consumer key registered by the \
             site's admin (Users > Applications)."
                .to_string()
        }
        None if !site.https && !local => {
            "No sign-in method is available: Application Passwords are built into WordPress but \
             only work over https, and this site answers over http. Ask the site's admin to \
             enable https."
                .to_string()
        }
        None => "No sign-in method is advertised: Application Passwords may be switched off by a \
                 plugin or the host, and no OAuth plugin is installed. Ask the site's admin."
            .to_string(),
    };
    Recommendation { method: offered.first().copied(), reason, offered }
}

/// What the person brings to sign in with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Have {
    pub client_id: bool,
    pub consumer_key: bool,
}

/// Pick the method to use, given what the site offers and what the person has; explain why.
/// An error names what is missing (a client ID, a consumer key) when nothing else fits.
pub fn choose(rec: &Recommendation, have: Have) -> Result<(Method, String), String> {
    let offers = |m| rec.offered.contains(&m);
    if have.client_id && offers(Method::WordpressCom) {
        return Ok((
            Method::WordpressCom,
            "WordPress.com sign-in: the site signs in with \
             WordPress.com, and you gave a client ID."
                .into(),
        ));
    }
    if have.client_id && offers(Method::Oauth2) {
        return Ok((
            Method::Oauth2,
            "OAuth2 with PKCE: you gave a client ID for the site's OAuth \
             server; you sign in on the site, in your browser, and the app never sees your password."
                .into(),
        ));
    }
    if have.consumer_key && offers(Method::Oauth1) {
        return Ok((
            Method::Oauth1,
            "OAuth 1.0a: you gave a consumer key for the site's OAuth1 plugin.".into(),
        ));
    }
    if offers(Method::ApplicationPasswords) {
        return Ok((
            Method::ApplicationPasswords,
            "Application Passwords: built into WordPress, no plugin or client registration needed."
                .into(),
        ));
    }
    if offers(Method::WordpressCom) {
        return Err(
            "this site signs in through WordPress.com, which needs a client ID (register an \
             app at developer.wordpress.com/apps)"
                .into(),
        );
    }
    if offers(Method::Oauth2) {
        return Err(
            "this site offers OAuth2, which needs the client ID the site's admin registered \
             for this app"
                .into(),
        );
    }
    if offers(Method::Oauth1) {
        return Err("this site offers OAuth 1.0a, which needs the consumer key the site's admin \
                    registered for this app"
            .into());
    }
    Err(rec.reason.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::{ApplicationPasswords, OAuth1Endpoints, OAuth2Endpoints};
    use url::Url;

    fn site(https: bool) -> SiteInfo {
        SiteInfo {
            name: "S".into(),
            description: String::new(),
            url: if https { "https://s.example" } else { "http://s.example" }.into(),
            home: String::new(),
            gmt_offset: 0.0,
            timezone: None,
            namespaces: vec![],
            icon_url: None,
            https,
        }
    }
    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }
    fn oauth2(server: OAuth2Server) -> OAuth2Endpoints {
        OAuth2Endpoints {
            server,
            authorize: u("https://s.example/oauth/authorize"),
            token: u("https://s.example/oauth/token"),
            me: None,
            grant_types: vec![],
            software: None,
            version: None,
        }
    }
    fn ap(page: bool) -> ApplicationPasswords {
        ApplicationPasswords {
            authorization_url: page
                .then(|| u("https://s.example/wp-admin/authorize-application.php")),
        }
    }
    fn oauth1() -> OAuth1Endpoints {
        OAuth1Endpoints {
            request: u("https://s/r"),
            authorize: u("https://s/a"),
            access: u("https://s/x"),
            version: None,
        }
    }

    #[test]
    fn every_combination() {
        type Case = (
            Option<ApplicationPasswords>,
            Option<OAuth2Endpoints>,
            Option<OAuth1Endpoints>,
            bool,
            Option<Method>,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                Some(ap(true)),
                None,
                None,
                true,
                Some(Method::ApplicationPasswords),
                "no plugin or client registration needed",
            ),
            (Some(ap(false)), None, None, true, Some(Method::ApplicationPasswords), "paste it"),
            (
                Some(ap(true)),
                Some(oauth2(OAuth2Server::WpOauthServer)),
                Some(oauth1()),
                true,
                Some(Method::ApplicationPasswords),
                "built into WordPress",
            ),
            (
                None,
                Some(oauth2(OAuth2Server::WpOauthServer)),
                Some(oauth1()),
                true,
                Some(Method::Oauth2),
                "WP OAuth Server",
            ),
            (
                None,
                Some(oauth2(OAuth2Server::FeaturePlugin)),
                None,
                true,
                Some(Method::Oauth2),
                "the OAuth2 plugin",
            ),
            (None, None, Some(oauth1()), false, Some(Method::Oauth1), "consumer key"),
            (
                Some(ap(true)),
                Some(oauth2(OAuth2Server::WordpressCom)),
                None,
                true,
                Some(Method::WordpressCom),
                "WordPress.com accounts",
            ),
            (None, None, None, false, None, "only work over https"),
            (None, None, None, true, None, "switched off"),
        ];
        for (a, o2, o1, https, want, why) in cases {
            let m = AuthMethods { application_passwords: a, oauth2: o2, oauth1: o1 };
            let r = recommend(&m, &site(https), false);
            assert_eq!(r.method, want, "{m:?}");
            assert!(r.reason.contains(why), "{}", r.reason);
            assert_eq!(r.offered.first().copied(), want);
        }
    }

    #[test]
    fn local_http_site_without_methods_is_not_blamed_on_https() {
        let r = recommend(&AuthMethods::default(), &site(false), true);
        assert!(r.reason.contains("switched off"), "{}", r.reason);
    }

    #[test]
    fn choosing_follows_what_the_person_has() {
        let rec = |offered: Vec<Method>| Recommendation {
            method: offered.first().copied(),
            reason: "none".into(),
            offered,
        };
        let all = rec(vec![Method::ApplicationPasswords, Method::Oauth2, Method::Oauth1]);
        assert_eq!(choose(&all, Have::default()).unwrap().0, Method::ApplicationPasswords);
        assert_eq!(
            choose(&all, Have { client_id: true, ..Default::default() }).unwrap().0,
            Method::Oauth2
        );
        assert_eq!(
            choose(&all, Have { consumer_key: true, ..Default::default() }).unwrap().0,
            Method::Oauth1
        );
        let oauth2_only = rec(vec![Method::Oauth2]);
        assert!(choose(&oauth2_only, Have::default()).unwrap_err().contains("client ID"));
        let wpcom = rec(vec![Method::WordpressCom]);
        assert_eq!(
            choose(&wpcom, Have { client_id: true, ..Default::default() }).unwrap().0,
            Method::WordpressCom
        );
        assert!(choose(&rec(vec![]), Have::default()).is_err());
    }
}
