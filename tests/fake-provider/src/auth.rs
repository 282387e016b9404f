//! Solapi's request signature, checked as the real service does: a known key, a date within
//! 15 minutes of the server's clock, a salt never used before with that date, and
//! HMAC-SHA256(secret, date + salt) in hex.

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;

use super::State;

pub enum Refusal {
    Missing,
    UnknownKey,
    Skewed,
    Reused,
    BadSignature,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Missing => "InvalidAuthorization",
            Refusal::UnknownKey => "InvalidAPIKey",
            Refusal::Skewed => "RequestTimeTooSkewed",
            Refusal::Reused => "DuplicatedSignature",
            Refusal::BadSignature => "SignatureDoesNotMatch",
        }
    }
}

fn field<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
}

pub fn check(
    header: Option<&str>,
    accounts: &std::collections::HashMap<String, String>,
    server_now: Timestamp,
    state: &mut State,
) -> Result<(), Refusal> {
    let h = header
        .and_then(|h| h.strip_prefix("HMAC-SHA256 "))
        .ok_or(Refusal::Missing)?;
    let (Some(key), Some(date), Some(salt), Some(sig)) = (
        field(h, "apiKey"),
        field(h, "date"),
        field(h, "salt"),
        field(h, "signature"),
    ) else {
        return Err(Refusal::Missing);
    };
    let secret = accounts.get(key).ok_or(Refusal::UnknownKey)?;
    let at: Timestamp = date.parse().map_err(|_| Refusal::Missing)?;
    if server_now.duration_since(at).abs() > SignedDuration::from_mins(15) {
        return Err(Refusal::Skewed);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(date.as_bytes());
    mac.update(salt.as_bytes());
    if hex::encode(mac.finalize().into_bytes()) != sig {
        return Err(Refusal::BadSignature);
    }
    if !state.seen_signatures.insert(format!("{key}|{date}|{salt}")) {
        return Err(Refusal::Reused);
    }
    Ok(())
}
