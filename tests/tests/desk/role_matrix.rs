use std::collections::BTreeSet;

use maeul_api::{ApiResult, ErrorCode, Role};
use maeul_registry::export::ExportFormat;
use maeul_registry::import::ImportOptions;
use maeul_registry::{
    Channels, SubscriberFilter, SubscriberInput, SubscriberStatus, VillageUpdate,
};

use crate::fixtures::{actor, corpus, desk_with_residents, village_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Admin,
    Operator,
    /// The chief of 연탄1리, where the data is.
    OwnChief,
    /// The chief of another village.
    OtherChief,
    Trainer,
    Livinglab,
    Auditor,
}

const EVERYONE: [Who; 7] = [
    Who::Admin,
    Who::Operator,
    Who::OwnChief,
    Who::OtherChief,
    Who::Trainer,
    Who::Livinglab,
    Who::Auditor,
];

#[derive(Debug, Clone, Copy)]
enum UseCase {
    Stats,
    ListTowns,
    ListVillages,
    UpdateVillage,
    ListSubscribers,
    GetSubscriber,
    AddSubscriber,
    RequestEnrollment,
    UpdateSubscriber,
    DeleteSubscriber,
    DecideEnrollment,
    ImportPreview,
    Import,
    Export,
}

fn allowed(case: UseCase) -> BTreeSet<Who> {
    use UseCase as U;
    use Who as W;
    let set: &[Who] = match case {
        U::Stats | U::ListTowns | U::ListVillages => &EVERYONE,
        U::ListSubscribers => &[
            W::Admin,
            W::Operator,
            W::OwnChief,
            W::OtherChief,
            W::Auditor,
        ],
        U::GetSubscriber => &[W::Admin, W::Operator, W::OwnChief, W::Auditor],
        U::AddSubscriber
        | U::RequestEnrollment
        | U::UpdateSubscriber
        | U::DeleteSubscriber
        | U::DecideEnrollment => &[W::Admin, W::Operator, W::OwnChief],
        U::UpdateVillage | U::ImportPreview | U::Import | U::Export => &[W::Admin, W::Operator],
    };
    set.iter().copied().collect()
}

fn input(village_id: i64, phone: &str) -> SubscriberInput {
    SubscriberInput {
        household_id: None,
        village_id,
        address: "증평읍 연탄리 700".into(),
        head_name: "정우성".into(),
        name: "정우성".into(),
        phone: phone.into(),
        consent_date: Some("2024-01-02".into()),
        consent_method: Some(maeul_registry::ConsentMethod::Visit),
        channels: Channels {
            voice: true,
            sms: true,
            kakao: false,
        },
        status: SubscriberStatus::Active,
        text_first: false,
        language: maeul_registry::Language::Ko,
    }
}

