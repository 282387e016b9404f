use maeul_api::Desk;
use maeul_registry::export::ExportFormat;
use maeul_registry::import::ImportOptions;

use crate::fixtures::admin;

/// The demo registry survives export → import in both formats, figure for figure, and
/// every change along the way is in an intact audit chain.
#[tokio::test]
async fn demo_registry_round_trips_through_xlsx_and_cp949_csv() {
    let source = Desk::open_memory().await.unwrap();
    source.seed_demo(&admin(), &|_| {}).await.unwrap();
    let stats = source.registry_stats(&admin()).await.unwrap();
    assert_eq!(
        (stats.towns, stats.villages, stats.households),
        (2, 112, 37_000)
    );
    let dir = tempfile::tempdir().unwrap();
    for (file, format) in [
        ("명부.xlsx", ExportFormat::Xlsx),
        ("명부.csv", ExportFormat::CsvCp949),
    ] {
        let path = dir.path().join(file);
        let rows = source
            .export_registry(&admin(), &path, format)
            .await
            .unwrap();
        assert_eq!(i64::from(rows), stats.subscribers);
        let target = crate::fixtures::desk_with_structure().await;
        let report = target
            .import_registry(&admin(), &path, ImportOptions::default(), false, &|_| {})
            .await
            .unwrap();
        assert!(report.committed, "{file}: {:?}", report.problems.first());
        let copy = target.registry_stats(&admin()).await.unwrap();
        assert_eq!(copy.households, stats.households, "{file}");
        assert_eq!(copy.subscribers, stats.subscribers, "{file}");
        assert_eq!(copy.reachable, stats.reachable, "{file}");
        assert_eq!(copy.opted_out, stats.opted_out, "{file}");
        assert_eq!(
            (
                copy.by_channel.voice,
                copy.by_channel.sms,
                copy.by_channel.kakao
            ),
            (
                stats.by_channel.voice,
                stats.by_channel.sms,
                stats.by_channel.kakao
            ),
            "{file}"
        );
        let audit = target.audit_verify(&admin()).await.unwrap();
        assert_eq!((audit.entries, audit.first_broken), (1, None));
    }
    let audit = source.audit_verify(&admin()).await.unwrap();
    assert_eq!(
        (audit.entries, audit.first_broken),
        (3, None),
        "seed + two exports"
    );
}

/// A resident added, changed and then deleted: their name, address and number were never in
/// the hash chain itself, the deletion erases them from the audit log's erasable part, and
/// the chain still verifies.
#[tokio::test]
async fn a_deleted_resident_leaves_no_name_in_the_audit_log_and_the_chain_verifies() {
    let desk = crate::fixtures::desk_with_structure().await;
    let village = crate::fixtures::village_id(&desk, "연탄1리").await;
    let input = || maeul_registry::SubscriberInput {
        household_id: None,
        village_id: village,
        address: "증평읍 연탄리 지움길 9".into(),
        head_name: "홍지움".into(),
        name: "홍지움".into(),
        phone: "010-0888-0102".into(),
        consent_date: Some("2024-01-02".into()),
        consent_method: Some(maeul_registry::ConsentMethod::Visit),
        channels: maeul_registry::Channels {
            voice: true,
            sms: true,
            kakao: false,
        },
        status: maeul_registry::SubscriberStatus::Active,
        text_first: false,
        language: maeul_registry::Language::Ko,
    };
    let id = desk.add_subscriber(&admin(), input()).await.unwrap();
    desk.update_subscriber(
        &admin(),
        id,
        1,
        maeul_registry::SubscriberInput {
            address: "증평읍 연탄리 지움길 10".into(),
            ..input()
        },
    )
    .await
    .unwrap();
    let db = desk.db().clone();
    let named = |sql: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = maeul_db::query_as(sql).fetch_one(&db).await.unwrap();
            n
        }
    };
    assert_eq!(
        named(
            "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%홍지움%' OR detail LIKE '%지움길%'"
        )
        .await,
        0,
        "personal fields stay out of the chain"
    );
    assert_eq!(
        named("SELECT COUNT(*) FROM audit_personal WHERE payload LIKE '%홍지움%'").await,
        2
    );

    desk.delete_subscriber(&admin(), id).await.unwrap();
    assert_eq!(
        named("SELECT COUNT(*) FROM audit_personal WHERE payload LIKE '%홍지움%' OR payload LIKE '%0102%'")
            .await,
        0,
        "erased with the resident"
    );
    let audit = desk.audit_verify(&admin()).await.unwrap();
    assert_eq!(audit.first_broken, None, "{audit:?}");
    assert!(audit.entries >= 3);
}
