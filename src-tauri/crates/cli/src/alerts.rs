//! `maeul alert …`: CAP alerts from other systems as broadcast drafts, and the drafts
//! waiting for a person (send with one command, or dismiss).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use maeul_api::{Actor, ApiError, Desk, ErrorCode};

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Read a CAP 1.2 alert (XML) and make a draft for the villages it covers.
    Import { file: PathBuf },
    /// The drafts waiting to be sent or dismissed, newest first.
    Drafts {
        #[arg(long)]
        json: bool,
    },
    /// Send a draft as it stands (prints the broadcast's id).
    Send { id: i64 },
    /// Close a draft without sending.
    Dismiss { id: i64 },
}

pub async fn alert(
    desk: &Desk,
    actor: &Actor,
    command: AlertCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        AlertCommand::Import { file } => {
            let got = desk.alert_import_file(actor, &file).await?;
            if got.dismissed > 0 {
                println!("앞선 경보의 초안 {}건을 닫았습니다", got.dismissed);
            }
            match got.draft {
                Some(d) => {
                    let shown: Vec<&str> =
                        got.villages.iter().take(5).map(String::as_str).collect();
                    let more = got.villages.len().saturating_sub(shown.len());
                    println!(
                        "{} 초안 {}: {} · 마을 {}곳 ({}{})",
                        if got.created {
                            "새"
                        } else {
                            "이미 가져온"
                        },
                        d.id,
                        d.title,
                        got.villages.len(),
                        shown.join(", "),
                        if more > 0 {
                            format!(" 외 {more}곳")
                        } else {
                            String::new()
                        }
                    );
                }
                None => println!("취소 경보: 새 초안은 없습니다"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AlertCommand::Drafts { json } => {
            let drafts = desk.drafts_open(actor).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&drafts).unwrap_or_default()
                );
                return Ok(ExitCode::SUCCESS);
            }
            if drafts.is_empty() {
                println!("기다리는 초안이 없습니다");
            }
            for d in drafts {
                println!("{}\t{}\t{}\t{}", d.id, d.event, d.title, d.issuer);
            }
            Ok(ExitCode::SUCCESS)
        }
        AlertCommand::Send { id } => {
            let version = current_version(desk, actor, id).await?;
            let created = desk.draft_send(actor, id, version).await?;
            // Sent already: a closed stderr must not hide the broadcast's id below.
            let _ = writeln!(
                std::io::stderr(),
                "초안 {id}을(를) 보냈습니다: 발송 {}건",
                created
                    .summary
                    .per_channel
                    .iter()
                    .map(|c| c.deliveries)
                    .sum::<u32>()
            );
            println!("{}", created.id);
            Ok(ExitCode::SUCCESS)
        }
        AlertCommand::Dismiss { id } => {
            let version = current_version(desk, actor, id).await?;
            desk.draft_dismiss(actor, id, version).await?;
            println!("초안 {id}을(를) 닫았습니다");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A person at the command line acts on the draft as it is now: its current version, so a
/// draft another desk already sent or dismissed is refused rather than sent twice.
async fn current_version(desk: &Desk, actor: &Actor, id: i64) -> Result<i64, ApiError> {
    desk.drafts_open(actor)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| d.version)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("기다리는 초안 {id}이(가) 없습니다 (이미 보냈거나 닫혔을 수 있습니다)"),
            )
        })
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Where the 재난문자 feed is, and its service key (from an environment variable, into
    /// this PC's keyring).
    Set {
        #[arg(long, default_value = maeul_dispatch::feed::DEFAULT_BASE_URL)]
        base_url: String,
        #[arg(long)]
        key_env: String,
    },
    /// Ask the feed once; messages covering the county become drafts.
    Poll,
    /// The recording the loudspeakers play for a disaster draft (none without
    /// --recording), and whether a 위급재난 plays by itself (--auto).
    Alarm {
        #[arg(long)]
        recording: Option<i64>,
        #[arg(long)]
        auto: bool,
    },
}

pub async fn feed(desk: &Desk, actor: &Actor, command: FeedCommand) -> Result<ExitCode, ApiError> {
    match command {
        FeedCommand::Set { base_url, key_env } => {
            let key = crate::dispatch::from_env(&Some(key_env), "key")?.unwrap_or_default();
            let key = maeul_dispatch::secret::Secret::new(key);
            desk.feed_set(actor, &base_url, Some(&key)).await?;
            println!("재난문자: {base_url} (서비스 키는 이 PC의 키링에)");
            Ok(ExitCode::SUCCESS)
        }
        FeedCommand::Poll => {
            let p = desk.feed_poll(jiff::Timestamp::now()).await?;
            println!(
                "재난문자 {}건 · 우리 군 {}건 · 새 초안 {}건",
                p.listed,
                p.covering,
                p.new_drafts.len()
            );
            for d in p.new_drafts {
                println!(
                    "{}\t{}\t{}",
                    d.id,
                    d.title,
                    d.body.lines().next().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        FeedCommand::Alarm { recording, auto } => {
            desk.alarm_set(actor, recording, auto).await?;
            let s = desk.alarm_settings(actor).await?;
            match s.recording_title {
                Some(title) => println!(
                    "확성기 재난 경보: 녹음 {} '{title}' · 위급재난 자동 방송 {}",
                    s.recording_id.unwrap_or_default(),
                    if s.auto_critical { "켬" } else { "끔" }
                ),
                None => println!("확성기 재난 경보: 녹음 없음 (확성기로 틀지 않음)"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
