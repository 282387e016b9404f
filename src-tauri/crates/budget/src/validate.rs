//! What a card must have before it can be stored at all. Arithmetic that does not add up is
//! not here: such a card is kept as a draft (see [`crate::check`]).

use crate::BudgetError;
use crate::model::{MoneyTable, PledgeCard, Source};

const MAX_TEXT: usize = 200;
const MAX_BODY: usize = 20_000;
/// 백만원; a county pledge is far below a trillion won.
const MAX_AMOUNT: i64 = 1_000_000;

fn invalid(field: &str, reason: impl Into<String>) -> BudgetError {
    BudgetError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

pub fn validate(card: &PledgeCard) -> Result<(), BudgetError> {
    for (field, label, value) in [
        ("number", "관리번호", &card.number),
        ("title", "공약명", &card.title),
        ("lead_department", "총괄부서", &card.lead_department),
    ] {
        if value.trim().is_empty() {
            return Err(invalid(field, format!("{label}을(를) 입력하세요")));
        }
        if value.chars().count() > MAX_TEXT {
            return Err(invalid(
                field,
                format!("{label}은(는) {MAX_TEXT}자까지입니다"),
            ));
        }
    }
    if !(2000..=2100).contains(&card.first_year) || !(2000..=2100).contains(&card.last_year) {
        return Err(invalid(
            "period",
            "사업기간은 2000년부터 2100년 사이여야 합니다",
        ));
    }
    if card.last_year < card.first_year {
        return Err(invalid(
            "period",
            "사업기간의 끝 연도가 시작 연도보다 앞섭니다",
        ));
    }
    if card.last_year - card.first_year > 9 {
        return Err(invalid("period", "사업기간은 10년까지입니다"));
    }
    let years = card.years().len();
    for (field, table) in [("plan", &card.plan), ("executed", &card.executed)] {
        shape(field, table, years)?;
    }
    if card.total_budget.0 < 0 || card.total_budget.0 > MAX_AMOUNT {
        return Err(invalid("total_budget", "총 사업비가 범위를 벗어났습니다"));
    }
    for (i, plan) in card.yearly_plan.iter().enumerate() {
        if !(card.first_year..=card.last_year).contains(&plan.year) {
            return Err(invalid(
                "yearly_plan",
                format!(
                    "연도별 추진계획 {}번째 줄의 {}년은 사업기간 밖입니다",
                    i + 1,
                    plan.year
                ),
            ));
        }
    }
    for (i, h) in card.history.iter().enumerate() {
        if h.body.len() > MAX_BODY {
            return Err(invalid(
                "history",
                format!("추진현황 {}번째 항목이 너무 깁니다", i + 1),
            ));
        }
    }
    Ok(())
}

fn shape(field: &str, table: &MoneyTable, years: usize) -> Result<(), BudgetError> {
    for source in Source::ALL {
        let rows = table.rows.iter().filter(|r| r.source == source).count();
        if rows != 1 {
            return Err(invalid(
                field,
                format!("{} 행이 {rows}개입니다 (1개여야 합니다)", source.label()),
            ));
        }
    }
    if table.rows.len() != Source::ALL.len() {
        return Err(invalid(field, "재원 행이 더 있습니다"));
    }
    for row in &table.rows {
        if row.years.len() != years {
            return Err(invalid(
                field,
                format!(
                    "{} 행의 연도 칸이 {}개입니다 (사업기간 {years}년)",
                    row.source.label(),
                    row.years.len()
                ),
            ));
        }
        let cells = [row.total, row.prior, row.subtotal, row.after]
            .into_iter()
            .chain(row.years.iter().copied());
        for cell in cells.flatten() {
            if cell.0 < 0 || cell.0 > MAX_AMOUNT {
                return Err(invalid(
                    field,
                    format!(
                        "{} 행에 범위를 벗어난 금액 {}이 있습니다",
                        row.source.label(),
                        cell.0
                    ),
                ));
            }
        }
    }
    Ok(())
}
