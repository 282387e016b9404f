//! A sent broadcast as a CAP 1.2 alert in the Korean profile, for the county's 통합경보
//! system and the record: who sent what, when, to which 행정구역.

use std::collections::BTreeSet;

use maeul_db::Conn;

use super::area::{self, Place};
use super::model::{Alert, Info, ValuePair};
use crate::DispatchError;
use crate::broadcast::{Category, Targets};
use crate::drafts::Draft;
use crate::report::BroadcastRow;

/// CAP's date-time in Seoul time: `2026-12-05T09:00:00+09:00`.
pub fn cap_time(t: jiff::Timestamp) -> String {
    t.to_zoned(maeul_time::seoul())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The villages a broadcast was for: what its targets name, or for lists of people the
/// villages its deliveries went to.
pub async fn villages(
    conn: &mut Conn,
    b: &BroadcastRow,
    places: &[Place],
) -> Result<BTreeSet<i64>, DispatchError> {
    let targets: Targets = serde_json::from_str(&b.targets).map_err(|e| {
        DispatchError::invalid(
            "broadcasts.targets",
            format!("저장된 값을 읽을 수 없습니다: {e}"),
        )
    })?;
    Ok(match targets {
        Targets::All => places.iter().map(|p| p.village_id).collect(),
        Targets::Towns(ids) => places
            .iter()
            .filter(|p| ids.contains(&p.town_id))
            .map(|p| p.village_id)
            .collect(),
        Targets::Villages(ids) => ids.into_iter().collect(),
        Targets::Groups(_) | Targets::Subscribers(_) => {
            let rows: Vec<(i64,)> = maeul_db::query_as(
                "SELECT DISTINCT village_id FROM deliveries \
                 WHERE broadcast_id = $1 AND village_id IS NOT NULL",
            )
            .bind(b.id)
            .fetch_all(&mut *conn)
            .await?;
            rows.into_iter().map(|(v,)| v).collect()
        }
    })
}

pub fn alert(
    b: &BroadcastRow,
    villages: &BTreeSet<i64>,
    places: &[Place],
    from: Option<&Draft>,
) -> Result<Alert, DispatchError> {
    let created: jiff::Timestamp = b.created_at.parse().map_err(|_| {
        DispatchError::invalid(
            "broadcasts.created_at",
            format!("시각을 읽을 수 없습니다: {}", b.created_at),
        )
    })?;
    let county = places.first();
    let county_code = county.map_or("", |p| p.county_code.get(..5).unwrap_or(""));
    let emergency = b.emergency || b.category == Category::Emergency;
    let effective = b
        .send_at
        .as_deref()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(cap_time);
    let note = b
        .cancelled_at
        .as_deref()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| format!("발송 취소됨 {}", cap_time(t)));
    Ok(Alert {
        xmlns: super::NAMESPACE.into(),
        identifier: format!(
            "KR.maeul.{county_code}.{}.{}",
            created.strftime("%Y%m%d%H%M%S"),
            b.id
        ),
        sender: format!("maeul-desk.{county_code}"),
        sent: cap_time(created),
        status: if b.practice { "Exercise" } else { "Actual" }.into(),
        msg_type: "Alert".into(),
        source: None,
        scope: "Public".into(),
        codes: vec![super::KOREAN_PROFILE.into()],
        note,
        references: None,
        infos: vec![Info {
            language: Some("ko-KR".into()),
            categories: vec![if emergency { "Safety" } else { "Other" }.into()],
            event: from.map_or_else(|| b.category.label().to_string(), |d| d.event.clone()),
            urgency: if emergency { "Immediate" } else { "Unknown" }.into(),
            severity: if emergency { "Severe" } else { "Unknown" }.into(),
            certainty: if emergency { "Observed" } else { "Unknown" }.into(),
            event_codes: from
                .and_then(|d| d.event_code.clone())
                .map(|c| vec![ValuePair::new(super::EVENT_CODE_NAME, c)])
                .unwrap_or_default(),
            effective,
            expires: None,
            sender_name: county.map(|p| format!("{} 마을 방송", p.county)),
            headline: Some(b.title.clone()),
            description: Some(b.body.clone()),
            instruction: None,
            areas: area::of_villages(villages, places),
        }],
    })
}
