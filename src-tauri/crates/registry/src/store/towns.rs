use sqlx::FromRow;

use maeul_db::Db;

use crate::{RegistryError, Town, TownKind};

#[derive(FromRow)]
struct TownRow {
    id: i64,
    code: String,
    name: String,
    kind: String,
}

pub async fn list(db: &Db) -> Result<Vec<Town>, RegistryError> {
    let rows: Vec<TownRow> =
        maeul_db::query_as("SELECT id, code, name, kind FROM towns ORDER BY code")
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| Town {
            id: r.id,
            code: r.code,
            name: r.name,
            kind: if r.kind == "eup" {
                TownKind::Eup
            } else {
                TownKind::Myeon
            },
        })
        .collect())
}

pub async fn county_name(db: &Db) -> Result<String, RegistryError> {
    let row: Option<(String,)> =
        maeul_db::query_as("SELECT name FROM counties ORDER BY id LIMIT 1")
            .fetch_optional(db)
            .await?;
    Ok(row.map(|r| r.0).unwrap_or_default())
}
