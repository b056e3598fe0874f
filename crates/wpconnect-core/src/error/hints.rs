//! What the person can do about each error, in the words of the face they use.

use url::Url;

use super::{Error, Face};
use crate::oauth2::ErrorCode;

/// For an error its group does not know (never reached: [`Error::hint_for`] sends each error to
/// its group).
const GENERIC: &str = "Try again; if it keeps happening, show this message to the site's admin.";

impl Error {
    /// What the person can do about it, in the command line's terms (flags, commands): the same
    /// as [`hint_for`](Self::hint_for)`(Face::CommandLine)`.
    pub fn hint(&self) -> String {
        self.hint_for(Face::CommandLine)
    }

    /// What the person can do about it, in the terms of the face they use: the desktop app never
    /// tells a person to type a flag, the command line never to tick a box.
    pub fn hint_for(&self, face: Face) -> String {
        match self {
            Error::InvalidAddress { .. }
            | Error::Dns { .. }
            | Error::ConnectionRefused { .. }
            | Error::Connect { .. }
            | Error::Tls { .. }
            | Error::Timeout { .. }
            | Error::TooManyRedirects { .. }
            | Error::RedirectRefused { .. }
            | Error::ResponseTooLarge { .. }
            | Error::InsecureConnection { .. }
            | Error::NotAWebAddress { .. }
            | Error::UploadInterrupted { .. } => self.reach_hint(face),
            Error::NotWordpress { .. }
            | Error::RestApiBlocked { .. }
            | Error::HtmlInsteadOfJson { .. }
            | Error::InvalidJson { .. }
            | Error::ServerError { .. }
            | Error::RateLimited { .. }
            | Error::OAuthServerDisabled { .. }
            | Error::NoSignInMethod { .. }
            | Error::UnsupportedTokenType { .. }
            | Error::SiteMismatch { .. }
            | Error::FileTooLarge { .. }
            | Error::FileTypeRefused { .. }
            | Error::CannotUpload { .. }
            | Error::UploadQuota { .. }
            | Error::UploadRefused { .. } => self.site_hint(),
            Error::OAuth { .. }
            | Error::OAuth1 { .. }
            | Error::WrongPassword
            | Error::WrongAppPassword
            | Error::AppPasswordNotExchanged { .. }
            | Error::AccessDenied { .. }
            | Error::StateMismatch
            | Error::MissingCode { .. }
            | Error::CallbackTimeout { .. }
            | Error::Cancelled
            | Error::TokenRejected { .. }
            | Error::SignInAgain { .. }
            | Error::InvalidClientId => self.sign_in_hint(face),
            Error::NoSuchAccount { .. }
            | Error::LoopbackUnavailable { .. }
            | Error::BrowserUnavailable { .. }
            | Error::KeyringLocked { .. }
            | Error::KeyringUnavailable { .. }
            | Error::KeyringFailure { .. }
            | Error::ConfigFile { .. }
            | Error::NoPlaceForFiles { .. }
            | Error::InvalidInput { .. }
            | Error::InvalidSetting { .. }
            | Error::FileUnreadable { .. } => self.local_hint(face),
        }
    }

    /// Reaching the site: the address, the network, TLS, redirects, plain http.
    fn reach_hint(&self, face: Face) -> String {
        let desktop = face == Face::Desktop;
        match self {
            Error::InvalidAddress { .. } => {
                "Type the address you use to visit the site, for example example.com or \
                 https://example.com/blog."
                    .into()
            }
            Error::Dns { .. } => {
                "Check the spelling of the address, and that this computer is online.".into()
            }
            Error::ConnectionRefused { .. } => {
                "Check the address and port; if it is your own server, make sure the web server is \
                 running."
                    .into()
            }
            Error::Connect { .. } => "Check that this computer is online and that no firewall \
                                      blocks the site."
                .into(),
            Error::Tls { url, .. }
                if url.host_str().is_some_and(crate::address::is_loopback_host) =>
            {
                "This site is on this computer, and its certificate is not one this computer \
                 trusts (usual for a test site). Use its http:// address, which stays on this \
                 computer, or make the test site's certificate trusted here (for example with \
                 mkcert -install)."
                    .into()
            }
            Error::Tls { .. } => {
                "The site's https certificate could not be trusted or the secure connection \
                 failed. Ask the site's host to fix the certificate; do not sign in over a \
                 connection that cannot be trusted."
                    .into()
            }
            Error::Timeout { .. } => {
                "The site may be overloaded or down. Try again in a minute; if it keeps happening, \
                 check the site in a browser."
                    .into()
            }
            Error::TooManyRedirects { looped: true, .. } => {
                "The site redirects in a circle, often because its WordPress Address and Site \
                 Address settings disagree (or http and https redirect to each other). Ask the \
                 site's admin to check Settings > General."
                    .into()
            }
            Error::TooManyRedirects { .. } => {
                "Type the address the site finally lives at (open it in a browser and copy the \
                 address bar)."
                    .into()
            }
            Error::RedirectRefused { .. } => {
                "The site (or something in front of it) sends its sign-in and API addresses to \
                 another host, or from https to http. Ask the site's admin to check Settings > \
                 General (WordPress Address and Site Address) and any redirect rules; type \
                 the address the site really lives at."
                    .into()
            }
            Error::ResponseTooLarge { .. } => {
                "The address may point to a download or a very large page instead of the site. \
                 Check the address."
                    .into()
            }
            Error::NotAWebAddress { .. } => {
                "Only http and https addresses are opened. Type the site's address in your browser \
                 yourself; its admin should set it under Settings > General."
                    .into()
            }
            Error::InsecureConnection { .. } => {
                format!(
                    "Use the site's https address. If the site has no https, ask its host for \
                     a certificate (most offer one free). If you trust every network between you \
                     and the site, you can choose to sign in over plain http anyway: {}.",
                    if desktop {
                        "tick \"Sign in without encryption\" on the sign-in form"
                    } else {
                        "add --allow-plain-http to wpconnect login"
                    }
                )
            }
            Error::UploadInterrupted { .. } => {
                "Check this computer's connection, then upload the files that failed again; the \
                 site keeps nothing of a file that did not arrive whole."
                    .into()
            }
            _ => GENERIC.into(),
        }
    }

