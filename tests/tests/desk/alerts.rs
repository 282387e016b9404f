//! Disaster linkage through CAP 1.2: a sent broadcast's alert read back by an independent
//! parser element by element, and alerts from other systems as drafts for the villages
//! they cover (once per alert, closed by their Update or Cancel, sent with one press).

use maeul_api::{ErrorCode, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;

use crate::fixtures::{
    actor, admin, desk_with_residents, sending_at_any_hour, town_id, village_id,
};

fn broadcast(targets: Targets, emergency: bool) -> NewBroadcast {
    NewBroadcast {
        title: "하천 범람 주의".into(),
        category: if emergency {
            Category::Emergency
        } else {
            Category::Admin
        },
        body: "보강천 수위가 높습니다. 하천변 출입을 삼가 주세요.".into(),
        recording_id: None,
        targets,
        channels: vec![Channel::Sms],
        emergency,
        send_at: None,
        poll: None,
        translations: Vec::new(),
    }
}

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
    n.children()
        .find(|c| c.has_tag_name(name))
        .unwrap_or_else(|| panic!("<{}> has no <{name}>", n.tag_name().name()))
}

fn text<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    child(n, name).text().unwrap_or("")
}

fn geocodes<'a>(info: roxmltree::Node<'a, 'a>) -> Vec<(&'a str, &'a str)> {
    info.children()
        .filter(|c| c.has_tag_name("area"))
        .flat_map(|a| a.children().filter(|g| g.has_tag_name("geocode")))
        .map(|g| (text(g, "valueName"), text(g, "value")))
        .collect()
}

#[tokio::test]
async fn a_sent_broadcast_exports_as_cap_checked_element_by_element() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let own = village_id(&desk, "연탄1리").await;
    let id = desk
        .broadcast_send(&admin(), broadcast(Targets::Villages(vec![own]), true))
        .await
        .unwrap()
        .id;
    let xml = desk.broadcast_cap(&admin(), id).await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let alert = doc.root_element();
    assert_eq!(
        alert.tag_name().namespace(),
        Some("urn:oasis:names:tc:emergency:cap:1.2")
    );
    assert!(text(alert, "identifier").ends_with(&format!(".{id}")));
    assert!(!text(alert, "sender").contains([' ', ',']));
    let sent = text(alert, "sent");
    assert!(sent.ends_with("+09:00") && sent.len() == 25, "{sent}");
    assert_eq!(text(alert, "status"), "Actual");
    assert_eq!(text(alert, "msgType"), "Alert");
    assert_eq!(text(alert, "scope"), "Public");
    assert_eq!(text(alert, "code"), "대한민국정부1.1");
    let info = child(alert, "info");
    assert_eq!(text(info, "language"), "ko-KR");
    assert_eq!(text(info, "category"), "Safety");
    assert_eq!(text(info, "urgency"), "Immediate");
    assert_eq!(text(info, "headline"), "하천 범람 주의");
    assert!(text(info, "description").starts_with("보강천 수위가"));
    assert_eq!(text(info, "senderName"), "증평군 마을 방송");
    let area = child(info, "area");
    assert_eq!(text(area, "areaDesc"), "충청북도 증평군 증평읍 연탄1리");
    let code = desk
        .list_villages(&admin())
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.id == own)
        .unwrap()
        .code;
    assert_eq!(geocodes(info), [("행정구역코드", code.as_str())]);

    // A whole 읍 is named by its own code, the whole county by the county's.
    let town = town_id(&desk, "증평읍").await;
    let id = desk
        .broadcast_send(&admin(), broadcast(Targets::Towns(vec![town]), false))
        .await
        .unwrap()
        .id;
    let xml = desk.broadcast_cap(&admin(), id).await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let info = child(doc.root_element(), "info");
    assert_eq!(text(info, "category"), "Other");
    assert_eq!(geocodes(info), [("행정구역코드", "4374525000")]);

    // Auditors see broadcasts, so their CAP too; a chief sees only their own.
    desk.broadcast_cap(&actor(Role::Auditor, None), id)
        .await
        .unwrap();
    let e = desk
        .broadcast_cap(&actor(Role::Chief, Some(own)), id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
}

fn cap(identifier: &str, msg_type: &str, references: &str, area: &str) -> String {
    let references = if references.is_empty() {
        String::new()
    } else {
        format!("<references>{references}</references>")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>kma.go.kr</sender>
  <sent>2026-12-05T08:10:00+09:00</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  <code>대한민국정부1.1</code>
  {references}
  <info>
    <language>ko-KR</language>
    <category>Met</category>
    <event>호우주의보</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>TTAS.KO-07.0046/R5 재난 종류 코드</valueName><value>HRA</value></eventCode>
    <senderName>청주기상지청</senderName>
    <headline>증평 호우주의보</headline>
    <description>시간당 30mm 이상의 강한 비가 내립니다.</description>
    <instruction>하천변 출입을 삼가십시오.</instruction>
    {area}
  </info>
</alert>"#
    )
}

fn geocode(code: &str, desc: &str) -> String {
    format!(
        "<area><areaDesc>{desc}</areaDesc><geocode><valueName>행정구역코드</valueName>\
         <value>{code}</value></geocode></area>"
    )
}

