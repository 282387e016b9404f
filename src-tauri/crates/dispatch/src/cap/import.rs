//! A CAP alert from another system (the 통합경보 system, a neighbouring county's desk) as a
//! broadcast draft for the villages it covers: an emergency, by voice and SMS, text prefilled
//! with what happened and who said so. An Update replaces the drafts it names; a Cancel only
//! dismisses them.

use std::collections::BTreeSet;

use super::CapError;
use super::area::{self, Place};
use super::model::{Alert, Info};
use crate::DispatchError;
use crate::broadcast::{Category, TITLE_MAX, Targets};
use crate::drafts::{DraftSource, NewDraft};
use crate::fanout::Channel;

/// What an alert asks of the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromAlert {
    /// `None` for a Cancel.
    pub draft: Option<NewDraft>,
    /// The villages the draft is for (ids, in the registry's order).
    pub villages: Vec<i64>,
    /// Earlier alerts ("sender,identifier,sent") whose open drafts this one replaces or
    /// cancels.
    pub supersedes: Vec<String>,
}

/// The source reference CAP's `<references>` uses for an alert.
pub fn reference(alert: &Alert) -> String {
    format!("{},{},{}", alert.sender, alert.identifier, alert.sent)
}

/// The Korean info block where there is one, else the first.
fn korean(alert: &Alert) -> Option<&Info> {
    alert
        .infos
        .iter()
        .find(|i| {
            i.language
                .as_deref()
                .is_some_and(|l| l.to_ascii_lowercase().starts_with("ko"))
        })
        .or(alert.infos.first())
}

pub fn from_alert(alert: &Alert, places: &[Place]) -> Result<FromAlert, DispatchError> {
    if !matches!(alert.status.as_str(), "Actual" | "Exercise") {
        return Err(CapError::new(
            "status",
            format!(
                "'{}' 경보는 주민에게 보내는 것이 아니라 초안을 만들지 않았습니다 (Actual, Exercise만)",
                alert.status
            ),
        )
        .into());
    }
    let supersedes: Vec<String> = alert
        .references
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    match alert.msg_type.as_str() {
        "Alert" | "Update" => {}
        "Cancel" => {
            return Ok(FromAlert {
                draft: None,
                villages: Vec::new(),
                supersedes,
            });
        }
        other => {
            return Err(CapError::new(
                "msgType",
                format!("'{other}'은(는) 주민에게 알릴 경보가 아닙니다"),
            )
            .into());
        }
    }
    let info = korean(alert).ok_or_else(|| CapError::new("info", "경보 내용(info)이 없습니다"))?;
    if info.areas.is_empty() {
        return Err(CapError::new("info/area", "경보 지역(area)이 없습니다").into());
    }
    let mut villages = BTreeSet::new();
    for (n, a) in info.areas.iter().enumerate() {
        villages.extend(
            area::covered(a, places)
                .map_err(|why| CapError::new(format!("area[{}]/geocode", n + 1), why))?,
        );
    }
    if villages.is_empty() {
        let county = places.first().map_or("우리 군", |p| p.county.as_str());
        let named: Vec<&str> = info.areas.iter().map(|a| a.area_desc.as_str()).collect();
        return Err(CapError::new(
            "area",
            format!(
                "경보 지역({})에 {county}의 마을이 없어 초안을 만들지 않았습니다",
                named.join(", ")
            ),
        )
        .into());
    }
    let exercise = alert.status == "Exercise";
    let headline = info
        .headline
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or(info.event.trim());
    let title: String = format!("{}{headline}", if exercise { "[훈련] " } else { "" })
        .chars()
        .take(TITLE_MAX)
        .collect();
    let issuer = info
        .sender_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(alert.sender.as_str())
        .to_string();
    let said = [info.description.as_deref(), info.instruction.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>();
    let said = if said.is_empty() {
        headline.to_string()
    } else {
        said.join("\n")
    };
    let body = format!("[{}] {said}\n(출처: {issuer})", info.event.trim());
    let targets = if villages.len() == places.len() {
        Targets::All
    } else {
        Targets::Villages(villages.iter().copied().collect())
    };
    Ok(FromAlert {
        draft: Some(NewDraft {
            source: DraftSource::Cap,
            source_ref: reference(alert),
            event: info.event.trim().to_string(),
            event_code: info.event_code().map(str::to_string),
            issuer,
            title,
            category: Category::Emergency,
            body,
            targets,
            channels: vec![Channel::Voice, Channel::Sms],
            emergency: !exercise,
        }),
        villages: villages.into_iter().collect(),
        supersedes,
    })
}
