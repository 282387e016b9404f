//! The card's arithmetic, checked cell by cell. Every failure names the table, the row and the
//! column, so that the editor can mark the very cell and the printout can say what is wrong.

use serde::{Deserialize, Serialize};

use crate::model::{Cell, MillionWon, MoneyTable, PledgeCard, Source, amount};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CardTable {
    /// 기본정보 (header block)
    Header,
    /// 연도별 사업비 투자계획
    Plan,
    /// 사업비 확정 및 집행액
    Executed,
    /// 연도별 추진계획
    YearlyPlan,
    /// 이행현황
    Status,
}

impl CardTable {
    pub fn label(self) -> &'static str {
        match self {
            CardTable::Header => "기본정보",
            CardTable::Plan => "투자계획",
            CardTable::Executed => "집행액",
            CardTable::YearlyPlan => "연도별 추진계획",
            CardTable::Status => "이행현황",
        }
    }

    fn key(self) -> &'static str {
        match self {
            CardTable::Header => "header",
            CardTable::Plan => "plan",
            CardTable::Executed => "executed",
            CardTable::YearlyPlan => "yearly_plan",
            CardTable::Status => "status",
        }
    }
}

/// A column of a money table, or the progress column of the yearly plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case", tag = "kind", content = "year")]
pub enum Column {
    Total,
    Prior,
    Subtotal,
    Year(i32),
    After,
    Progress(i32),
    TotalBudget,
    Percent,
    Period,
}

impl Column {
    fn key(self) -> String {
        match self {
            Column::Total => "total".into(),
            Column::Prior => "prior".into(),
            Column::Subtotal => "subtotal".into(),
            Column::Year(y) => format!("y{y}"),
            Column::After => "after".into(),
            Column::Progress(y) => format!("progress{y}"),
            Column::TotalBudget => "total_budget".into(),
            Column::Percent => "percent".into(),
            Column::Period => "period".into(),
        }
    }

    fn label(self, last_year: i32) -> String {
        match self {
            Column::Total => "총계".into(),
            Column::Prior => "기투자".into(),
            Column::Subtotal => "소계".into(),
            Column::Year(y) => format!("{y}년"),
            Column::After => format!("{} 이후", last_year + 1),
            Column::Progress(y) => format!("{y}년 진도"),
            Column::TotalBudget => "총 사업비".into(),
            Column::Percent => "이행도".into(),
            Column::Period => "사업기간".into(),
        }
    }
}

/// Which rule a failure broke, for the UI to react to (e.g. offer a reason for an overrun).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// 소계 = the sum of the years.
    Subtotal,
    /// 총계 = 기투자 + 소계 + after the period.
    Total,
    /// 계 row = the sum of the source rows.
    SumOfSources,
    /// executed ≤ plan, per year and source, unless a reason is given.
    Overrun,
    /// 진도 never falls from one year to the next.
    ProgressFalls,
    /// A percentage above 100.
    OverHundred,
    /// 총 사업비 = the plan's 계 총계.
    TotalBudget,
    /// The table does not match the period.
    Shape,
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CheckIssue {
    pub rule: Rule,
    pub table: CardTable,
    pub source: Option<Source>,
    pub column: Column,
    /// `table.source.column`, e.g. `plan.county.y2023`: the editor marks the cell by it.
    pub key: String,
    /// Korean, naming the cell: "투자계획 군비 소계: …".
    pub message: String,
}

fn issue(
    card: &PledgeCard,
    rule: Rule,
    table: CardTable,
    source: Option<Source>,
    column: Column,
    what: String,
) -> CheckIssue {
    let row = source.map_or("-", |s| s.key());
    let place = match source {
        Some(s) => format!(
            "{} {} {}",
            table.label(),
            s.label(),
            column.label(card.last_year)
        ),
        None => format!("{} {}", table.label(), column.label(card.last_year)),
    };
    CheckIssue {
        rule,
        table,
        source,
        column,
        key: format!("{}.{}.{}", table.key(), row, column.key()),
        message: format!("{place}: {what}"),
    }
}

impl Source {
    pub fn key(self) -> &'static str {
        match self {
            Source::Total => "total",
            Source::National => "national",
            Source::Provincial => "provincial",
            Source::County => "county",
            Source::Private => "private",
            Source::SelfFunded => "self_funded",
        }
    }
}

fn won(m: MillionWon) -> String {
    format!("{}백만원", m.0)
}

fn shown(c: Cell) -> String {
    c.map_or("-".into(), won)
}

