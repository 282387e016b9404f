//! Field checks shared by the edit forms and the importer, so both report the same words.

use crate::RegistryError;

pub const MAX_NAME: usize = 50;
pub const MAX_ADDRESS: usize = 200;

/// Trimmed text, required, at most `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, RegistryError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(RegistryError::Invalid {
            field,
            reason: "필수 항목이 비어 있습니다".into(),
        });
    }
    optional(field, v, max).map(|v| v.unwrap_or_default())
}

/// Trimmed text or nothing, at most `max` characters, with no spreadsheet formula in it.
pub fn optional(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<Option<String>, RegistryError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let n = v.chars().count();
    if n > max {
        return Err(RegistryError::Invalid {
            field,
            reason: format!("값이 너무 깁니다 ({n}자, 최대 {max}자)"),
        });
    }
    if v.starts_with('=') {
        return Err(RegistryError::Invalid {
            field,
            reason: "수식은 넣을 수 없습니다".into(),
        });
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(RegistryError::Invalid {
            field,
            reason: "제어 문자가 들어 있습니다".into(),
        });
    }
    Ok(Some(v.to_string()))
}

/// `2023-06-01`, `2023.06.01`, `2023/6/1` or `20230601` → `2023-06-01`; not in the future.
pub fn date(field: &'static str, value: &str) -> Result<Option<String>, RegistryError> {
    date_until(field, value, today())
}

/// Today in Seoul, where the county's dates are written.
pub fn today() -> jiff::civil::Date {
    maeul_time::today_seoul()
}

/// [`date`] against a `today` read once, for checking many rows.
pub fn date_until(
    field: &'static str,
    value: &str,
    today: jiff::civil::Date,
) -> Result<Option<String>, RegistryError> {
    let v = value.trim().trim_end_matches('.');
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || RegistryError::Invalid {
        field,
        reason: format!("날짜 형식이 아닙니다 (예: 2023-06-01): {v}"),
    };
    let parts: Vec<&str> = if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        vec![&v[0..4], &v[4..6], &v[6..8]]
    } else {
        v.split(['-', '.', '/']).map(str::trim).collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d): (i16, i8, i8) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let date = jiff::civil::Date::new(y, m, d).map_err(|_| bad())?;
    if date > today {
        return Err(RegistryError::Invalid {
            field,
            reason: format!("미래 날짜입니다: {date}"),
        });
    }
    Ok(Some(date.to_string()))
}

/// Yes/no cells as Korean spreadsheets write them; empty means `default`.
pub fn yes_no(field: &'static str, value: &str, default: bool) -> Result<bool, RegistryError> {
    match value.trim().to_lowercase().as_str() {
        "" => Ok(default),
        "y" | "yes" | "o" | "○" | "예" | "네" | "1" | "true" | "동의" | "수신" => Ok(true),
        "n" | "no" | "x" | "×" | "아니오" | "아니요" | "0" | "false" | "미동의" | "거부" => {
            Ok(false)
        }
        other => Err(RegistryError::Invalid {
            field,
            reason: format!("예/아니오(Y/N)가 아닙니다: {other}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_common_spellings() {
        for v in [
            "2023-06-01",
            "2023.06.01",
            "2023.6.1.",
            "2023/6/1",
            "20230601",
        ] {
            assert_eq!(
                date("동의일자", v).unwrap().as_deref(),
                Some("2023-06-01"),
                "{v}"
            );
        }
        assert!(date("동의일자", "2023-02-30").is_err());
        assert!(date("동의일자", "2999-01-01").is_err());
        assert_eq!(date("동의일자", "").unwrap(), None);
    }

    #[test]
    fn text_limits_and_formulas() {
        assert!(required("이름", "  ", MAX_NAME).is_err());
        assert!(required("이름", &"가".repeat(51), MAX_NAME).is_err());
        assert!(optional("주소", "=HYPERLINK(\"x\")", MAX_ADDRESS).is_err());
        assert_eq!(required("이름", " 김철수 ", MAX_NAME).unwrap(), "김철수");
    }
}
