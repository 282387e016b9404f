//! `maeul report`: what the office reports upward — the readiness one-pager of a village,
//! a town or the county, and a village's not-reached households for the chief's visit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use maeul_api::{Actor, ApiError, Desk, ReadinessOf};

#[derive(Subcommand)]
pub enum ReportCommand {
    /// The readiness one-pager (PDF): chief trained, sign-up, reach in 90 days, broadcasts,
    /// pending enrolments, households not reached; of a village, a town, or (neither) the
    /// county, the summary page to attach to the budget card.
    Readiness {
        #[arg(long, conflicts_with = "town")]
        village: Option<String>,
        #[arg(long)]
        town: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// A village's households no delivery reached in the last DAYS days: the visit sheet
    /// (PDF, with a column to tick) or, for a name ending in .csv, the list as CSV.
    NotReached {
        /// The village ("연탄1리", "증평읍 연탄1리" or its code).
        #[arg(long)]
        village: String,
        #[arg(long, default_value_t = 90)]
        days: u32,
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(desk: &Desk, actor: &Actor, command: ReportCommand) -> Result<ExitCode, ApiError> {
    match command {
        ReportCommand::Readiness { village, town, out } => {
            let of = match (village, town) {
                (Some(v), _) => {
                    let v = desk
                        .villages_named(actor, &v)
                        .await?
                        .into_iter()
                        .next()
                        .ok_or_else(|| ApiError::invalid("village", "마을 이름을 적어 주세요"))?;
                    ReadinessOf::Village(v.id)
                }
                (None, Some(t)) => {
                    let towns = desk.list_towns(actor).await?;
                    let found = towns
                        .iter()
                        .find(|w| w.name == t.trim() || w.code == t.trim())
                        .ok_or_else(|| {
                            let names: Vec<&str> = towns.iter().map(|w| w.name.as_str()).collect();
                            ApiError::invalid(
                                "town",
                                format!("없는 읍면입니다: {t} (있는 읍면: {})", names.join(", ")),
                            )
                        })?;
                    ReadinessOf::Town(found.id)
                }
                (None, None) => ReadinessOf::County,
            };
            let (bytes, pages) = desk
                .readiness_pdf(actor, of, jiff::Timestamp::now())
                .await?;
            maeul_api::save_file(&out, &bytes).await?;
            println!("준비 현황: {pages}쪽 → {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::NotReached { village, days, out } => {
            let v = desk
                .villages_named(actor, &village)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::invalid("village", "마을 이름을 적어 주세요"))?;
            let csv = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let (bytes, n) = desk
                .not_reached_sheet(actor, v.id, days, jiff::Timestamp::now(), csv)
                .await?;
            maeul_api::save_file(&out, &bytes).await?;
            if csv {
                println!("{} {}: {n}세대 → {}", v.town_name, v.name, out.display());
            } else {
                println!("{} {}: {n}쪽 → {}", v.town_name, v.name, out.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