/// Every check on the card; an empty list means the card is consistent.
pub fn check(card: &PledgeCard) -> Vec<CheckIssue> {
    let mut out = Vec::new();
    let years = card.years();
    if card.last_year < card.first_year {
        out.push(issue(
            card,
            Rule::Shape,
            CardTable::Header,
            None,
            Column::Period,
            format!(
                "끝 연도 {}가 시작 연도 {}보다 앞섭니다",
                card.last_year, card.first_year
            ),
        ));
        return out;
    }
    for (table, kind) in [
        (&card.plan, CardTable::Plan),
        (&card.executed, CardTable::Executed),
    ] {
        check_money(card, table, kind, &years, &mut out);
    }
    check_executed_within_plan(card, &years, &mut out);

    let plan_total = card.plan.row(Source::Total).map(|r| amount(r.total));
    if let Some(plan_total) = plan_total
        && plan_total != card.total_budget
    {
        out.push(issue(
            card,
            Rule::TotalBudget,
            CardTable::Header,
            None,
            Column::TotalBudget,
            format!(
                "{}이 투자계획 계 총계 {}과 다릅니다",
                won(card.total_budget),
                won(plan_total)
            ),
        ));
    }

    let mut previous: Option<(i32, u8)> = None;
    for plan in &card.yearly_plan {
        if plan.progress > 100 {
            out.push(issue(
                card,
                Rule::OverHundred,
                CardTable::YearlyPlan,
                None,
                Column::Progress(plan.year),
                format!("{}%는 100%를 넘습니다", plan.progress),
            ));
        }
        if let Some((year, p)) = previous
            && plan.progress < p
        {
            out.push(issue(
                card,
                Rule::ProgressFalls,
                CardTable::YearlyPlan,
                None,
                Column::Progress(plan.year),
                format!(
                    "{}%가 {year}년의 {p}%보다 낮습니다 (진도는 해마다 같거나 커야 합니다)",
                    plan.progress
                ),
            ));
        }
        previous = Some((plan.year, plan.progress));
    }
    if card.status.percent > 100 {
        out.push(issue(
            card,
            Rule::OverHundred,
            CardTable::Status,
            None,
            Column::Percent,
            format!("{}%는 100%를 넘습니다", card.status.percent),
        ));
    }
    out
}

fn check_money(
    card: &PledgeCard,
    table: &MoneyTable,
    kind: CardTable,
    years: &[i32],
    out: &mut Vec<CheckIssue>,
) {
    for source in Source::ALL {
        let Some(row) = table.row(source) else {
            out.push(issue(
                card,
                Rule::Shape,
                kind,
                Some(source),
                Column::Total,
                "행이 없습니다".into(),
            ));
            continue;
        };
        if row.years.len() != years.len() {
            out.push(issue(
                card,
                Rule::Shape,
                kind,
                Some(source),
                Column::Subtotal,
                format!(
                    "연도 칸이 {}개인데 사업기간은 {}년입니다",
                    row.years.len(),
                    years.len()
                ),
            ));
            continue;
        }
        let sum: MillionWon = row.years.iter().map(|c| amount(*c)).sum();
        if amount(row.subtotal) != sum {
            out.push(issue(
                card,
                Rule::Subtotal,
                kind,
                Some(source),
                Column::Subtotal,
                format!(
                    "{}이 연도별 합계 {}과 다릅니다",
                    shown(row.subtotal),
                    won(sum)
                ),
            ));
        }
        let total = amount(row.prior) + amount(row.subtotal) + amount(row.after);
        if amount(row.total) != total {
            out.push(issue(
                card,
                Rule::Total,
                kind,
                Some(source),
                Column::Total,
                format!(
                    "{}이 기투자 + 소계 + {} 이후 = {}과 다릅니다",
                    shown(row.total),
                    card.last_year + 1,
                    won(total)
                ),
            ));
        }
    }

    // 계 = the sum of the source rows, column by column.
    let Some(sum_row) = table.row(Source::Total) else {
        return;
    };
    let sources: Vec<_> = table
        .rows
        .iter()
        .filter(|r| r.source != Source::Total && r.years.len() == years.len())
        .collect();
    let mut columns: Vec<(Column, Cell, MillionWon)> = vec![
        (
            Column::Total,
            sum_row.total,
            sources.iter().map(|r| amount(r.total)).sum(),
        ),
        (
            Column::Prior,
            sum_row.prior,
            sources.iter().map(|r| amount(r.prior)).sum(),
        ),
        (
            Column::Subtotal,
            sum_row.subtotal,
            sources.iter().map(|r| amount(r.subtotal)).sum(),
        ),
    ];
    if sum_row.years.len() == years.len() {
        for (i, year) in years.iter().enumerate() {
            columns.push((
                Column::Year(*year),
                sum_row.years[i],
                sources.iter().map(|r| amount(r.years[i])).sum(),
            ));
        }
    }
    columns.push((
        Column::After,
        sum_row.after,
        sources.iter().map(|r| amount(r.after)).sum(),
    ));
    for (column, cell, sum) in columns {
        if amount(cell) != sum {
            out.push(issue(
                card,
                Rule::SumOfSources,
                kind,
                Some(Source::Total),
                column,
                format!("{}이 재원별 합계 {}과 다릅니다", shown(cell), won(sum)),
            ));
        }
    }
}

fn check_executed_within_plan(card: &PledgeCard, years: &[i32], out: &mut Vec<CheckIssue>) {
    for source in Source::ALL {
        let (Some(plan), Some(done)) = (card.plan.row(source), card.executed.row(source)) else {
            continue;
        };
        if plan.years.len() != years.len() || done.years.len() != years.len() {
            continue;
        }
        for (i, year) in years.iter().enumerate() {
            let (p, d) = (amount(plan.years[i]), amount(done.years[i]));
            let excused = card
                .overrun_reasons
                .iter()
                .any(|r| r.source == source && r.year == *year && !r.reason.trim().is_empty());
            if d > p && !excused {
                out.push(issue(
                    card,
                    Rule::Overrun,
                    CardTable::Executed,
                    Some(source),
                    Column::Year(*year),
                    format!(
                        "집행액 {}이 계획 {}보다 많습니다 (사유를 적으면 저장할 수 있습니다)",
                        won(d),
                        won(p)
                    ),
                ));
            }
        }
    }
}
