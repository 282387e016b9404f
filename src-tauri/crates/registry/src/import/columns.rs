//! The columns an import understands, the Korean (and English) headers that name them, and
//! the mapping from a file's header row to them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Town,
    VillageCode,
    Village,
    Address,
    HeadName,
    Name,
    Phone,
    ConsentDate,
    ConsentMethod,
    Voice,
    Sms,
    Kakao,
    Status,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::Town,
        Field::VillageCode,
        Field::Village,
        Field::Address,
        Field::HeadName,
        Field::Name,
        Field::Phone,
        Field::ConsentDate,
        Field::ConsentMethod,
        Field::Voice,
        Field::Sms,
        Field::Kakao,
        Field::Status,
    ];

    /// The header written on export and named in error messages.
    pub fn header(self) -> &'static str {
        match self {
            Field::Town => "읍면",
            Field::VillageCode => "마을코드",
            Field::Village => "마을",
            Field::Address => "주소",
            Field::HeadName => "세대주",
            Field::Name => "이름",
            Field::Phone => "전화번호",
            Field::ConsentDate => "동의일자",
            Field::ConsentMethod => "동의방법",
            Field::Voice => "음성",
            Field::Sms => "문자",
            Field::Kakao => "카카오톡",
            Field::Status => "상태",
        }
    }

    /// Other spellings seen in county spreadsheets, compared after removing spaces,
    /// `*` markers and case.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Town => &["읍면", "읍·면", "읍/면", "읍면명", "town"],
            Field::VillageCode => &["마을코드", "행정리코드", "village_code"],
            Field::Village => &["마을", "마을명", "행정리", "리", "village"],
            Field::Address => &["주소", "세대주소", "address"],
            Field::HeadName => &["세대주", "세대주명", "세대주성명", "head", "head_name"],
            Field::Name => &["이름", "성명", "수신자", "수신자명", "name"],
            Field::Phone => &[
                "전화번호",
                "전화",
                "연락처",
                "휴대폰",
                "휴대전화",
                "핸드폰",
                "휴대폰번호",
                "phone",
            ],
            Field::ConsentDate => &["동의일자", "동의일", "개인정보동의일", "consent_date"],
            Field::ConsentMethod => &["동의방법", "동의방식", "consent_method"],
            Field::Voice => &["음성", "음성통화", "voice"],
            Field::Sms => &["문자", "문자메시지", "sms"],
            Field::Kakao => &["카카오톡", "카톡", "kakao"],
            Field::Status => &["상태", "수신상태", "status"],
        }
    }

    pub fn required(self) -> bool {
        matches!(self, Field::Address | Field::HeadName | Field::Phone)
    }
}

/// A column as the import wizard lists it. The UI takes these from the generated bindings
/// (`IMPORT_COLUMNS`) so the names it shows are the ones the importer reads.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportColumn {
    pub field: Field,
    /// The header this column is written under on export.
    pub header: &'static str,
    /// Every header the importer accepts for it.
    pub aliases: &'static [&'static str],
    pub required: bool,
}

pub fn import_columns() -> Vec<ImportColumn> {
    Field::ALL
        .into_iter()
        .map(|field| ImportColumn {
            field,
            header: field.header(),
            aliases: field.aliases(),
            required: field.required(),
        })
        .collect()
}

fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .collect::<String>()
        .to_lowercase()
}

/// One field and the 0-based column that holds it, if any.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ColumnMap {
    pub field: Field,
    pub column: Option<u32>,
}

/// Finds each field's column by its header.
pub fn detect(headers: &[String]) -> Vec<ColumnMap> {
    let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    Field::ALL
        .into_iter()
        .map(|field| ColumnMap {
            field,
            column: normalized
                .iter()
                .position(|h| field.aliases().contains(&h.as_str()))
                .map(|i| i as u32),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_headers_with_spaces_and_markers_are_found() {
        let headers: Vec<String> = [
            "\u{feff}읍 면",
            "마을명",
            "주소*",
            "세대주",
            "휴대폰",
            "카톡",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let map = detect(&headers);
        let col = |f: Field| map.iter().find(|m| m.field == f).unwrap().column;
        assert_eq!(col(Field::Town), Some(0));
        assert_eq!(col(Field::Village), Some(1));
        assert_eq!(col(Field::Address), Some(2));
        assert_eq!(col(Field::Phone), Some(4));
        assert_eq!(col(Field::Kakao), Some(5));
        assert_eq!(col(Field::Name), None);
    }
}
