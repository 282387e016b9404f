//! Two desks on one database, as two offices' PCs are: on one SQLite file (two desks opened
//! on it) or, with `MAEUL_TEST_ENGINE=postgres`, on one database of a server. An edit made
//! on one is seen on the other; a save from a stale form is refused as a conflict naming
//! who saved first; saves made at the same moment on both all land, and the audit log
//! stays one chain.

use maeul_api::{Actor, Area, Desk, ErrorCode, Role};
use maeul_db::ServerUrl;
use maeul_pg_cluster::Cluster;
use maeul_registry::{SubscriberFilter, SubscriberRow};

use crate::fixtures::{Engine, actor, admin, import, renamed};

/// Two desks on one database, and what keeps it alive (the file's folder or the server).
struct Office {
    county: Desk,
    town: Desk,
    _dir: tempfile::TempDir,
    _server: Option<Cluster>,
}

/// Where both desks open their database.
enum Shared {
    File(std::path::PathBuf),
    Server(ServerUrl),
}

impl Shared {
    async fn open(&self) -> Desk {
        match self {
            Shared::File(path) => Desk::open(path).await.unwrap(),
            Shared::Server(url) => Desk::open_server(url).await.unwrap(),
        }
    }
}

async fn office(engine: Engine) -> Office {
    let dir = tempfile::tempdir().unwrap();
    let (shared, server) = match engine {
        Engine::Sqlite => (Shared::File(dir.path().join("office.db")), None),
        Engine::Postgres => {
            let cluster = Cluster::start().unwrap();
            let url = cluster.create_database("office").unwrap();
            (
                Shared::Server(ServerUrl::parse(&url).unwrap()),
                Some(cluster),
            )
        }
    };
    let county = shared.open().await;
    let mut tx = maeul_db::begin_write(county.db()).await.unwrap();
    maeul_registry::demo::seed_structure(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    assert!(import(&county, "00_valid_cp949.csv").await.committed);
    let town = shared.open().await;
    Office {
        county,
        town,
        _dir: dir,
        _server: server,
    }
}

fn official(username: &str, name: &str) -> Actor {
    Actor {
        username: username.into(),
        display_name: name.into(),
        ..actor(Role::Operator, None)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_wins_the_other_is_told_and_sees_the_edit() {
    let o = office(Engine::from_env()).await;
    let (county, town) = (
        official("county", "군청 정보통신팀"),
        official("town", "증평읍 행정팀"),
    );
    let head = o.town.changes_since(&town, 0).await.unwrap().head;
    // Both officials open the same resident, each on their own desk.
    let on_county = o
        .county
        .list_subscribers(&admin(), SubscriberFilter::default())
        .await
        .unwrap()[0]
        .clone();
    let on_town = o.town.get_subscriber(&admin(), on_county.id).await.unwrap();
    assert_eq!(on_town.version, on_county.version);

    o.county
        .update_subscriber(
            &county,
            on_county.id,
            on_county.version,
            renamed(&on_county, "김첫째"),
        )
        .await
        .unwrap();
    let e = o
        .town
        .update_subscriber(
            &town,
            on_town.id,
            on_town.version,
            renamed(&on_town, "김둘째"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("군청 정보통신팀"), "{}", e.message);

    // The town's desk learns of the county's edit and reads it.
    let changes = o.town.changes_since(&town, head).await.unwrap();
    assert_eq!(changes.areas, vec![Area::Registry], "{changes:?}");
    let now = o.town.get_subscriber(&admin(), on_town.id).await.unwrap();
    assert_eq!(
        (now.name.as_str(), now.version),
        ("김첫째", on_town.version + 1)
    );

    // Saved again from what is there now, the town's edit goes through and the county sees it.
    o.town
        .update_subscriber(&town, now.id, now.version, renamed(&now, "김둘째"))
        .await
        .unwrap();
    let last = o.county.get_subscriber(&admin(), now.id).await.unwrap();
    assert_eq!(
        (last.name.as_str(), last.version),
        ("김둘째", now.version + 1)
    );
}

/// Every resident renamed on both desks at once (each desk its own half): all saves land,
/// and the audit log the desks appended to together verifies as one chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saves_at_the_same_moment_all_land_in_one_chain() {
    let o = office(Engine::from_env()).await;
    let rows = o
        .county
        .list_subscribers(&admin(), SubscriberFilter::default())
        .await
        .unwrap();
    assert!(rows.len() >= 3);
    let before = o.county.audit_verify(&admin()).await.unwrap().entries;
    let rename = |desk: &Desk, who: Actor, rows: Vec<SubscriberRow>| {
        let desk = desk.clone();
        tokio::spawn(async move {
            for round in 0..10 {
                for row in &rows {
                    let now = desk.get_subscriber(&admin(), row.id).await.unwrap();
                    let name = format!("{} {round}", who.username);
                    desk.update_subscriber(&who, now.id, now.version, renamed(&now, &name))
                        .await
                        .unwrap();
                }
            }
        })
    };
    let (evens, odds): (Vec<_>, Vec<_>) = rows.iter().cloned().partition(|r| r.id % 2 == 0);
    let a = rename(&o.county, official("county", "군청"), evens);
    let b = rename(&o.town, official("town", "증평읍"), odds);
    a.await.unwrap();
    b.await.unwrap();

    for desk in [&o.county, &o.town] {
        let report = desk.audit_verify(&admin()).await.unwrap();
        assert_eq!(report.first_broken, None, "{report:?}");
        assert_eq!(report.entries, before + 10 * rows.len() as u32);
    }
    let names: Vec<String> = o
        .town
        .list_subscribers(&admin(), SubscriberFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert!(names.iter().all(|n| n.ends_with(" 9")), "{names:?}");
}

/// On the office server a desk hears another's commit at once (LISTEN/NOTIFY), and again
/// after the listener's connection was cut; on a file there is no listener (windows poll).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_desk_hears_another_desks_edit_at_once() {
    let engine = Engine::from_env();
    let o = office(engine).await;
    let (tx, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let watching = o
        .town
        .watch_changes(move || {
            let _ = tx.send(());
        })
        .await
        .unwrap();
    let Some(watching) = watching else {
        assert_eq!(engine, Engine::Sqlite, "a server desk listens");
        return;
    };
    let county = official("county", "군청 정보통신팀");
    let row = o
        .county
        .list_subscribers(&admin(), SubscriberFilter::default())
        .await
        .unwrap()[0]
        .clone();
    let wait = std::time::Duration::from_secs(2);
    for (n, name) in ["김첫째", "김둘째"].into_iter().enumerate() {
        let now = o.county.get_subscriber(&admin(), row.id).await.unwrap();
        o.county
            .update_subscriber(&county, now.id, now.version, renamed(&now, name))
            .await
            .unwrap();
        tokio::time::timeout(wait, heard.recv())
            .await
            .unwrap_or_else(|_| panic!("edit {n} not heard within 2 s"))
            .unwrap();
        while heard.try_recv().is_ok() {}
        if n == 0 {
            // The server ends the listener's connection (as a restart or a network cut
            // would): it is told of that (it may have missed something) and listens again.
            let cut: u64 = maeul_db::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid() \
                     AND datname = current_database()",
            )
            .execute(o.county.db())
            .await
            .unwrap()
            .rows_affected();
            assert_eq!(cut, 1, "one listener");
            tokio::time::timeout(std::time::Duration::from_secs(10), heard.recv())
                .await
                .expect("told of the lost connection")
                .unwrap();
        }
    }
    watching.abort();
}
