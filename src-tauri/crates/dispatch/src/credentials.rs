//! Provider secrets live in the OS credential store (Windows Credential Manager; the
//! kernel keyring on Linux), never in SQLite, logs or the UI.

use crate::DispatchError;
use crate::secret::Secret;

const SERVICE: &str = "kr.maeul.desk";

fn entry(provider: &str) -> Result<keyring::Entry, DispatchError> {
    keyring::Entry::new(SERVICE, &format!("provider:{provider}"))
        .map_err(|e| DispatchError::Keyring(e.to_string()))
}

pub fn store(provider: &str, secret: &Secret) -> Result<(), DispatchError> {
    entry(provider)?
        .set_password(secret.expose())
        .map_err(|e| DispatchError::Keyring(e.to_string()))
}

pub fn load(provider: &str) -> Result<Option<Secret>, DispatchError> {
    match entry(provider)?.get_password() {
        Ok(s) => Ok(Some(Secret::new(s))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(DispatchError::Keyring(e.to_string())),
    }
}

pub fn delete(provider: &str) -> Result<(), DispatchError> {
    match entry(provider)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(DispatchError::Keyring(e.to_string())),
    }
}
