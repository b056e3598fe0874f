//! The core's one error type.
//!
//! Variants are designed by the reaction they call for (fix the address, check the network,
//! talk to the site's admin), not by where they came from. Every variant carries what a person
//! needs: [`Error::to_string`] is the plain message, [`Error::hint`] the remedy, and
//! [`Error::kind`] a stable machine-readable name used by the CLI's `--json` output and the
//! desktop app's IPC error `{kind, message, hint}`.

use std::time::Duration;

use url::Url;

use crate::oauth2::ErrorCode;

/// Who reads a hint: where the remedy is a flag or a field on a form, the words differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    CommandLine,
    Desktop,
}

#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("\"{input}\" is not a web address: {reason}.")]
    InvalidAddress { input: String, reason: String },

    #[error("Could not find the server {host}: the name does not resolve.")]
    Dns { host: String },

    #[error("Nothing is answering at {url}.")]
    ConnectionRefused { url: Url },

    #[error("The connection to {url} failed: {detail}.")]
    Connect { url: Url, detail: String },

    #[error("The secure connection to {url} failed: {detail}.")]
    Tls { url: Url, detail: String },

    #[error("{url} did not answer within {}.", seconds(after))]
    Timeout { url: Url, after: Duration },

    #[error(
        "{url} redirected {} times{}; giving up.",
        chain.len(),
        if *looped { " in a loop" } else { "" }
    )]
    TooManyRedirects { url: Url, chain: Vec<Url>, looped: bool },

    #[error(
        "{from} redirected to {to}, another address than the one that was checked. WP Connect \
         does not follow it: the request carried your sign-in, and it only goes to the site it \
         verified."
    )]
    RedirectRefused { from: Url, to: Url },

    #[error("{url} sent more than {limit} bytes where a small document was expected.")]
    ResponseTooLarge { url: Url, limit: usize },

    #[error("{url} does not look like a WordPress site: {detail}.")]
    NotWordpress { url: Url, detail: String },

    #[error(
        "The site's REST API is {} at {url} (HTTP {status}{}).",
        blocked_word(*status),
        code.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
    )]
    RestApiBlocked {
        url: Url,
        status: u16,
        code: Option<String>,
        message: Option<String>,
        /// The first bytes of the body, for HTML answers.
        snippet: Option<String>,
    },

    #[error(
        "{url} answered with a web page (HTTP {status}) where WordPress's REST API should \
         answer with JSON{}. The page says: {snippet:?}",
        cause.map(|c| format!("; this looks like {c}")).unwrap_or_default()
    )]
    HtmlInsteadOfJson { url: Url, status: u16, snippet: String, cause: Option<&'static str> },

    #[error("{url} sent a broken JSON document ({detail}). It began: {snippet:?}")]
    InvalidJson { url: Url, status: u16, detail: String, snippet: String },

    #[error("{url} failed with a server error (HTTP {status}).")]
    ServerError { url: Url, status: u16, snippet: String },

    #[error(
        "{url} is turning requests away for now: too many came (HTTP 429){}.",
        retry_after.map(|d| format!("; it asks to wait {}", seconds(&d))).unwrap_or_default()
    )]
    RateLimited { url: Url, retry_after: Option<Duration> },

    #[error("{}", oauth_message(code, description.as_deref(), *status, grant.as_deref()))]
    OAuth {
        endpoint: Url,
        status: u16,
        /// The OAuth `error` code as the server sent it.
        code: crate::oauth2::ErrorCode,
        description: Option<String>,
        /// The grant being attempted, when known ("authorization_code", "password", ...).
        grant: Option<String>,
        /// The redirect URI that was sent, when one was.
        redirect_uri: Option<Url>,
    },

    #[error("The site's OAuth server is switched off (it answers \"temporarily unavailable\").")]
    OAuthServerDisabled { endpoint: Url },

    #[error("The username or password is not right.")]
    WrongPassword,

    /// The server's own words (`description`, often written for developers: "...access to your
    /// application") stay out of the message; `wpconnect -v` and the log have them.
    #[error("WP Connect was not given access: the approval was declined.")]
    AccessDenied { description: Option<String> },

    #[error(
        "The answer from the browser did not belong to this sign-in (its state did not match), \
         so it was not used."
    )]
    StateMismatch,

    #[error(
        "The browser came back without a sign-in code{}.",
        detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
    )]
    MissingCode { detail: Option<String> },

    #[error("Nothing came back from the browser within {}.", minutes_or_seconds(after))]
    CallbackTimeout { after: Duration },

    #[error("Sign-in was cancelled.")]
    Cancelled,

    #[error(
        "{url} is not https, and {what} is only sent over an encrypted connection (or to this \
         computer)."
    )]
    InsecureConnection { url: Url, what: &'static str },

    #[error(
        "The site gave \"{address}\" as its address, which is not a web address, so it was not \
         opened."
    )]
    NotAWebAddress { address: String },

    #[error("{site} offers no way to sign in that {wanted}.")]
    NoSignInMethod { site: Url, wanted: String },

    #[error("The site issued a \"{token_type}\" token; only Bearer tokens are supported.")]
    UnsupportedTokenType { token_type: String },

    #[error(
        "{url} did not accept the sign-in (HTTP {status}{}).",
        code.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
    )]
    TokenRejected { url: Url, status: u16, code: Option<String>, stripped_header_suspected: bool },

    #[error("{account} needs to sign in again: {reason}")]
    SignInAgain { account: String, reason: String },

    #[error("There is no account \"{id}\".")]
    NoSuchAccount { id: String },

    #[error(
        "Could not listen for the browser's answer on 127.0.0.1{}: {detail}.",
        ports_note(ports)
    )]
    LoopbackUnavailable { ports: Vec<u16>, detail: String },

    #[error("Could not open a web browser ({detail}).")]
    BrowserUnavailable { detail: String },

    #[error("Your keyring is locked or refused access ({store}: {detail}).")]
    KeyringLocked { store: String, detail: String },

    /// `detail` (the platform's own words) goes to the log, not to the person.
    #[error("No keyring is available: {store} could not be reached.")]
    KeyringUnavailable { store: String, detail: String },

    #[error("The keyring failed ({store}: {detail}).")]
    KeyringFailure { store: String, detail: String },

    #[error("The file {} could not be used: {detail}.", path.display())]
    ConfigFile { path: std::path::PathBuf, detail: String },

    #[error("WP Connect has nowhere to keep its {what}: {detail}.")]
    NoPlaceForFiles { what: &'static str, detail: String },

    #[error("The client ID contains characters that cannot be sent.")]
    InvalidClientId,

    #[error("The answer came from {reported}, not from {expected}, so it was not used.")]
    SiteMismatch { expected: Url, reported: String },

    #[error("WordPress did not accept the username and Application Password.")]
    WrongAppPassword,

    #[error(
        "WordPress approved WP Connect, but did not let it swap the password sent through your \
         browser for one of its own (HTTP {status}{}), so nothing was kept.",
        code.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
    )]
    AppPasswordNotExchanged { status: u16, code: Option<String> },

    #[error(
        "The site's OAuth 1.0a server refused the request (HTTP {status}): {text}{}",
        skew_note(*skew_secs)
    )]
    OAuth1 {
        endpoint: Url,
        status: u16,
        /// What the server said (plain text from its token endpoints, or a REST error code).
        text: String,
        /// The callback that was sent.
        callback: Option<String>,
        /// The site's clock minus ours, from its `Date` header.
        skew_secs: Option<i64>,
    },

    #[error("{what}: {reason}.")]
    InvalidInput { what: String, reason: String },

    #[error("That setting cannot be saved: {detail}.")]
    InvalidSetting { detail: String },

    #[error("Could not read {path}: {detail}.")]
    FileUnreadable { path: String, detail: String },

    #[error(
        "{file} ({}) is bigger than the site accepts{}.",
        size_words(*size),
        site_says.as_deref().map(|s| format!(": {}", s.trim_end_matches('.'))).unwrap_or_default()
    )]
    FileTooLarge { file: String, size: u64, site_says: Option<String> },

    #[error("The site does not accept this type of file ({file}): {}", message.trim_end_matches('.'))]
    FileTypeRefused { file: String, message: String },

    #[error("This account may not upload files to the site: {}.", message.trim_end_matches('.'))]
    CannotUpload { message: String },

    #[error("The site has no room left for uploads: {}.", message.trim_end_matches('.'))]
    UploadQuota { message: String },

    #[error(
        "The site refused the upload (HTTP {status}{}): {}.",
        code.as_deref().map(|c| format!(", {c}")).unwrap_or_default(),
        message.trim_end_matches('.')
    )]
    UploadRefused { url: Url, status: u16, code: Option<String>, message: String },

    #[error(
        "The connection broke while sending {file} ({} of {} sent): {}",
        size_words(*sent),
        size_words(*total),
        detail
    )]
    UploadInterrupted { file: String, sent: u64, total: u64, detail: String },
}

