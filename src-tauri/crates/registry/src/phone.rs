//! Korean phone numbers: parsed and validated with `phonenumber` (libphonenumber's
//! metadata), stored as E.164, shown in the national format or masked.

use phonenumber::country;
use serde::{Deserialize, Serialize};

/// How a number can be reached: landlines and 070 numbers take voice calls only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum PhoneKind {
    /// 010 (and the old 011/016–019).
    Mobile,
    /// An area code such as 043.
    Landline,
    /// 070 internet telephony.
    Voip,
}

impl PhoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::Landline => "landline",
            PhoneKind::Voip => "voip",
        }
    }

    pub fn parse(s: &str) -> Option<PhoneKind> {
        [PhoneKind::Mobile, PhoneKind::Landline, PhoneKind::Voip]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A validated Korean subscriber number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    pub e164: String,
    pub kind: PhoneKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("전화번호가 비어 있습니다")]
    Empty,
    #[error("전화번호 형식이 아닙니다: {0}")]
    Unparsable(String),
    #[error("국내 번호가 아닙니다: {0}")]
    NotKorean(String),
    #[error("유효하지 않은 번호입니다: {0}")]
    Invalid(String),
    #[error("개인 수신 번호가 아닙니다 (휴대전화·일반전화·070만 가능): {0}")]
    NotSubscriber(String),
}

/// Parses what people type or spreadsheets hold: `010-1234-5678`, `01012345678`,
/// `043 835 3233`, `+82 10-1234-5678`, `(043)835-3233`, or a number that lost its
/// leading zero in Excel (`1012345678`).
pub fn normalize(input: &str) -> Result<Phone, PhoneError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let digits: String = trimmed.chars().filter(|c| c.is_ascii_digit()).collect();
    let allowed = |c: char| c.is_ascii_digit() || " -.()+".contains(c);
    if digits.is_empty() || !trimmed.chars().all(allowed) {
        return Err(PhoneError::Unparsable(trimmed.to_string()));
    }
    // Excel stores 01012345678 as the number 1012345678: put the trunk zero back.
    let candidate = if !trimmed.starts_with('+') && !digits.starts_with('0') && digits.len() >= 9 {
        format!("0{digits}")
    } else {
        trimmed.to_string()
    };
    let number = phonenumber::parse(Some(country::Id::KR), &candidate)
        .map_err(|_| PhoneError::Unparsable(trimmed.to_string()))?;
    if number.code().value() != 82 {
        return Err(PhoneError::NotKorean(trimmed.to_string()));
    }
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::Invalid(trimmed.to_string()));
    }
    let national = number.national().value().to_string();
    let kind = classify(&national).ok_or_else(|| PhoneError::NotSubscriber(trimmed.to_string()))?;
    // E.164 is the country code and the national number; built directly rather than through
    // the formatter, which costs as much again as the parse.
    Ok(Phone {
        e164: format!("+82{national}"),
        kind,
    })
}

fn classify(national: &str) -> Option<PhoneKind> {
    const AREA_CODES: [&str; 17] = [
        "2", "31", "32", "33", "41", "42", "43", "44", "51", "52", "53", "54", "55", "61", "62",
        "63", "64",
    ];
    if ["10", "11", "16", "17", "18", "19"]
        .iter()
        .any(|p| national.starts_with(p))
    {
        Some(PhoneKind::Mobile)
    } else if national.starts_with("70") {
        Some(PhoneKind::Voip)
    } else if AREA_CODES.iter().any(|a| national.starts_with(a)) {
        Some(PhoneKind::Landline)
    } else {
        None
    }
}

/// `+821012345678` → `010-1234-5678`; `+82438353233` → `043-835-3233`. Plain string work
/// rather than a metadata lookup: the table shows tens of thousands of numbers at once.
pub fn display(e164: &str) -> String {
    let Some(rest) = e164.strip_prefix("+82") else {
        return e164.to_string();
    };
    let national = format!("0{rest}");
    let area_len = if national.starts_with("02") { 2 } else { 3 };
    if national.len() < area_len + 5 || !national.bytes().all(|b| b.is_ascii_digit()) {
        return national;
    }
    let (area, local) = national.split_at(area_len);
    let (middle, last) = local.split_at(local.len() - 4);
    format!("{area}-{middle}-{last}")
}

/// `010-****-5678`: the middle group hidden, for roles that do not need the number.
pub fn masked(e164: &str) -> String {
    let shown = display(e164);
    let groups: Vec<&str> = shown.split('-').collect();
    match groups.as_slice() {
        [first, middle, last] => format!("{first}-{}-{last}", "*".repeat(middle.len())),
        _ => {
            let keep = shown.len().saturating_sub(4);
            format!("{}{}", "*".repeat(keep), &shown[keep..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_spellings_normalise_to_e164() {
        for input in [
            "010-1234-5678",
            "01012345678",
            "010 1234 5678",
            "+82 10-1234-5678",
            "1012345678",
        ] {
            let p = normalize(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(p.e164, "+821012345678", "{input}");
            assert_eq!(p.kind, PhoneKind::Mobile);
        }
        let county = normalize("(043)835-3233").unwrap();
        assert_eq!(county.e164, "+82438353233");
        assert_eq!(county.kind, PhoneKind::Landline);
        assert_eq!(normalize("02-123-4567").unwrap().kind, PhoneKind::Landline);
        assert_eq!(normalize("070-1234-5678").unwrap().kind, PhoneKind::Voip);
    }

    #[test]
    fn demo_ranges_are_valid() {
        assert_eq!(normalize("010-0123-4567").unwrap().kind, PhoneKind::Mobile);
        assert_eq!(normalize("043-123-4567").unwrap().kind, PhoneKind::Landline);
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        assert_eq!(normalize(""), Err(PhoneError::Empty));
        assert!(matches!(
            normalize("전화없음"),
            Err(PhoneError::Unparsable(_))
        ));
        assert!(matches!(normalize("010-123"), Err(PhoneError::Invalid(_))));
        assert!(matches!(
            normalize("+1 202 555 0100"),
            Err(PhoneError::NotKorean(_))
        ));
        assert!(matches!(
            normalize("080-123-4567"),
            Err(PhoneError::NotSubscriber(_) | PhoneError::Invalid(_))
        ));
        assert!(matches!(normalize("=1+2"), Err(PhoneError::Unparsable(_))));
    }

    #[test]
    fn display_and_mask() {
        assert_eq!(display("+821012345678"), "010-1234-5678");
        assert_eq!(display("+82438353233"), "043-835-3233");
        assert_eq!(display("+8221234567"), "02-123-4567");
        assert_eq!(display("+827012345678"), "070-1234-5678");
        assert_eq!(masked("+821012345678"), "010-****-5678");
        assert_eq!(masked("+82438353233"), "043-***-3233");
    }
}
