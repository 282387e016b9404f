use maeul_budget::demo::seed_card;
use maeul_budget::{MillionWon, OverrunReason, PledgeCard, Rule, Source, check, validate};

fn keys(card: &PledgeCard) -> Vec<String> {
    let mut keys: Vec<String> = check(card).into_iter().map(|i| i.key).collect();
    keys.sort();
    keys
}

fn m(v: i64) -> Option<MillionWon> {
    Some(MillionWon(v))
}

/// What a case does to the seed card, and the cell keys it must be reported at.
type Fault = (&'static str, fn(&mut PledgeCard), Vec<&'static str>);

/// One fault at a time: exactly the cells it breaks are named, nothing else.
#[test]
fn each_check_fires_on_its_own_fault() {
    let cases: Vec<Fault> = vec![
        (
            "소계 ≠ sum of the years",
            |c| c.plan.row_mut(Source::County).unwrap().years[1] = m(231),
            // 군비 소계 no longer adds up; 계 2023 no longer matches 군비 2023.
            vec!["plan.county.subtotal", "plan.total.y2023"],
        ),
        (
            "총계 ≠ 기투자 + 소계 + 이후",
            |c| c.plan.row_mut(Source::County).unwrap().after = m(31),
            vec!["plan.county.total", "plan.total.after"],
        ),
        (
            "계 ≠ sum of the source rows",
            |c| {
                let row = c.executed.row_mut(Source::National).unwrap();
                row.years[0] = m(5);
                row.subtotal = m(5);
                row.total = m(5);
            },
            vec![
                "executed.national.y2022",
                "executed.total.subtotal",
                "executed.total.total",
                "executed.total.y2022",
            ],
        ),
        (
            "executed > plan without a reason",
            |c| {
                for source in [Source::Total, Source::County] {
                    let row = c.executed.row_mut(source).unwrap();
                    row.years[2] = m(40);
                    row.subtotal = m(263);
                    row.total = m(263);
                }
            },
            vec!["executed.county.y2024", "executed.total.y2024"],
        ),
        (
            "progress going down",
            |c| c.yearly_plan[3].progress = 75,
            vec!["yearly_plan.-.progress2025"],
        ),
        (
            "progress over 100",
            |c| c.yearly_plan[4].progress = 120,
            vec!["yearly_plan.-.progress2026"],
        ),
        (
            "총 사업비 ≠ 계 총계",
            |c| c.total_budget = MillionWon(400),
            vec!["header.-.total_budget"],
        ),
        (
            "이행도 over 100",
            |c| c.status.percent = 101,
            vec!["status.-.percent"],
        ),
    ];
    for (what, break_it, expected) in cases {
        let mut card = seed_card();
        break_it(&mut card);
        assert_eq!(keys(&card), expected, "{what}");
    }
}

#[test]
fn a_reason_excuses_an_overrun_and_only_that_one() {
    let mut card = seed_card();
    for source in [Source::Total, Source::County] {
        let row = card.executed.row_mut(source).unwrap();
        row.years[2] = m(40);
        row.subtotal = m(263);
        row.total = m(263);
    }
    card.overrun_reasons.push(OverrunReason {
        source: Source::County,
        year: 2024,
        reason: "2023년 이월액 집행".into(),
    });
    assert_eq!(keys(&card), ["executed.total.y2024"]);
    assert_eq!(check(&card)[0].rule, Rule::Overrun);
    card.overrun_reasons[0].reason = "  ".into();
    assert_eq!(keys(&card).len(), 2, "a blank reason is no reason");
}

#[test]
fn messages_name_table_row_and_column_in_korean() {
    let mut card = seed_card();
    card.plan.row_mut(Source::County).unwrap().subtotal = m(341);
    let issues = check(&card);
    let subtotal = issues
        .iter()
        .find(|i| i.key == "plan.county.subtotal")
        .unwrap();
    assert_eq!(
        subtotal.message,
        "투자계획 군비 소계: 341백만원이 연도별 합계 340백만원과 다릅니다"
    );
}

#[test]
fn a_card_full_of_faults_reports_them_all() {
    let mut card = seed_card();
    card.plan.row_mut(Source::County).unwrap().years[1] = m(231);
    card.plan.row_mut(Source::County).unwrap().after = m(31);
    card.yearly_plan[3].progress = 75;
    card.total_budget = MillionWon(400);
    card.status.percent = 101;
    let k = keys(&card);
    for key in [
        "plan.county.subtotal",
        "plan.county.total",
        "plan.total.y2023",
        "plan.total.after",
        "yearly_plan.-.progress2025",
        "header.-.total_budget",
        "status.-.percent",
    ] {
        assert!(k.contains(&key.to_string()), "{key} missing from {k:?}");
    }
}

#[test]
fn structure_errors_are_refused_before_checks() {
    let mut card = seed_card();
    card.title = "  ".into();
    let e = validate(&card).unwrap_err();
    assert_eq!(e.field(), Some("title"));

    let mut card = seed_card();
    card.plan.rows[3].years.pop();
    let e = validate(&card).unwrap_err();
    assert_eq!(e.field(), Some("plan"));
    assert!(e.to_string().contains("군비"), "{e}");

    let mut card = seed_card();
    card.last_year = 2020;
    assert_eq!(validate(&card).unwrap_err().field(), Some("period"));

    let mut card = seed_card();
    card.executed.rows[0].total = m(-1);
    assert_eq!(validate(&card).unwrap_err().field(), Some("executed"));
}
