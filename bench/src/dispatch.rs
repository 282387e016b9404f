//! `maeul-bench dispatch`, behind `./dev bench dispatch`: a county-wide broadcast (voice and
//! SMS to the demo county's 37,000 households) planned and persisted, against a raw bulk
//! INSERT of the same rows in the same run; then a full sync of it, to the fake provider's
//! Solapi API on loopback when its binary is given (`./dev bench dispatch` builds it), else to
//! the built-in sandbox.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use maeul_api::{Actor, ApiError, Desk, ErrorCode};
use maeul_db::Durability;
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::provider::Provider;
use maeul_dispatch::sandbox::Sandbox;
use maeul_dispatch::secret::Secret;
use maeul_dispatch::solapi::{Solapi, SolapiConfig};

/// The fake provider, started for the bench and killed with it.
pub(crate) struct Fake {
    child: std::process::Child,
    base: String,
}

impl Fake {
    pub(crate) fn start(bin: &std::path::Path) -> Result<Fake, ApiError> {
        Fake::start_with(bin, &[])
    }

    /// The fake with extra arguments (`--latency-ms 100`).
    pub(crate) fn start_with(bin: &std::path::Path, args: &[&str]) -> Result<Fake, ApiError> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(bin)
            .args(["--port", "0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| io(format!("{}: {e}", bin.display())))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or_else(|| io("no stdout"))?;
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(io)?;
        let base = line
            .split_whitespace()
            .last()
            .filter(|u| u.starts_with("http://"))
            .ok_or_else(|| io(format!("fake-provider said {line:?}")))?
            .to_string();
        Ok(Fake { child, base })
    }

    pub(crate) fn client(&self) -> Result<Solapi, ApiError> {
        Solapi::new(SolapiConfig {
            base_url: self.base.clone(),
            api_key: "NCSTESTKEY".into(),
            api_secret: Secret::new("test-secret"),
            sender: "0438353233".into(),
            kakao_pf_id: Some("KA01PF-TEST".into()),
            kakao_template_id: Some("KA01TP-NOTICE".into()),
            requests_per_second: None,
        })
        .map_err(|e| io(e.to_string()))
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn io(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Io, e.to_string())
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The demo county, sending at once and without retries: the bench measures the
/// pipeline, not the retry schedule's or quiet hours' waits.
pub(crate) async fn demo_county(desk: &Desk) -> Result<(), ApiError> {
    let actor = Actor::cli();
    desk.seed_demo(&actor, &|_| {}).await?;
    desk.setting_set(&actor, "dispatch.retry_schedule", "")
        .await?;
    desk.setting_set(&actor, "dispatch.quiet_hours", "off")
        .await?;
    Ok(())
}

/// Voice and SMS to every household of the county.
pub(crate) fn county_wide() -> NewBroadcast {
    NewBroadcast {
        title: "군 전체 안내".into(),
        category: Category::Admin,
        body: "오늘 오후 2시 군청 앞 도로 공사로 통행이 제한됩니다.".into(),
        recording_id: None,
        targets: Targets::All,
        channels: vec![Channel::Voice, Channel::Sms],
        emergency: false,
        send_at: None,
        poll: None,
        translations: Vec::new(),
    }
}

/// MAEUL_BENCH_PASSES=1 prints each pass of a sync: where a slow one spends its time.
pub(crate) struct Passes {
    verbose: bool,
    last: std::sync::Mutex<Instant>,
}

impl Passes {
    pub(crate) fn new() -> Passes {
        Passes {
            verbose: std::env::var_os("MAEUL_BENCH_PASSES").is_some(),
            last: std::sync::Mutex::new(Instant::now()),
        }
    }

    pub(crate) fn seen(&self, r: &maeul_dispatch::worker::TickReport, open: u32) {
        if self.verbose {
            let mut last = self.last.lock().expect("bench lock");
            eprintln!(
                "pass {:>6.0} ms: submitted {} settled {} open {open}",
                last.elapsed().as_secs_f64() * 1000.0,
                r.submitted,
                r.settled
            );
            *last = Instant::now();
        }
    }
}

struct Run {
    plan: Duration,
    raw: Duration,
    sync: Duration,
    deliveries: i64,
}

async fn one(
    dir: &std::path::Path,
    run: usize,
    fake: Option<&std::path::Path>,
    durability: Durability,
) -> Result<Run, ApiError> {
    let desk = Desk::open_with(
        &dir.join(format!("dispatch-{run}-{durability:?}.db")),
        durability,
    )
    .await?;
    let actor = Actor::cli();
    demo_county(&desk).await?;
    let started = Instant::now();
    let created = desk.broadcast_send(&actor, county_wide()).await?;
    let plan = started.elapsed();

    // The same rows, into the same table (same indexes and constraints) under a second
    // broadcast, by one INSERT … SELECT per 5,000 with no planning around it.
    let db = desk.db();
    let (raw_id,): (i64,) = maeul_db::query_as(
        "INSERT INTO broadcasts (title, category, body, created_by, created_at, cancelled_at) \
         VALUES ('raw', 'admin', 'raw', 'bench', '', '') RETURNING id",
    )
    .fetch_one(db)
    .await?;
    let rows: Vec<(String,)> = maeul_db::query_as(
        "SELECT json_array(channel, e164, subscribers, village_id) FROM deliveries WHERE broadcast_id = $1",
    )
    .bind(created.id)
    .fetch_all(db)
    .await?;
    let deliveries = rows.len() as i64;
    let started = Instant::now();
    let mut tx = maeul_db::begin_write(db).await?;
    for chunk in rows.chunks(5000) {
        let json = format!(
            "[{}]",
            chunk
                .iter()
                .map(|(r,)| r.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        maeul_db::query(
            "INSERT INTO deliveries (broadcast_id, channel, e164, subscribers, village_id, state, updated_at) \
             SELECT $2, value ->> 0, value ->> 1, value ->> 2, value ->> 3, 'cancelled', '' FROM json_each($1)",
        )
        .bind(json)
        .bind(raw_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let raw = started.elapsed();

    // A fresh fake per run: its counts start at zero.
    let fake = fake.map(Fake::start).transpose()?;
    let provider: Box<dyn Provider> = match &fake {
        Some(f) => Box::new(f.client()?),
        None => Box::new(Sandbox::new()),
    };
    let started = Instant::now();
    let passes = Passes::new();
    let drained = desk
        .sync_drain(provider.as_ref(), Duration::from_secs(300), &|r, open| {
            passes.seen(r, open);
        })
        .await?;
    let sync = started.elapsed();
    if drained.open != 0 {
        return Err(io(format!("sync left {} deliveries open", drained.open)));
    }
    desk.close().await;
    Ok(Run {
        plan,
        raw,
        sync,
        deliveries,
    })
}

pub async fn run(runs: usize, fake: Option<&std::path::Path>) -> Result<ExitCode, ApiError> {
    let dir = std::env::temp_dir().join(format!("maeul-bench-dispatch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    // As shipped (every commit synced), and the earlier NORMAL for what that costs; the
    // two alternate so that a busy spell on the machine falls on both.
    let mut all = Vec::new();
    let mut normal = Vec::new();
    for run in 0..runs.max(1) {
        all.push(one(&dir, run, fake, Durability::Full).await?);
        normal.push(one(&dir, run, fake, Durability::Normal).await?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let plan = median(all.iter().map(|r| r.plan).collect());
    let raw = median(all.iter().map(|r| r.raw).collect());
    let sync = median(all.iter().map(|r| r.sync).collect());
    println!(
        "bench dispatch fan-out: {} deliveries planned and persisted, median {} (goal ≤ 500 ms); raw bulk INSERT of the same rows into the same table median {}; ratio {:.2}",
        all[0].deliveries,
        ms(plan),
        ms(raw),
        plan.as_secs_f64() / raw.as_secs_f64().max(1e-9)
    );
    let to = if fake.is_some() {
        "the fake provider's Solapi API on loopback"
    } else {
        "the built-in sandbox (in process; pass --fake for the loopback fake provider)"
    };
    println!(
        "bench dispatch sync to {to}, no retries: median {} over {} runs (goal ≤ 5 s)",
        ms(sync),
        all.len()
    );
    let plan_normal = median(normal.iter().map(|r| r.plan).collect());
    let sync_normal = median(normal.iter().map(|r| r.sync).collect());
    println!(
        "bench dispatch durability: synchronous=FULL (shipped) against NORMAL: fan-out {} vs {} ({:.2}×), sync {} vs {} ({:.2}×)",
        ms(plan),
        ms(plan_normal),
        plan.as_secs_f64() / plan_normal.as_secs_f64().max(1e-9),
        ms(sync),
        ms(sync_normal),
        sync.as_secs_f64() / sync_normal.as_secs_f64().max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
