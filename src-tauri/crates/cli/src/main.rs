//! `maeul`: the desk from the command line, for scripts and tests. It calls the same
//! `api::Desk` as the app, acting as the CLI actor (see `Actor::cli`).

mod alerts;
mod budget;
mod dispatch;
mod groups;
mod mixer;
mod programs;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use maeul_accounts::users::NewUser;
use maeul_api::{Actor, ApiError, Desk, Role};
use maeul_db::Target;
use maeul_registry::export::ExportFormat;
use maeul_registry::import::{ImportOptions, TextEncoding};

#[derive(Parser)]
#[command(
    name = "maeul",
    version,
    about = "Maeul Desk 명령줄 도구 (command-line tool)"
)]
struct Cli {
    /// Database: a file path, or the office server as postgres://user:pass@host:port/db
    /// (default: MAEUL_DB, else the server this PC joined, else the OS app-data directory).
    #[arg(long, global = true)]
    db: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the county's demo data (112 villages, 37,000 households) into an empty registry.
    DemoSeed {
        /// Do nothing (and succeed) when the registry already holds villages.
        #[arg(long)]
        if_empty: bool,
        /// Also this much settled county traffic before now ("1y", "6m"; at most 2y), for
        /// the dashboard and the benchmarks. With an existing registry, adds only that.
        #[arg(long, value_parser = parse_history)]
        history: Option<u32>,
    },
    /// The village registry.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// The office's subscriber groups (targets of `broadcast send --groups`).
    Group {
        #[command(subcommand)]
        command: groups::GroupCommand,
    },
    /// Pledge management cards (공약사업 관리카드): print, check, list.
    Budget {
        #[command(subcommand)]
        command: budget::BudgetCommand,
    },
    /// Living-lab cohorts and chief training: list, ICS, sign-in sheets, attendance.
    Programs {
        #[command(subcommand)]
        command: programs::ProgramsCommand,
    },
    /// CAP alerts from other systems as broadcast drafts; the drafts waiting to be sent.
    Alert {
        #[command(subcommand)]
        command: alerts::AlertCommand,
    },
    /// The national 재난문자 feed: where it is, its key, one poll.
    Feed {
        #[command(subcommand)]
        command: alerts::FeedCommand,
    },
    /// Broadcasts to phones: send, report, list.
    Broadcast {
        #[command(subcommand)]
        command: dispatch::BroadcastCommand,
    },
    /// The provider broadcasts go through (secrets in the OS keyring).
    Provider {
        #[command(subcommand)]
        command: dispatch::ProviderCommand,
    },
    /// Send what the outbox holds: one pass, or until every delivery is terminal.
    Sync {
        #[arg(long, conflicts_with = "drain")]
        once: bool,
        #[arg(long)]
        drain: bool,
        /// Let the outbox send again after a restore paused it (after checking what it holds).
        #[arg(long, conflicts_with_all = ["once", "drain"])]
        resume: bool,
        /// With --drain: give up after this many seconds (exit 1 if deliveries remain).
        #[arg(long, default_value_t = 600)]
        timeout: u64,
    },
    /// Desk settings (dispatch.retry_schedule, dispatch.quiet_hours, …).
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Copy the live database to FILE (on the office server: a pg_dump custom-format file).
    Backup { file: PathBuf },
    /// Moving between a desk's file and the office server.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Reports from the reach ledger: a village's not-reached households for the visit.
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// Replace the database with the backup FILE (the app must be closed).
    Restore { file: PathBuf },
    /// The console's recordings: list, import an audio file, recover after a crash.
    Recording {
        #[command(subcommand)]
        command: mixer::RecordingCommand,
    },
    /// The broadcast console offline: render a file through the mix graph, list devices.
    Mixer {
        #[command(subcommand)]
        command: mixer::MixerCommand,
    },
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Import households and subscribers from .xlsx or .csv: all rows or none.
    Import {
        file: PathBuf,
        /// Check every row and report, without writing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value = "auto")]
        encoding: EncodingArg,
    },
    /// Export approved subscribers to .xlsx or .csv.
    Export {
        file: PathBuf,
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
    /// Counts of towns, villages, households, subscribers and channels.
    Stats {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Store one setting after checking its value.
    Set { key: String, value: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and report the first broken link (exit 1 if broken).
    Verify,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from the first line of standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The chief's village code.
        #[arg(long)]
        village: Option<String>,
    },
    List,
}

#[derive(Clone, Copy, ValueEnum)]
enum EncodingArg {
    Auto,
    Utf8,
    Cp949,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Xlsx,
    Csv,
    CsvCp949,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        format!("unknown role {s}: admin, operator, chief, trainer, livinglab, auditor")
    })
}

