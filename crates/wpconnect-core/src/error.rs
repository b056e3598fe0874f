//! The core's one error type.
//!
//! Variants are designed by the reaction they call for (fix the address, check the network,
//! talk to the site's admin), not by where they came from. Every variant carries what a person
//! needs: [`Error::to_string`] is the plain message, [`Error::hint`] the remedy, and
//! [`Error::kind`] a stable machine-readable name used by the CLI's `--json` output and the
//! desktop app's IPC error `{kind, message, hint}`.

use std::time::Duration;

use serde::Serialize;
use url::Url;

/// Stable, machine-readable error kinds. Serialized in `snake_case`; never renamed once shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    InvalidAddress,
    Dns,
    ConnectionRefused,
    Connect,
    Tls,
    Timeout,
    TooManyRedirects,
    ResponseTooLarge,
    NotWordpress,
    RestApiBlocked,
    HtmlInsteadOfJson,
    InvalidJson,
    ServerError,
}

/// What a caller does about an error: the CLI's exit code follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The person typed something that cannot be an address.
    Usage,
    /// The network or the server's transport failed: nothing WordPress-specific was learned.
    Network,
    /// A server answered, but it is not a WordPress site we can use.
    NotWordpress,
    /// The site answered with a server error.
    Server,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("\"{input}\" is not a web address: {reason}.")]
    InvalidAddress { input: String, reason: String },

    #[error("Could not find the server {host}: the name does not resolve.")]
    Dns { host: String },

    #[error("Nothing is answering at {url} (connection refused).")]
    ConnectionRefused { url: Url },

    #[error("Could not connect to {url}: {detail}.")]
    Connect { url: Url, detail: String },

    #[error("The secure connection to {url} failed: {detail}.")]
    Tls { url: Url, detail: String },

    #[error("{url} did not answer within {} seconds.", after.as_secs_f32().round())]
    Timeout { url: Url, after: Duration },

    #[error("{url} redirected {} times{}; giving up.", chain.len(), if *looped { " in a loop" } else { "" })]
    TooManyRedirects { url: Url, chain: Vec<Url>, looped: bool },

    #[error("{url} sent more than {limit} bytes where a small document was expected.")]
    ResponseTooLarge { url: Url, limit: usize },

    #[error("{url} does not look like a WordPress site: {detail}.")]
    NotWordpress { url: Url, detail: String },

    #[error("The site's REST API is {} at {url} (HTTP {status}{}).", blocked_word(*status), code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    RestApiBlocked {
        url: Url,
        status: u16,
        code: Option<String>,
        message: Option<String>,
        /// The first bytes of the body, for HTML answers.
        snippet: Option<String>,
    },

    #[error("{url} answered with a web page (HTTP {status}) where WordPress's REST API should answer with JSON{}. It began: {snippet:?}", cause.map(|c| format!("; this looks like {c}")).unwrap_or_default())]
    HtmlInsteadOfJson {
        url: Url,
        status: u16,
        snippet: String,
        cause: Option<&'static str>,
    },

    #[error("{url} sent a broken JSON document ({detail}). It began: {snippet:?}")]
    InvalidJson {
        url: Url,
        status: u16,
        detail: String,
        snippet: String,
    },

    #[error("{url} failed with a server error (HTTP {status}).")]
    ServerError { url: Url, status: u16, snippet: String },
}

