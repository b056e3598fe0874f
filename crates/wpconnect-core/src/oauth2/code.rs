//! OAuth 2 `error` codes (RFC 6749 §4.1.2.1 and §5.2), parsed once where an answer is read, so
//! the rest of the code matches on a type instead of comparing strings.

use std::fmt;

/// An OAuth 2 `error` code as a server sent it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
    /// Not in the RFC: WP OAuth Server's and others' word for a redirect URI the client did not
    /// register (`invalid_redirect_uri` too).
    RedirectUriMismatch,
    InvalidRedirectUri,
    /// Just `error`: what WP OAuth Server says when it is switched off (with HTTP 503, or a
    /// description saying it is unavailable).
    Unnamed,
    /// Anything else, as sent: the REST API team's plugin answers with REST codes
    /// (`rest_missing_callback_param`).
    Other(String),
}

impl ErrorCode {
    pub fn parse(code: &str) -> ErrorCode {
        match code {
            "invalid_request" => ErrorCode::InvalidRequest,
            "invalid_client" => ErrorCode::InvalidClient,
            "invalid_grant" => ErrorCode::InvalidGrant,
            "unauthorized_client" => ErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => ErrorCode::UnsupportedGrantType,
            "unsupported_response_type" => ErrorCode::UnsupportedResponseType,
            "invalid_scope" => ErrorCode::InvalidScope,
            "access_denied" => ErrorCode::AccessDenied,
            "server_error" => ErrorCode::ServerError,
            "temporarily_unavailable" => ErrorCode::TemporarilyUnavailable,
            "redirect_uri_mismatch" => ErrorCode::RedirectUriMismatch,
            "invalid_redirect_uri" => ErrorCode::InvalidRedirectUri,
            "error" => ErrorCode::Unnamed,
            other => ErrorCode::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::RedirectUriMismatch => "redirect_uri_mismatch",
            ErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
            ErrorCode::Unnamed => "error",
            ErrorCode::Other(s) => s,
        }
    }

    /// The redirect URI was not accepted (either spelling).
    pub fn is_redirect_refused(&self) -> bool {
        matches!(self, ErrorCode::RedirectUriMismatch | ErrorCode::InvalidRedirectUri)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl From<&str> for ErrorCode {
    fn from(s: &str) -> Self {
        ErrorCode::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_kept() {
        for c in [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "unsupported_response_type",
            "invalid_scope",
            "access_denied",
            "server_error",
            "temporarily_unavailable",
            "redirect_uri_mismatch",
            "invalid_redirect_uri",
            "error",
            "rest_missing_callback_param",
        ] {
            assert_eq!(ErrorCode::parse(c).as_str(), c);
        }
        assert_eq!(ErrorCode::parse("error"), ErrorCode::Unnamed);
        assert_eq!(ErrorCode::parse("json_oops"), ErrorCode::Other("json_oops".into()));
        assert!(ErrorCode::parse("invalid_redirect_uri").is_redirect_refused());
    }
}
