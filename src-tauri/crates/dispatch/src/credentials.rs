//! Provider secrets live in the OS credential store (Windows Credential Manager; the
//! kernel keyring on Linux), never in SQLite, logs or the UI. Each is bound to the provider
//! and the host it was given for: a database (a restored backup, `--db`) naming another
//! `base_url` finds no secret instead of receiving the real token.

use crate::DispatchError;
use crate::providers::endpoint;
use crate::secret::Secret;

const SERVICE: &str = "kr.maeul.desk";

/// The credential's name: `provider:twilio@api.twilio.com`.
fn account(provider: &str, base_url: &str) -> Result<String, DispatchError> {
    Ok(format!("provider:{provider}@{}", endpoint(base_url)?))
}

fn entry(provider: &str, base_url: &str) -> Result<keyring::Entry, DispatchError> {
    keyring::Entry::new(SERVICE, &account(provider, base_url)?)
        .map_err(|e| DispatchError::Keyring(e.to_string()))
}

/// Stores the secret and reads it back: a store that keeps nothing (Linux with no session
/// keyring accepts the write, then finds "no matching entry") is said plainly, with the fix.
pub fn store(provider: &str, base_url: &str, secret: &Secret) -> Result<(), DispatchError> {
    let e = entry(provider, base_url)?;
    e.set_password(secret.expose())
        .map_err(|e| DispatchError::Keyring(e.to_string()))?;
    match e.get_password() {
        Ok(_) => Ok(()),
        Err(keyring::Error::NoEntry) => Err(DispatchError::Keyring(
            "비밀키를 저장했지만 OS 비밀 보관소가 돌려주지 않습니다 (No matching entry found). \
             Linux에서는 세션 키링이 필요합니다: 데스크톱에 로그인한 세션에서 실행하거나, \
             명령줄에서는 `keyctl session - maeul provider set ...` 처럼 세션 키링 안에서 실행하세요"
                .into(),
        )),
        Err(e) => Err(DispatchError::Keyring(e.to_string())),
    }
}

pub fn load(provider: &str, base_url: &str) -> Result<Option<Secret>, DispatchError> {
    match entry(provider, base_url)?.get_password() {
        Ok(s) => Ok(Some(Secret::new(s))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(DispatchError::Keyring(e.to_string())),
    }
}

pub fn delete(provider: &str, base_url: &str) -> Result<(), DispatchError> {
    match entry(provider, base_url)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(DispatchError::Keyring(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_named_for_its_provider_and_host() {
        assert_eq!(
            account("twilio", "https://api.twilio.com/").unwrap(),
            "provider:twilio@api.twilio.com"
        );
        assert_eq!(
            account("solapi", "http://127.0.0.1:8080").unwrap(),
            "provider:solapi@127.0.0.1:8080"
        );
        assert_ne!(
            account("twilio", "https://api.twilio.com").unwrap(),
            account("twilio", "https://api.twilio.com.evil.tld").unwrap()
        );
    }
}
