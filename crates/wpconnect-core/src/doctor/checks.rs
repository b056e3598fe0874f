//! Every check the doctor makes, as a type: its stable id (what `wpconnect.doctor/1` and the
//! app show), its title, and why it matters. Report order is declaration order.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! checks {
    ($($variant:ident = $id:literal, $title:literal, $why:literal;)*) => {
        /// One check, by its stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId {
            $($variant,)*
        }

        impl CheckId {
            /// Every check, in report order.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant,)*];

            /// The stable id (`transport.https`, ...).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $id,)*
                }
            }

            pub fn title(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $title,)*
                }
            }

            /// Why it matters, for the admin.
            pub fn why(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $why,)*
                }
            }
        }
    };
}

checks! {
    TransportHttps = "transport.https", "Served over https",
        "Tokens, codes and passwords travel to the site with every sign-in; without https anyone \
         on the network path can read them, and WordPress offers Application Passwords only \
         over https (or on local sites).";
    TransportCertificate = "transport.certificate", "Certificate trusted",
        "Apps refuse a certificate they cannot trust, and they are right to: the sign-in fails \
         before it starts.";
    TransportHttpRedirect = "transport.http_redirect", "http redirects to https",
        "People and links that use http:// should land on https://, or their first requests (and \
         any cookie or token in them) go unencrypted.";
    TransportSiteAddress = "transport.site_address", "Site address matches where it answers",
        "WordPress builds sign-in links, redirects and OAuth 1.0a signatures from its own address \
         (Settings > General); if that differs from where the site answers (www or not, http or \
         https, a subfolder), sign-ins bounce or signatures fail.";
    RestReachable = "rest.reachable", "REST API reachable",
        "Every sign-in method and everything an app does afterwards goes through WordPress's REST \
         API.";
    RestNotBlocked = "rest.not_blocked", "REST API answers apps",
        "Security plugins, firewalls and maintenance pages sometimes answer the REST API with a \
         web page or a refusal; apps then cannot sign in or work.";
    RestPermalinks = "rest.permalinks", "Permalinks",
        "With plain permalinks /wp-json/ does not exist: apps must use ?rest_route=, and some \
         cannot.";
    AuthAuthorizationHeader = "auth.authorization_header", "Authorization header reaches WordPress",
        "Tokens and Application Passwords travel in the Authorization header; some CGI/FastCGI \
         set-ups drop it, and then every signed-in request looks anonymous.";
    AuthSiteHealth = "auth.site_health", "Site Health: Authorization header test",
        "WordPress's own Site Health test checks, from the server, that the Authorization header \
         gets through.";
    MethodsAdvertised = "methods.advertised", "Sign-in methods advertised",
        "Apps find the sign-in methods in the REST index's \"authentication\" section; a method \
         that is not listed there is not offered.";
    MethodsSameSite = "methods.same_site", "Sign-in endpoints on the site itself",
        "Apps send codes, client secrets and passwords to the endpoints the REST index names; one \
         on another host (a misconfigured proxy, a hacked plugin, a tampered connection) would \
         receive them, so WP Connect refuses it.";
    MethodsMetadata = "methods.metadata", "OAuth metadata agrees with the REST index",
        "Apps that read the OAuth server's discovery document are misled where it contradicts the \
         REST index (issuer scheme, grant list, PKCE methods).";
    MethodsApplicationPasswords = "methods.application_passwords", "Application Passwords",
        "Application Passwords are built into WordPress and need no plugin or client registration: \
         the simplest way for people to connect an app.";
    Oauth2Server = "oauth2.server", "OAuth server switched on",
        "A switched-off OAuth server answers every request with \"temporarily unavailable\": \
         nobody can sign in with OAuth.";
    Oauth2Client = "oauth2.client", "OAuth client known, credentials accepted",
        "The client ID (and secret, for a confidential client) must match a client registered on \
         the site.";
    Oauth2RedirectUri = "oauth2.redirect_uri", "Redirect URI accepted",
        "After signing in, the site sends the browser back to the app's redirect URI; a URI the \
         site does not accept ends the sign-in with an error page.";
    Oauth2RedirectMatching = "oauth2.redirect_matching", "Redirect URIs matched exactly",
        "When redirect URIs are matched by prefix, the site also sends sign-in codes to look-alike \
         addresses; exact matching is what OAuth's security advice (RFC 9700) requires.";
    Oauth2LoopbackPort = "oauth2.loopback_port", "Loopback redirect port",
        "Desktop apps receive the answer on http://127.0.0.1:<port>/callback; if only a registered \
         port is accepted, people must sign in with that port.";
    Oauth2GrantAuthorizationCode = "oauth2.grant.authorization_code", "Authorization code grant \
                                                                       enabled",
        "Browser sign-in (the method WP Connect uses) needs the authorization code grant.";
    Oauth2GrantRefreshToken = "oauth2.grant.refresh_token", "Refresh token grant enabled",
        "Without refresh tokens people must sign in again every time the access token expires (an \
         hour on WP OAuth Server).";
    Oauth2GrantPassword = "oauth2.grant.password", "Password grant",
        "The password grant sends people's passwords through the app; OAuth's security advice (RFC \
         9700) says it must not be used, and WP Connect offers it only as a labelled fallback.";
    LiveState = "live.state", "state echoed",
        "The app checks that the answer carries the state it sent, which protects people against \
         forged sign-in answers; a server that drops it breaks every sign-in.";
    LivePkce = "live.pkce", "PKCE enforced",
        "PKCE ties the sign-in code to the app that asked for it: a code intercepted on this \
         computer is useless without the verifier.";
    LiveCodeReuse = "live.code_reuse", "Codes work once",
        "A sign-in code that works twice can be replayed by whoever sees it.";
    LiveCodeLifetime = "live.code_lifetime", "Code lifetime",
        "Sign-in codes should expire within a minute or so.";
    LiveTokenLifetimes = "live.token_lifetimes", "Token lifetimes",
        "Short access tokens limit the damage of a leak; WP Connect refreshes them two minutes \
         before they expire.";
    LiveRefreshRotation = "live.refresh_rotation", "Refresh tokens rotate",
        "When a refresh token keeps working after use, a stolen one gives lasting access; rotated \
         tokens expose the theft.";
    LiveRevocation = "live.revocation", "Revocation revokes",
        "Signing out revokes the tokens on the site; a revocation endpoint that does not revoke \
         leaves them working.";
    LiveMe = "live.me", "Profile endpoint fields",
        "Apps show who is signed in from the OAuth server's profile endpoint (/oauth/me).";
    Oauth1Consumer = "oauth1.consumer", "OAuth 1.0a consumer known",
        "The consumer key (and secret) must match an application registered in wp-admin (Users > \
         Applications).";
    Oauth1Callback = "oauth1.callback", "OAuth 1.0a callback registered",
        "The OAuth1 plugin accepts only the callback registered with the application, matched in \
         scheme, host, port and path.";
    Oauth1Clock = "oauth1.clock", "Clocks agree",
        "OAuth 1.0a requests carry a timestamp the plugin refuses when it is more than 15 minutes \
         off the server's clock.";
}

impl CheckId {
    /// The part of the id before the first dot (`transport`, `oauth2`, `live`, ...).
    pub fn group(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or("")
    }

    pub fn parse(id: &str) -> Option<CheckId> {
        CheckId::ALL.iter().copied().find(|c| c.as_str() == id)
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CheckId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        CheckId::parse(&id).ok_or_else(|| serde::de::Error::custom(format!("no doctor check {id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_grouped_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for c in CheckId::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert_eq!(CheckId::parse(c.as_str()), Some(*c));
            assert!(
                ["transport", "rest", "auth", "methods", "oauth2", "live", "oauth1"]
                    .contains(&c.group()),
                "{c}"
            );
            assert!(!c.title().is_empty() && c.why().ends_with('.'), "{c}");
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<CheckId>(&json).unwrap(), *c);
        }
    }
}