    /// What the site is and how it is set up.
    fn site_hint(&self) -> String {
        match self {
            Error::NotWordpress { .. } => {
                "Check the address. If this is a WordPress site, its REST API may be switched off; \
                 WordPress 4.7 or later with the REST API enabled is needed."
                    .into()
            }
            Error::RestApiBlocked { status: 401, .. } => {
                "A plugin or the site's settings require signing in before the REST API answers. \
                 Ask the site's admin to allow the REST API index (/wp-json/) for visitors, or \
                 to allow this app."
                    .into()
            }
            Error::RestApiBlocked { .. } => {
                "A security plugin, a firewall or the host blocks WordPress's REST API. Ask the \
                 site's admin to allow /wp-json/ (and ?rest_route=/) for this app."
                    .into()
            }
            Error::HtmlInsteadOfJson { .. } => {
                "A security or maintenance plugin, a firewall, or the host is answering instead of \
                 WordPress. Open the address in a browser to see the page, and ask the site's \
                 admin to let the REST API through."
                    .into()
            }
            Error::InvalidJson { .. } => {
                "A plugin or theme is probably printing text into the site's API responses (PHP \
                 warnings, a stray character). Ask the site's admin to check the PHP error log."
                    .into()
            }
            Error::RateLimited { retry_after, .. } => format!(
                "Wait {}, then try again; nothing was changed. If it keeps happening, the site's \
                 host or a security plugin is limiting requests: ask the site's admin.",
                retry_after.map(|d| super::seconds(&d)).unwrap_or_else(|| "a few minutes".into())
            ),
            Error::ServerError { .. } => {
                "The site itself failed. Try again later; if it persists, the site's admin should \
                 check the server's error log."
                    .into()
            }
            Error::OAuthServerDisabled { .. } => {
                "The site's admin must switch the OAuth server on (WP OAuth Server: Settings, \
                 \"OAuth Server Enabled\"). Until then, sign in another way, such as \
                 Application Passwords."
                    .into()
            }
            Error::NoSignInMethod { .. } => {
                "Choose another sign-in method, or ask the site's admin to enable one (Application \
                 Passwords need https or a local site)."
                    .into()
            }
            Error::UnsupportedTokenType { .. } => "Ask the site's admin to configure the OAuth \
                                                   server to issue Bearer tokens."
                .into(),
            Error::SiteMismatch { .. } => "Start again from the site's own address; if it keeps \
                                           happening, the site may be redirecting to another \
                                           address (check Settings > \
                                           General)."
                .into(),
            Error::FileTooLarge { .. } => {
                "Upload a smaller version (a photo exported at a lower resolution or quality), or \
                 ask the site's admin to raise the upload limit (PHP's upload_max_filesize and \
                 post_max_size)."
                    .into()
            }
            Error::FileTypeRefused { .. } => {
                "Convert the file to a type WordPress accepts (JPEG, PNG, WebP or GIF for photos), \
                 or ask the site's admin to allow this type."
                    .into()
            }
            Error::CannotUpload { .. } => {
                "Ask the site's admin for a role that may upload files (Author or above), or sign \
                 in with another account."
                    .into()
            }
            Error::UploadQuota { .. } => {
                "Delete files you no longer need from the site's media library, or ask the site's \
                 admin for more space."
                    .into()
            }
            Error::UploadRefused { .. } => {
                "Try again; if it keeps happening, show this message to the site's admin.".into()
            }
            _ => GENERIC.into(),
        }
    }

