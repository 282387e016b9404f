//! One query API on both engines: the same SQL text and binds (each kind, typed NULLs,
//! multi-row VALUES), transactions that commit or roll back, and pooled connections, on a
//! desk's file and on a throwaway PostgreSQL server opened from its URL as a desk would.

use maeul_db::{Db, Engine, QueryBuilder, ServerUrl, Target, dialect};
use maeul_pg_cluster::Cluster;
use sqlx::AssertSqlSafe;

/// (id, title, duration_ms, gain_db, chime, note)
type Recording = (i64, String, Option<i64>, Option<f64>, bool, Option<String>);

const INSERT: &str = "INSERT INTO recordings (title, state, source, archive_path, telephony_path, \
     spool_path, duration_ms, gain_db, chime, note, created_by, created_at) \
     VALUES ($1, 'ready', 'import', 'a.ogg', 'a.wav', 'a.spool', $2, $3, $4, $5, 'op', \
     '2026-12-07T01:00:00Z') RETURNING id";

const SELECT: &str =
    "SELECT id, title, duration_ms, gain_db, chime, note FROM recordings ORDER BY id";

async fn recordings(db: &Db) -> Vec<Recording> {
    maeul_db::query_as(SELECT).fetch_all(db).await.unwrap()
}

/// Everything the crates do with a database, once; what each engine gives back.
async fn exercise(db: &Db) -> Vec<Recording> {
    let first: i64 = maeul_db::query_scalar(INSERT)
        .bind("마을 방송")
        .bind(61_000_i64)
        .bind(-3.5_f64)
        .bind(true)
        .bind("녹음 메모")
        .fetch_one(db)
        .await
        .unwrap();
    // Typed NULLs: PostgreSQL types every parameter, NULL included.
    let second: i64 = maeul_db::query_scalar(INSERT)
        .bind(String::from("빈 값"))
        .bind(None::<i64>)
        .bind(None::<f64>)
        .bind(false)
        .bind(None::<String>)
        .fetch_one(db)
        .await
        .unwrap();
    assert!(second > first);

    // Rolled back: gone. Committed: kept.
    let mut tx = db.begin().await.unwrap();
    maeul_db::query(INSERT)
        .bind("취소될 녹음")
        .bind(1_i64)
        .bind(0.0_f64)
        .bind(false)
        .bind(None::<String>)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = maeul_db::begin_write(db).await.unwrap();
    let mut rows = QueryBuilder::new(
        "INSERT INTO recordings (title, state, source, archive_path, telephony_path, spool_path, \
         duration_ms, chime, created_by, created_at) ",
    );
    rows.push_values(1..=3_i64, |mut b, n| {
        b.push_bind(format!("묶음 {n}"))
            .push("'ready'")
            .push("'import'")
            .push_bind(format!("{n}.ogg"))
            .push_bind(format!("{n}.wav"))
            .push_bind(format!("{n}.spool"))
            .push_bind(n * 1_000)
            .push_bind(n % 2 == 1)
            .push_bind("op")
            .push_bind("2026-12-07T02:00:00Z");
    });
    let done = rows.build().execute(&mut *tx).await.unwrap();
    assert_eq!(done.rows_affected(), 3);
    tx.commit().await.unwrap();

    // A pooled connection, and a statement that changes several rows.
    let mut conn = db.acquire().await.unwrap();
    let done = maeul_db::query("UPDATE recordings SET note = $1 WHERE chime AND duration_ms < $2")
        .bind("짧은 차임")
        .bind(5_000_i64)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 2, "묶음 1 and 묶음 3");
    let missing: Option<(i64,)> = maeul_db::query_as("SELECT id FROM recordings WHERE id = $1")
        .bind(-1_i64)
        .fetch_optional(&mut *conn)
        .await
        .unwrap();
    assert_eq!(missing, None);
    drop(conn);
    recordings(db).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_queries_give_the_same_rows_on_a_file_and_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let file = maeul_db::open(&dir.path().join("desk.db")).await.unwrap();
    assert_eq!(file.engine(), Engine::Sqlite);

    let cluster = Cluster::start().unwrap();
    let url = cluster.create_database("office").unwrap();
    let Target::Server(server) = Target::parse(&url).unwrap() else {
        panic!("{url} names a server");
    };
    let office = maeul_db::open_server(&server).await.unwrap();
    assert_eq!(office.engine(), Engine::Postgres);
    let applied: i64 = maeul_db::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&office)
        .await
        .unwrap();
    assert_eq!(applied as usize, maeul_db::POSTGRES_MIGRATOR.iter().count());

    let on_file = exercise(&file).await;
    let on_server = exercise(&office).await;
    // The same rows, ids aside: a rolled-back insert gives its id back on SQLite but not on
    // PostgreSQL, whose sequences never step back (so nothing may count on ids without gaps).
    let without_ids = |rows: &[Recording]| {
        rows.iter()
            .map(|r| (r.1.clone(), r.2, r.3, r.4, r.5.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(without_ids(&on_file), without_ids(&on_server));
    let ids: Vec<i64> = on_server.iter().map(|r| r.0).collect();
    assert_eq!(
        ids,
        [1, 2, 4, 5, 6],
        "id 3 went with the rolled-back insert"
    );
    let titles: Vec<&str> = on_file.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(titles, ["마을 방송", "빈 값", "묶음 1", "묶음 2", "묶음 3"]);
    assert_eq!(on_file[1].2, None);
    assert_eq!(on_file[0].3, Some(-3.5));
    assert_eq!(on_file[2].5.as_deref(), Some("짧은 차임"));

    // A file backup is the desk's file's: on the server it is refused, saying what to use.
    let err = maeul_db::backup_to(&office, &dir.path().join("office-backup.db"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pg_dump"), "{err}");
    assert!(!dir.path().join("office-backup.db").exists());

    // Opening again finds the schema in place: nothing applied twice.
    office.close().await;
    let again = maeul_db::open_server(&server).await.unwrap();
    assert_eq!(recordings(&again).await, on_server);
    again.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_not_there_is_named_without_its_password() {
    // A loopback port nothing listens on: refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server =
        ServerUrl::parse(&format!("postgres://desk:s3cret@127.0.0.1:{port}/maeul")).unwrap();
    let err = maeul_db::open_server(&server).await.unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("사무실 서버에 연결할 수 없습니다"),
        "{shown}"
    );
    assert!(shown.contains(&format!("127.0.0.1:{port}")), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

/// `db::dialect`'s JSON list fragments on rows of both engines: membership, texts,
/// length and removal, the way the outbox uses them on `deliveries.subscribers`.
async fn json_lists(db: &Db) -> Vec<(String, i64, bool)> {
    let engine = db.engine();
    for (list, title) in [("[7,8,9]", "셋"), ("[7]", "하나"), ("[]", "없음")] {
        maeul_db::query(
            "INSERT INTO recordings (title, state, source, archive_path, telephony_path, \
             spool_path, villages, created_by, created_at) \
             VALUES ($1, 'ready', 'import', '', '', '', $2, 'op', '2026-12-07T01:00:00Z')",
        )
        .bind(title)
        .bind(list)
        .execute(db)
        .await
        .unwrap();
    }
    let without = dialect::json_array_without(engine, "villages", "$1");
    maeul_db::query(AssertSqlSafe(format!(
        "UPDATE recordings SET villages = {without} WHERE {}",
        dialect::json_array_has(engine, "villages", "$1")
    )))
    .bind(8_i64)
    .execute(db)
    .await
    .unwrap();
    let picked: Vec<String> = maeul_db::query_scalar(AssertSqlSafe(format!(
        "SELECT title FROM recordings WHERE title IN ({}) ORDER BY title",
        dialect::json_texts(engine, "$1")
    )))
    .bind(r#"["셋","없음","다른"]"#)
    .fetch_all(db)
    .await
    .unwrap();
    assert_eq!(picked, ["셋", "없음"]);
    maeul_db::query_as(AssertSqlSafe(format!(
        "SELECT villages, {}, {} FROM recordings ORDER BY id",
        dialect::json_array_length(engine, "villages"),
        dialect::json_array_has(engine, "villages", "$1"),
    )))
    .bind(7_i64)
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_list_fragments_agree_on_both_engines() {
    let file = maeul_db::open_memory().await.unwrap();
    let cluster = Cluster::start().unwrap();
    let server = ServerUrl::parse(&cluster.create_database("office").unwrap()).unwrap();
    let office = maeul_db::open_server(&server).await.unwrap();
    let normalise = |rows: Vec<(String, i64, bool)>| {
        rows.into_iter()
            .map(|(list, n, has)| (list.replace(' ', ""), n, has))
            .collect::<Vec<_>>()
    };
    let on_file = normalise(json_lists(&file).await);
    assert_eq!(
        on_file,
        [
            ("[7,9]".to_string(), 2, true),
            ("[7]".to_string(), 1, true),
            ("[]".to_string(), 0, false),
        ]
    );
    assert_eq!(normalise(json_lists(&office).await), on_file);
}

/// `sslmode=require` encrypts; `verify-full` also checks the server's certificate, against
/// `sslrootcert` (an office's self-signed server) — without it, an unknown certificate is
/// refused; asking a server without TLS for it is refused rather than sent in the clear.
#[tokio::test]
async fn tls_is_used_when_asked_and_an_unknown_certificate_refused() {
    let tls = Cluster::start_tls().unwrap();
    let url = tls.create_database("office").unwrap();
    let root = tls.certificate();
    for mode in [
        "sslmode=require".to_string(),
        format!("sslmode=verify-full&sslrootcert={}", root.display()),
    ] {
        let server = ServerUrl::parse(&format!("{url}?{mode}")).unwrap();
        let db = maeul_db::open_server(&server).await.unwrap();
        let (ssl,): (bool,) =
            maeul_db::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .fetch_one(&db)
                .await
                .unwrap();
        assert!(ssl, "{mode}: not encrypted");
        db.close().await;
    }
    let unknown = ServerUrl::parse(&format!("{url}?sslmode=verify-full")).unwrap();
    let err = maeul_db::open_server(&unknown)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("사무실 서버에 연결할 수 없습니다"), "{err}");
    assert!(err.contains("sslrootcert"), "{err}");

    let plain = Cluster::start().unwrap();
    let url = plain.create_database("office").unwrap();
    let asked = ServerUrl::parse(&format!("{url}?sslmode=require")).unwrap();
    let err = maeul_db::open_server(&asked).await.unwrap_err().to_string();
    assert!(err.contains("사무실 서버에 연결할 수 없습니다"), "{err}");
}
