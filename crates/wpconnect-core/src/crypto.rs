//! The few cryptographic helpers every flow shares: fresh randomness from the operating system
//! and a constant-time comparison for values an attacker may probe.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// `N` bytes from the operating system's random source.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source is available");
    b
}

/// A one-time value: OAuth 2 `state`, an Application Passwords callback's nonce, an OAuth 1.0a
/// nonce (24 random bytes, base64url).
pub fn random_state() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<24>())
}

/// Constant-time comparison for values an attacker may probe (state, nonces, tokens).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_compares_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn states_are_fresh() {
        assert_ne!(random_state(), random_state());
        assert_eq!(random_state().len(), 32);
    }
}
