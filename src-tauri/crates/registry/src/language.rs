//! A subscriber's preferred language. Many of the county's married-in residents read
//! Vietnamese, Tagalog or English better than Korean. Only languages a Korean carrier can
//! carry are offered: texts travel as KS X 1001, which holds Latin letters (Vietnamese goes
//! without its tone marks, as people text it anyway) but not simplified Chinese or Khmer;
//! Chinese-Korean residents mostly read Korean.

use serde::{Deserialize, Serialize};

/// The languages a broadcast can be translated into; Korean is the broadcast itself.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Ko,
    Vi,
    En,
    Tl,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Ko, Language::Vi, Language::En, Language::Tl];

    /// The code stored in `subscribers.language` (ISO 639-1).
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ko => "ko",
            Language::Vi => "vi",
            Language::En => "en",
            Language::Tl => "tl",
        }
    }

    /// How forms and printed lists name it.
    pub fn korean(self) -> &'static str {
        match self {
            Language::Ko => "한국어",
            Language::Vi => "베트남어",
            Language::En => "영어",
            Language::Tl => "필리핀어",
        }
    }

    /// Reads a stored code or its Korean name (an imported sheet may carry either);
    /// an empty cell is Korean.
    pub fn parse(s: &str) -> Option<Language> {
        let s = s.trim();
        if s.is_empty() {
            return Some(Language::Ko);
        }
        Language::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s) || l.korean() == s)
    }
}

/// A stored language read back: an unknown one is an error, never silently Korean.
impl TryFrom<String> for Language {
    type Error = String;

    fn try_from(s: String) -> Result<Language, String> {
        Language::parse(&s).ok_or_else(|| format!("subscribers.language: 알 수 없는 값 {s}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_korean_names_read_back() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.as_str()), Some(l));
            assert_eq!(Language::parse(l.korean()), Some(l));
        }
        assert_eq!(Language::parse(" VI "), Some(Language::Vi));
        assert_eq!(Language::parse(""), Some(Language::Ko));
        assert_eq!(Language::parse("fr"), None);
        assert!(Language::try_from("xx".to_string()).is_err());
    }
}