/// "830 KB", "12.4 MB": a size as a person reads it.
pub fn size_words(bytes: u64) -> String {
    const MB: f64 = 1_000_000.0;
    match bytes {
        b if b < 1_000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{} KB", (b as f64 / 1_000.0).round() as u64),
        b if b < 10_000_000 => format!("{:.1} MB", b as f64 / MB),
        b => format!("{} MB", (b as f64 / MB).round() as u64),
    }
}

fn oauth_message(
    code: &ErrorCode,
    description: Option<&str>,
    status: u16,
    grant: Option<&str>,
) -> String {
    let said = description.map(|d| format!(" The site said: \"{d}\".")).unwrap_or_default();
    let base = match code {
        ErrorCode::InvalidClient => "The site does not accept this app's client ID or client \
                                     secret."
            .to_string(),
        ErrorCode::InvalidGrant if grant == Some("refresh_token") => "The site no longer accepts \
                                                                      the saved sign-in."
            .to_string(),
        ErrorCode::InvalidGrant => "The site refused the sign-in code (it expired, was already \
                                    used, or failed the PKCE check)."
            .to_string(),
        ErrorCode::UnauthorizedClient => format!(
            "This OAuth client is not allowed to use {}.",
            grant.map(grant_name).unwrap_or("this kind of sign-in")
        ),
        c if c.is_redirect_refused() => {
            "The site does not accept this app's redirect address.".to_string()
        }
        ErrorCode::InvalidScope => "The site refused the requested scope.".to_string(),
        ErrorCode::UnsupportedGrantType => format!(
            "The site's OAuth server does not support {}.",
            grant.map(grant_name).unwrap_or("this kind of sign-in")
        ),
        ErrorCode::UnsupportedResponseType => "The site's OAuth server does not support the \
                                               authorization code flow."
            .to_string(),
        ErrorCode::InvalidRequest
            if description.is_some_and(|d| d.to_ascii_lowercase().contains("invalid token")) =>
        {
            "The site did not accept the access token.".to_string()
        }
        ErrorCode::TemporarilyUnavailable | ErrorCode::ServerError => "The site's OAuth server is \
                                                                       having trouble."
            .to_string(),
        other => format!("The site's OAuth server refused the request ({other}, HTTP {status})."),
    };
    format!("{base}{said}")
}

