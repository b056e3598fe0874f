//! PKCE (RFC 7636), S256 only, on the `oauth2` crate's types.

use oauth2::{PkceCodeChallenge, PkceCodeVerifier};

use crate::secret::PkceVerifier;

/// A fresh verifier and its S256 challenge. The plain method is never used: WP OAuth Server
/// defaults to `plain` when no method is named, so the method is always sent explicitly.
#[derive(Debug)]
pub struct Pkce {
    pub verifier: PkceVerifier,
    pub challenge: String,
}

pub const METHOD: &str = "S256";

impl Pkce {
    pub fn new() -> Self {
        // 32 random bytes → 43 characters of base64url, the RFC's recommended length.
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        debug_assert_eq!(challenge.method().as_str(), METHOD);
        Pkce {
            verifier: PkceVerifier::new(verifier.secret().clone()),
            challenge: challenge.as_str().to_string(),
        }
    }

    /// The challenge as the crate sends it (always S256).
    pub(crate) fn challenge(&self) -> PkceCodeChallenge {
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            self.verifier.expose().to_string(),
        ))
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// `BASE64URL(SHA256(verifier))`
pub fn challenge_for(verifier: &str) -> String {
    PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_string()))
        .as_str()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_fresh_and_well_formed() {
        let (a, b) = (Pkce::new(), Pkce::new());
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        assert_eq!(a.verifier.expose().len(), 43);
        assert!(a
            .verifier
            .expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(a.challenge, challenge_for(a.verifier.expose()));
    }
}
