//! CAP 1.2's rules the desk relies on: required elements present, enumerations from the
//! standard's lists, `sent` in CAP's date-time form. An error names the element.

use super::model::{Alert, Info};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CAP 경보의 <{element}>: {message}")]
pub struct CapError {
    pub element: String,
    pub message: String,
}

impl CapError {
    pub fn new(element: impl Into<String>, message: impl Into<String>) -> CapError {
        CapError {
            element: element.into(),
            message: message.into(),
        }
    }

    /// The XML reader's own complaint (not well-formed, a wrong root): named after the
    /// element it was reading where it says so.
    pub(super) fn from_xml(e: quick_xml::DeError) -> CapError {
        let text = e.to_string();
        let element = text
            .split('`')
            .nth(1)
            .filter(|_| text.contains("field") || text.contains("tag"))
            .unwrap_or("alert")
            .to_string();
        CapError::new(element, format!("XML로 읽을 수 없습니다 ({text})"))
    }
}

pub const STATUS: &[&str] = &["Actual", "Exercise", "System", "Test", "Draft"];
pub const MSG_TYPE: &[&str] = &["Alert", "Update", "Cancel", "Ack", "Error"];
pub const SCOPE: &[&str] = &["Public", "Restricted", "Private"];
pub const CATEGORY: &[&str] = &[
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
];
pub const URGENCY: &[&str] = &["Immediate", "Expected", "Future", "Past", "Unknown"];
pub const SEVERITY: &[&str] = &["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
// "Very Likely" was dropped in CAP 1.1 but older senders still write it; read, never written.
pub const CERTAINTY: &[&str] = &[
    "Observed",
    "Likely",
    "Possible",
    "Unlikely",
    "Unknown",
    "Very Likely",
];

fn one_of(element: &str, value: &str, allowed: &[&str]) -> Result<(), CapError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let message = if value.is_empty() {
        "없습니다 (CAP 1.2의 필수 요소)".to_string()
    } else {
        format!(
            "'{value}'은(는) CAP 1.2에 없는 값입니다 (가능한 값: {})",
            allowed.join(", ")
        )
    };
    Err(CapError::new(element, message))
}

fn required(element: &str, value: &str) -> Result<(), CapError> {
    if value.trim().is_empty() {
        return Err(CapError::new(element, "없습니다 (CAP 1.2의 필수 요소)"));
    }
    Ok(())
}

/// `identifier` and `sender` may not hold spaces, commas or the XML-restricted `<` and `&`:
/// `references` joins them with commas and spaces.
fn token(element: &str, value: &str) -> Result<(), CapError> {
    required(element, value)?;
    if let Some(c) = value
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
    {
        return Err(CapError::new(
            element,
            format!("공백, 쉼표, <, &는 쓸 수 없습니다 ('{c}')"),
        ));
    }
    Ok(())
}

/// CAP's date-time: `YYYY-MM-DDThh:mm:ss` with a numeric offset. "Z" is not CAP but some
/// senders write it; read as UTC rather than refusing a real alert over it.
pub fn date_time(element: &str, value: &str) -> Result<jiff::Timestamp, CapError> {
    value.trim().parse::<jiff::Timestamp>().map_err(|_| {
        CapError::new(
            element,
            format!("시각 '{value}'을(를) 읽을 수 없습니다 (예: 2026-12-05T09:00:00+09:00)"),
        )
    })
}

pub fn alert(a: &Alert) -> Result<(), CapError> {
    if a.xmlns != super::NAMESPACE {
        return Err(CapError::new(
            "alert",
            format!(
                "CAP 1.2 문서가 아닙니다 (xmlns '{}', 기대한 값 {})",
                a.xmlns,
                super::NAMESPACE
            ),
        ));
    }
    token("identifier", &a.identifier)?;
    token("sender", &a.sender)?;
    required("sent", &a.sent)?;
    date_time("sent", &a.sent)?;
    one_of("status", &a.status, STATUS)?;
    one_of("msgType", &a.msg_type, MSG_TYPE)?;
    one_of("scope", &a.scope, SCOPE)?;
    if matches!(a.msg_type.as_str(), "Update" | "Cancel" | "Ack" | "Error")
        && a.references.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(CapError::new(
            "references",
            format!("msgType {}에는 앞선 경보가 있어야 합니다", a.msg_type),
        ));
    }
    for (n, info) in a.infos.iter().enumerate() {
        self::info(info).map_err(|e| CapError {
            element: format!("info[{}]/{}", n + 1, e.element),
            message: e.message,
        })?;
    }
    Ok(())
}

fn info(i: &Info) -> Result<(), CapError> {
    if i.categories.is_empty() {
        return Err(CapError::new("category", "없습니다 (CAP 1.2의 필수 요소)"));
    }
    for c in &i.categories {
        one_of("category", c, CATEGORY)?;
    }
    required("event", &i.event)?;
    one_of("urgency", &i.urgency, URGENCY)?;
    one_of("severity", &i.severity, SEVERITY)?;
    one_of("certainty", &i.certainty, CERTAINTY)?;
    for (element, value) in [("effective", &i.effective), ("expires", &i.expires)] {
        if let Some(v) = value {
            date_time(element, v)?;
        }
    }
    for (n, area) in i.areas.iter().enumerate() {
        required(&format!("area[{}]/areaDesc", n + 1), &area.area_desc)?;
    }
    Ok(())
}

/// What the desk writes is held to CAP itself, stricter than what it reads: date-times as
/// `YYYY-MM-DDThh:mm:ss±hh:mm` exactly (no "Z", no fractions), and "Very Likely", which
/// CAP 1.2 dropped, never.
pub fn written(a: &Alert) -> Result<(), CapError> {
    strict_time("sent", &a.sent)?;
    for (n, i) in a.infos.iter().enumerate() {
        let at = |e: &str| format!("info[{}]/{e}", n + 1);
        for (element, value) in [("effective", &i.effective), ("expires", &i.expires)] {
            if let Some(v) = value {
                strict_time(&at(element), v)?;
            }
        }
        one_of(&at("certainty"), &i.certainty, &CERTAINTY[..5])?;
    }
    Ok(())
}

fn strict_time(element: &str, value: &str) -> Result<(), CapError> {
    let b = value.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = b.len() == 25
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && matches!(b[19], b'+' | b'-')
        && digits(20..22)
        && b[22] == b':'
        && digits(23..25);
    if !shape {
        return Err(CapError::new(
            element,
            format!("CAP 시각은 2026-12-05T09:00:00+09:00 꼴이어야 합니다: '{value}'"),
        ));
    }
    date_time(element, value).map(|_| ())
}
