//! `maeul group …`: the office's subscriber groups, for scripts (the same `Desk` as the app).

use std::process::ExitCode;

use clap::Subcommand;

use maeul_api::{Actor, ApiError, Desk};
use maeul_registry::{Enrollment, Group, GroupInput, SubscriberFilter, phone};

#[derive(Subcommand)]
pub enum GroupCommand {
    /// Every group with its member and village counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A new, empty group; prints its id.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Add subscribers by phone number (several as "010-…,010-…") and/or every approved
    /// subscriber of villages ("사곡리,창동1리").
    Add {
        name: String,
        #[arg(long)]
        phones: Option<String>,
        #[arg(long)]
        villages: Option<String>,
    },
    /// Take subscribers out by phone number.
    Remove {
        name: String,
        #[arg(long)]
        phones: String,
    },
    /// Delete a group (its members stay in the registry).
    Delete { name: String },
}

/// A group by its exact name, or the named-field error listing the names there are.
pub async fn group_named(desk: &Desk, actor: &Actor, name: &str) -> Result<Group, ApiError> {
    let all = desk.list_groups(actor).await?;
    let names: Vec<String> = all.iter().map(|g| g.name.clone()).collect();
    all.into_iter()
        .find(|g| g.name == name.trim())
        .ok_or_else(|| {
            ApiError::invalid(
                "groups",
                format!("없는 그룹입니다: {name} (있는 그룹: {})", names.join(", ")),
            )
        })
}

/// Subscriber ids for phone numbers, refusing a number that is not in the registry by name.
async fn ids_of_phones(desk: &Desk, actor: &Actor, phones: &str) -> Result<Vec<i64>, ApiError> {
    let wanted: Vec<String> = phones
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            phone::normalize(p)
                .map(|n| n.e164)
                .map_err(|e| ApiError::invalid("phones", format!("{p}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let rows = desk
        .list_subscribers(
            actor,
            SubscriberFilter {
                enrollment: Some(Enrollment::Approved),
                ..SubscriberFilter::default()
            },
        )
        .await?;
    wanted
        .iter()
        .map(|e164| {
            let display = phone::display(e164);
            rows.iter()
                .find(|r| r.phone == display)
                .map(|r| r.id)
                .ok_or_else(|| {
                    ApiError::invalid("phones", format!("명부에 없는 번호입니다: {display}"))
                })
        })
        .collect()
}

pub async fn group(
    desk: &Desk,
    actor: &Actor,
    command: GroupCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        GroupCommand::List { json } => {
            let groups = desk.list_groups(actor).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&groups).unwrap_or_default()
                );
            } else {
                for g in groups {
                    println!(
                        "{}\t{}\t{}명\t{}개 마을\t{}",
                        g.id, g.name, g.members, g.villages, g.note
                    );
                }
            }
        }
        GroupCommand::Create { name, note } => {
            let g = desk.create_group(actor, GroupInput { name, note }).await?;
            println!("{}", g.id);
        }
        GroupCommand::Add {
            name,
            phones,
            villages,
        } => {
            let g = group_named(desk, actor, &name).await?;
            let mut ids = match &phones {
                Some(p) => ids_of_phones(desk, actor, p).await?,
                None => Vec::new(),
            };
            if let Some(v) = &villages {
                for village in desk.villages_named(actor, v).await? {
                    let rows = desk
                        .list_subscribers(
                            actor,
                            SubscriberFilter {
                                village_id: Some(village.id),
                                enrollment: Some(Enrollment::Approved),
                                ..SubscriberFilter::default()
                            },
                        )
                        .await?;
                    ids.extend(rows.into_iter().map(|r| r.id));
                }
            }
            if ids.is_empty() {
                return Err(ApiError::invalid(
                    "phones",
                    "--phones 또는 --villages로 넣을 사람을 고르세요",
                ));
            }
            let before = g.members;
            let g = desk.change_group_members(actor, g.id, ids, false).await?;
            println!("{}: {}명 (+{})", g.name, g.members, g.members - before);
        }
        GroupCommand::Remove { name, phones } => {
            let g = group_named(desk, actor, &name).await?;
            let ids = ids_of_phones(desk, actor, &phones).await?;
            let before = g.members;
            let g = desk.change_group_members(actor, g.id, ids, true).await?;
            println!("{}: {}명 (-{})", g.name, g.members, before - g.members);
        }
        GroupCommand::Delete { name } => {
            let g = group_named(desk, actor, &name).await?;
            desk.delete_group(actor, g.id).await?;
            println!("삭제: {}", g.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
