//! Korean carriers count SMS in EUC-KR bytes (KS X 1001): Hangul and Hanja two bytes, ASCII one.
//! 90 bytes go as SMS, up to 2,000 as LMS; longer is refused. Characters outside KS X 1001
//! (emoji, the Hangul syllables only CP949 added such as "똠", "뷁") cannot be sent and are
//! reported before anything leaves the desk.

use serde::Serialize;

pub const SMS_MAX: usize = 90;
pub const LMS_MAX: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum TextKind {
    Sms,
    Lms,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("문자 내용이 비어 있습니다")]
    Empty,
    #[error("문자로 보낼 수 없는 글자가 있습니다: {}", .0.iter().collect::<String>())]
    Unsendable(Vec<char>),
    #[error("문자가 너무 깁니다: {bytes}바이트 (장문 최대 {LMS_MAX}바이트)")]
    TooLong { bytes: usize },
}

/// The bytes one character takes in EUC-KR, or `None` when it has no KS X 1001 code.
pub fn euc_kr_len(c: char) -> Option<usize> {
    if c.is_ascii() {
        return Some(1);
    }
    let mut buf = [0u8; 4];
    let s = c.encode_utf8(&mut buf);
    // encoding_rs's EUC-KR is CP949 (UHC); its KS X 1001 subset is exactly the two-byte codes
    // with both bytes in 0xA1..=0xFE. Anything else is a UHC extension or unmappable.
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(s);
    match (&*bytes, unmappable) {
        ([lead, trail], false) if (0xA1..=0xFE).contains(lead) && (0xA1..=0xFE).contains(trail) => {
            Some(2)
        }
        _ => None,
    }
}

/// What a text is as a message: its EUC-KR byte count and whether it goes as SMS or LMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct TextInfo {
    pub bytes: u32,
    pub kind: TextKind,
}

/// Checks a text: every character sendable, not empty, at most [`LMS_MAX`] bytes.
pub fn classify(text: &str) -> Result<TextInfo, TextError> {
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    let mut bytes = 0;
    let mut bad: Vec<char> = Vec::new();
    for c in text.chars() {
        match euc_kr_len(c) {
            Some(n) => bytes += n,
            None if !bad.contains(&c) => bad.push(c),
            None => {}
        }
    }
    if !bad.is_empty() {
        return Err(TextError::Unsendable(bad));
    }
    if bytes > LMS_MAX {
        return Err(TextError::TooLong { bytes });
    }
    let kind = if bytes <= SMS_MAX {
        TextKind::Sms
    } else {
        TextKind::Lms
    };
    Ok(TextInfo {
        bytes: bytes as u32,
        kind,
    })
}

/// A text the desk writes itself (a chief's list, a reminder) made sendable: characters with
/// no KS X 1001 code become "?".
pub fn sendable(s: &str) -> String {
    s.chars()
        .map(|c| if euc_kr_len(c).is_some() { c } else { '?' })
        .collect()
}

/// A translation made sendable the way people text it in Korea: a letter with no KS X 1001
/// code loses its accents (Vietnamese "Thông báo" goes as "Thong bao", "đ" as "d", as the
/// unaccented Vietnamese people text is written: KS X 1001's "đ" has no capital). What still has no
/// code (emoji, scripts other than Latin, Hangul and Hanja) is kept, for [`classify`] to name.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        };
        if euc_kr_len(c).is_some() {
            out.push(c);
            continue;
        }
        let base: String = std::iter::once(c)
            .nfd()
            .filter(|d| !is_combining_mark(*d))
            .collect();
        if !base.is_empty() && base.chars().all(|b| euc_kr_len(b).is_some()) {
            out.push_str(&base);
        } else {
            out.push(c);
        }
    }
    out
}

/// EUC-KR bytes of a [`sendable`] text.
pub fn bytes(s: &str) -> usize {
    s.chars().map(|c| euc_kr_len(c).unwrap_or(1)).sum()
}
