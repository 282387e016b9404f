//! Pledge card use cases: auditors and operators read and print; operators and admins edit,
//! and every edit is audited field by field (old → new).

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_budget::pdf::{self, PrintProgress};
use maeul_budget::{CardSummary, CheckIssue, PledgeCard, check, store};

use crate::{ApiError, ApiResult, Desk, ErrorCode, printed_at};

/// A card as the editor opens it: the stored card and what its checks say now.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CardView {
    pub id: i64,
    /// What the editor's save names ([`Desk::budget_save`]).
    pub version: i64,
    pub card: PledgeCard,
    pub issues: Vec<CheckIssue>,
}

/// A printed file.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Printed {
    pub cards: u32,
    pub pages: u32,
    pub bytes: u32,
}

/// `maeul budget check --json`: one entry per card.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct CardCheck {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub issues: Vec<CheckIssue>,
}

impl Desk {
    pub async fn budget_list(&self, actor: &Actor) -> ApiResult<Vec<CardSummary>> {
        actor.require(Permission::ViewBudget, Scope::County)?;
        Ok(store::list(&self.db).await?)
    }

    pub async fn budget_get(&self, actor: &Actor, id: i64) -> ApiResult<CardView> {
        actor.require(Permission::ViewBudget, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        let (card, version) = store::get_versioned(&mut conn, id).await?;
        let issues = check(&card);
        Ok(CardView {
            id,
            version,
            card,
            issues,
        })
    }

    /// The checks on a card being edited, before it is saved (the editor's live marks).
    pub fn budget_check(&self, actor: &Actor, card: &PledgeCard) -> ApiResult<Vec<CheckIssue>> {
        actor.require(Permission::ViewBudget, Scope::County)?;
        Ok(check(card))
    }

    pub async fn budget_check_all(&self, actor: &Actor) -> ApiResult<Vec<CardCheck>> {
        actor.require(Permission::ViewBudget, Scope::County)?;
        Ok(store::all(&self.db)
            .await?
            .into_iter()
            .map(|(id, card)| CardCheck {
                id,
                number: card.number.clone(),
                title: card.title.clone(),
                issues: check(&card),
            })
            .collect())
    }

    pub async fn budget_find(&self, actor: &Actor, number: &str) -> ApiResult<i64> {
        actor.require(Permission::ViewBudget, Scope::County)?;
        let mut conn = self.db.acquire().await?;
        store::find_by_number(&mut conn, number)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("관리번호 {number}인 카드가 없습니다"),
                )
            })
    }

    /// Creates (`id` None) or replaces a card from `version`, the one the editor opened
    /// (refused as a conflict naming who saved in between; ignored for a new card). A card
    /// whose figures fail a check is still saved, as a draft; the returned view lists the
    /// failures and the new version.
    pub async fn budget_save(
        &self,
        actor: &Actor,
        id: Option<i64>,
        version: i64,
        card: PledgeCard,
    ) -> ApiResult<CardView> {
        actor.require(Permission::EditBudget, Scope::County)?;
        maeul_budget::validate(&card)?;
        let missing = pdf::unprintable(&card);
        if !missing.is_empty() {
            let shown: String = missing.iter().take(10).collect();
            return Err(ApiError::invalid(
                "card",
                format!("인쇄할 수 없는 문자가 있습니다: {shown}"),
            ));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let old = match id {
            Some(id) => Some(store::get(&mut tx, id).await?),
            None => None,
        };
        let at = maeul_accounts::now_utc();
        let (saved, version) =
            store::save(&mut tx, id, version, &card, &actor.display_name, &at).await?;
        let issues = check(&card);
        let detail = match &old {
            Some(old) => {
                json!({ "changes": maeul_budget::diff(old, &card), "issues": issues.len() })
            }
            None => json!({ "created": card.title, "issues": issues.len() }),
        };
        let action = if old.is_some() {
            "budget.update"
        } else {
            "budget.create"
        };
        audit::record(&mut tx, actor, action, &card.number, &detail).await?;
        self.commit(tx).await?;
        Ok(CardView {
            id: saved,
            version,
            card,
            issues,
        })
    }

    pub async fn budget_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::EditBudget, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let card = store::get(&mut tx, id).await?;
        store::delete(&mut tx, id).await?;
        // The whole card goes into the log, so a deletion can be undone from it.
        audit::record(
            &mut tx,
            actor,
            "budget.delete",
            &card.number,
            &json!({ "card": card }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The cards `ids` (all cards when empty) printed into one PDF, in 관리번호 order.
    pub async fn budget_pdf(
        &self,
        actor: &Actor,
        ids: &[i64],
        progress: &(dyn Fn(PrintProgress) + Send + Sync),
    ) -> ApiResult<(Vec<u8>, Printed)> {
        actor.require(Permission::PrintBudget, Scope::County)?;
        let cards: Vec<PledgeCard> = store::all(&self.db)
            .await?
            .into_iter()
            .filter(|(id, _)| ids.is_empty() || ids.contains(id))
            .map(|(_, card)| card)
            .collect();
        if cards.is_empty() {
            return Err(ApiError::new(ErrorCode::NotFound, "인쇄할 카드가 없습니다"));
        }
        let at = printed_at();
        let numbers: Vec<String> = cards.iter().map(|c| c.number.clone()).collect();
        let count = cards.len() as u32;
        // Layout and font subsetting are CPU work: off the async threads, with progress
        // carried back over a channel.
        let (send, mut receive) = tokio::sync::mpsc::unbounded_channel();
        let job = tokio::task::spawn_blocking(move || {
            pdf::print_cards(&cards, &at, &move |p| {
                let _ = send.send(p);
            })
        });
        while let Some(p) = receive.recv().await {
            progress(p);
        }
        let (bytes, pages) = job
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
        let printed = Printed {
            cards: count,
            pages: pages as u32,
            bytes: bytes.len() as u32,
        };
        let mut tx = maeul_db::begin_write(&self.db).await?;
        audit::record(
            &mut tx,
            actor,
            "budget.print",
            "budget",
            &json!({ "cards": numbers, "pages": pages }),
        )
        .await?;
        self.commit(tx).await?;
        Ok((bytes, printed))
    }

    /// [`Desk::budget_pdf`] written to `dest`.
    pub async fn budget_print_to(
        &self,
        actor: &Actor,
        ids: &[i64],
        dest: &Path,
        progress: &(dyn Fn(PrintProgress) + Send + Sync),
    ) -> ApiResult<Printed> {
        let (bytes, printed) = self.budget_pdf(actor, ids, progress).await?;
        crate::save_file(dest, &bytes).await?;
        Ok(printed)
    }
}
