//! `maeul-bench dashboard`, behind `./dev bench dashboard`: the demo county with a year of
//! traffic (`demo-seed --history 1y`: 300 broadcasts, ~2.3 million deliveries) read by the
//! 현황판 — county and one town over 12 months — and the 90-day not-reached list of every
//! village (the county's), the county's readiness one-pager, and one village's visit sheet.
//! Goals from issue 21: dashboard ≤ 300 ms, the not-reached list ≤ 500 ms, the county
//! readiness PDF ≤ 1 s.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use maeul_api::{Actor, ApiError, DashboardFilter, Desk, ErrorCode, ReadinessOf};
use maeul_db::Durability;
use maeul_dispatch::reach::Among;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[0], times[times.len() - 1])
}

fn report(what: &str, times: Vec<Duration>, goal_ms: Option<f64>, extra: &str) {
    let runs = times.len();
    let (m, lo, hi) = median(times);
    let goal = goal_ms.map_or(String::new(), |g| {
        let ok = m.as_secs_f64() * 1000.0 <= g;
        format!(" — goal ≤ {g:.0} ms: {}", if ok { "met" } else { "MISSED" })
    });
    println!(
        "bench dashboard {what}: median {} (min {}, max {}, {runs} runs){extra}{goal}",
        ms(m),
        ms(lo),
        ms(hi)
    );
}

pub async fn run(runs: usize) -> Result<ExitCode, ApiError> {
    let runs = runs.max(1);
    let dir = std::env::temp_dir().join(format!("maeul-bench-dashboard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| ApiError::new(ErrorCode::Io, e.to_string()))?;
    let result = measure(&dir, runs).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(dir: &std::path::Path, runs: usize) -> Result<ExitCode, ApiError> {
    let desk = Desk::open_with(&dir.join("dashboard.db"), Durability::Full).await?;
    let actor = Actor::cli();
    desk.seed_demo(&actor, &|_| {}).await?;
    // The bench's "now" is fixed, so the figures do not depend on the hour it runs.
    let now: jiff::Timestamp = "2026-12-05T03:00:00Z"
        .parse()
        .map_err(|e: jiff::Error| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    let started = Instant::now();
    let h = desk.seed_history(&actor, 12, now).await?;
    println!(
        "bench dashboard set-up: a year of traffic, {} broadcasts and {} deliveries, written and read into the reach ledger in {:.1} s",
        h.broadcasts,
        h.deliveries,
        started.elapsed().as_secs_f64()
    );

    let county = DashboardFilter {
        town_id: None,
        months: 12,
    };
    let mut times = Vec::with_capacity(runs);
    let mut villages = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let d = desk.dashboard(&actor, county, now).await?;
        times.push(t.elapsed());
        villages = d.villages.len();
    }
    report(
        "county, 12 months",
        times,
        Some(300.0),
        &format!("; {villages} villages"),
    );

    let towns = maeul_registry::store::towns::list(desk.db()).await?;
    let town = towns.first().map(|t| t.id);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        desk.dashboard(
            &actor,
            DashboardFilter {
                town_id: town,
                months: 12,
            },
            now,
        )
        .await?;
        times.push(t.elapsed());
    }
    report("one town, 12 months", times, Some(300.0), "");

    let mut times = Vec::with_capacity(runs);
    let mut listed = 0;
    for _ in 0..runs {
        let t = Instant::now();
        listed = desk
            .not_reached(&actor, Among::County, 90, now)
            .await?
            .len();
        times.push(t.elapsed());
    }
    report(
        "not reached in 90 days, every village",
        times,
        Some(500.0),
        &format!("; {listed} households"),
    );

    let mut times = Vec::with_capacity(runs);
    let mut pages = 0;
    for _ in 0..runs {
        let t = Instant::now();
        pages = desk
            .readiness_pdf(&actor, ReadinessOf::County, now)
            .await?
            .1;
        times.push(t.elapsed());
    }
    report(
        "county readiness one-pager (PDF)",
        times,
        Some(1000.0),
        &format!("; {pages} pages"),
    );

    let village = desk
        .list_villages(&actor)
        .await?
        .first()
        .map(|v| v.id)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "no village"))?;
    let mut times = Vec::with_capacity(runs);
    let mut pages = 0;
    for _ in 0..runs {
        let t = Instant::now();
        pages = desk
            .not_reached_sheet(&actor, village, 90, now, false)
            .await?
            .1;
        times.push(t.elapsed());
    }
    report(
        "one village's visit sheet (PDF)",
        times,
        None,
        &format!("; {pages} pages"),
    );
    desk.close().await;
    Ok(ExitCode::SUCCESS)
}