fn blocked_word(status: u16) -> &'static str {
    match status {
        401 => "closed to visitors who are not signed in",
        403 => "blocked",
        404 | 410 => "missing or disabled",
        _ => "refusing requests",
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidAddress { .. } => ErrorKind::InvalidAddress,
            Error::Dns { .. } => ErrorKind::Dns,
            Error::ConnectionRefused { .. } => ErrorKind::ConnectionRefused,
            Error::Connect { .. } => ErrorKind::Connect,
            Error::Tls { .. } => ErrorKind::Tls,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::TooManyRedirects { .. } => ErrorKind::TooManyRedirects,
            Error::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Error::NotWordpress { .. } => ErrorKind::NotWordpress,
            Error::RestApiBlocked { .. } => ErrorKind::RestApiBlocked,
            Error::HtmlInsteadOfJson { .. } => ErrorKind::HtmlInsteadOfJson,
            Error::InvalidJson { .. } => ErrorKind::InvalidJson,
            Error::ServerError { .. } => ErrorKind::ServerError,
        }
    }

    pub fn category(&self) -> Category {
        match self.kind() {
            ErrorKind::InvalidAddress => Category::Usage,
            ErrorKind::Dns
            | ErrorKind::ConnectionRefused
            | ErrorKind::Connect
            | ErrorKind::Tls
            | ErrorKind::Timeout
            | ErrorKind::TooManyRedirects => Category::Network,
            ErrorKind::ResponseTooLarge
            | ErrorKind::NotWordpress
            | ErrorKind::RestApiBlocked
            | ErrorKind::HtmlInsteadOfJson
            | ErrorKind::InvalidJson => Category::NotWordpress,
            ErrorKind::ServerError => Category::Server,
        }
    }

    /// What the person can do about it, in their terms.
    pub fn hint(&self) -> String {
        match self {
            Error::InvalidAddress { .. } => {
                "Type the address you use to visit the site, for example example.com or https://example.com/blog.".into()
            }
            Error::Dns { .. } => {
                "Check the spelling of the address, and that this computer is online.".into()
            }
            Error::ConnectionRefused { .. } => {
                "Check the address and port; if it is your own server, make sure the web server is running.".into()
            }
            Error::Connect { .. } => "Check that this computer is online and that no firewall blocks the site.".into(),
            Error::Tls { .. } => {
                "The site's https certificate could not be trusted or the secure connection failed. Ask the site's host to fix the certificate; do not sign in over a connection that cannot be trusted.".into()
            }
            Error::Timeout { .. } => {
                "The site may be overloaded or down. Try again in a minute; if it keeps happening, check the site in a browser.".into()
            }
            Error::TooManyRedirects { looped: true, .. } => {
                "The site redirects in a circle, often because its WordPress Address and Site Address settings disagree (or http and https redirect to each other). Ask the site's admin to check Settings > General.".into()
            }
            Error::TooManyRedirects { .. } => {
                "Type the address the site finally lives at (open it in a browser and copy the address bar).".into()
            }
            Error::ResponseTooLarge { .. } => {
                "The address may point to a download or a very large page instead of the site. Check the address.".into()
            }
            Error::NotWordpress { .. } => {
                "Check the address. If this is a WordPress site, its REST API may be switched off; WordPress 4.7 or later with the REST API enabled is needed.".into()
            }
            Error::RestApiBlocked { status: 401, .. } => {
                "A plugin or the site's settings require signing in before the REST API answers. Ask the site's admin to allow the REST API index (/wp-json/) for visitors, or to allow this app.".into()
            }
            Error::RestApiBlocked { .. } => {
                "A security plugin, a firewall or the host blocks WordPress's REST API. Ask the site's admin to allow /wp-json/ (and ?rest_route=/) for this app.".into()
            }
            Error::HtmlInsteadOfJson { .. } => {
                "A security or maintenance plugin, a firewall, or the host is answering instead of WordPress. Open the address in a browser to see the page, and ask the site's admin to let the REST API through.".into()
            }
            Error::InvalidJson { .. } => {
                "A plugin or theme is probably printing text into the site's API responses (PHP warnings, a stray character). Ask the site's admin to check the PHP error log.".into()
            }
            Error::ServerError { .. } => {
                "The site itself failed. Try again later; if it persists, the site's admin should check the server's error log.".into()
            }
        }
    }

    /// True when the error says nothing about the site: a transport failure.
    pub(crate) fn is_transport(&self) -> bool {
        self.category() == Category::Network
    }

    /// How far an attempt got before failing: used to choose which of several attempts'
    /// errors to report (the one that learned the most about the site).
    pub(crate) fn depth(&self) -> u8 {
        match self.kind() {
            ErrorKind::InvalidAddress => 0,
            ErrorKind::Dns => 1,
            ErrorKind::ConnectionRefused | ErrorKind::Connect => 2,
            ErrorKind::Timeout => 3,
            ErrorKind::Tls => 4,
            ErrorKind::TooManyRedirects => 5,
            _ => 6,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
