//! Cards in SQLite: one row per card, the card as JSON beside the columns the list needs.

use sqlx::FromRow;

use maeul_db::versions::Versioned;
use maeul_db::{Conn, Db};

use crate::BudgetError;
use crate::check::check;
use crate::model::{CardSummary, PledgeCard, Source, StatusKind, amount};

#[derive(FromRow)]
struct SummaryRow {
    id: i64,
    number: String,
    title: String,
    lead_department: String,
    status: String,
    status_percent: i64,
    plan_total: i64,
    executed_total: i64,
    issue_count: i64,
    updated_at: String,
    updated_by: String,
}

fn status_of(s: &str) -> StatusKind {
    StatusKind::ALL
        .into_iter()
        .find(|k| k.as_str() == s)
        .unwrap_or(StatusKind::OnTrack)
}

pub async fn list(db: &Db) -> Result<Vec<CardSummary>, BudgetError> {
    let rows: Vec<SummaryRow> = maeul_db::query_as(
        "SELECT id, number, title, lead_department, status, status_percent, plan_total, \
         executed_total, issue_count, updated_at, updated_by FROM pledge_cards ORDER BY number",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CardSummary {
            id: r.id,
            number: r.number,
            title: r.title,
            lead_department: r.lead_department,
            status: status_of(&r.status),
            status_percent: r.status_percent.clamp(0, 100) as u8,
            plan_total: crate::MillionWon(r.plan_total),
            executed_total: crate::MillionWon(r.executed_total),
            execution_rate: (r.plan_total > 0)
                .then(|| r.executed_total as f64 * 100.0 / r.plan_total as f64),
            issue_count: r.issue_count,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        })
        .collect())
}

fn parse(id: i64, body: &str) -> Result<PledgeCard, BudgetError> {
    serde_json::from_str(body).map_err(|e| BudgetError::Corrupt {
        id,
        reason: e.to_string(),
    })
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<PledgeCard, BudgetError> {
    Ok(get_versioned(conn, id).await?.0)
}

/// The card with the version an editor opens it at (a save names it; see [`save`]).
pub async fn get_versioned(conn: &mut Conn, id: i64) -> Result<(PledgeCard, i64), BudgetError> {
    let row: Option<(String, i64)> =
        maeul_db::query_as("SELECT body, version FROM pledge_cards WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (body, version) = row.ok_or(BudgetError::NotFound(id.to_string()))?;
    Ok((parse(id, &body)?, version))
}

/// Every card, in 관리번호 order, for printing them all.
pub async fn all(db: &Db) -> Result<Vec<(i64, PledgeCard)>, BudgetError> {
    let rows: Vec<(i64, String)> =
        maeul_db::query_as("SELECT id, body FROM pledge_cards ORDER BY number")
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|(id, body)| Ok((id, parse(id, &body)?)))
        .collect()
}

pub async fn find_by_number(conn: &mut Conn, number: &str) -> Result<Option<i64>, BudgetError> {
    let id: Option<(i64,)> = maeul_db::query_as("SELECT id FROM pledge_cards WHERE number = $1")
        .bind(number.trim())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id.map(|(id,)| id))
}

/// Inserts (`id` None) or replaces a card from `version`, the one its editor loaded (ignored
/// for a new card): a save over someone else's newer one is refused as a conflict naming
/// them. Returns its id and new version. The card must already have passed
/// [`crate::validate`]; failed arithmetic checks are stored as the issue count (a draft).
pub async fn save(
    conn: &mut Conn,
    id: Option<i64>,
    version: i64,
    card: &PledgeCard,
    who: &str,
    at: &str,
) -> Result<(i64, i64), BudgetError> {
    let issues = check(card).len() as i64;
    let plan_total = card
        .plan
        .row(Source::Total)
        .map_or(0, |r| amount(r.total).0);
    let executed_total = card
        .executed
        .row(Source::Total)
        .map_or(0, |r| amount(r.total).0);
    let body = serde_json::to_string(card).map_err(|e| BudgetError::Corrupt {
        id: id.unwrap_or(0),
        reason: e.to_string(),
    })?;
    if let Some(other) = find_by_number(conn, &card.number).await?
        && Some(other) != id
    {
        return Err(BudgetError::DuplicateNumber(card.number.clone()));
    }
    let sql = match id {
        None => {
            "INSERT INTO pledge_cards (number, title, lead_department, status, status_percent, \
             plan_total, executed_total, issue_count, body, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, version"
        }
        Some(_) => {
            "UPDATE pledge_cards SET number = $1, title = $2, lead_department = $3, status = $4, \
             status_percent = $5, plan_total = $6, executed_total = $7, issue_count = $8, \
             body = $9, updated_at = $10, updated_by = $11, version = version + 1 \
             WHERE id = $12 AND version = $13 RETURNING id, version"
        }
    };
    let mut query = maeul_db::query_as(sql)
        .bind(card.number.trim())
        .bind(card.title.trim())
        .bind(card.lead_department.trim())
        .bind(card.status.kind.as_str())
        .bind(i64::from(card.status.percent))
        .bind(plan_total)
        .bind(executed_total)
        .bind(issues)
        .bind(body)
        .bind(at)
        .bind(who);
    if let Some(id) = id {
        query = query.bind(id).bind(version);
    }
    let row: Option<(i64, i64)> = query.fetch_optional(&mut *conn).await?;
    match (row, id) {
        (Some(saved), _) => Ok(saved),
        (None, Some(id)) => {
            match maeul_db::versions::stale(conn, Versioned::Cards, id, "카드").await? {
                Some(message) => Err(BudgetError::Conflict(message)),
                None => Err(BudgetError::NotFound(id.to_string())),
            }
        }
        (None, None) => Err(BudgetError::NotFound(String::new())),
    }
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), BudgetError> {
    let done = maeul_db::query("DELETE FROM pledge_cards WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(BudgetError::NotFound(id.to_string()));
    }
    Ok(())
}
