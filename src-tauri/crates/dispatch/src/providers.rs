//! Which provider the desk sends through: the stored choice (`dispatch.provider`, no
//! secrets) plus the secret from the keyring. Nothing configured is the built-in sandbox.

use serde::{Deserialize, Serialize};

use crate::DispatchError;
use crate::fanout::Channel;
use crate::provider::Provider;
use crate::sandbox::Sandbox;
use crate::secret::Secret;
use crate::solapi::{Solapi, SolapiConfig};
use crate::twilio::{Twilio, TwilioConfig};

pub const SETTING: &str = "dispatch.provider";
pub const NAMES: [&str; 3] = ["sandbox", "solapi", "twilio"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ProviderSettings {
    pub name: String,
    pub base_url: String,
    /// The provider's account key — Solapi's API key, Twilio's account SID (an identifier
    /// sent in the clear; the secret is not here).
    pub api_key: String,
    /// The registered sender number, national format (Twilio: its number, E.164 or national).
    pub sender: String,
    pub kakao_pf_id: Option<String>,
    pub kakao_template_id: Option<String>,
    /// Where telephony renditions are published for Twilio's `<Play>` (none: the text is read).
    #[serde(default)]
    pub media_base_url: Option<String>,
    /// Requests per second the desk allows itself (none: the provider's default).
    #[serde(default)]
    pub requests_per_second: Option<u32>,
}

impl ProviderSettings {
    /// What the desk paces itself to when staff set nothing: under Solapi's documented
    /// per-account limit, and Twilio's default API concurrency.
    pub fn rate(&self) -> Option<u32> {
        match self.requests_per_second {
            Some(0) => None,
            Some(r) => Some(r),
            None => match self.name.as_str() {
                "solapi" => Some(50),
                "twilio" => Some(25),
                _ => None,
            },
        }
    }
}

impl ProviderSettings {
    /// Whether this provider, as set up, can carry `channel`; if not, what to fix in 설정.
    /// Checked when a broadcast is composed: a channel that cannot go would otherwise queue
    /// a county's worth of deliveries that all fail at the provider.
    pub fn ready_for(&self, channel: Channel) -> Result<(), String> {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        match (self.name.as_str(), channel) {
            ("twilio", Channel::Kakao) => Err(
                "Twilio로는 카카오톡을 보낼 수 없습니다: 카카오톡을 빼거나, 설정 › 발송 서비스를 솔라피로 바꾸세요"
                    .into(),
            ),
            ("solapi", Channel::Kakao)
                if blank(&self.kakao_pf_id) || blank(&self.kakao_template_id) =>
            {
                Err(
                    "카카오톡 발송 설정이 끝나지 않았습니다: 설정 › 발송 서비스에 카카오 채널 ID(pfId)와 알림톡 템플릿 ID를 적어 주세요"
                        .into(),
                )
            }
            _ => Ok(()),
        }
    }

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
        if !secure_or_local(&self.base_url) {
            return Err(DispatchError::invalid(
                "base_url",
                "https:// 주소여야 합니다 (시험용 로컬 서버만 http 허용)",
            ));
        }
        if self.api_key.trim().is_empty() {
            return Err(DispatchError::invalid("api_key", "API 키를 적어 주세요"));
        }
        let digits = self.sender.chars().filter(char::is_ascii_digit).count();
        let international = self.name == "twilio" && self.sender.starts_with('+');
        let plausible = if international {
            (8..=15).contains(&digits)
        } else {
            (9..=11).contains(&digits)
        };
        let sender_chars = self.sender.trim_start_matches('+');
        if !plausible
            || sender_chars
                .chars()
                .any(|c| !c.is_ascii_digit() && c != '-')
        {
            return Err(DispatchError::invalid(
                "sender",
                format!(
                    "발신번호는 등록된 전화번호입니다 (받은 값: {})",
                    self.sender
                ),
            ));
        }
        if let Some(m) = self.media_base_url.as_deref().filter(|m| !m.is_empty())
            && !secure_or_local(m)
        {
            return Err(DispatchError::invalid(
                "media_base_url",
                "녹음 파일 주소는 https:// 로 시작해야 합니다 (Twilio가 가져갑니다)",
            ));
        }
        if self.requests_per_second.is_some_and(|r| r > 1000) {
            return Err(DispatchError::invalid(
                "requests_per_second",
                "초당 요청 수는 1000 이하로 적어 주세요 (0: 제한 없음)",
            ));
        }
        Ok(())
    }
}

/// `https://` anywhere, or plain `http://` to this machine only — judged on the parsed host,
/// so `http://localhost.evil.tld` or `http://localhost@evil.tld` is not "local".
fn secure_or_local(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url.trim()) else {
        return false;
    };
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Domain(d))) => d == "localhost",
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        _ => false,
    }
}

/// The host (and port, when not the scheme's default) secrets are bound to: a secret stored
/// for one endpoint is never handed to another, whatever a database or backup names.
pub fn endpoint(base_url: &str) -> Result<String, DispatchError> {
    let url = reqwest::Url::parse(base_url.trim()).map_err(|e| {
        DispatchError::invalid("base_url", format!("주소가 올바르지 않습니다: {e}"))
    })?;
    let host = url
        .host_str()
        .ok_or_else(|| DispatchError::invalid("base_url", "주소에 서버 이름이 없습니다"))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
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
                requests_per_second: s.rate(),
            })
            .map_err(|e| DispatchError::invalid("base_url", e.to_string()))?,
        )),
        "twilio" => Ok(Box::new(
            Twilio::new(TwilioConfig {
                base_url: s.base_url.clone(),
                account_sid: s.api_key.trim().to_string(),
                auth_token: secret,
                from: s.sender.clone(),
                media_base_url: s.media_base_url.clone().filter(|m| !m.is_empty()),
                requests_per_second: s.rate(),
            })
            .map_err(|e| DispatchError::invalid("base_url", e.to_string()))?,
        )),
        other => Err(DispatchError::invalid(
            "name",
            format!("모르는 발송 서비스입니다: {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solapi(base_url: &str) -> ProviderSettings {
        ProviderSettings {
            name: "solapi".into(),
            base_url: base_url.into(),
            api_key: "NCSTESTKEY".into(),
            sender: "0438353233".into(),
            kakao_pf_id: None,
            kakao_template_id: None,
            media_base_url: None,
            requests_per_second: None,
        }
    }

    #[test]
    fn plain_http_only_to_this_machine_by_its_exact_name() {
        for ok in [
            "https://api.solapi.com",
            "http://127.0.0.1:8080",
            "http://localhost:9000",
            "http://[::1]:9000",
        ] {
            solapi(ok)
                .validate()
                .unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "http://localhost.evil.tld",
            "http://127.0.0.1.evil.tld/",
            "http://localhost@evil.tld",
            "http://api.solapi.com",
            "ftp://127.0.0.1",
            "https://",
        ] {
            let e = solapi(bad).validate().unwrap_err();
            assert!(e.to_string().contains("https://"), "{bad}: {e}");
        }
    }
}