fn grant_name(grant: &str) -> &'static str {
    match grant {
        "authorization_code" => "the authorization code flow (browser sign-in)",
        "password" => "the password grant (\"user credentials\")",
        "refresh_token" => "refresh tokens",
        "client_credentials" => "client credentials",
        _ => "this kind of sign-in",
    }
}

/// " (port 8765)", " (port 8765, 8766)", or nothing.
fn ports_note(ports: &[u16]) -> String {
    if ports.is_empty() {
        return String::new();
    }
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!(" (port {})", ports.join(", "))
}

/// The clocks, when they differ by more than a minute (`skew`: the site's minus this computer's).
fn skew_note(skew: Option<i64>) -> String {
    match skew {
        Some(s) if s.abs() > 60 => format!(
            " This computer's clock is {} minutes {} the site's.",
            s.abs() / 60,
            if s > 0 { "behind" } else { "ahead of" }
        ),
        _ => String::new(),
    }
}

fn blocked_word(status: u16) -> &'static str {
    match status {
        401 => "closed to visitors who are not signed in",
        403 => "blocked",
        404 | 410 => "missing or disabled",
        _ => "refusing requests",
    }
}

mod hints;
mod kind;

pub use kind::{Category, ErrorKind};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// "5 minutes", "1 minute", or, under a minute, [`seconds`].
fn minutes_or_seconds(d: &Duration) -> String {
    if d.as_secs() < 60 {
        return seconds(d);
    }
    match (d.as_secs_f32() / 60.0).round() as u64 {
        1 => "1 minute".into(),
        n => format!("{n} minutes"),
    }
}

/// "1 second", "20 seconds": a wait as a person reads it (never "0 seconds").
pub(crate) fn seconds(d: &Duration) -> String {
    match d.as_secs_f32().round().max(1.0) as u64 {
        1 => "1 second".into(),
        n => format!("{n} seconds"),
    }
}

#[cfg(test)]
mod tests;