    /// Signing in and staying signed in.
    fn sign_in_hint(&self, face: Face) -> String {
        match self {
            Error::OAuth { code, redirect_uri, grant, .. } => {
                oauth_hint(code, redirect_uri.as_ref(), grant.as_deref(), face)
            }
            Error::WrongPassword => {
                "Check the username and password (they are the ones you use to \
                 log in to the site's wp-admin) and try again."
                    .into()
            }
            Error::AccessDenied { .. } => {
                "To connect, start again and choose to approve on your site's page; if you did \
                 not decline, ask the site's admin whether your account may use this app."
                    .into()
            }
            Error::StateMismatch => {
                "Start the sign-in again and finish it in the browser tab it opens. If this keeps \
                 happening, another program may be answering on this computer's sign-in \
                 address."
                    .into()
            }
            Error::MissingCode { .. } => "Start the sign-in again. If it keeps happening, ask the \
                                          site's admin to check the OAuth client's settings."
                .into(),
            Error::CallbackTimeout { .. } => {
                "Start the sign-in again and finish it in the browser. If the browser did not \
                 open, use the address the app shows."
                    .into()
            }
            Error::Cancelled => "Nothing was changed. Start again when you are ready.".into(),
            Error::TokenRejected { stripped_header_suspected: true, .. } => {
                "The site's hosting seems to drop the Authorization header. Ask the site's admin \
                 to add `CGIPassAuth On` (Apache) or `SetEnvIf Authorization \"(.*)\" \
                 HTTP_AUTHORIZATION=$1` to .htaccess, or use the site's https address."
                    .into()
            }
            Error::TokenRejected { .. } => "Sign in again. If it keeps happening, ask the site's \
                                            admin whether the token was revoked."
                .into(),
            Error::SignInAgain { .. } => {
                "Sign in to this account again; nothing else about it was \
                 lost."
                    .into()
            }
            Error::InvalidClientId => "Copy the client ID again from the site's OAuth client \
                                       settings."
                .into(),
            Error::OAuth1 { text, callback, skew_secs, .. } => {
                oauth1_hint(text, callback.as_deref(), *skew_secs, face)
            }
            Error::AppPasswordNotExchanged { .. } => "A password that came back through the \
                                                      browser is kept in its history, so WP \
                                                      Connect only keeps one it made itself. Ask \
                                                      the site's admin whether a security plugin \
                                                      blocks creating Application \
                                                      Passwords over the REST API, or create one \
                                                      in your profile and paste it."
                .into(),
            Error::WrongAppPassword => "Use your WordPress username (not your email) and an \
                                        Application Password from Users > Profile > Application \
                                        Passwords; your normal \
                                        login password does not work here."
                .into(),
            _ => GENERIC.into(),
        }
    }

    /// This computer: accounts, ports, the browser, the keyring, files, input.
    fn local_hint(&self, face: Face) -> String {
        let desktop = face == Face::Desktop;
        match self {
            Error::NoSuchAccount { .. } if desktop => "Open Accounts to see the accounts WP \
                                                       Connect has: this one may have been signed \
                                                       out in another window or from the \
                                                       command line."
                .into(),
            Error::NoSuchAccount { .. } => "List your accounts with `wpconnect accounts` and use \
                                            one of their IDs."
                .into(),
            Error::LoopbackUnavailable { ports, .. } if !ports.is_empty() => {
                "Another program uses the registered port. Close it, or register another port with \
                 the site's OAuth client and choose it here."
                    .into()
            }
            Error::LoopbackUnavailable { .. } => "Check that this computer allows programs to \
                                                  listen on 127.0.0.1."
                .into(),
            Error::BrowserUnavailable { .. } => {
                "Open the address shown in any browser yourself, or set the BROWSER environment \
                 variable to your browser's command."
                    .into()
            }
            Error::KeyringLocked { .. } => {
                "Unlock your keyring (log in to your desktop session, or open Passwords and Keys \
                 and unlock \"Login\"), then try again; or sign in for this session only."
                    .into()
            }
            Error::KeyringUnavailable { .. } => {
                "Install and start a keyring (GNOME Keyring or KWallet) so your sign-in can be \
                 kept safely; or sign in for this session only, which keeps nothing after the \
                 app closes."
                    .into()
            }
            Error::KeyringFailure { .. } => "Try again; if it keeps failing, sign in for this \
                                             session only."
                .into(),
            Error::ConfigFile { detail, .. } if detail == crate::store::accounts::DISK_FULL => {
                "Make room on the disk, then try again; nothing was changed.".into()
            }
            Error::ConfigFile { detail, .. } if detail == crate::store::accounts::NOT_WRITABLE => {
                "Let your user write to that folder (or choose another with \
                 WPCONNECT_CONFIG_DIR), then try again; nothing was changed."
                    .into()
            }
            Error::ConfigFile { .. } => "Check the file's permissions, or move it aside to start \
                                         with no accounts (your keyring entries stay)."
                .into(),
            Error::NoPlaceForFiles { .. } => "Give your user a home folder (HOME), or set \
                                              WPCONNECT_CONFIG_DIR and WPCONNECT_LOG_DIR to \
                                              absolute folders of your own. WP \
                                              Connect does not fall back to a shared temporary \
                                              folder, where other users \
                                              could read or replace its files."
                .into(),
            Error::InvalidInput { .. } if desktop => "Fill in what the form asks for, then try \
                                                      again."
                .into(),
            Error::InvalidInput { .. } => "See `wpconnect help` for what each option takes.".into(),
            Error::InvalidSetting { .. } => "Change it and save again; the settings in use have \
                                             not changed."
                .into(),
            Error::FileUnreadable { .. } => {
                "Check that the file exists and that you may read it, then add it again.".into()
            }
            _ => GENERIC.into(),
        }
    }
}

