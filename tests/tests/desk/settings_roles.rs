//! Every key of the settings table against every role: who may change each is decided in
//! Rust, per key, whichever use case writes it. The last check lists the keys the table
//! holds after every write was tried: a key a new feature stores without a row here fails it.

use std::collections::BTreeSet;

use maeul_api::{ApiResult, ConsoleSettings, Desk, ReminderSettings, Role};
use maeul_dispatch::providers::ProviderSettings;

use crate::fixtures::{actor, admin, desk_with_residents, village_id};

/// How a key is written, and by whom it may be.
#[derive(Debug, Clone, Copy)]
enum Write {
    /// `setting_set` (설정 and `maeul settings set`) with this value.
    Setting(&'static str, &'static str),
    /// The programmes' reminder form, changing only the offsets.
    ReminderOffsets,
    /// The programmes' reminder form, changing the quiet hours.
    ReminderQuietHours,
    /// The console's devices, chain, chimes and all-call, saved together.
    Console,
    /// The provider choice (the sandbox: no keyring needed).
    Provider,
    /// The escalation ladders form (설정).
    Escalation,
}

const ADMIN: &[Role] = &[Role::Admin];
const COUNTY_SENDERS: &[Role] = &[Role::Admin, Role::Operator];
const PLANNERS: &[Role] = &[Role::Admin, Role::Trainer, Role::Livinglab];

/// (keys written, how, who may).
const MATRIX: &[(&[&str], Write, &[Role])] = &[
    (
        &["dispatch.retry_schedule"],
        Write::Setting("dispatch.retry_schedule", "5m,30m"),
        ADMIN,
    ),
    (
        &["dispatch.backoff_base"],
        Write::Setting("dispatch.backoff_base", "2s"),
        ADMIN,
    ),
    (
        &["dispatch.fallback"],
        Write::Setting("dispatch.fallback", "kakao_then_sms"),
        ADMIN,
    ),
    (
        &["dispatch.quiet_hours"],
        Write::Setting("dispatch.quiet_hours", "22:00-06:00"),
        ADMIN,
    ),
    (
        &["dispatch.chief_notice"],
        Write::Setting("dispatch.chief_notice", "on"),
        ADMIN,
    ),
    (
        &["dispatch.retention_days"],
        Write::Setting("dispatch.retention_days", "180"),
        ADMIN,
    ),
    (
        &["dispatch.two_person_approval"],
        Write::Setting("dispatch.two_person_approval", "on"),
        ADMIN,
    ),
    (
        &["dispatch.send_from"],
        Write::Setting("dispatch.send_from", "PC-01"),
        ADMIN,
    ),
    (
        &["programs.reminder_offsets"],
        Write::Setting("programs.reminder_offsets", "3d"),
        ADMIN,
    ),
    (
        &["programs.reminder_offsets"],
        Write::ReminderOffsets,
        PLANNERS,
    ),
    (&["dispatch.quiet_hours"], Write::ReminderQuietHours, ADMIN),
    (
        &[
            "console.devices",
            "console.chain",
            "console.chime",
            "console.chime_before",
            "console.chime_after",
            "console.zone_all",
        ],
        Write::Console,
        COUNTY_SENDERS,
    ),
    (&["dispatch.provider"], Write::Provider, ADMIN),
    (&["dispatch.escalation"], Write::Escalation, ADMIN),
    (
        &["session.idle_lock_minutes"],
        Write::Setting("session.idle_lock_minutes", "20"),
        ADMIN,
    ),
];

/// Each attempt writes a value no earlier one did, so a refusal cannot hide behind "nothing
/// changed".
async fn attempt(desk: &Desk, who: &maeul_api::Actor, how: Write, n: usize) -> ApiResult<()> {
    match how {
        Write::Setting(key, value) => desk.setting_set(who, key, value).await,
        Write::ReminderOffsets => {
            let current = desk.reminder_settings(&admin()).await?;
            let s = ReminderSettings {
                offsets: format!("{}h", n + 1),
                ..current
            };
            desk.set_reminder_settings(who, s).await
        }
        Write::ReminderQuietHours => {
            let current = desk.reminder_settings(&admin()).await?;
            let s = ReminderSettings {
                quiet_hours: format!("21:{:02}-07:00", n % 60),
                ..current
            };
            desk.set_reminder_settings(who, s).await
        }
        Write::Console => {
            let s = ConsoleSettings {
                zone_all: format!("{:03}", n % 1000),
                ..ConsoleSettings::default()
            };
            desk.console_settings_set(who, &s).await
        }
        Write::Escalation => {
            let rung = maeul_dispatch::escalation::Rung {
                after_mins: 1 + (n as u32 % 600),
                action: maeul_dispatch::escalation::Action::Sms,
            };
            let ladders =
                maeul_dispatch::escalation::Ladders([("emergency".to_string(), vec![rung])].into());
            desk.escalation_set(who, ladders).await.map(drop)
        }
        Write::Provider => {
            let s = ProviderSettings {
                name: "sandbox".into(),
                base_url: String::new(),
                api_key: String::new(),
                sender: format!("043-835-{:04}", 3000 + n),
                kakao_pf_id: None,
                kakao_template_id: None,
                media_base_url: None,
                requests_per_second: None,
            };
            desk.provider_set(who, s, None).await
        }
    }
}

#[tokio::test]
async fn every_settings_key_is_written_only_by_the_roles_that_own_it() {
    let desk = desk_with_residents().await;
    let own = village_id(&desk, "연탄1리").await;
    let mut n = 0;
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for (keys, how, may) in MATRIX {
        covered.extend(keys.iter().copied());
        for role in Role::ALL {
            let village = (role == Role::Chief).then_some(own);
            n += 1;
            let result = attempt(&desk, &actor(role, village), *how, n).await;
            let expected = may.contains(&role);
            if result.is_ok() != expected {
                failures.push(format!("{how:?} by {role}: {result:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    let stored: BTreeSet<String> = maeul_db::query_as::<(String,)>("SELECT key FROM settings")
        .fetch_all(desk.db())
        .await
        .unwrap()
        .into_iter()
        .map(|(k,)| k)
        .collect();
    let unknown: Vec<&String> = stored
        .iter()
        .filter(|k| !covered.contains(k.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "settings keys with no row in the role matrix: {unknown:?}"
    );
}
