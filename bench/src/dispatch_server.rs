//! `maeul-bench dispatch-server`, behind `./dev bench dispatch`: the county-wide broadcast
//! on the office's PostgreSQL server (a throwaway cluster on this machine): fan-out planned
//! and persisted against a raw `COPY` of the same rows in the same run, then the sync to the
//! fake provider by one desk, and a second broadcast of the same size by two desks at once.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use maeul_api::{Actor, ApiError, Desk};
use maeul_db::{Db, ServerUrl};
use sqlx::postgres::PgPoolCopyExt;

use crate::dispatch::{Fake, Passes, county_wide, demo_county, io, median, ms};

struct Run {
    plan: Duration,
    copy: Duration,
    one_worker: Duration,
    two_workers: Duration,
    /// The same, with the fake answering each request after [`LATENCY_MS`].
    one_far: Duration,
    two_far: Duration,
    deliveries: i64,
}

/// A provider's answer time over the internet, for the second pair of sync runs: on
/// loopback the fake answers at once and the one machine's two cores, which run the server,
/// both desks and the fake, are what bounds the sync.
const LATENCY_MS: &str = "100";

/// The planned rows of broadcast `id` written again under a second broadcast by one
/// `COPY … FROM STDIN`: the fastest way in PostgreSQL has, with no planning around it.
async fn raw_copy(db: &Db, id: i64) -> Result<(Duration, i64), ApiError> {
    let Db::Postgres(pool) = db else {
        return Err(io("not a server desk"));
    };
    let (raw_id,): (i64,) = maeul_db::query_as(
        "INSERT INTO broadcasts (title, category, body, created_by, created_at, cancelled_at) \
         VALUES ('raw', 'admin', 'raw', 'bench', '', '') RETURNING id",
    )
    .fetch_one(db)
    .await?;
    let rows: Vec<(String, String, String, Option<i64>)> = maeul_db::query_as(
        "SELECT channel, e164, subscribers, village_id FROM deliveries WHERE broadcast_id = $1",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    // COPY's text format: tab-separated, \N for NULL (the values hold no tab or backslash).
    let mut data = String::with_capacity(rows.len() * 64);
    for (channel, e164, subscribers, village) in &rows {
        let village = village.map_or("\\N".to_string(), |v| v.to_string());
        data.push_str(&format!(
            "{raw_id}\t{channel}\t{e164}\t{subscribers}\t{village}\tcancelled\t\n"
        ));
    }
    let started = Instant::now();
    let mut copy = pool
        .copy_in_raw(
            "COPY deliveries (broadcast_id, channel, e164, subscribers, village_id, state, updated_at) FROM STDIN",
        )
        .await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await?;
    Ok((started.elapsed(), rows.len() as i64))
}

async fn drain(desk: &Desk, fake: &Fake) -> Result<(), ApiError> {
    let client = fake.client()?;
    let passes = Passes::new();
    let drained = desk
        .sync_drain(&client, Duration::from_secs(600), &|r, open| {
            passes.seen(r, open);
        })
        .await?;
    if drained.open != 0 {
        return Err(io(format!("sync left {} deliveries open", drained.open)));
    }
    Ok(())
}

async fn one(server: &ServerUrl, fake_bin: &std::path::Path) -> Result<Run, ApiError> {
    let desk = Desk::open_server(server).await?;
    let actor = Actor::cli();
    demo_county(&desk).await?;

    let started = Instant::now();
    let created = desk.broadcast_send(&actor, county_wide()).await?;
    let plan = started.elapsed();
    let (copy, deliveries) = raw_copy(desk.db(), created.id).await?;

    // A fresh fake per run: its counts start at zero.
    let fake = Fake::start(fake_bin)?;
    let sampler =
        std::env::var_os("MAEUL_BENCH_SAMPLE").map(|_| tokio::spawn(sample(desk.db().clone())));
    let started = Instant::now();
    drain(&desk, &fake).await?;
    let one_worker = started.elapsed();
    if let Some(s) = sampler {
        s.abort();
    }

    // The same broadcast again, sent by two desks on the server at once.
    desk.broadcast_send(&actor, county_wide()).await?;
    let other = Desk::open_server(server).await?;
    let sampler =
        std::env::var_os("MAEUL_BENCH_SAMPLE").map(|_| tokio::spawn(sample(desk.db().clone())));
    let started = Instant::now();
    let (a, b) = tokio::join!(drain(&desk, &fake), drain(&other, &fake));
    a?;
    b?;
    let two_workers = started.elapsed();
    if let Some(s) = sampler {
        s.abort();
    }

    // Both again against a fake as far away as a real provider.
    let far = Fake::start_with(fake_bin, &["--latency-ms", LATENCY_MS])?;
    desk.broadcast_send(&actor, county_wide()).await?;
    let started = Instant::now();
    drain(&desk, &far).await?;
    let one_far = started.elapsed();
    desk.broadcast_send(&actor, county_wide()).await?;
    let started = Instant::now();
    let (a, b) = tokio::join!(drain(&desk, &far), drain(&other, &far));
    a?;
    b?;
    let two_far = started.elapsed();
    other.close().await;
    desk.close().await;
    Ok(Run {
        plan,
        copy,
        one_worker,
        two_workers,
        one_far,
        two_far,
        deliveries,
    })
}

pub async fn run(runs: usize, fake: &std::path::Path) -> Result<ExitCode, ApiError> {
    let cluster = maeul_pg_cluster::Cluster::start().map_err(io)?;
    let mut all = Vec::new();
    for run in 0..runs.max(1) {
        let url = cluster
            .create_database(&format!("bench{run}"))
            .map_err(io)?;
        all.push(one(&ServerUrl::parse(&url)?, fake).await?);
    }
    let plan = median(all.iter().map(|r| r.plan).collect());
    let copy = median(all.iter().map(|r| r.copy).collect());
    let one_worker = median(all.iter().map(|r| r.one_worker).collect());
    let two_workers = median(all.iter().map(|r| r.two_workers).collect());
    let one_far = median(all.iter().map(|r| r.one_far).collect());
    let two_far = median(all.iter().map(|r| r.two_far).collect());
    println!(
        "bench dispatch on PostgreSQL fan-out: {} deliveries planned and persisted, median {} (goal ≤ 1 s); raw COPY of the same rows median {}; ratio {:.2} (goal ≤ 2)",
        all[0].deliveries,
        ms(plan),
        ms(copy),
        plan.as_secs_f64() / copy.as_secs_f64().max(1e-9)
    );
    println!(
        "bench dispatch on PostgreSQL sync to the fake provider: one desk median {}, two desks at once median {}; throughput {:.2}× (goal ≥ 1.6×) over {} runs",
        ms(one_worker),
        ms(two_workers),
        one_worker.as_secs_f64() / two_workers.as_secs_f64().max(1e-9),
        all.len()
    );
    println!(
        "bench dispatch on PostgreSQL sync to the fake provider answering after {LATENCY_MS} ms: one desk median {}, two desks at once median {}; throughput {:.2}×",
        ms(one_far),
        ms(two_far),
        one_far.as_secs_f64() / two_far.as_secs_f64().max(1e-9),
    );
    Ok(ExitCode::SUCCESS)
}

/// MAEUL_BENCH_SAMPLE=1: what the server is running, sampled every 20 ms (a poor man's
/// profiler for the sync's statements, each with what it waits on, `cpu` for nothing).
async fn sample(db: Db) {
    let mut seen: std::collections::BTreeMap<String, u32> = Default::default();
    for n in 0.. {
        let rows: Vec<(String,)> = maeul_db::query_as(
            "SELECT COALESCE(wait_event, 'cpu') || ' ' || \
                 LEFT(regexp_replace(query, '\\s+', ' ', 'g'), 140) FROM pg_stat_activity \
             WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()",
        )
        .fetch_all(&db)
        .await
        .unwrap_or_default();
        for (q,) in rows {
            *seen.entry(q).or_default() += 1;
        }
        if n % 250 == 249 {
            let mut top: Vec<_> = seen.iter().collect();
            top.sort_by_key(|(_, c)| std::cmp::Reverse(**c));
            for (q, c) in top.iter().take(8) {
                eprintln!("{c:>5} {q}");
            }
            eprintln!("--");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
