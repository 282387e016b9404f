//! `maeul budget …`: pledge cards from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Subcommand};

use maeul_api::{Actor, ApiError, Desk};

#[derive(Subcommand)]
pub enum BudgetCommand {
    /// Print one card (--card NUMBER) or every card (--all) into one PDF.
    #[command(group(ArgGroup::new("which").required(true).args(["card", "all"])))]
    Print {
        /// 관리번호, e.g. "공감행정 ②-5".
        #[arg(long)]
        card: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// Run every card's checks; exit 1 when any fails.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Cards with their execution rate.
    List,
}

pub async fn run(desk: &Desk, actor: &Actor, command: BudgetCommand) -> Result<ExitCode, ApiError> {
    match command {
        BudgetCommand::Print { card, all, out } => {
            let ids = match (card, all) {
                (Some(number), _) => vec![desk.budget_find(actor, &number).await?],
                (None, _) => vec![],
            };
            let printed = desk
                .budget_print_to(actor, &ids, &out, &|p| {
                    if p.total > 1 && !p.saving {
                        eprint!("\r카드 {} / {}", p.done, p.total);
                    }
                })
                .await?;
            if printed.cards > 1 {
                eprintln!();
            }
            println!(
                "인쇄했습니다: 카드 {} · {}쪽 · {} KB → {}",
                printed.cards,
                printed.pages,
                printed.bytes.div_ceil(1024),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        BudgetCommand::Check { json } => {
            let checks = desk.budget_check_all(actor).await?;
            let failing = checks.iter().filter(|c| !c.issues.is_empty()).count();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&checks).unwrap_or_default()
                );
            } else {
                for c in &checks {
                    let verdict = if c.issues.is_empty() {
                        "ok".to_string()
                    } else {
                        format!("오류 {}건", c.issues.len())
                    };
                    println!("{}\t{}\t{verdict}", c.number, c.title);
                    for issue in &c.issues {
                        println!("  - {}", issue.message);
                    }
                }
            }
            Ok(if failing == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        BudgetCommand::List => {
            for c in desk.budget_list(actor).await? {
                let rate = c.execution_rate.map_or("-".into(), |r| format!("{r:.1}%"));
                println!(
                    "{}\t{}\t계획 {}\t집행 {}\t집행률 {rate}\t{}",
                    c.number,
                    c.title,
                    c.plan_total.0,
                    c.executed_total.0,
                    if c.issue_count > 0 {
                        "검증 오류"
                    } else {
                        ""
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
