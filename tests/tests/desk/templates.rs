//! Frequent messages: kept by operators and admins, used by every sender (a chief too),
//! refused field by field, versioned against two people editing at once, and filled in to
//! a text that the broadcast's own checks then count.

use maeul_api::{Desk, ErrorCode, FieldValue, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::templates::NewTemplate;

use crate::fixtures::{actor, admin, desk_with_residents, sending_at_any_hour, village_id};

fn meeting() -> NewTemplate {
    NewTemplate {
        name: "마을 총회 안내".into(),
        category: Category::VillageNews,
        title: "{마을명} 총회".into(),
        body: "{일시}에 {장소}에서 {마을명} 총회가 열립니다. 주민 여러분의 많은 참석 바랍니다."
            .into(),
    }
}

fn value(field: &str, value: &str) -> FieldValue {
    FieldValue {
        field: field.into(),
        value: value.into(),
    }
}

async fn audit_actions(desk: &Desk) -> Vec<String> {
    maeul_db::query_as::<(String,)>(
        "SELECT action FROM audit_log WHERE action LIKE 'template.%' ORDER BY id",
    )
    .fetch_all(desk.db())
    .await
    .unwrap()
    .into_iter()
    .map(|(a,)| a)
    .collect()
}

#[tokio::test]
async fn operators_keep_templates_and_every_sender_fills_them() {
    let desk = desk_with_residents().await;
    sending_at_any_hour(&desk).await;
    let own = village_id(&desk, "연탄1리").await;
    let op = actor(Role::Operator, None);
    let chief = actor(Role::Chief, Some(own));

    let e = desk
        .template_save(&chief, None, None, meeting())
        .await
        .unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::OutOfScope,
        "a chief uses templates, does not keep them"
    );
    let t = desk
        .template_save(&op, None, None, meeting())
        .await
        .unwrap();
    assert_eq!(t.fields, ["마을명", "일시", "장소"]);
    let e = desk
        .template_save(&op, None, None, meeting())
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("name"), "{}", e.message);
    let bad = NewTemplate {
        name: "다른 이름".into(),
        body: "{날짜}에 모입니다".into(),
        ..meeting()
    };
    let e = desk.template_save(&op, None, None, bad).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("body"));
    assert!(e.message.contains("{날짜}"), "{}", e.message);

    // The chief lists and fills; a field left out is named.
    assert_eq!(desk.templates_list(&chief).await.unwrap().len(), 1);
    let e = desk
        .template_fill(&chief, t.id, vec![value("마을명", "연탄1리")])
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("fields.일시"));
    let filled = desk
        .template_fill(
            &chief,
            t.id,
            vec![
                value("마을명", "연탄1리"),
                value("일시", "12월 9일(수) 오전 10시"),
                value("장소", "연탄1리 마을회관"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(filled.title, "연탄1리 총회");
    assert!(
        filled
            .body
            .starts_with("12월 9일(수) 오전 10시에 연탄1리 마을회관에서")
    );
    // The filled text is counted as any typed text: over 90 bytes, so a long text (LMS).
    let summary = desk
        .broadcast_preview(
            &chief,
            NewBroadcast {
                title: filled.title.clone(),
                category: filled.category,
                body: filled.body.clone(),
                recording_id: None,
                targets: Targets::Villages(vec![own]),
                channels: vec![Channel::Sms],
                emergency: false,
                send_at: None,
                poll: None,
                translations: Vec::new(),
            },
        )
        .await
        .unwrap();
    let bytes = summary.text_bytes.expect("a text's bytes");
    assert!(bytes > 90, "{bytes}");
    assert_eq!(summary.text_kind, Some(maeul_dispatch::text::TextKind::Lms));
    assert_eq!(audit_actions(&desk).await, ["template.create"]);
}

#[tokio::test]
async fn a_template_changed_by_someone_else_first_is_not_overwritten() {
    let desk = desk_with_residents().await;
    let op = actor(Role::Operator, None);
    let t = desk
        .template_save(&op, None, None, meeting())
        .await
        .unwrap();
    let mut mine = meeting();
    mine.title = "마을 총회".into();
    mine.body = "{일시}에 {장소}에서 총회가 열립니다.".into();
    let saved = desk
        .template_save(&admin(), Some(t.id), Some(t.version), mine.clone())
        .await
        .unwrap();
    assert_eq!(saved.version, t.version + 1);
    assert_eq!(saved.fields, ["일시", "장소"]);
    let e = desk
        .template_save(&op, Some(t.id), Some(t.version), meeting())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains("test-admin"), "{}", e.message);
    // A change names the version it was made on; without it nothing is overwritten.
    let e = desk
        .template_save(&op, Some(t.id), None, meeting())
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("version"));
    let e = desk
        .template_delete(&actor(Role::Auditor, None), t.id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    desk.template_delete(&op, t.id).await.unwrap();
    assert!(desk.templates_list(&op).await.unwrap().is_empty());
    assert_eq!(
        audit_actions(&desk).await,
        ["template.create", "template.update", "template.delete"]
    );
}
