//! Each error's stable kind (what scripts and the app's IPC match on) and its category (what a
//! caller does about it: the CLI's exit code follows from it).

use serde::Serialize;

use super::Error;

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
    RedirectRefused,
    ResponseTooLarge,
    NotWordpress,
    RestApiBlocked,
    HtmlInsteadOfJson,
    InvalidJson,
    ServerError,
    RateLimited,
    // Signing in.
    Oauth,
    OauthServerDisabled,
    WrongPassword,
    AccessDenied,
    StateMismatch,
    MissingCode,
    CallbackTimeout,
    Cancelled,
    InsecureConnection,
    NotAWebAddress,
    NoSignInMethod,
    UnsupportedTokenType,
    TokenRejected,
    SignInAgain,
    NoSuchAccount,
    // This computer.
    LoopbackUnavailable,
    BrowserUnavailable,
    KeyringLocked,
    KeyringUnavailable,
    KeyringFailure,
    ConfigFile,
    NoPlaceForFiles,
    InvalidClientId,
    InvalidInput,
    InvalidSetting,
    SiteMismatch,
    WrongAppPassword,
    AppPasswordNotExchanged,
    Oauth1,
    FileUnreadable,
    FileTooLarge,
    FileTypeRefused,
    CannotUpload,
    UploadQuota,
    UploadRefused,
    UploadInterrupted,
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
    /// Signing in did not work: refused, denied, misconfigured, or the tokens stopped working.
    Auth,
    /// Something on this computer: the keyring, the config file, the browser, a port.
    Local,
    /// The person cancelled or did not finish in time.
    Cancelled,
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
            Error::RedirectRefused { .. } => ErrorKind::RedirectRefused,
            Error::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Error::NotWordpress { .. } => ErrorKind::NotWordpress,
            Error::RestApiBlocked { .. } => ErrorKind::RestApiBlocked,
            Error::HtmlInsteadOfJson { .. } => ErrorKind::HtmlInsteadOfJson,
            Error::InvalidJson { .. } => ErrorKind::InvalidJson,
            Error::ServerError { .. } => ErrorKind::ServerError,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::OAuth { .. } => ErrorKind::Oauth,
            Error::OAuthServerDisabled { .. } => ErrorKind::OauthServerDisabled,
            Error::WrongPassword => ErrorKind::WrongPassword,
            Error::AccessDenied { .. } => ErrorKind::AccessDenied,
            Error::StateMismatch => ErrorKind::StateMismatch,
            Error::MissingCode { .. } => ErrorKind::MissingCode,
            Error::CallbackTimeout { .. } => ErrorKind::CallbackTimeout,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::InsecureConnection { .. } => ErrorKind::InsecureConnection,
            Error::NotAWebAddress { .. } => ErrorKind::NotAWebAddress,
            Error::NoSignInMethod { .. } => ErrorKind::NoSignInMethod,
            Error::UnsupportedTokenType { .. } => ErrorKind::UnsupportedTokenType,
            Error::TokenRejected { .. } => ErrorKind::TokenRejected,
            Error::SignInAgain { .. } => ErrorKind::SignInAgain,
            Error::NoSuchAccount { .. } => ErrorKind::NoSuchAccount,
            Error::LoopbackUnavailable { .. } => ErrorKind::LoopbackUnavailable,
            Error::BrowserUnavailable { .. } => ErrorKind::BrowserUnavailable,
            Error::KeyringLocked { .. } => ErrorKind::KeyringLocked,
            Error::KeyringUnavailable { .. } => ErrorKind::KeyringUnavailable,
            Error::KeyringFailure { .. } => ErrorKind::KeyringFailure,
            Error::ConfigFile { .. } => ErrorKind::ConfigFile,
            Error::NoPlaceForFiles { .. } => ErrorKind::NoPlaceForFiles,
            Error::InvalidClientId => ErrorKind::InvalidClientId,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::InvalidSetting { .. } => ErrorKind::InvalidSetting,
            Error::SiteMismatch { .. } => ErrorKind::SiteMismatch,
            Error::WrongAppPassword => ErrorKind::WrongAppPassword,
            Error::AppPasswordNotExchanged { .. } => ErrorKind::AppPasswordNotExchanged,
            Error::OAuth1 { .. } => ErrorKind::Oauth1,
            Error::FileUnreadable { .. } => ErrorKind::FileUnreadable,
            Error::FileTooLarge { .. } => ErrorKind::FileTooLarge,
            Error::FileTypeRefused { .. } => ErrorKind::FileTypeRefused,
            Error::CannotUpload { .. } => ErrorKind::CannotUpload,
            Error::UploadQuota { .. } => ErrorKind::UploadQuota,
            Error::UploadRefused { .. } => ErrorKind::UploadRefused,
            Error::UploadInterrupted { .. } => ErrorKind::UploadInterrupted,
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
            | ErrorKind::TooManyRedirects
            | ErrorKind::RedirectRefused => Category::Network,
            ErrorKind::ResponseTooLarge
            | ErrorKind::NotWordpress
            | ErrorKind::RestApiBlocked
            | ErrorKind::HtmlInsteadOfJson
            | ErrorKind::InvalidJson => Category::NotWordpress,
            ErrorKind::ServerError | ErrorKind::RateLimited | ErrorKind::NotAWebAddress => {
                Category::Server
            }
            ErrorKind::InsecureConnection
            | ErrorKind::NoSuchAccount
            | ErrorKind::InvalidClientId
            | ErrorKind::InvalidInput
            | ErrorKind::InvalidSetting
            | ErrorKind::FileTooLarge
            | ErrorKind::FileTypeRefused => Category::Usage,
            ErrorKind::UploadQuota | ErrorKind::UploadRefused => Category::Server,
            ErrorKind::UploadInterrupted => Category::Network,
            ErrorKind::CannotUpload => Category::Auth,
            ErrorKind::Oauth
            | ErrorKind::OauthServerDisabled
            | ErrorKind::WrongPassword
            | ErrorKind::AccessDenied
            | ErrorKind::StateMismatch
            | ErrorKind::MissingCode
            | ErrorKind::NoSignInMethod
            | ErrorKind::UnsupportedTokenType
            | ErrorKind::TokenRejected
            | ErrorKind::SignInAgain
            | ErrorKind::SiteMismatch
            | ErrorKind::WrongAppPassword
            | ErrorKind::AppPasswordNotExchanged
            | ErrorKind::Oauth1 => Category::Auth,
            ErrorKind::CallbackTimeout | ErrorKind::Cancelled => Category::Cancelled,
            ErrorKind::LoopbackUnavailable
            | ErrorKind::BrowserUnavailable
            | ErrorKind::KeyringLocked
            | ErrorKind::KeyringUnavailable
            | ErrorKind::KeyringFailure
            | ErrorKind::ConfigFile
            | ErrorKind::NoPlaceForFiles
            | ErrorKind::FileUnreadable => Category::Local,
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
            ErrorKind::TooManyRedirects | ErrorKind::RedirectRefused => 5,
            _ => 6,
        }
    }
}