fn oauth1_hint(text: &str, callback: Option<&str>, skew: Option<i64>, face: Face) -> String {
    let lower = text.to_ascii_lowercase();
    if lower.contains("callback") {
        return match callback {
            Some("oob") => "The application is not registered for out-of-band (copy the code) \
                            sign-in: set its callback to \"oob\" in wp-admin (Users > \
                            Applications), or use a \
                            registered port."
                .into(),
            Some(cb) => format!(
                "Set the application's callback URL in wp-admin (Users > \
                 Applications) to exactly {cb} (scheme, host, port and path must match), or {}.",
                match face {
                    Face::CommandLine => "use the port it is registered with (--redirect-port)",
                    Face::Desktop => "enter the port it is registered with as the Callback port",
                }
            ),
            None => {
                "Check the application's callback URL in wp-admin (Users > Applications).".into()
            }
        };
    }
    if lower.contains("timestamp") || skew.is_some_and(|s| s.abs() > 15 * 60) {
        return "Set this computer's clock right (turn on automatic time); OAuth 1.0a requests are \
                refused when the clocks differ by more than 15 minutes.".into();
    }
    if lower.contains("consumer") {
        return "Check the consumer key and secret against the application in wp-admin (Users > \
                Applications)."
            .into();
    }
    if lower.contains("signature") {
        return "Check the consumer secret. If it is right, the site may see another address than \
                its own (www or not, http or https): ask its admin to check Settings > General."
            .into();
    }
    "Try again; if it keeps happening, show this message to the site's admin.".into()
}

fn oauth_hint(
    code: &ErrorCode,
    redirect_uri: Option<&Url>,
    grant: Option<&str>,
    face: Face,
) -> String {
    match code {
        ErrorCode::InvalidClient => "Check the client ID and secret against the site's OAuth \
                                     client (WP OAuth Server: OAuth Server > Clients in wp-admin). \
                                     A public client has no \
                                     secret: leave it empty."
            .into(),
        ErrorCode::InvalidGrant if grant == Some("refresh_token") => "Sign in again.".into(),
        ErrorCode::InvalidGrant => "Start the sign-in again and finish it promptly: codes are \
                                    valid for about 30 seconds."
            .into(),
        ErrorCode::UnauthorizedClient => format!(
            "In the site's OAuth client settings, enable the {} grant type for this client, or \
             choose another sign-in method.",
            match grant {
                Some("password") => "\"User Credentials\"",
                Some("refresh_token") => "\"Refresh Token\"",
                _ => "\"Authorization Code\"",
            }
        ),
        c if c.is_redirect_refused() => match redirect_uri {
            Some(uri) => format!(
                "Register exactly {uri} as a redirect URI of the site's OAuth client, or {}.",
                match face {
                    Face::CommandLine => "choose the port that is registered (--redirect-port)",
                    Face::Desktop => "enter the registered port as the Redirect port",
                }
            ),
            None => "Register this app's redirect URI with the site's OAuth client.".into(),
        },
        ErrorCode::InvalidScope => "Sign in without asking for a scope, or ask the site's admin \
                                    which scopes the client may use."
            .into(),
        ErrorCode::UnsupportedGrantType | ErrorCode::UnsupportedResponseType => "Choose another \
                                                                                 sign-in method."
            .into(),
        _ => {
            "Try again later; if it keeps happening, show this message to the site's admin.".into()
        }
    }
}
