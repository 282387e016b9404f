use std::collections::BTreeSet;

use maeul_api::{ApiResult, Desk, ErrorCode, Role};
use maeul_budget::demo::seed_card;
use maeul_budget::{MillionWon, Source};

use crate::fixtures::{Engine, EngineDesk, actor, admin, empty_desk_on};

const ROLES: [Role; 6] = Role::ALL;

#[derive(Debug, Clone, Copy)]
enum UseCase {
    List,
    Get,
    Check,
    Save,
    Delete,
    Print,
}

fn allowed(case: UseCase) -> BTreeSet<Role> {
    use Role as R;
    let set: &[Role] = match case {
        UseCase::List | UseCase::Get | UseCase::Check | UseCase::Print => {
            &[R::Admin, R::Operator, R::Auditor]
        }
        UseCase::Save | UseCase::Delete => &[R::Admin, R::Operator],
    };
    set.iter().copied().collect()
}

/// A desk on this run's engine holding the seed's card; returns its id.
async fn desk_with_card() -> (EngineDesk, i64) {
    let desk = empty_desk_on(Engine::from_env()).await;
    let id = desk
        .budget_save(&admin(), None, 0, seed_card())
        .await
        .unwrap()
        .id;
    (desk, id)
}

/// `case` as `role` on a card of its own (a delete takes the card away), numbered apart
/// from the others on the desk (a 관리번호 is unique).
async fn attempt(desk: &Desk, case: UseCase, role: Role) -> ApiResult<()> {
    let mut card = seed_card();
    card.number = format!("{} {case:?} {role}", card.number);
    let id = desk.budget_save(&admin(), None, 0, card).await.unwrap().id;
    let a = actor(role, None);
    match case {
        UseCase::List => desk.budget_list(&a).await.map(drop),
        UseCase::Get => desk.budget_get(&a, id).await.map(drop),
        UseCase::Check => desk.budget_check(&a, &seed_card()).map(drop),
        UseCase::Save => {
            let mut card = desk.budget_get(&admin(), id).await?.card;
            card.contacts = "박성원 (☎3233)".into();
            // The version as it is now: an earlier role's save moved it on.
            let version = desk.budget_get(&admin(), id).await?.version;
            desk.budget_save(&a, Some(id), version, card)
                .await
                .map(drop)
        }
        UseCase::Delete => desk.budget_delete(&a, id).await,
        UseCase::Print => desk.budget_pdf(&a, &[id], &|_| {}).await.map(drop),
    }
}

#[tokio::test]
async fn every_budget_use_case_allows_exactly_its_roles() {
    let desk = empty_desk_on(Engine::from_env()).await;
    let mut mismatches = Vec::new();
    for case in [
        UseCase::List,
        UseCase::Get,
        UseCase::Check,
        UseCase::Save,
        UseCase::Delete,
        UseCase::Print,
    ] {
        let mut got = BTreeSet::new();
        for role in ROLES {
            match attempt(&desk, case, role).await {
                Ok(()) => {
                    got.insert(role);
                }
                Err(e) if e.code == ErrorCode::Forbidden => {}
                Err(e) => mismatches.push(format!("{case:?} as {role}: {e:?}")),
            }
        }
        if got != allowed(case) {
            mismatches.push(format!(
                "{case:?}: allowed {got:?}, expected {:?}",
                allowed(case)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[tokio::test]
async fn an_edit_is_audited_old_to_new_and_a_bad_card_is_kept_as_a_draft() {
    let (desk, id) = desk_with_card().await;
    let operator = actor(Role::Operator, None);
    let mut card = seed_card();
    card.executed.row_mut(Source::County).unwrap().years[3] = Some(MillionWon(25));
    let view = desk
        .budget_save(&operator, Some(id), 1, card)
        .await
        .unwrap();
    // 2025 executed without the 계 row and 소계/총계 following: saved, but a draft.
    assert!(!view.issues.is_empty());
    let listed = desk.budget_list(&operator).await.unwrap();
    assert_eq!(listed[0].issue_count, view.issues.len() as i64);

    let log = desk.audit_list(&admin(), 10, 0).await.unwrap();
    let entry = log.iter().find(|e| e.action == "budget.update").unwrap();
    assert_eq!(entry.actor, "test-operator");
    assert_eq!(entry.target, "공감행정 ②-5");
    let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
    let change = &detail["changes"][0];
    assert_eq!(change["path"], "executed.rows[3].years[3]");
    assert_eq!(change["old"], serde_json::Value::Null);
    assert_eq!(change["new"], 25);
    assert_eq!(
        desk.audit_verify(&admin()).await.unwrap().first_broken,
        None
    );
}

#[tokio::test]
async fn refusals_name_the_field_and_store_nothing() {
    let (desk, id) = desk_with_card().await;
    let before = desk.budget_get(&admin(), id).await.unwrap().card;

    let mut card = seed_card();
    card.number = String::new();
    let e = desk
        .budget_save(&admin(), Some(id), 1, card)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Invalid, Some("number"))
    );

    let mut copy = seed_card();
    copy.title = "다른 공약".into();
    let e = desk.budget_save(&admin(), None, 0, copy).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Duplicate, Some("number"))
    );

    let mut card = seed_card();
    card.title = "마을 방송 🎙".into();
    let e = desk
        .budget_save(&admin(), Some(id), 1, card)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.message.contains('🎙'), "{}", e.message);

    assert_eq!(desk.budget_get(&admin(), id).await.unwrap().card, before);
    assert_eq!(desk.budget_list(&admin()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn printing_reports_progress_and_is_logged() {
    let (desk, id) = desk_with_card().await;
    let mut second = seed_card();
    second.number = "공감행정 ②-6".into();
    desk.budget_save(&admin(), None, 0, second).await.unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let (bytes, printed) = desk
        .budget_pdf(&actor(Role::Auditor, None), &[], &|p| {
            seen.lock().unwrap().push(p);
        })
        .await
        .unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(printed.cards, 2);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first().map(|p| (p.done, p.total)), Some((1, 2)));
    assert!(seen.last().unwrap().saving);
    let log = desk.audit_list(&admin(), 5, 0).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "budget.print" && e.actor == "test-auditor")
    );
    let e = desk
        .budget_pdf(&admin(), &[id + 100], &|_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}
