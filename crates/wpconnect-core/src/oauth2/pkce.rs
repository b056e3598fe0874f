//! PKCE (RFC 7636), S256 only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::crypto::random_bytes;
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
        let verifier = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
        let challenge = challenge_for(&verifier);
        Pkce { verifier: PkceVerifier::new(verifier), challenge }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// `BASE64URL(SHA256(verifier))`
pub fn challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
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
