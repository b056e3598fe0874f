//! Secrets are types. Each kind of secret is its own newtype over [`secrecy::SecretString`]:
//! its `Debug` prints `[redacted]`, it has no `Display`, no `Serialize`, no equality, and its
//! memory is zeroed when dropped. [`expose`](AccessToken::expose) is the one door out, used only
//! where the value goes on the wire or into the keyring.

use secrecy::{ExposeSecret, SecretString};

macro_rules! secret_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(SecretString::from(value.into()))
            }
            /// The secret itself. Call only to put it on the wire or into the keyring.
            pub fn expose(&self) -> &str {
                self.0.expose_secret()
            }
        }

        /// Secrets may come in (from a form, over IPC); they never go out: no `Serialize`.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(d).map($name::new)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    )*};
}

secret_type! {
    /// An OAuth access token (or an Application Password used as one).
    AccessToken;
    /// An OAuth refresh token.
    RefreshToken;
    /// An OAuth client secret or an OAuth 1.0a consumer secret.
    ClientSecret;
    /// A person's password: used for one request, never stored, never logged.
    Password;
    /// A PKCE code verifier.
    PkceVerifier;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let t = AccessToken::new("s3cr3t-token-value");
        let p = Password::new("hunter2");
        let shown = format!("{t:?} {p:?} {:?}", Some(&t));
        assert!(!shown.contains("s3cr3t") && !shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("AccessToken([redacted])"));
        assert_eq!(t.expose(), "s3cr3t-token-value");
    }
}
