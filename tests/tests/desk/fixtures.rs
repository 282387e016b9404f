use std::path::{Path, PathBuf};

use maeul_api::{Actor, Desk, Role};
use maeul_db::ServerUrl;
use maeul_pg_cluster::Cluster;
use maeul_registry::demo;
use maeul_registry::import::{ImportOptions, ImportReport};
use maeul_registry::{SubscriberInput, SubscriberRow};

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/registry")
        .join(name)
}

pub fn actor(role: Role, village_id: Option<i64>) -> Actor {
    Actor {
        user_id: 100,
        username: format!("test-{role}"),
        display_name: "test".into(),
        role,
        village_id,
        practice: None,
    }
}

pub fn admin() -> Actor {
    actor(Role::Admin, None)
}

/// Which engine a test's desk runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A private in-memory SQLite database (what every desk test used before office mode).
    Sqlite,
    /// A database of its own on a throwaway PostgreSQL server started for the test.
    Postgres,
}

impl Engine {
    /// The engine this run of the suite uses: `MAEUL_TEST_ENGINE=postgres` puts every desk
    /// the fixtures make on a server of its own (`./dev test` runs the suite both ways).
    pub fn from_env() -> Engine {
        match std::env::var("MAEUL_TEST_ENGINE").as_deref() {
            Ok("postgres") => Engine::Postgres,
            Ok("sqlite") | Err(_) => Engine::Sqlite,
            Ok(other) => panic!("MAEUL_TEST_ENGINE={other}: sqlite or postgres"),
        }
    }
}

/// A desk and, on PostgreSQL, the server it runs on (stopped and deleted on drop).
pub struct EngineDesk {
    desk: Desk,
    _server: Option<Cluster>,
}

impl std::ops::Deref for EngineDesk {
    type Target = Desk;
    fn deref(&self) -> &Desk {
        &self.desk
    }
}

/// An empty desk on `engine`, opened as a desk opens it.
pub async fn empty_desk_on(engine: Engine) -> EngineDesk {
    match engine {
        Engine::Sqlite => EngineDesk {
            desk: Desk::open_memory().await.unwrap(),
            _server: None,
        },
        Engine::Postgres => {
            let server = Cluster::start().unwrap();
            let url = server.create_database("office").unwrap();
            let desk = Desk::open_server(&ServerUrl::parse(&url).unwrap())
                .await
                .unwrap();
            EngineDesk {
                desk,
                _server: Some(server),
            }
        }
    }
}

async fn seed_structure(desk: &Desk) {
    let mut tx = maeul_db::begin_write(desk.db()).await.unwrap();
    demo::seed_structure(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
}

/// A desk with the county's towns and villages and nobody in them, on this run's engine.
pub async fn desk_with_structure() -> EngineDesk {
    let desk = empty_desk_on(Engine::from_env()).await;
    seed_structure(&desk).await;
    desk
}

/// Quiet hours off, for tests that send on the real clock: what they queue then leaves
/// whatever the hour in Seoul when they run (the quiet-hours test passes its own clock).
pub async fn sending_at_any_hour(desk: &Desk) {
    desk.setting_set(&admin(), "dispatch.quiet_hours", "off")
        .await
        .unwrap();
}

/// Imports a corpus file as the admin (not a dry run).
pub async fn import(desk: &Desk, name: &str) -> ImportReport {
    desk.import_registry(
        &admin(),
        &corpus(name),
        ImportOptions::default(),
        false,
        &|_| {},
    )
    .await
    .unwrap()
}

/// The county's structure and the three residents of `00_valid_cp949.csv` (in 연탄1리).
pub async fn desk_with_residents() -> EngineDesk {
    let desk = desk_with_structure().await;
    let report = import(&desk, "00_valid_cp949.csv").await;
    assert!(report.committed, "{:?}", report.problems);
    desk
}

pub async fn village_id(desk: &Desk, name: &str) -> i64 {
    desk.list_villages(&admin())
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap()
        .id
}

/// Rows of every registry table, to prove a failed import changed nothing.
pub async fn snapshot(desk: &Desk) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for table in ["households", "subscribers", "audit_log"] {
        let sql = match table {
            "households" => "SELECT COUNT(*) FROM households",
            "subscribers" => "SELECT COUNT(*) FROM subscribers",
            _ => "SELECT COUNT(*) FROM audit_log",
        };
        let (n,): (i64,) = maeul_db::query_as(sql).fetch_one(desk.db()).await.unwrap();
        out.push((table.to_string(), n));
    }
    out
}

/// The county's structure with the programmes of the pledge card.
pub async fn desk_with_programs() -> EngineDesk {
    let desk = desk_with_structure().await;
    let mut tx = maeul_db::begin_write(desk.db()).await.unwrap();
    maeul_programs::demo::seed(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    desk
}

pub async fn cohort_id(desk: &Desk, year: i32, kind: maeul_programs::CohortKind) -> i64 {
    desk.cohort_list(&admin())
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.cohort.year == year && c.cohort.kind == kind)
        .and_then(|c| c.cohort.id)
        .unwrap()
}

pub async fn town_id(desk: &Desk, name: &str) -> i64 {
    desk.list_towns(&admin())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap()
        .id
}

/// The form a resident's row loads into, with the name changed: what an official saves.
pub fn renamed(row: &SubscriberRow, name: &str) -> SubscriberInput {
    SubscriberInput {
        household_id: Some(row.household_id),
        village_id: row.village_id,
        address: row.address.clone(),
        head_name: row.head_name.clone(),
        name: name.into(),
        phone: row.phone.clone(),
        consent_date: row.consent_date.clone(),
        consent_method: row.consent_method,
        channels: row.channels,
        status: row.status,
        text_first: false,
        language: maeul_registry::Language::Ko,
    }
}
