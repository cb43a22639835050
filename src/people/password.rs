//! Secrets: argon2id password hashes, random passwords and token secrets,
//! and constant-time comparison.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use super::PeopleError;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

fn random_bytes<const N: usize>() -> Result<[u8; N], PeopleError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| PeopleError::Hash(format!("no randomness from the system: {e}")))?;
    Ok(bytes)
}

/// The argon2id PHC string of a password (its own random salt inside).
pub fn hash(password: &str) -> Result<String, PeopleError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PeopleError::Invalid(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let salt = SaltString::encode_b64(&random_bytes::<16>()?)
        .map_err(|e| PeopleError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PeopleError::Hash(e.to_string()))
}

/// Whether a password matches a stored PHC string.
pub fn verify(password: &str, stored: &str) -> Result<bool, PeopleError> {
    let parsed = PasswordHash::new(stored).map_err(|e| PeopleError::Hash(e.to_string()))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// Spends the time of a verification for a login that does not exist.
pub fn burn(password: &str) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$\
        Zb5mNRsS8nC3n+CjUwm4D6Z3yE8MBzMaNZHkL9k1M3E";
    let _ = verify(password, DUMMY);
}

/// A random password of 16 characters from an alphabet without look-alikes
/// (no 0/O, 1/l/I), for a user created without one; shown once.
pub fn generate_password() -> Result<String, PeopleError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes::<16>()?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// A token secret: `dk_` and 64 hex digits (32 random bytes).
pub fn token_secret() -> Result<String, PeopleError> {
    Ok(format!("dk_{}", crate::digest::hex(&random_bytes::<32>()?)))
}

/// Compares without leaking where the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