#[derive(Subcommand)]
enum DbCommand {
    /// Copy a desk's SQLite file into an empty office database: rows per table compared,
    /// the audit chain verified after, nothing written if any table fails.
    Copy {
        /// The desk's database file (only read).
        #[arg(long)]
        from: PathBuf,
        /// The office server: postgres://user:pass@host:port/db
        #[arg(long)]
        to: String,
    },
    /// Which database `--db` / `MAEUL_DB` / this PC's saved server names (never a password).
    Where,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("오류 [{:?}]: {}", e.code, e.message);
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, ApiError> {
    // Resolved only by the commands that use a database (most of mixer does not).
    let target = || Desk::resolve_target(cli.db.clone());
    if let Command::Db { command } = &cli.command {
        return db(command, target).await;
    }
    if let Command::Restore { file } = &cli.command {
        let path = match target()? {
            Target::File(path) => path,
            Target::Server(server) => {
                maeul_db::server_dump::restore(&server, file, &maeul_accounts::now_utc()).await?;
                println!("복원했습니다: {} → {server}", file.display());
                println!(
                    "발송은 멈춰 두었습니다: 보낼 내용을 확인한 뒤 `maeul sync --resume`으로 다시 시작하세요"
                );
                return Ok(ExitCode::SUCCESS);
            }
        };
        maeul_db::restore_from(file, &path, &maeul_accounts::now_utc()).await?;
        // The head sealed for the replaced database is newer than the backup's chain; the
        // next start reports it missing (recorded in the log) and seals the restored chain.
        let _ = std::fs::remove_file(maeul_accounts::anchor::head_path(&path));
        println!("복원했습니다: {} → {}", file.display(), path.display());
        println!(
            "발송은 멈춰 두었습니다: 보낼 내용을 확인한 뒤 `maeul sync --resume`으로 다시 시작하세요"
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Mixer { command } = cli.command {
        // Rendering needs the database only to look villages' zone codes up.
        let needs_db = matches!(
            &command,
            mixer::MixerCommand::Render {
                villages: Some(_),
                ..
            }
        );
        let desk = if needs_db {
            Some(Desk::open_target(&target()?).await?)
        } else {
            None
        };
        let code = mixer::run(desk.as_ref(), &Actor::cli(), command).await?;
        if let Some(d) = desk {
            d.close().await;
        }
        return Ok(code);
    }
    let desk = Desk::open_target(&target()?).await?;
    let actor = Actor::cli();
    let code = match cli.command {
        Command::DemoSeed { if_empty, history } => {
            let seeded = desk.registry_stats(&actor).await?.villages > 0;
            if seeded && (if_empty || history.is_some()) {
                println!("명부에 자료가 있어 데모 명부를 넣지 않았습니다");
            } else {
                let report = desk.seed_demo(&actor, &|_| {}).await?;
                println!(
                    "데모 자료: 세대 {} · 수신자 {}",
                    report.households_created, report.subscribers_created
                );
            }
            if let Some(months) = history {
                let h = desk
                    .seed_history(&actor, months, jiff::Timestamp::now())
                    .await?;
                println!(
                    "데모 이력 {months}개월: 방송 {} · 발송 {}",
                    h.broadcasts, h.deliveries
                );
            }
            ExitCode::SUCCESS
        }
        Command::Registry { command } => registry(&desk, &actor, command).await?,
        Command::Group { command } => groups::group(&desk, &actor, command).await?,
        Command::Budget { command } => budget::run(&desk, &actor, command).await?,
        Command::Programs { command } => programs::run(&desk, &actor, command).await?,
        Command::Alert { command } => alerts::alert(&desk, &actor, command).await?,
        Command::Feed { command } => alerts::feed(&desk, &actor, command).await?,
        Command::Broadcast { command } => dispatch::broadcast(&desk, &actor, command).await?,
        Command::Provider { command } => dispatch::provider(&desk, &actor, command).await?,
        Command::Recording { command } => mixer::recording(&desk, &actor, command).await?,
        Command::Sync { resume: true, .. } => {
            if desk.outbox_resume(&actor).await? {
                println!("발송을 재개했습니다");
            } else {
                println!("멈춘 발송이 없습니다");
            }
            ExitCode::SUCCESS
        }
        Command::Sync {
            once,
            drain,
            timeout,
            ..
        } => dispatch::sync(&desk, once || !drain, timeout).await?,
        Command::Settings {
            command: SettingsCommand::Set { key, value },
        } => {
            desk.setting_set(&actor, &key, &value).await?;
            println!("{key} = {value}");
            ExitCode::SUCCESS
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let report = desk.audit_verify(&actor).await?;
            let anchor = report.anchor.filter(|a| a.state.is_problem());
            if let Some(a) = &anchor {
                println!("audit anchor ({:?}): {}", a.state, a.message);
            }
            let tampered = anchor.is_some_and(|a| {
                a.state != maeul_accounts::anchor::AnchorState::KeyringUnavailable
            });
            match report.first_broken {
                None if tampered => {
                    println!(
                        "audit log chain intact ({} entries), but its end does not match the anchor",
                        report.entries
                    );
                    ExitCode::from(1)
                }
                None => {
                    println!("audit log intact: {} entries", report.entries);
                    ExitCode::SUCCESS
                }
                Some(id) => {
                    println!("audit log broken at entry {id} (of {})", report.entries);
                    ExitCode::from(1)
                }
            }
        }
        Command::User { command } => user(&desk, &actor, command).await?,
        Command::Report { command } => report::run(&desk, &actor, command).await?,
        Command::Backup { file } => {
            desk.backup(&actor, &file).await?;
            println!("백업했습니다: {}", file.display());
            ExitCode::SUCCESS
        }
        Command::Restore { .. } | Command::Mixer { .. } | Command::Db { .. } => {
            unreachable!("handled before opening the database")
        }
    };
    desk.close().await;
    Ok(code)
}

async fn registry(
    desk: &Desk,
    actor: &Actor,
    command: RegistryCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        RegistryCommand::Import {
            file,
            dry_run,
            encoding,
        } => {
            let encoding = match encoding {
                EncodingArg::Auto => TextEncoding::Auto,
                EncodingArg::Utf8 => TextEncoding::Utf8,
                EncodingArg::Cp949 => TextEncoding::Cp949,
            };
            let options = ImportOptions {
                encoding,
                mapping: None,
            };
            let report = desk
                .import_registry(actor, &file, options, dry_run, &|_| {})
                .await?;
            for p in &report.problems {
                println!("{p}");
            }
            if !report.problems.is_empty() {
                eprintln!(
                    "가져오지 않았습니다: 오류 {} 건 (명부는 바뀌지 않았습니다)",
                    report.problems.len()
                );
                return Ok(ExitCode::from(1));
            }
            let verb = if report.committed {
                "가져왔습니다"
            } else {
                "검사만 했습니다 (--dry-run)"
            };
            println!(
                "{verb}: {} 행, 새 세대 {}, 새 수신자 {}",
                report.rows, report.households_created, report.subscribers_created
            );
            Ok(ExitCode::SUCCESS)
        }
        RegistryCommand::Export { file, format } => {
            let format = match format {
                Some(FormatArg::Xlsx) => ExportFormat::Xlsx,
                Some(FormatArg::Csv) => ExportFormat::Csv,
                Some(FormatArg::CsvCp949) => ExportFormat::CsvCp949,
                None => ExportFormat::from_path(&file),
            };
            let rows = desk.export_registry(actor, &file, format).await?;
            println!("내보냈습니다: {rows} 행 → {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        RegistryCommand::Stats { json } => {
            let stats = desk.registry_stats(actor).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&stats).unwrap_or_default()
                );
            } else {
                println!(
                    "{}: 읍면 {} · 마을 {} · 세대 {} · 수신자 {} (수신 가능 {}, 음성 {}, 문자 {}, 카카오톡 {}) · 가입 대기 {}",
                    stats.county,
                    stats.towns,
                    stats.villages,
                    stats.households,
                    stats.subscribers,
                    stats.reachable,
                    stats.by_channel.voice,
                    stats.by_channel.sms,
                    stats.by_channel.kakao,
                    stats.pending
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn user(desk: &Desk, actor: &Actor, command: UserCommand) -> Result<ExitCode, ApiError> {
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            village,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| ApiError::invalid("password", e.to_string()))?;
            let village_id = match village {
                Some(code) => Some(
                    desk.list_villages(actor)
                        .await?
                        .into_iter()
                        .find(|v| v.code == code)
                        .map(|v| v.id)
                        .ok_or_else(|| {
                            ApiError::invalid("village", format!("없는 마을코드입니다: {code}"))
                        })?,
                ),
                None => None,
            };
            let new = NewUser {
                username,
                display_name: name,
                password: password.trim_end_matches(['\r', '\n']).to_string(),
                role,
                village_id,
            };
            let user = if desk.needs_setup().await? && role == Role::Admin {
                let a = desk
                    .create_first_admin(&new.username, &new.display_name, &new.password)
                    .await?;
                a.user_id
            } else {
                desk.create_user(actor, new).await?.id
            };
            println!("사용자를 만들었습니다: id {user}");
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List => {
            for u in desk.list_users(actor).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.username,
                    u.display_name,
                    u.role,
                    if u.active { "on" } else { "off" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// "1y" → 12, "6m" → 6, "18m" → 18 (months).
fn parse_history(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().saturating_sub(1));
    let n: u32 = n
        .parse()
        .map_err(|_| format!("'{s}': 1y, 6m처럼 적어 주세요"))?;
    match unit {
        "y" => Ok(n * 12),
        "m" => Ok(n),
        _ => Err(format!("'{s}': 1y, 6m처럼 적어 주세요")),
    }
}

async fn db(
    command: &DbCommand,
    target: impl Fn() -> Result<Target, ApiError>,
) -> Result<ExitCode, ApiError> {
    match command {
        DbCommand::Where => {
            match target()? {
                Target::File(path) => println!("파일: {}", path.display()),
                Target::Server(server) => println!("사무실 서버: {server}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Copy { from, to } => {
            let report = maeul_api::copy_file_to_server(from, to, &|t| {
                println!(
                    "{:<28} 파일 {:>8} · 서버 {:>8}",
                    t.table, t.source, t.copied
                );
            })
            .await?;
            let rows: i64 = report.tables.iter().map(|t| t.source).sum();
            println!("표 {}개 · 행 {rows}개를 옮겼습니다", report.tables.len());
            match (report.audit_before.first_broken, report.audit.first_broken) {
                (_, None) => {
                    println!("감사 기록 검증: 정상 ({}건)", report.audit.entries);
                    Ok(ExitCode::SUCCESS)
                }
                (before, Some(id)) => {
                    eprintln!(
                        "감사 기록 검증 실패: 서버의 #{id}부터 어긋납니다 (파일에서는 {})",
                        before.map_or("정상".into(), |b| format!("#{b}부터 어긋남"))
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
