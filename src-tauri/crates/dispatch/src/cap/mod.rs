//! CAP 1.2 (OASIS Common Alerting Protocol) with the Korean government profile: every sent
//! broadcast exports as an alert, and an alert from another system imports as a draft for
//! the villages its geocodes or area names cover.
//!
//! The document model is plain strings as they stand in the XML ([`model`]); [`check`] holds
//! them against CAP 1.2's required elements and enumerations, so a reader's error names the
//! element, and the writer cannot emit what the reader would refuse.

pub mod area;
pub mod check;
pub mod export;
pub mod import;
pub mod model;

pub use check::CapError;
pub use model::{Alert, Area, Info, ValuePair};

/// CAP 1.2's XML namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// `<code>` of the Korean government profile (행정안전부 통합경보 CAP 프로파일).
pub const KOREAN_PROFILE: &str = "대한민국정부1.1";
/// `valueName` of the disaster-kind event codes (TTAS.KO-07.0046/R5).
pub const EVENT_CODE_NAME: &str = "TTAS.KO-07.0046/R5 재난 종류 코드";
/// `valueName` of the 10-digit administrative area codes (행정표준코드 법정동코드 form).
pub const GEOCODE_NAME: &str = "행정구역코드";

/// Reads and checks a CAP 1.2 alert.
pub fn parse(xml: &str) -> Result<Alert, CapError> {
    // The declaration may name EUC-KR for a text already decoded: the reader only reads it.
    let unprefixed = unprefix(xml);
    let alert: Alert = quick_xml::de::from_str(unprefixed.as_deref().unwrap_or(xml))
        .map_err(CapError::from_xml)?;
    check::alert(&alert)?;
    Ok(alert)
}

/// An alert written with a namespace prefix (`<cap:alert xmlns:cap="urn:…:cap:1.2">`), as
/// the same document without it: the serde reader matches element names as written. `None`
/// when the root is not prefixed, or its prefix is bound to something other than CAP 1.2.
fn unprefix(xml: &str) -> Option<String> {
    let root_at = xml
        .match_indices('<')
        .map(|(i, _)| i)
        .find(|&i| !matches!(xml.as_bytes().get(i + 1), Some(b'?' | b'!')))?;
    let name_end = root_at + xml[root_at..].find([' ', '>', '\n', '\r', '\t'])?;
    let (prefix, local) = xml[root_at + 1..name_end].split_once(':')?;
    if local != "alert" || !xml.contains(&format!("xmlns:{prefix}=\"{NAMESPACE}\"")) {
        return None;
    }
    Some(
        xml.replace(&format!("<{prefix}:"), "<")
            .replace(&format!("</{prefix}:"), "</")
            .replace(&format!("xmlns:{prefix}="), "xmlns="),
    )
}

/// A CAP file's bytes as text: UTF-8 (with or without a BOM), or the EUC-KR its XML
/// declaration names (older Korean systems still write it).
pub fn decode(bytes: &[u8]) -> Result<String, CapError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(100)]).to_ascii_lowercase();
    let declared_korean = head.starts_with("<?xml")
        && ["euc-kr", "cp949", "ks_c_5601"]
            .iter()
            .any(|e| head.split("?>").next().unwrap_or("").contains(e));
    // Valid UTF-8 is read as UTF-8 even under an EUC-KR declaration (a file an editor saved
    // again): real EUC-KR Hangul is almost never valid UTF-8, while UTF-8 Hangul can decode
    // as EUC-KR without an error, into nonsense.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    if declared_korean {
        let (text, _, bad) = encoding_rs::EUC_KR.decode(bytes);
        if !bad {
            return Ok(text.into_owned());
        }
    }
    Err(CapError::new(
        "alert",
        "파일의 글자를 읽을 수 없습니다 (UTF-8 또는 XML 선언에 적힌 EUC-KR이어야 합니다)",
    ))
}

/// Writes a checked alert as a UTF-8 XML document.
pub fn to_xml(alert: &Alert) -> Result<String, CapError> {
    check::alert(alert)?;
    check::written(alert)?;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut ser = quick_xml::se::Serializer::new(&mut out);
    ser.indent(' ', 2);
    serde::Serialize::serialize(alert, ser).map_err(|e| CapError::new("alert", e.to_string()))?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests;
