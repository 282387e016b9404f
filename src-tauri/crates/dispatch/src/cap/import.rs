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

pub fn from_alert(
    alert: &Alert,
    places: &[Place],
    now: jiff::Timestamp,
) -> Result<FromAlert, DispatchError> {
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
    // An alert past its <expires> is history, not something to ring phones for.
    if let Some(expires) = info.expires.as_deref() {
        let at = super::check::date_time("expires", expires)?;
        if at < now {
            return Err(CapError::new(
                "expires",
                format!("{expires}에 끝난 경보라 초안을 만들지 않았습니다"),
            )
            .into());
        }
    }
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
            step: None,
            issued_at: alert.sent.parse::<jiff::Timestamp>().ok(),
        }),
        villages: villages.into_iter().collect(),
        supersedes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cap::model::{Area, Info, ValuePair};

    fn places() -> Vec<Place> {
        [(1, "연탄1리", "4374525047"), (2, "도안1리", "4374531021")]
            .into_iter()
            .map(|(id, village, code)| Place {
                village_id: id,
                village: village.into(),
                village_code: code.into(),
                town_id: id,
                town: if id == 1 { "증평읍" } else { "도안면" }.into(),
                town_code: format!("{}000", &code[..7]),
                county: "증평군".into(),
                county_code: "4374500000".into(),
            })
            .collect()
    }

    fn now() -> jiff::Timestamp {
        "2026-12-05T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_expired_alert_makes_no_draft() {
        let mut a = alert("Actual", "4374531000");
        a.infos[0].expires = Some("2026-12-04T23:00:00+09:00".into());
        let e = from_alert(&a, &places(), now()).unwrap_err();
        assert_eq!(e.field(), Some("expires"));
        a.infos[0].expires = Some("2026-12-05T23:00:00+09:00".into());
        assert!(from_alert(&a, &places(), now()).unwrap().draft.is_some());
    }

    fn alert(status: &str, geocode: &str) -> Alert {
        let xml = crate::cap::to_xml(&Alert {
            xmlns: crate::cap::NAMESPACE.into(),
            identifier: "A-1".into(),
            sender: "kma.go.kr".into(),
            sent: "2026-12-05T08:10:00+09:00".into(),
            status: status.into(),
            msg_type: "Alert".into(),
            source: None,
            scope: "Public".into(),
            codes: vec![],
            note: None,
            references: None,
            infos: vec![Info {
                language: Some("en-US".into()),
                categories: vec!["Met".into()],
                event: "Heavy rain".into(),
                urgency: "Expected".into(),
                severity: "Severe".into(),
                certainty: "Likely".into(),
                event_codes: vec![],
                effective: None,
                expires: None,
                sender_name: None,
                headline: None,
                description: None,
                instruction: None,
                areas: vec![Area {
                    area_desc: "somewhere".into(),
                    geocodes: vec![ValuePair::new(crate::cap::GEOCODE_NAME, geocode)],
                }],
            }],
        })
        .unwrap();
        crate::cap::parse(&xml).unwrap()
    }

    #[test]
    fn an_exercise_is_a_marked_draft_that_is_not_an_emergency() {
        let got = from_alert(&alert("Exercise", "4374531000"), &places(), now()).unwrap();
        let d = got.draft.unwrap();
        assert_eq!(d.title, "[훈련] Heavy rain");
        assert!(!d.emergency);
        assert_eq!(d.targets, Targets::Villages(vec![2]));
        // No description: the headline (here the event) is the text; the sender is the source.
        assert_eq!(d.body, "[Heavy rain] Heavy rain\n(출처: kma.go.kr)");
        assert_eq!(d.source_ref, "kma.go.kr,A-1,2026-12-05T08:10:00+09:00");
    }

    #[test]
    fn test_alerts_and_bad_geocodes_make_no_draft_and_say_where() {
        let e = from_alert(&alert("Test", "4374531000"), &places(), now()).unwrap_err();
        assert_eq!(e.field(), Some("status"));
        let e = from_alert(&alert("Actual", "437453100"), &places(), now()).unwrap_err();
        assert_eq!(e.field(), Some("area[1]/geocode"));
        assert!(e.to_string().contains("10자리"), "{e}");
        let all = from_alert(&alert("Actual", "4300000000"), &places(), now()).unwrap();
        assert_eq!(all.draft.unwrap().targets, Targets::All);
    }

    #[test]
    fn an_euc_kr_file_reads_when_its_declaration_says_so() {
        let text = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><alert>증평군</alert>";
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(text);
        assert_eq!(crate::cap::decode(&bytes).unwrap(), text);
        let bom = [b"\xEF\xBB\xBF".as_slice(), "<alert>증평</alert>".as_bytes()].concat();
        assert_eq!(crate::cap::decode(&bom).unwrap(), "<alert>증평</alert>");
        let resaved = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><alert>증평</alert>";
        assert_eq!(crate::cap::decode(resaved.as_bytes()).unwrap(), resaved);
        let undeclared = encoding_rs::EUC_KR.encode("<alert>증평군</alert>").0;
        assert_eq!(
            crate::cap::decode(&undeclared).unwrap_err().element,
            "alert"
        );
    }
}
