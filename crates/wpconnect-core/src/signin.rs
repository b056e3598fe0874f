//! The way to sign in, as a person picks it, and the one entry point every face calls:
//! [`Connect::sign_in`] takes the [`Credentials`] the chosen [`Way`] needs and the
//! [`Interaction`] around it (browser, cancel, the app's link inbox, what to show while waiting),
//! and hands over to that way's flow (`oauth2::flow`, `oauth1::flow`, `app_passwords::flow`).
//!
//! [`offered`] lists the ways a discovered site offers, best first, with the words a picker shows;
//! the CLI and the desktop shell each map their input to a [`Way`] in one place.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::app_passwords::{self, CallbackInbox};
use crate::browser::Browser;
use crate::discovery::Discovered;
use crate::error::{Error, Result};
use crate::loopback::Cancel;
use crate::oauth1::Consumer;
use crate::recommend::Method;
use crate::secret::Password;
use crate::session::{Connect, OAuth2Client, SignInOptions, SignedIn};
use crate::site::OAuth2Server;

/// A way to sign in. Serialized as the desktop page and `--json` name it (`app-password`, ...).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Way {
    /// Application Passwords, approved on the site's page in the browser.
    AppPassword,
    /// Application Passwords, one the person created in their profile and pastes.
    AppPasswordPaste,
    /// OAuth 2 authorization code with PKCE, in the browser.
    Oauth2,
    /// The OAuth 2 password grant: the labelled fallback.
    Password,
    /// OAuth 1.0a, approved in the browser.
    Oauth1,
    /// WordPress.com's OAuth 2, in the browser.
    WordpressCom,
}

impl Way {
    /// The method the account will use.
    pub fn method(self) -> Method {
        match self {
            Way::AppPassword | Way::AppPasswordPaste => Method::ApplicationPasswords,
            Way::Oauth2 | Way::Password => Method::Oauth2,
            Way::Oauth1 => Method::Oauth1,
            Way::WordpressCom => Method::WordpressCom,
        }
    }

    /// The browser way of a method.
    pub fn of(method: Method) -> Way {
        match method {
            Method::ApplicationPasswords => Way::AppPassword,
            Method::Oauth2 => Way::Oauth2,
            Method::Oauth1 => Way::Oauth1,
            Method::WordpressCom => Way::WordpressCom,
        }
    }

    /// The person continues in their browser (and WP Connect waits for it to come back).
    pub fn uses_browser(self) -> bool {
        !matches!(self, Way::AppPasswordPaste | Way::Password)
    }

    /// A fallback, said so wherever it is offered.
    pub fn fallback(self) -> bool {
        matches!(self, Way::AppPasswordPaste | Way::Password)
    }

    pub fn label(self) -> &'static str {
        match self {
            Way::AppPasswordPaste => "Paste an Application Password",
            Way::Password => "Username and password (fallback)",
            other => other.method().label(),
        }
    }

    /// One sentence about what it involves.
    pub fn about(self) -> &'static str {
        match self {
            Way::AppPassword => {
                "Built into WordPress: you approve WP Connect on your site's page \
                 in your browser."
            }
            Way::AppPasswordPaste => {
                "Create one under Users > Profile > Application Passwords on \
                 your site and paste it here."
            }
            Way::Oauth2 => {
                "Your site's OAuth2 server: you sign in on the site, in your browser; needs the \
                 client ID your site's admin registered."
            }
            Way::Password => {
                "A fallback for when the browser cannot be used: WP Connect sends \
                 your password to the site once and never keeps it."
            }
            Way::Oauth1 => {
                "The OAuth 1.0a plugin: you approve in your browser; needs the consumer \
                 key and secret your site's admin registered."
            }
            Way::WordpressCom => {
                "Sign in with your WordPress.com account in your browser; needs \
                 your WordPress.com application's client ID."
            }
        }
    }
}

/// One way a site offers, with what a picker shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offered {
    pub way: Way,
    pub label: &'static str,
    pub about: &'static str,
    pub fallback: bool,
    pub uses_browser: bool,
}

/// The ways `site` offers, best first: each method it advertises (the recommended one first),
/// pasting an Application Password beside approving one, and the password grant where the OAuth
/// server allows it (over plain http elsewhere only with the person's choice, like every way
/// there: see [`SignInOptions::allow_plain_http`]).
pub fn offered(site: &Discovered) -> Vec<Offered> {
    let mut ways = Vec::new();
    for m in &site.recommended.offered {
        ways.push(Way::of(*m));
        if *m == Method::ApplicationPasswords {
            ways.push(Way::AppPasswordPaste);
        }
    }
    let password_grant = site.methods.oauth2.as_ref().is_some_and(|o| {
        o.server != OAuth2Server::WordpressCom
            && (o.grant_types.is_empty() || o.grant_types.iter().any(|g| g == "password"))
    });
    if password_grant {
        ways.push(Way::Password);
    }
    ways.into_iter()
        .map(|way| Offered {
            way,
            label: way.label(),
            about: way.about(),
            fallback: way.fallback(),
            uses_browser: way.uses_browser(),
        })
        .collect()
}

