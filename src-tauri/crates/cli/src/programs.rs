//! `maeul programs …`: living-lab cohorts and chief training from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Subcommand};
use serde::Serialize;

use maeul_api::{Actor, ApiError, Desk};
use maeul_programs::calendar::EventKind;

#[derive(Subcommand)]
pub enum ProgramsCommand {
    /// Cohorts and training sessions with their ids, names and dates.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A cohort's workshops (--cohort ID) or one training session (--training ID) as .ics.
    #[command(group(ArgGroup::new("which").required(true).args(["cohort", "training"])))]
    Ics {
        #[arg(long)]
        cohort: Option<i64>,
        #[arg(long)]
        training: Option<i64>,
        #[arg(long)]
        out: PathBuf,
    },
    /// The sign-in sheet PDF of a workshop or a training session.
    #[command(group(ArgGroup::new("which").required(true).args(["workshop", "training"])))]
    SignIn {
        #[arg(long)]
        workshop: Option<i64>,
        #[arg(long)]
        training: Option<i64>,
        /// Empty rows at the end for walk-ins.
        #[arg(long, default_value_t = 5)]
        blank: u32,
        #[arg(long)]
        out: PathBuf,
    },
    /// A cohort's attendance summary PDF.
    Attendance {
        #[arg(long)]
        cohort: i64,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Serialize)]
struct Listing {
    cohorts: Vec<CohortLine>,
    trainings: Vec<TrainingLine>,
}

#[derive(Serialize)]
struct CohortLine {
    id: i64,
    year: i32,
    name: String,
    kind: String,
    activity_start: String,
    activity_end: String,
    selected: u32,
    target: i32,
    workshops: Vec<WorkshopLine>,
}

#[derive(Serialize)]
struct WorkshopLine {
    id: i64,
    title: String,
    starts_at: String,
    ends_at: String,
}

#[derive(Serialize)]
struct TrainingLine {
    id: i64,
    town: String,
    title: String,
    starts_at: String,
    ends_at: String,
    roster: u32,
    present: u32,
}

pub async fn run(
    desk: &Desk,
    actor: &Actor,
    command: ProgramsCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        ProgramsCommand::List { json } => {
            let mut cohorts = Vec::new();
            for c in desk.cohort_list(actor).await? {
                let id = c.cohort.id.unwrap_or_default();
                let detail = desk.cohort_get(actor, id).await?;
                cohorts.push(CohortLine {
                    id,
                    year: c.cohort.year,
                    name: c.cohort.name,
                    kind: c.cohort.kind.as_str().into(),
                    activity_start: c.cohort.activity_start,
                    activity_end: c.cohort.activity_end,
                    selected: c.selected,
                    target: c.cohort.target_size,
                    workshops: detail
                        .workshops
                        .into_iter()
                        .map(|w| WorkshopLine {
                            id: w.id.unwrap_or_default(),
                            title: w.title,
                            starts_at: w.starts_at,
                            ends_at: w.ends_at,
                        })
                        .collect(),
                });
            }
            let trainings = desk
                .training_list(actor)
                .await?
                .into_iter()
                .map(|t| TrainingLine {
                    id: t.training.id.unwrap_or_default(),
                    town: t.town_name,
                    title: t.training.title,
                    starts_at: t.training.starts_at,
                    ends_at: t.training.ends_at,
                    roster: t.roster,
                    present: t.present,
                })
                .collect();
            let listing = Listing { cohorts, trainings };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&listing).unwrap_or_default()
                );
            } else {
                for c in &listing.cohorts {
                    println!(
                        "기수 {}\t{}\t{} ~ {}\t선정 {}/{}명\t워크숍 {}회",
                        c.id,
                        c.name,
                        c.activity_start,
                        c.activity_end,
                        c.selected,
                        c.target,
                        c.workshops.len()
                    );
                }
                for t in &listing.trainings {
                    println!(
                        "교육 {}\t{}\t{}\t참석 {}/{}명",
                        t.id,
                        t.title,
                        t.starts_at.replace('T', " "),
                        t.present,
                        t.roster
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProgramsCommand::Ics {
            cohort,
            training,
            out,
        } => {
            let (name, text) = desk.programs_ics(actor, cohort, training).await?;
            maeul_api::save_file(&out, text.as_bytes()).await?;
            println!(
                "내보냈습니다: {name} · 일정 {}건 → {}",
                text.matches("BEGIN:VEVENT").count(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        ProgramsCommand::SignIn {
            workshop,
            training,
            blank,
            out,
        } => {
            let (kind, id) = match (workshop, training) {
                (Some(w), _) => (EventKind::Workshop, w),
                (None, Some(t)) => (EventKind::Training, t),
                (None, None) => unreachable!("clap requires one of --workshop and --training"),
            };
            let (bytes, pages) = desk.sign_in_pdf(actor, kind, id, blank).await?;
            maeul_api::save_file(&out, &bytes).await?;
            println!("인쇄했습니다: 서명부 {pages}쪽 → {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        ProgramsCommand::Attendance { cohort, out } => {
            let (bytes, pages) = desk.attendance_pdf(actor, cohort).await?;
            maeul_api::save_file(&out, &bytes).await?;
            println!("인쇄했습니다: 출석 현황 {pages}쪽 → {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
