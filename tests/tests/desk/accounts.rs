//! Accounts and the audit chain against someone who holds the database file: entries
//! deleted behind the desk's back, a role changed in the table directly.

use maeul_accounts::anchor::AnchorState;
use maeul_accounts::users::NewUser;
use maeul_accounts::{Actor, Role};
use maeul_api::Desk;

use crate::fixtures::{Engine, empty_desk_on};

/// Runs inside `keyctl session -` on Linux (as `./dev test` does): the chain key lives in
/// the OS credential store.
#[tokio::test]
async fn deleting_the_newest_audit_entries_is_reported_when_the_desk_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let desk = Desk::open(&path).await.unwrap();
    assert_eq!(desk.audit_anchor().state, AnchorState::Started);
    desk.create_first_admin("admin", "관리자", "correct horse")
        .await
        .unwrap();
    let admin = desk.login("admin", "correct horse").await.unwrap();
    let _ = desk.login("admin", "wrong horse").await;
    desk.close().await;
    drop(desk);

    let desk = Desk::open(&path).await.unwrap();
    assert_eq!(desk.audit_anchor().state, AnchorState::Intact);
    // Someone holding the file removes the failed sign-in: the hash chain still verifies.
    maeul_db::query("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
        .execute(desk.db())
        .await
        .unwrap();
    desk.db().close().await;
    drop(desk);

    let desk = Desk::open(&path).await.unwrap();
    let found = desk.audit_anchor();
    assert_eq!(found.state, AnchorState::Truncated, "{}", found.message);
    let report = desk.audit_verify(&admin).await.unwrap();
    assert_eq!(report.first_broken, None);
    assert_eq!(report.anchor.unwrap().state, AnchorState::Truncated);
    let (recorded,): (i64,) =
        maeul_db::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.anchor_mismatch'")
            .fetch_one(desk.db())
            .await
            .unwrap();
    assert_eq!(recorded, 1);
}

#[tokio::test]
async fn a_changed_role_applies_at_once_and_practice_stays_with_the_session() {
    let desk = empty_desk_on(Engine::from_env()).await;
    let admin = desk
        .create_first_admin("admin", "관리자", "correct horse")
        .await
        .unwrap();
    desk.create_user(
        &admin,
        NewUser {
            username: "trainer".into(),
            display_name: "강사".into(),
            password: "battery staple".into(),
            role: Role::Trainer,
            village_id: None,
        },
    )
    .await
    .unwrap();
    let trainer = desk.login("trainer", "battery staple").await.unwrap();
    let practising = Actor {
        practice: Some("2026-03-02T06:00:00Z".into()),
        ..trainer
    };
    assert_eq!(desk.refresh_actor(&practising).await.unwrap(), practising);
    maeul_db::query("UPDATE users SET role = 'auditor' WHERE id = $1")
        .bind(practising.user_id)
        .execute(desk.db())
        .await
        .unwrap();
    let now = desk.refresh_actor(&practising).await.unwrap();
    assert_eq!((now.role, now.practice), (Role::Auditor, None));
}