/// What the chosen way needs from the person.
pub enum Credentials {
    /// Approve an Application Password in the browser; `device` names it on the site.
    AppPassword {
        device: String,
    },
    AppPasswordPaste {
        username: String,
        password: Password,
    },
    Oauth2(OAuth2Client),
    Password {
        client: OAuth2Client,
        username: String,
        password: Password,
    },
    /// `callback_port`: the port the application is registered with, or `None` for `oob` (the
    /// person types the code the site shows: [`Interaction::code`]).
    Oauth1 {
        consumer: Consumer,
        callback_port: Option<u16>,
    },
    WordpressCom(OAuth2Client),
}

impl Credentials {
    pub fn way(&self) -> Way {
        match self {
            Credentials::AppPassword { .. } => Way::AppPassword,
            Credentials::AppPasswordPaste { .. } => Way::AppPasswordPaste,
            Credentials::Oauth2(_) => Way::Oauth2,
            Credentials::Password { .. } => Way::Password,
            Credentials::Oauth1 { .. } => Way::Oauth1,
            Credentials::WordpressCom(_) => Way::WordpressCom,
        }
    }
}

/// Where the browser's answer comes back to, for the waiting screen.
#[derive(Debug, Clone, Copy)]
pub enum ComesBack<'a> {
    /// This redirect (the loopback listener).
    To(&'a Url),
    /// The desktop app's `wpconnect:` link.
    AppLink,
    /// Nowhere: the site shows a code the person types ([`Interaction::code`]).
    TypedCode,
}

/// The person's side of a sign-in.
pub struct Interaction<'a> {
    pub browser: &'a dyn Browser,
    pub cancel: &'a Cancel,
    /// Where `wpconnect:` answers arrive (the desktop app). Without it, approving an Application
    /// Password works only where the answer can come back to the loopback (local sites).
    pub inbox: Option<&'a CallbackInbox>,
    /// Told the address handed to the browser and where its answer comes back, before the wait.
    pub waiting: &'a (dyn Fn(&Url, ComesBack<'_>) + Sync),
    /// Asked for the code an `oob` OAuth 1.0a approval shows.
    pub code: &'a (dyn Fn() -> Result<String> + Sync),
}

impl Connect {
    /// Sign in to `site` the way `with` names: the one entry point of every face.
    pub async fn sign_in(
        &self,
        site: &Discovered,
        with: Credentials,
        opts: SignInOptions,
        ui: Interaction<'_>,
    ) -> Result<SignedIn> {
        let (browser, cancel) = (ui.browser, ui.cancel);
        match with {
            Credentials::AppPassword { device } => match ui.inbox {
                Some(inbox) if !app_passwords::loopback_possible(&site.site_url()) => {
                    let waiting = |u: &Url| (ui.waiting)(u, ComesBack::AppLink);
                    self.sign_in_app_password_scheme(
                        site, &device, opts, browser, cancel, inbox, waiting,
                    )
                    .await
                }
                _ => {
                    let waiting = |u: &Url, r: &Url| (ui.waiting)(u, ComesBack::To(r));
                    self.sign_in_app_password_browser(site, &device, opts, browser, cancel, waiting)
                        .await
                }
            },
            Credentials::AppPasswordPaste { username, password } => {
                self.sign_in_app_password_paste(site, &username, password, opts).await
            }
            Credentials::WordpressCom(_) if site.wordpress_com.is_none() => {
                Err(Error::NoSignInMethod {
                    site: site.answered_at.clone(),
                    wanted: "goes through WordPress.com (it is neither hosted there nor connected \
                             with Jetpack)"
                        .into(),
                })
            }
            Credentials::Oauth2(client) | Credentials::WordpressCom(client) => {
                let waiting = |u: &Url, r: &Url| (ui.waiting)(u, ComesBack::To(r));
                self.sign_in_browser(site, client, opts, browser, cancel, waiting).await
            }
            Credentials::Password { client, username, password } => {
                self.sign_in_password(site, client, &username, password, opts).await
            }
            Credentials::Oauth1 { consumer, callback_port } => {
                let waiting = |u: &Url, r: Option<&Url>| {
                    (ui.waiting)(u, r.map_or(ComesBack::TypedCode, ComesBack::To))
                };
                self.sign_in_oauth1(
                    site,
                    consumer,
                    callback_port,
                    opts,
                    browser,
                    cancel,
                    waiting,
                    ui.code,
                )
                .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_names_its_method_and_browser_ways_come_back() {
        let all = [
            Way::AppPassword,
            Way::AppPasswordPaste,
            Way::Oauth2,
            Way::Password,
            Way::Oauth1,
            Way::WordpressCom,
        ];
        for w in all {
            assert_eq!(Way::of(w.method()).method(), w.method());
            assert_eq!(
                w.uses_browser(),
                !w.fallback(),
                "{w:?}: the fallbacks are the ways without a browser"
            );
            assert!(!w.label().is_empty() && w.about().ends_with('.'));
        }
        assert_eq!(
            serde_json::to_string(&Way::AppPasswordPaste).unwrap(),
            "\"app-password-paste\""
        );
        assert_eq!(serde_json::to_string(&Way::WordpressCom).unwrap(), "\"wordpress-com\"");
    }
}
