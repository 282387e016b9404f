//! Which provider the desk sends through: the stored choice (`dispatch.provider`, no
//! secrets) plus the secret from the keyring. Nothing configured is the built-in sandbox.

use serde::{Deserialize, Serialize};

use crate::DispatchError;
use crate::provider::Provider;
use crate::sandbox::Sandbox;
use crate::secret::Secret;
use crate::solapi::{Solapi, SolapiConfig};

pub const SETTING: &str = "dispatch.provider";
pub const NAMES: [&str; 2] = ["sandbox", "solapi"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ProviderSettings {
    pub name: String,
    pub base_url: String,
    /// The provider's account key (an identifier sent in the clear; the secret is not here).
    pub api_key: String,
    /// The registered sender number, national format.
    pub sender: String,
    pub kakao_pf_id: Option<String>,
    pub kakao_template_id: Option<String>,
}

impl ProviderSettings {
    /// Checks the fields staff type; names the field at fault.
    pub fn validate(&self) -> Result<(), DispatchError> {
        if !NAMES.contains(&self.name.as_str()) {
            return Err(DispatchError::invalid(
                "name",
                format!(
                    "모르는 발송 서비스입니다: {} (가능: {})",
                    self.name,
                    NAMES.join(", ")
                ),
            ));
        }
        if self.name == "sandbox" {
            return Ok(());
        }
        let url = self.base_url.trim();
        if !(url.starts_with("https://")
            || url.starts_with("http://127.0.0.1")
            || url.starts_with("http://localhost"))
        {
            return Err(DispatchError::invalid(
                "base_url",
                "https:// 주소여야 합니다 (시험용 로컬 서버만 http 허용)",
            ));
        }
        if self.api_key.trim().is_empty() {
            return Err(DispatchError::invalid("api_key", "API 키를 적어 주세요"));
        }
        let digits = self.sender.chars().filter(char::is_ascii_digit).count();
        if !(9..=11).contains(&digits)
            || self.sender.chars().any(|c| !c.is_ascii_digit() && c != '-')
        {
            return Err(DispatchError::invalid(
                "sender",
                format!(
                    "발신번호는 등록된 전화번호입니다 (받은 값: {})",
                    self.sender
                ),
            ));
        }
        Ok(())
    }
}

/// Builds the configured provider; `None` settings is the sandbox.
pub fn build(
    settings: Option<&ProviderSettings>,
    secret: Option<Secret>,
) -> Result<Box<dyn Provider>, DispatchError> {
    let Some(s) = settings.filter(|s| s.name != "sandbox") else {
        return Ok(Box::new(Sandbox::new()));
    };
    let secret = secret.ok_or_else(|| {
        DispatchError::invalid(
            "secret",
            format!(
                "{}의 비밀키가 키링에 없습니다: 설정에서 다시 입력하세요",
                s.name
            ),
        )
    })?;
    match s.name.as_str() {
        "solapi" => Ok(Box::new(
            Solapi::new(SolapiConfig {
                base_url: s.base_url.clone(),
                api_key: s.api_key.clone(),
                api_secret: secret,
                sender: s.sender.chars().filter(char::is_ascii_digit).collect(),
                kakao_pf_id: s.kakao_pf_id.clone(),
                kakao_template_id: s.kakao_template_id.clone(),
            })
            .map_err(|e| DispatchError::invalid("base_url", e.to_string()))?,
        )),
        other => Err(DispatchError::invalid(
            "name",
            format!("모르는 발송 서비스입니다: {other}"),
        )),
    }
}
