//! Frequent messages shared by the desk: operators and admins keep them; everyone who sends
//! (a chief too) lists them and fills them in at compose time.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_dispatch::templates::{self, Filled, NewTemplate, Template};

use crate::{ApiError, ApiResult, Desk};

/// One field's value as the compose form sends it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct FieldValue {
    pub field: String,
    pub value: String,
}

fn may_use(actor: &Actor) -> ApiResult<()> {
    Ok(actor.require(
        Permission::SendBroadcast,
        actor.village_id.map_or(Scope::County, Scope::Village),
    )?)
}

fn may_keep(actor: &Actor) -> ApiResult<()> {
    Ok(actor.require(Permission::SendBroadcast, Scope::County)?)
}

impl Desk {
    pub async fn templates_list(&self, actor: &Actor) -> ApiResult<Vec<Template>> {
        may_use(actor)?;
        let mut conn = self.db.acquire().await?;
        Ok(templates::list(&mut conn).await?)
    }

    /// A new template (`id` none), or a change to one as of `version`.
    pub async fn template_save(
        &self,
        actor: &Actor,
        id: Option<i64>,
        version: Option<i64>,
        t: NewTemplate,
    ) -> ApiResult<Template> {
        may_keep(actor)?;
        let now = Timestamp::now();
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let (saved, action, old) = match id {
            None => (
                templates::insert(&mut tx, &t, &actor.username, now).await?,
                "template.create",
                None,
            ),
            Some(id) => {
                // A change is always as of the version the person opened: without it, another
                // official's edit in between would be overwritten unseen.
                let Some(version) = version else {
                    return Err(ApiError::invalid(
                        "version",
                        "고칠 문구의 판(version)이 없습니다: 문구를 다시 열어 고치세요",
                    ));
                };
                let old = templates::get(&mut tx, id).await?;
                let saved =
                    templates::update(&mut tx, id, version, &t, &actor.username, now).await?;
                (saved, "template.update", Some(old))
            }
        };
        audit::record(
            &mut tx,
            actor,
            action,
            &format!("template:{}", saved.id),
            &json!({
                "old": old.map(|o| json!({"name": o.name, "category": o.category.as_str(),
                    "title": o.title, "body": o.body, "version": o.version})),
                "new": {"name": saved.name, "category": saved.category.as_str(),
                    "title": saved.title, "body": saved.body, "version": saved.version},
            }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(saved)
    }

    pub async fn template_delete(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        may_keep(actor)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let gone = templates::delete(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "template.delete",
            &format!("template:{id}"),
            &json!({"name": gone.name, "category": gone.category.as_str(), "title": gone.title,
                "body": gone.body, "version": gone.version}),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The template's title and text with the fields filled (each one it uses must be given).
    pub async fn template_fill(
        &self,
        actor: &Actor,
        id: i64,
        values: Vec<FieldValue>,
    ) -> ApiResult<Filled> {
        may_use(actor)?;
        let mut conn = self.db.acquire().await?;
        let t = templates::get(&mut conn, id).await?;
        let values: Vec<(String, String)> =
            values.into_iter().map(|v| (v.field, v.value)).collect();
        Ok(templates::fill(&t, &values)?)
    }
}
