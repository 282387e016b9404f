//! The office database's schema on PostgreSQL against a desk's SQLite file: the same
//! tables and columns with matching types and nullability, the same named indexes, the same
//! last migration, and the reach queue's triggers doing on a real server what they do on
//! SQLite. A migration added for one engine only fails here.

use std::collections::{BTreeMap, BTreeSet};

use maeul_pg_cluster::Cluster;

/// (table, column) → (type, not null).
type Columns = BTreeMap<(String, String), (String, bool)>;

async fn sqlite_schema() -> (Columns, BTreeSet<String>) {
    let db = maeul_db::open_memory().await.unwrap();
    let rows: Vec<(String, String, String, bool)> = maeul_db::query_as(
        "SELECT m.name, p.name, upper(p.type), p.\"notnull\" OR p.pk > 0 \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    // Indexes made by CREATE INDEX (the automatic ones for keys have no SQL).
    let indexes: Vec<(String,)> = maeul_db::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    (
        rows.into_iter()
            .map(|(t, c, ty, nn)| ((t, c), (ty, nn)))
            .collect(),
        indexes.into_iter().map(|(n,)| n).collect(),
    )
}

async fn postgres_schema(pool: &sqlx::PgPool) -> (Columns, BTreeSet<String>) {
    let rows: Vec<(String, String, String, bool)> = maeul_db::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO' \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    // Those of primary keys and UNIQUE constraints are named *_pkey / *_key.
    let indexes: Vec<(String,)> = maeul_db::query_as(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (
        rows.into_iter()
            .map(|(t, c, ty, nn)| ((t, c), (ty, nn)))
            .collect(),
        indexes.into_iter().map(|(n,)| n).collect(),
    )
}

/// A SQLite type and the PostgreSQL types that stand for it (flags are BOOLEAN there).
fn same_type(sqlite: &str, postgres: &str) -> bool {
    match sqlite {
        "INTEGER" => postgres == "bigint" || postgres == "boolean",
        "REAL" => postgres == "double precision",
        "TEXT" => postgres == "text",
        _ => false,
    }
}

/// One village, one broadcast and deliveries moved through the states: the delivery ids the
/// reach queue holds afterwards, in order. The same SQL text on either engine.
macro_rules! reach_queue_after_updates {
    ($pool:expr) => {{
        let pool = $pool;
        let one = |sql: &'static str| maeul_db::query_scalar::<i64>(sql);
        let county = one("INSERT INTO counties (code, name) VALUES ('43745', '증평군') RETURNING id")
            .fetch_one(pool)
            .await
            .unwrap();
        let town = one(
            "INSERT INTO towns (county_id, code, name, kind) \
             VALUES ($1, '4374525000', '증평읍', 'eup') RETURNING id",
        )
        .bind(county)
        .fetch_one(pool)
        .await
        .unwrap();
        one(
            "INSERT INTO villages (town_id, code, name) VALUES ($1, '4374525021', '창동1리') \
             RETURNING id",
        )
        .bind(town)
        .fetch_one(pool)
        .await
        .unwrap();
        let broadcast = one(
            "INSERT INTO broadcasts (title, category, body, created_by, created_at) \
             VALUES ('공지', 'admin', '본문', 'op', '2026-12-07T01:00:00Z') RETURNING id",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        let delivery = |e164: &'static str, state: &'static str| {
            maeul_db::query_scalar::<i64>(
                "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, state, updated_at) \
                 VALUES ($1, 'sms', $2, '[1]', $3, '2026-12-07T01:00:00Z') RETURNING id",
            )
            .bind(broadcast)
            .bind(e164)
            .bind(state)
        };
        let pending = delivery("+821000000001", "pending").fetch_one(pool).await.unwrap();
        let reached = delivery("+821000000002", "delivered").fetch_one(pool).await.unwrap();
        for sql in [
            // Reached: queued.
            "UPDATE deliveries SET state = 'delivered' WHERE id = $1",
            // Another column only: not queued.
            "UPDATE deliveries SET reason = 'x' WHERE id = $1",
            // A keypad answer on a reached delivery: queued again.
            "UPDATE deliveries SET reply_digit = 1 WHERE id = $1",
            // The same answer again: not queued.
            "UPDATE deliveries SET reply_digit = 1 WHERE id = $1",
            // Failed: not queued.
            "UPDATE deliveries SET state = 'failed' WHERE id = $1",
        ] {
            maeul_db::query(sql).bind(pending).execute(pool).await.unwrap();
        }
        let queued: Vec<i64> =
            maeul_db::query_scalar("SELECT delivery_id FROM reach_queue ORDER BY seq")
                .fetch_all(pool)
                .await
                .unwrap();
        (queued, pending, reached)
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_schema_on_postgresql_matches_a_desks_file() {
    let cluster = Cluster::start().unwrap();
    let url = cluster.create_database("office").unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    maeul_db::POSTGRES_MIGRATOR.run(&pool).await.unwrap();
    let collation: String = maeul_db::query_scalar(
        "SELECT datcollate::text FROM pg_database WHERE datname = current_database()",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        collation, "C",
        "times and names compare by code point, as on SQLite"
    );

    assert_eq!(
        maeul_db::MIGRATOR.iter().last().map(|m| m.version),
        maeul_db::POSTGRES_MIGRATOR.iter().last().map(|m| m.version),
        "every migration exists for both engines, with the same number"
    );

    let (sqlite, sqlite_indexes) = sqlite_schema().await;
    let (postgres, postgres_indexes) = postgres_schema(&pool).await;
    let tables = |c: &Columns| c.keys().map(|(t, _)| t.clone()).collect::<BTreeSet<_>>();
    assert_eq!(tables(&sqlite), tables(&postgres));
    assert_eq!(sqlite_indexes, postgres_indexes);
    let mut differ = Vec::new();
    for (key, (ty, not_null)) in &sqlite {
        match postgres.get(key) {
            None => differ.push(format!("{}.{}: not on PostgreSQL", key.0, key.1)),
            Some((pg_ty, pg_not_null)) if !same_type(ty, pg_ty) || pg_not_null != not_null => {
                differ.push(format!(
                    "{}.{}: SQLite {ty} {not_null}, PostgreSQL {pg_ty} {pg_not_null}",
                    key.0, key.1
                ));
            }
            Some(_) => {}
        }
    }
    for key in postgres.keys().filter(|k| !sqlite.contains_key(*k)) {
        differ.push(format!("{}.{}: not on SQLite", key.0, key.1));
    }
    assert!(differ.is_empty(), "{differ:#?}");
    assert!(sqlite.len() > 300, "{} columns", sqlite.len());

    let on_postgres = reach_queue_after_updates!(&pool);
    let memory = maeul_db::open_memory().await.unwrap();
    let on_sqlite = reach_queue_after_updates!(&memory);
    let (queued, pending, reached) = &on_postgres;
    assert_eq!(queued, &vec![*reached, *pending, *pending]);
    assert_eq!(on_postgres, on_sqlite);
    pool.close().await;
}
