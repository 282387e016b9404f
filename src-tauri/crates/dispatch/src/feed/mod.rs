//! The national disaster-text feed (행정안전부 재난문자방송 발령현황, safetydata.go.kr
//! `DSSP-IF-00247`): messages whose receiving region covers the county, or a 읍·면 of it,
//! become emergency drafts, once per message (`SN`).
//!
//! [`wire`] reads the feed's answer (a bad key still answers HTTP 200, with a non-success
//! `resultCode`); [`client`] asks for it; here, which villages a message covers and the
//! draft it makes.

pub mod client;
pub mod wire;

use std::collections::BTreeSet;

use crate::broadcast::{Category, TITLE_MAX, Targets};
use crate::cap::area::{self, Place};
use crate::drafts::{DraftSource, NewDraft};
use crate::fanout::Channel;

pub use wire::FeedMessage;

/// Settings: where the feed is (the key is in the OS keyring under the same host), and how
/// often the desk asks.
pub const BASE_URL: &str = "feed.base_url";
pub const INTERVAL: &str = "feed.interval_secs";
pub const DEFAULT_BASE_URL: &str = "https://www.safetydata.go.kr";
pub const DEFAULT_INTERVAL_SECS: u64 = 60;
/// The keyring's name for the feed's service key (beside the providers' secrets).
pub const KEYRING_NAME: &str = "safetydata";

/// How old a message may be and still become a draft: the listing starts yesterday (so a
/// text sent just before midnight is not missed), but a desk switched on in the morning
/// should not ring for last night's expired warnings. Half a day keeps an overnight one.
pub const FRESH_HOURS: i64 = 12;

/// Whether a message is recent enough to draft; one whose time cannot be read is kept
/// rather than lost.
pub fn fresh(m: &FeedMessage, now: jiff::Timestamp) -> bool {
    issued(m)
        .is_none_or(|at| now.duration_since(at) <= jiff::SignedDuration::from_hours(FRESH_HOURS))
}

/// When the message was issued ("YYYY/MM/DD HH:MM:SS" in Seoul), if it says so readably.
pub fn issued(m: &FeedMessage) -> Option<jiff::Timestamp> {
    let civil = m.created.trim().replace('/', "-").replace(' ', "T");
    civil
        .parse::<jiff::civil::DateTime>()
        .ok()
        .map(maeul_time::seoul_instant)
}

/// The villages a message's receiving regions cover ("충청북도 증평군,충청북도 괴산군",
/// "충청북도 전체", "증평군 도안면"); empty when none of ours.
pub fn covered(regions: &str, places: &[Place]) -> BTreeSet<i64> {
    regions
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .flat_map(|r| area::named(r, places))
        .collect()
}

/// The draft a message covering `villages` makes: the text as sent to phones, with its
/// 재난 kind, step and time as the source, by voice and SMS to those villages.
pub fn draft(m: &FeedMessage, villages: &BTreeSet<i64>, places: &[Place]) -> NewDraft {
    let kind = if m.kind.trim().is_empty() {
        "재난문자"
    } else {
        m.kind.trim()
    };
    let title: String = format!("[{}] {kind}", m.step.trim())
        .chars()
        .take(TITLE_MAX)
        .collect();
    let body = format!(
        "{}\n(출처: 행정안전부 재난문자 · {kind} · {} · {})",
        m.text.trim(),
        m.step.trim(),
        m.created.trim()
    );
    let targets = if villages.len() == places.len() {
        Targets::All
    } else {
        Targets::Villages(villages.iter().copied().collect())
    };
    NewDraft {
        source: DraftSource::Feed,
        source_ref: m.sn.clone(),
        event: kind.to_string(),
        event_code: None,
        issuer: "행정안전부 재난문자".into(),
        title,
        category: Category::Emergency,
        body,
        targets,
        channels: vec![Channel::Voice, Channel::Sms],
        // 안전안내 (a missing person, a heat advisory) waits for quiet hours and approval
        // like any notice; 위급·긴급재난 go through them.
        emergency: m.step.trim() != "안전안내",
        step: Some(m.step.trim().to_string()).filter(|s| !s.is_empty()),
        issued_at: issued(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Vec<Place> {
        [
            (1, "연탄1리", "4374525047", "증평읍"),
            (2, "도안1리", "4374531021", "도안면"),
        ]
        .into_iter()
        .map(|(id, village, code, town)| Place {
            village_id: id,
            village: village.into(),
            village_code: code.into(),
            town_id: id,
            town: town.into(),
            town_code: format!("{}000", &code[..7]),
            county: "증평군".into(),
            county_code: "4374500000".into(),
        })
        .collect()
    }

    fn ids(regions: &str) -> Vec<i64> {
        covered(regions, &places()).into_iter().collect()
    }

    #[test]
    fn receiving_regions_cover_the_county_its_towns_or_nothing() {
        assert_eq!(ids("충청북도 증평군"), [1, 2]);
        assert_eq!(ids("충청북도 전체"), [1, 2]);
        assert_eq!(ids("충청북도 청주시,충청북도 증평군"), [1, 2]);
        assert_eq!(ids("충청북도 증평군 도안면"), [2]);
        assert!(ids("충청북도 청주시").is_empty());
        assert!(ids("경상남도 전체").is_empty());
        assert!(ids("").is_empty());
    }

    #[test]
    fn a_message_drafts_its_text_with_the_kind_step_and_time() {
        let m = FeedMessage {
            sn: "214870".into(),
            created: "2026/12/05 08:10:00".into(),
            text: "[증평군] 호우경보 발효. 하천변 출입 금지".into(),
            regions: "충청북도 증평군 도안면".into(),
            step: "긴급재난".into(),
            kind: "호우".into(),
        };
        let d = draft(&m, &covered(&m.regions, &places()), &places());
        assert_eq!(d.title, "[긴급재난] 호우");
        assert_eq!(
            d.body,
            "[증평군] 호우경보 발효. 하천변 출입 금지\n(출처: 행정안전부 재난문자 · 호우 · 긴급재난 · 2026/12/05 08:10:00)"
        );
        assert_eq!(d.targets, Targets::Villages(vec![2]));
        assert_eq!(d.source_ref, "214870");
        assert!(d.emergency);
        let notice = FeedMessage {
            step: "안전안내".into(),
            ..m.clone()
        };
        assert!(!draft(&notice, &covered(&m.regions, &places()), &places()).emergency);
    }

    #[test]
    fn a_message_older_than_half_a_day_is_not_drafted() {
        let m = |created: &str| FeedMessage {
            sn: "1".into(),
            created: created.into(),
            text: String::new(),
            regions: String::new(),
            step: String::new(),
            kind: String::new(),
        };
        // 2026-12-05 09:00 in Seoul.
        let now: jiff::Timestamp = "2026-12-05T00:00:00Z".parse().unwrap();
        assert!(fresh(&m("2026/12/05 08:10:00"), now));
        assert!(fresh(&m("2026/12/04 21:00:00"), now));
        assert!(!fresh(&m("2026/12/04 20:59:00"), now));
        assert!(fresh(&m("어제"), now), "unreadable: kept");
    }
}
