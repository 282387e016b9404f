//! A broadcast as staff compose it: what, to whom, by which channels, when. Checked here
//! before anything is stored; the checks name the field.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::DispatchError;
use crate::fanout::Channel;
use crate::keypad::Poll;
use crate::text::{self, TextInfo, TextKind};
use maeul_registry::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Admin,
    VillageNews,
    Emergency,
    EducationEvent,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Admin,
        Category::VillageNews,
        Category::Emergency,
        Category::EducationEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Admin => "admin",
            Category::VillageNews => "village_news",
            Category::Emergency => "emergency",
            Category::EducationEvent => "education_event",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Admin => "행정",
            Category::VillageNews => "마을소식",
            Category::Emergency => "재난·긴급",
            Category::EducationEvent => "교육·행사",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A stored category read back (`broadcasts.category`): an unknown one is an error.
impl TryFrom<String> for Category {
    type Error = String;

    fn try_from(s: String) -> Result<Category, String> {
        Category::parse(&s).ok_or_else(|| format!("broadcasts.category: 알 수 없는 값 {s}"))
    }
}

/// Who a broadcast is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", content = "ids", rename_all = "snake_case")]
pub enum Targets {
    /// Every approved subscriber in the county.
    All,
    Towns(Vec<i64>),
    Villages(Vec<i64>),
    /// The members of registry groups (경로당 회장단 …).
    Groups(Vec<i64>),
    /// Single subscribers (a resend to the not-reached is one of these).
    Subscribers(Vec<i64>),
}

impl Targets {
    pub fn kind(&self) -> &'static str {
        match self {
            Targets::All => "all",
            Targets::Towns(_) => "towns",
            Targets::Villages(_) => "villages",
            Targets::Groups(_) => "groups",
            Targets::Subscribers(_) => "subscribers",
        }
    }

    pub fn ids(&self) -> &[i64] {
        match self {
            Targets::All => &[],
            Targets::Towns(ids)
            | Targets::Villages(ids)
            | Targets::Groups(ids)
            | Targets::Subscribers(ids) => ids,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct NewBroadcast {
    pub title: String,
    pub category: Category,
    pub body: String,
    /// The console recording whose telephone rendition (8 kHz μ-law WAV) a voice call plays;
    /// without one the call reads the text aloud.
    pub recording_id: Option<i64>,
    pub targets: Targets,
    pub channels: Vec<Channel>,
    /// Goes through quiet hours and skips the two-person approval.
    pub emergency: bool,
    /// When to send (RFC 3339); `None` is now.
    pub send_at: Option<String>,
    /// A question voice calls ask, answered by keypad; without one a call asks the resident
    /// to press 1 once they have heard it.
    #[serde(default)]
    pub poll: Option<Poll>,
    /// The text in other languages, sent instead of the Korean one to subscribers who read
    /// that language (calls still play the Korean recording).
    #[serde(default)]
    pub translations: Vec<Translation>,
}

/// The office's translation of a broadcast's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Translation {
    pub language: Language,
    pub body: String,
}

/// What the checks learned: how the text goes and when to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub text: Option<TextInfo>,
    pub send_at: Option<Timestamp>,
    pub poll: Option<Poll>,
    /// Each translation as it is sent (made carrier-safe), with its size.
    pub translations: Vec<(Language, String, TextInfo)>,
}

pub const TITLE_MAX: usize = 100;

/// Checks a broadcast before it is planned or stored.
pub fn validate(b: &NewBroadcast, now: Timestamp) -> Result<Checked, DispatchError> {
    let title = b.title.trim();
    if title.is_empty() {
        return Err(DispatchError::invalid("title", "제목을 적어 주세요"));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(DispatchError::invalid(
            "title",
            format!("제목은 {TITLE_MAX}자까지입니다"),
        ));
    }
    if b.body.trim().is_empty() {
        return Err(DispatchError::invalid("body", "내용을 적어 주세요"));
    }
    if b.channels.is_empty() {
        return Err(DispatchError::invalid(
            "channels",
            "발송 수단을 하나 이상 고르세요",
        ));
    }
    let texts = b.channels.iter().any(|c| *c != Channel::Voice);
    let text = if texts {
        Some(text::classify(&b.body).map_err(|e| DispatchError::invalid("body", e.to_string()))?)
    } else {
        None
    };
    if !matches!(b.targets, Targets::All) && b.targets.ids().is_empty() {
        return Err(DispatchError::invalid(
            "targets",
            "받을 마을이나 사람을 고르세요",
        ));
    }
    let send_at = match b
        .send_at
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => {
            let at = parse_time(s).ok_or_else(|| {
                DispatchError::invalid("send_at", format!("예약 시각을 알 수 없습니다: {s}"))
            })?;
            if at < now - jiff::SignedDuration::from_mins(1) {
                return Err(DispatchError::invalid(
                    "send_at",
                    "예약 시각이 이미 지났습니다",
                ));
            }
            Some(at)
        }
    };
    let poll = b.poll.as_ref().map(Poll::checked).transpose()?;
    if poll.is_some() && !b.channels.contains(&Channel::Voice) {
        return Err(DispatchError::invalid(
            "poll",
            "설문은 음성 전화의 번호 누르기로 답을 받습니다: 음성 전화를 고르세요",
        ));
    }
    Ok(Checked {
        text,
        send_at,
        poll,
        translations: translations(&b.translations)?,
    })
}

/// Checks the translations: one per language other than Korean, each a sendable text once
/// its accents are folded ([`text::fold`]). An error names `translations.<code>`.
fn translations(given: &[Translation]) -> Result<Vec<(Language, String, TextInfo)>, DispatchError> {
    let mut out: Vec<(Language, String, TextInfo)> = Vec::new();
    for t in given {
        let field = format!("translations.{}", t.language.as_str());
        let invalid = |reason: String| DispatchError::Invalid {
            field: field.clone(),
            reason: format!("{} 번역: {reason}", t.language.korean()),
        };
        if t.language == Language::Ko {
            return Err(invalid("한국어는 본문입니다".into()));
        }
        if out.iter().any(|(l, ..)| *l == t.language) {
            return Err(invalid("같은 언어의 번역이 두 번 있습니다".into()));
        }
        let folded = text::fold(t.body.trim());
        let info = text::classify(&folded).map_err(|e| invalid(e.to_string()))?;
        out.push((t.language, folded, info));
    }
    Ok(out)
}

/// RFC 3339, or a Seoul wall-clock time as staff type it ("2026-11-27 09:00").
pub fn parse_time(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    let civil: jiff::civil::DateTime = s.replace(' ', "T").parse().ok()?;
    civil
        .to_zoned(crate::policy::seoul())
        .ok()
        .map(|z| z.timestamp())
}

pub fn text_kind_str(k: TextKind) -> &'static str {
    match k {
        TextKind::Sms => "sms",
        TextKind::Lms => "lms",
    }
}
