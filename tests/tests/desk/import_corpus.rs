use maeul_registry::import::{ImportOptions, TextEncoding};

use crate::fixtures::{admin, corpus, desk_with_residents, snapshot};

/// Each `NAME.ext` has `NAME.expected`: one line per problem, in order, each the start of
/// the reported `row N: column: reason` line. An empty file means the import succeeds.
#[tokio::test]
async fn every_corpus_file_reports_exactly_its_problems_and_changes_nothing() {
    let dir = corpus("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".expected"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "the corpus holds {} files", names.len());
    let mut checked = 0;
    for name in names {
        let base = name.rsplit_once('.').unwrap().0;
        let expected: Vec<String> = std::fs::read_to_string(dir.join(format!("{base}.expected")))
            .unwrap_or_else(|_| panic!("{base}.expected"))
            .lines()
            .map(str::to_string)
            .collect();
        let desk = desk_with_residents().await;
        let before = snapshot(&desk).await;
        let encoding = if name.contains(".utf8.") {
            TextEncoding::Utf8
        } else {
            TextEncoding::Auto
        };
        let options = ImportOptions {
            encoding,
            mapping: None,
        };
        let report = desk
            .import_registry(&admin(), &dir.join(&name), options, false, &|_| {})
            .await
            .unwrap();
        let got: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), expected.len(), "{name}: got {got:#?}");
        for (g, e) in got.iter().zip(&expected) {
            assert!(
                g.starts_with(e.as_str()),
                "{name}: expected `{e}`, got `{g}`"
            );
        }
        if expected.is_empty() {
            assert!(report.committed, "{name} should import");
            assert_ne!(snapshot(&desk).await, before, "{name} imported nothing");
        } else {
            assert!(!report.committed);
            assert_eq!(snapshot(&desk).await, before, "{name} changed the database");
        }
        checked += 1;
    }
    assert!(checked >= 20);
}

#[tokio::test]
async fn dry_run_reports_counts_and_writes_nothing() {
    let desk = crate::fixtures::desk_with_residents().await;
    let before = snapshot(&desk).await;
    let report = desk
        .import_registry(
            &admin(),
            &corpus("00_valid.xlsx"),
            ImportOptions::default(),
            true,
            &|_| {},
        )
        .await
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(!report.committed);
    assert_eq!(
        (report.households_created, report.subscribers_created),
        (1, 1)
    );
    assert_eq!(snapshot(&desk).await, before);
}

#[tokio::test]
async fn excel_numbers_that_lost_their_leading_zero_are_restored() {
    let desk = crate::fixtures::desk_with_residents().await;
    let report = crate::fixtures::import(&desk, "00_valid.xlsx").await;
    assert!(report.committed, "{:?}", report.problems);
    let rows = desk
        .list_subscribers(&admin(), Default::default())
        .await
        .unwrap();
    assert!(
        rows.iter()
            .any(|r| r.phone == "010-0555-0201" && r.channels.kakao),
        "{rows:#?}"
    );
}
