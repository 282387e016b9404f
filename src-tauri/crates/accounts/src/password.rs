use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::AccountsError;

pub const MIN_PASSWORD_CHARS: usize = 8;

/// An argon2id PHC string (salt and parameters included).
pub fn hash_password(password: &str) -> Result<String, AccountsError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountsError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountsError::Hash)
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let h = hash_password("증평군청-3233").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("증평군청-3233", &h));
        assert!(!verify_password("증평군청-3234", &h));
        assert!(!verify_password("anything", "not a phc string"));
    }

    #[test]
    fn short_password_is_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(AccountsError::WeakPassword)
        ));
    }
}
