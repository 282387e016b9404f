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
