//! 공약사업 관리카드 — pledge management cards: the figures, the checks that keep their sums
//! honest, and the printed PDF laid out like the county's own card.

pub mod check;
pub mod demo;
mod diff;
mod model;
pub mod pdf;
pub mod store;
mod validate;

pub use check::{CardTable, CheckIssue, Column, Rule, check};
pub use diff::{FieldChange, diff};
pub use model::*;
pub use validate::validate;

#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("관리번호 {0}인 카드가 이미 있습니다")]
    DuplicateNumber(String),
    #[error("카드를 찾을 수 없습니다: {0}")]
    NotFound(String),
    /// Saved from a version someone else has since changed; the message names who and when.
    #[error("{0}")]
    Conflict(String),
    #[error("저장된 카드 {id}를 읽을 수 없습니다: {reason}")]
    Corrupt { id: i64, reason: String },
    #[error("PDF를 만들 수 없습니다: {0}")]
    Pdf(String),
    #[error("데이터베이스 오류: {0}")]
    Sql(#[from] sqlx::Error),
}

impl BudgetError {
    pub fn field(&self) -> Option<&str> {
        match self {
            BudgetError::Invalid { field, .. } => Some(field),
            BudgetError::DuplicateNumber(_) => Some("number"),
            _ => None,
        }
    }
}
