//! `maeul-bench`: the benchmarks behind `./dev bench`, a binary of their own so the shipped
//! `maeul` command carries none of their code (nor their fake-provider and LibreOffice
//! plumbing). Each prints medians and its goals; none is a pass/fail test.

mod audio;
mod dashboard;
mod dispatch;
mod dispatch_server;
mod import;
mod pdf;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use maeul_api::ApiError;

#[derive(Parser)]
#[command(name = "maeul-bench", about = "마을 데스크 벤치마크 (./dev bench)")]
struct Cli {
    #[command(subcommand)]
    command: BenchCommand,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Time importing 37,000 households from .xlsx and from CP949 .csv.
    Import {
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Time a county-wide broadcast: fan-out planned and persisted (vs a raw bulk INSERT),
    /// and a full sync to the sandbox.
    /// With `--fake PATH` (the fake-provider binary) the sync goes to Solapi's API on
    /// loopback instead of the in-process sandbox.
    Dispatch {
        #[arg(long)]
        fake: Option<std::path::PathBuf>,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// The county-wide broadcast on a throwaway PostgreSQL server: fan-out against a raw
    /// COPY, and the sync by one desk against two at once (`--fake` is the fake-provider).
    DispatchServer {
        #[arg(long)]
        fake: std::path::PathBuf,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Time an hour of audio through the console's whole chain, against sox + opusenc, and
    /// the live graph's work per block.
    Audio {
        #[arg(long, default_value_t = 3)]
        runs: usize,
        #[arg(long, default_value_t = 60.0)]
        minutes: f64,
    },
    /// Time the 현황판 and the not-reached lists on the demo county with a year of traffic.
    Dashboard {
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Time printing the seed's pledge card (one, and 100 in one PDF), against LibreOffice.
    Pdf {
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}

async fn run(command: BenchCommand) -> Result<ExitCode, ApiError> {
    match command {
        BenchCommand::Import { runs } => import::run(runs).await,
        BenchCommand::Pdf { runs } => pdf::run(runs),
        BenchCommand::Dashboard { runs } => dashboard::run(runs).await,
        BenchCommand::Audio { runs, minutes } => audio::run(runs, minutes),
        BenchCommand::Dispatch { runs, fake } => dispatch::run(runs, fake.as_deref()).await,
        BenchCommand::DispatchServer { runs, fake } => dispatch_server::run(runs, &fake).await,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("오류 [{:?}]: {}", e.code, e.message);
            ExitCode::from(2)
        }
    }
}
