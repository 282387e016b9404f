use serde::{Deserialize, Serialize};

use crate::phone::PhoneKind;

/// 읍 or 면.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum TownKind {
    Eup,
    Myeon,
}

/// 읍/면 — a town of the county.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Town {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: TownKind,
}

/// 행정리 — administrative village, with its counts.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct VillageSummary {
    pub id: i64,
    pub town_id: i64,
    pub town_name: String,
    pub code: String,
    pub name: String,
    pub chief_name: Option<String>,
    /// National format, or masked for roles without [full numbers](maeul_accounts::Permission).
    pub chief_phone: Option<String>,
    /// DTMF digits that open this village's outdoor loudspeakers.
    pub zone_code: Option<String>,
    pub households: i64,
    pub subscribers: i64,
    pub pending: i64,
    /// What a save of the village's details names (see [`VillageUpdate::version`]).
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct VillageUpdate {
    pub chief_name: Option<String>,
    pub chief_phone: Option<String>,
    pub zone_code: Option<String>,
    /// The version the form was loaded with: refused if someone saved the village since.
    pub version: i64,
}

/// 개인정보 동의 — how consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ConsentMethod {
    Paper,
    Phone,
    App,
    Visit,
}

impl ConsentMethod {
    pub const ALL: [ConsentMethod; 4] = [
        ConsentMethod::Paper,
        ConsentMethod::Phone,
        ConsentMethod::App,
        ConsentMethod::Visit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::Paper => "paper",
            ConsentMethod::Phone => "phone",
            ConsentMethod::App => "app",
            ConsentMethod::Visit => "visit",
        }
    }

    pub fn korean(self) -> &'static str {
        match self {
            ConsentMethod::Paper => "서면",
            ConsentMethod::Phone => "전화",
            ConsentMethod::App => "앱",
            ConsentMethod::Visit => "방문",
        }
    }

    pub fn parse(s: &str) -> Option<ConsentMethod> {
        ConsentMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == s || m.korean() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SubscriberStatus {
    Active,
    /// 수신거부
    OptedOut,
}

impl SubscriberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Active => "active",
            SubscriberStatus::OptedOut => "opted_out",
        }
    }
    pub fn parse(s: &str) -> Option<SubscriberStatus> {
        match s {
            "active" => Some(SubscriberStatus::Active),
            "opted_out" => Some(SubscriberStatus::OptedOut),
            _ => None,
        }
    }
}

/// State of a resident's request to be added, decided by the village chief.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Enrollment {
    Pending,
    Approved,
    Rejected,
}

impl Enrollment {
    pub fn as_str(self) -> &'static str {
        match self {
            Enrollment::Pending => "pending",
            Enrollment::Approved => "approved",
            Enrollment::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Enrollment> {
        [
            Enrollment::Pending,
            Enrollment::Approved,
            Enrollment::Rejected,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Voice,
    Sms,
    Kakao,
}

/// Which channels a subscriber wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Channels {
    pub voice: bool,
    pub sms: bool,
    pub kakao: bool,
}

/// One row of the household/subscriber table.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SubscriberRow {
    pub id: i64,
    pub household_id: i64,
    pub village_id: i64,
    pub name: String,
    /// National format, or masked.
    pub phone: String,
    pub phone_kind: PhoneKind,
    pub address: String,
    pub head_name: String,
    pub consent_date: Option<String>,
    pub consent_method: Option<ConsentMethod>,
    pub channels: Channels,
    /// 문자로 받기 우선: every voice broadcast also reaches them as a text.
    pub text_first: bool,
    /// The language they read best; texts go in it when the office wrote a translation.
    pub language: crate::Language,
    pub status: SubscriberStatus,
    pub enrollment: Enrollment,
    /// What a save of this row names: refused if someone saved it in between.
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
pub struct SubscriberFilter {
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub channel: Option<Channel>,
    /// `Some(true)`: with consent; `Some(false)`: without.
    pub consented: Option<bool>,
    pub enrollment: Option<Enrollment>,
    /// Members of this group only.
    pub group_id: Option<i64>,
}

/// A subscriber to add or change. Without `household_id`, a household is found or created
/// from `village_id`, `address` and `head_name`.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct SubscriberInput {
    pub household_id: Option<i64>,
    pub village_id: i64,
    pub address: String,
    pub head_name: String,
    pub name: String,
    pub phone: String,
    pub consent_date: Option<String>,
    pub consent_method: Option<ConsentMethod>,
    pub channels: Channels,
    #[serde(default)]
    pub text_first: bool,
    #[serde(default)]
    pub language: crate::Language,
    pub status: SubscriberStatus,
}

#[derive(Debug, Clone, Default, Serialize, specta::Type)]
pub struct ChannelCounts {
    pub voice: i64,
    pub sms: i64,
    pub kakao: i64,
}

#[derive(Debug, Clone, Default, Serialize, specta::Type)]
pub struct RegistryStats {
    pub county: String,
    pub towns: i64,
    pub villages: i64,
    pub households: i64,
    pub subscribers: i64,
    /// Active, approved and consented: the ones a broadcast reaches.
    pub reachable: i64,
    pub opted_out: i64,
    pub pending: i64,
    /// Reachable subscribers by the channels they want.
    pub by_channel: ChannelCounts,
}

/// 그룹 — a named list of subscribers the office keeps, with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub note: String,
    pub members: i64,
    /// Villages the members live in.
    pub villages: i64,
    /// What a rename names: refused if someone saved the group since.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct GroupInput {
    pub name: String,
    pub note: String,
}