/// Runs one use case as `who` on a fresh desk; Ok(()) or the error code.
async fn attempt(case: UseCase, who: Who) -> Result<(), ErrorCode> {
    let desk = desk_with_residents().await;
    let own = village_id(&desk, "연탄1리").await;
    let other = village_id(&desk, "화성1리").await;
    let as_admin = actor(Role::Admin, None);
    let a = match who {
        Who::Admin => as_admin.clone(),
        Who::Operator => actor(Role::Operator, None),
        Who::OwnChief => actor(Role::Chief, Some(own)),
        Who::OtherChief => actor(Role::Chief, Some(other)),
        Who::Trainer => actor(Role::Trainer, None),
        Who::Livinglab => actor(Role::Livinglab, None),
        Who::Auditor => actor(Role::Auditor, None),
    };
    let existing = desk
        .list_subscribers(&as_admin, SubscriberFilter::default())
        .await
        .unwrap()[0]
        .id;
    let pending = desk
        .request_enrollment(&as_admin, input(own, "010-0555-0900"))
        .await
        .unwrap();
    let out = std::env::temp_dir().join(format!(
        "maeul-roles-{}-{case:?}-{who:?}.csv",
        std::process::id()
    ));
    let result: ApiResult<()> = match case {
        UseCase::Stats => desk.registry_stats(&a).await.map(drop),
        UseCase::ListTowns => desk.list_towns(&a).await.map(drop),
        UseCase::ListVillages => desk.list_villages(&a).await.map(drop),
        UseCase::UpdateVillage => {
            let change = VillageUpdate {
                chief_name: Some("새이장".into()),
                chief_phone: None,
                zone_code: Some("147".into()),
                version: 1,
            };
            desk.update_village(&a, own, change).await.map(drop)
        }
        UseCase::ListSubscribers => desk
            .list_subscribers(&a, SubscriberFilter::default())
            .await
            .map(drop),
        UseCase::GetSubscriber => desk.get_subscriber(&a, existing).await.map(drop),
        UseCase::AddSubscriber => desk
            .add_subscriber(&a, input(own, "010-0555-0901"))
            .await
            .map(drop),
        UseCase::RequestEnrollment => desk
            .request_enrollment(&a, input(own, "010-0555-0902"))
            .await
            .map(drop),
        UseCase::UpdateSubscriber => {
            let mut change = input(own, "010-0555-0903");
            change.name = "바뀐이름".into();
            let version = desk
                .get_subscriber(&crate::fixtures::admin(), existing)
                .await
                .unwrap()
                .version;
            desk.update_subscriber(&a, existing, version, change).await
        }
        UseCase::DeleteSubscriber => desk.delete_subscriber(&a, existing).await,
        UseCase::DecideEnrollment => desk.decide_enrollment(&a, pending, true).await,
        UseCase::ImportPreview => desk
            .import_preview(&a, &corpus("00_valid.xlsx"), ImportOptions::default())
            .await
            .map(drop),
        UseCase::Import => desk
            .import_registry(
                &a,
                &corpus("00_valid.xlsx"),
                ImportOptions::default(),
                false,
                &|_| {},
            )
            .await
            .map(drop),
        UseCase::Export => desk
            .export_registry(&a, &out, ExportFormat::Csv)
            .await
            .map(drop),
    };
    let _ = std::fs::remove_file(&out);
    result.map_err(|e| e.code)
}

#[tokio::test]
async fn every_registry_use_case_allows_exactly_its_roles() {
    let cases = [
        UseCase::Stats,
        UseCase::ListTowns,
        UseCase::ListVillages,
        UseCase::UpdateVillage,
        UseCase::ListSubscribers,
        UseCase::GetSubscriber,
        UseCase::AddSubscriber,
        UseCase::RequestEnrollment,
        UseCase::UpdateSubscriber,
        UseCase::DeleteSubscriber,
        UseCase::DecideEnrollment,
        UseCase::ImportPreview,
        UseCase::Import,
        UseCase::Export,
    ];
    let mut mismatches = Vec::new();
    for case in cases {
        let mut got = BTreeSet::new();
        for who in EVERYONE {
            match attempt(case, who).await {
                Ok(()) => {
                    got.insert(who);
                }
                Err(ErrorCode::Forbidden | ErrorCode::OutOfScope) => {}
                Err(other) => {
                    mismatches.push(format!("{case:?} as {who:?}: unexpected error {other:?}"));
                }
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
async fn masked_numbers_for_auditors_and_own_village_only_for_chiefs() {
    let desk = desk_with_residents().await;
    let own = village_id(&desk, "연탄1리").await;
    let auditor = desk
        .list_subscribers(&actor(Role::Auditor, None), SubscriberFilter::default())
        .await
        .unwrap();
    assert!(
        auditor
            .iter()
            .all(|r| r.phone.contains("****") || r.phone.contains("***")),
        "{auditor:#?}"
    );
    let chief = actor(Role::Chief, Some(own));
    let rows = desk
        .list_subscribers(&chief, SubscriberFilter::default())
        .await
        .unwrap();
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.village_id == own && !r.phone.contains('*'))
    );
    let villages = desk.list_villages(&chief).await.unwrap();
    assert_eq!(villages.len(), 1);
    let other = village_id(&desk, "화성1리").await;
    let filter = SubscriberFilter {
        village_id: Some(other),
        ..SubscriberFilter::default()
    };
    assert_eq!(
        desk.list_subscribers(&chief, filter)
            .await
            .unwrap_err()
            .code,
        ErrorCode::OutOfScope
    );
}