#[tokio::test]
async fn an_imported_alert_is_one_draft_for_its_villages_sent_with_one_press() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let doan: Vec<i64> = desk
        .list_villages(&admin())
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.town_name == "도안면")
        .map(|v| v.id)
        .collect();
    assert!(!doan.is_empty());

    let first = cap(
        "KMA-1",
        "Alert",
        "",
        &geocode("4374531000", "충청북도 증평군 도안면"),
    );
    let got = desk.alert_import(&admin(), &first).await.unwrap();
    assert!(got.created);
    assert_eq!(got.villages.len(), doan.len());
    assert!(got.villages.iter().all(|v| v.starts_with("도안면 ")));
    let d = got.draft.unwrap();
    assert_eq!(d.targets, Targets::Villages(doan.clone()));
    assert_eq!(d.category, Category::Emergency);
    assert!(d.emergency);
    assert_eq!(d.channels, [Channel::Voice, Channel::Sms]);
    assert_eq!(d.event_code.as_deref(), Some("HRA"));
    assert_eq!(d.title, "증평 호우주의보");
    assert!(d.body.starts_with("[호우주의보] 시간당 30mm"), "{}", d.body);
    assert!(d.body.ends_with("(출처: 청주기상지청)"), "{}", d.body);

    // The same alert again finds the draft it made.
    let again = desk.alert_import(&admin(), &first).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.draft.unwrap().id, d.id);
    assert_eq!(desk.drafts_open(&admin()).await.unwrap().len(), 1);

    // An alert for another 시·군 of the province makes nothing, and says why.
    let elsewhere = cap(
        "KMA-2",
        "Alert",
        "",
        &geocode("4311100000", "충청북도 청주시 상당구"),
    );
    let e = desk.alert_import(&admin(), &elsewhere).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert_eq!(e.field.as_deref(), Some("area"));
    assert!(e.message.contains("청주시"), "{}", e.message);

    // By names where there are no codes: the whole county.
    let named = cap(
        "KMA-3",
        "Update",
        "kma.go.kr,KMA-1,2026-12-05T08:10:00+09:00",
        "<area><areaDesc>충청북도 증평군</areaDesc></area>",
    );
    let update = desk.alert_import(&admin(), &named).await.unwrap();
    assert_eq!(update.dismissed, 1, "the update replaces the first draft");
    let open = desk.drafts_open(&admin()).await.unwrap();
    assert_eq!(open.len(), 1);
    let county = &open[0];
    assert_eq!(county.targets, Targets::All);

    // Two desks press send on the same draft: one broadcast, the other refused.
    let chief = actor(Role::Chief, Some(village_id(&desk, "연탄1리").await));
    let e = desk
        .draft_send(&chief, county.id, county.version)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope, "county-wide: not a chief's");
    let sent = desk
        .draft_send(&admin(), county.id, county.version)
        .await
        .unwrap();
    let e = desk
        .draft_send(&admin(), county.id, county.version)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains("test-admin"), "{}", e.message);
    assert!(desk.drafts_open(&admin()).await.unwrap().is_empty());
    let row = desk
        .broadcast_detail(&admin(), sent.id)
        .await
        .unwrap()
        .broadcast;
    assert!(row.emergency);
    assert!(!row.needs_approval, "an emergency needs no second person");

    // Its CAP names the event the alert gave.
    let xml = desk.broadcast_cap(&admin(), sent.id).await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let info = child(doc.root_element(), "info");
    assert_eq!(text(info, "event"), "호우주의보");
    assert_eq!(text(child(info, "eventCode"), "value"), "HRA");
    assert_eq!(geocodes(info), [("행정구역코드", "4374500000")]);

    // A Cancel closes open drafts and makes none; a chief may not import at all.
    let fourth = cap("KMA-4", "Alert", "", &geocode("4374525000", "증평읍"));
    let d4 = desk
        .alert_import(&admin(), &fourth)
        .await
        .unwrap()
        .draft
        .unwrap();
    let cancel = cap(
        "KMA-5",
        "Cancel",
        "kma.go.kr,KMA-4,2026-12-05T08:10:00+09:00",
        "",
    );
    let c = desk.alert_import(&admin(), &cancel).await.unwrap();
    assert!(c.draft.is_none());
    assert_eq!(c.dismissed, 1);
    let e = desk
        .draft_dismiss(&admin(), d4.id, d4.version)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let e = desk.alert_import(&chief, &fourth).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::OutOfScope);
    let e = desk
        .alert_import(&actor(Role::Auditor, None), &fourth)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let audit = desk.audit_verify(&admin()).await.unwrap();
    assert_eq!(audit.first_broken, None);
}

#[tokio::test]
async fn a_draft_edited_in_the_form_goes_out_as_edited_and_closes() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let alert = cap("KMA-9", "Alert", "", &geocode("4374525000", "증평읍"));
    let d = desk
        .alert_import(&admin(), &alert)
        .await
        .unwrap()
        .draft
        .unwrap();
    let yeontan = village_id(&desk, "연탄1리").await;
    let mut edited = broadcast(Targets::Villages(vec![yeontan]), true);
    edited.body = format!("{}\n마을회관으로 대피해 주세요.", d.body);

    // A form the checks refuse leaves the draft open, and says which field.
    let mut empty = edited.clone();
    empty.body = "  ".into();
    let e = desk
        .draft_send_as(&admin(), d.id, d.version, Some(empty))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("body"), "{}", e.message);
    assert_eq!(desk.drafts_open(&admin()).await.unwrap().len(), 1);

    let sent = desk
        .draft_send_as(&admin(), d.id, d.version, Some(edited.clone()))
        .await
        .unwrap();
    let detail = desk.broadcast_detail(&admin(), sent.id).await.unwrap();
    assert!(
        detail
            .broadcast
            .body
            .ends_with("마을회관으로 대피해 주세요.")
    );
    assert_eq!(detail.broadcast.title, edited.title);
    assert!(detail.broadcast.emergency);
    assert!(desk.drafts_open(&admin()).await.unwrap().is_empty());
    // The edit is the person's: a second desk's send of the old draft is refused.
    let e = desk
        .draft_send(&admin(), d.id, d.version)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(
        e.message.contains(&format!("방송 {}번", sent.id)),
        "{}",
        e.message
    );
}
