//! `maeul-bench import`: the registry import benchmark behind `./dev bench registry`.
//! Writes the demo residents (37,000 households) as .xlsx and CP949 .csv, then times a full
//! import (read, check, write in one transaction) of each into a fresh database file.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use maeul_api::{Actor, ApiError, Desk, ErrorCode};
use maeul_registry::demo;
use maeul_registry::import::{ImportOptions, ImportStage};

fn io(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Io, e.to_string())
}

pub async fn run(runs: usize) -> Result<ExitCode, ApiError> {
    let dir = std::env::temp_dir().join(format!("maeul-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let rows = demo::resident_rows(2023);
    let xlsx = dir.join("residents.xlsx");
    let csv = dir.join("residents-cp949.csv");
    maeul_registry::export::write_rows(&xlsx, maeul_registry::export::ExportFormat::Xlsx, &rows)?;
    maeul_registry::export::write_rows(
        &csv,
        maeul_registry::export::ExportFormat::CsvCp949,
        &rows,
    )?;
    println!(
        "input: {} rows ({} households)",
        rows.len(),
        demo::HOUSEHOLDS
    );
    let fmt = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    for (label, file) in [("xlsx", &xlsx), ("csv-cp949", &csv)] {
        let mut times = Vec::with_capacity(runs);
        for run in 0..runs {
            times.push(time_import(&dir.join(format!("{label}-{run}.db")), file).await?);
        }
        times.sort_by_key(|t| t.total);
        let median = &times[times.len() / 2];
        println!(
            "bench import {label}: median {} (min {}, max {}, {} runs); median run: read {}, check {}, write {}",
            fmt(median.total),
            fmt(times[0].total),
            fmt(times[times.len() - 1].total),
            runs,
            fmt(median.read),
            fmt(median.check),
            fmt(median.write),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}

/// One import's wall time, split at the importer's stage changes.
struct Timing {
    total: Duration,
    read: Duration,
    check: Duration,
    write: Duration,
}

async fn time_import(db_path: &Path, file: &Path) -> Result<Timing, ApiError> {
    let desk = Desk::open(db_path).await?;
    let actor = Actor::cli();
    {
        let mut tx = maeul_db::begin_write(desk.db()).await?;
        demo::seed_structure(&mut tx).await?;
        tx.commit().await?;
    }
    let started = Instant::now();
    let marks: Mutex<Vec<(ImportStage, Instant)>> = Mutex::new(Vec::new());
    let on_progress = |p: maeul_registry::import::ImportProgress| {
        let mut m = marks.lock().expect("marks");
        if m.last().is_none_or(|(stage, _)| *stage != p.stage) {
            m.push((p.stage, Instant::now()));
        }
    };
    let report = desk
        .import_registry(&actor, file, ImportOptions::default(), false, &on_progress)
        .await?;
    let elapsed = started.elapsed();
    let marks = marks.into_inner().expect("marks");
    let at = |stage: ImportStage| {
        marks
            .iter()
            .find(|(s, _)| *s == stage)
            .map_or(started, |(_, t)| *t)
    };
    let timing = Timing {
        total: elapsed,
        read: at(ImportStage::Checking) - started,
        check: at(ImportStage::Writing) - at(ImportStage::Checking),
        write: at(ImportStage::Done) - at(ImportStage::Writing),
    };
    if !report.committed {
        let first = report
            .problems
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(ApiError::new(
            ErrorCode::Invalid,
            format!("bench import failed: {first}"),
        ));
    }
    desk.close().await;
    Ok(timing)
}
