//! Passes of the sync worker over the outbox. No actor: sending is the desk's own work, and
//! only what a permitted user put in the outbox is ever sent.

use std::time::Duration;

use jiff::Timestamp;
use maeul_dispatch::policy::{self, Policy};
use maeul_dispatch::provider::Provider;
use maeul_dispatch::worker::{self, TickReport};

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_dispatch::credentials;
use maeul_dispatch::providers::{self, ProviderSettings};
use maeul_dispatch::secret::Secret;
use serde_json::json;

use crate::{ApiError, ApiResult, Desk};

/// What a drain did: passes, what they added up to, and what is still open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drained {
    pub passes: u32,
    pub submitted: u32,
    pub settled: u32,
    pub retries: u32,
    pub failed: u32,
    pub fallbacks: u32,
    pub interruptions: u32,
    pub open: u32,
    pub last: TickReport,
    /// The outbox was paused (after a restore): the drain stopped at once, and why.
    pub paused: Option<String>,
}

/// Whether this desk sends, or only queues what its users compose for the desks that do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendRole {
    Sends,
    /// Why not, in Korean, for the status bar and `maeul sync`.
    QueueOnly(String),
}

impl Desk {
    /// A desk sends when `dispatch.send_from` names it (or is `all`) and, for a real provider,
    /// when this PC's keyring holds the provider's secret: a desk without them only queues,
    /// and the outbox on the shared database waits for one that sends.
    pub async fn send_role(&self) -> ApiResult<SendRole> {
        let listed = {
            let mut conn = self.db.acquire().await?;
            maeul_db::settings::get(&mut conn, policy::SEND_FROM).await?
        };
        let listed = policy::send_from(listed.as_deref().unwrap_or(""))?;
        let desk = policy::desk_name();
        if !policy::sends_from(listed.as_deref(), &desk) {
            return Ok(SendRole::QueueOnly(format!(
                "이 PC({desk})는 발송 PC가 아니라 보낼 내용을 쌓아 두기만 합니다 (발송 PC: {})",
                listed.unwrap_or_default().join(", ")
            )));
        }
        match self.provider_settings_stored().await? {
            Some(s)
                if s.name != "sandbox" && credentials::load(&s.name, &s.base_url)?.is_none() =>
            {
                Ok(SendRole::QueueOnly(format!(
                    "이 PC의 키링에 {} 비밀키가 없어 보낼 내용을 쌓아 두기만 합니다: 비밀키가 있는 PC가 보냅니다",
                    s.name
                )))
            }
            _ => Ok(SendRole::Sends),
        }
    }

    /// The provider the stored configuration names (its secret from the keyring); the
    /// built-in sandbox when none is set.
    pub async fn provider(&self) -> ApiResult<Box<dyn Provider>> {
        let settings = self.provider_settings_stored().await?;
        let secret = match &settings {
            Some(s) if s.name != "sandbox" => credentials::load(&s.name, &s.base_url)?,
            _ => None,
        };
        Ok(providers::build(settings.as_ref(), secret)?)
    }

    /// The stored provider choice as text: the sync loop rebuilds its client when it changes.
    pub(crate) async fn provider_settings_json(&self) -> ApiResult<String> {
        let mut conn = self.db.acquire().await?;
        Ok(maeul_db::settings::get(&mut conn, providers::SETTING)
            .await?
            .unwrap_or_default())
    }

    pub(crate) async fn provider_settings_stored(&self) -> ApiResult<Option<ProviderSettings>> {
        let mut conn = self.db.acquire().await?;
        Ok(maeul_db::settings::get(&mut conn, providers::SETTING)
            .await?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// What 설정 shows: the provider in use (never its secret) and whether the keyring
    /// holds one.
    pub async fn provider_settings(
        &self,
        actor: &Actor,
    ) -> ApiResult<(Option<ProviderSettings>, bool)> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        let s = self.provider_settings_stored().await?;
        let has_secret = match &s {
            Some(s) if s.name != "sandbox" => credentials::load(&s.name, &s.base_url)?.is_some(),
            _ => false,
        };
        Ok((s, has_secret))
    }

    /// Chooses the provider; a new secret (if given) goes to the keyring, the rest to the
    /// settings table. Audited without the secret.
    pub async fn provider_set(
        &self,
        actor: &Actor,
        settings: ProviderSettings,
        secret: Option<Secret>,
    ) -> ApiResult<()> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        settings.validate()?;
        if settings.name != "sandbox" {
            match &secret {
                Some(s) if s.expose().trim().is_empty() => {
                    return Err(ApiError::invalid("secret", "비밀키가 비어 있습니다"));
                }
                Some(s) => credentials::store(&settings.name, &settings.base_url, s)?,
                None if credentials::load(&settings.name, &settings.base_url)?.is_none() => {
                    return Err(ApiError::invalid("secret", "비밀키를 입력하세요"));
                }
                None => {}
            }
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let value = serde_json::to_string(&settings).unwrap_or_default();
        maeul_db::settings::set(&mut tx, providers::SETTING, &value).await?;
        audit::record(
            &mut tx,
            actor,
            "provider.set",
            &settings.name,
            &json!({ "settings": settings, "secret_changed": secret.is_some() }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// 설정's "연결 시험": the stored provider makes one harmless call.
    pub async fn provider_test(&self, actor: &Actor) -> ApiResult<String> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        let provider = self.provider().await?;
        provider
            .check()
            .await
            .map_err(|e| ApiError::new(crate::ErrorCode::Io, e.to_string()))
    }

    /// One pass with the stored policy.
    pub async fn sync_once(&self, provider: &dyn Provider) -> ApiResult<TickReport> {
        let policy = self.dispatch_policy().await?;
        self.pass(provider, &policy).await
    }

    /// Programme reminders that came due into the outbox, then one pass of the worker: what
    /// the app's sync loop, `sync --once` and `sync --drain` all run.
    pub(crate) async fn pass(
        &self,
        provider: &dyn Provider,
        policy: &Policy,
    ) -> ApiResult<TickReport> {
        // One pass at a time per desk: a pass takes back rows this worker left submitting,
        // which is only safe when none of its own calls is still out.
        let _one_at_a_time = self.sender.passes.lock().await;
        let reminders = self.queue_due_reminders(Timestamp::now()).await?;
        // The clock is read again for each pass, just before its deadline starts: a lease is
        // counted from it, and waiting on a busy database above must not eat into the lease.
        let mut r = worker::tick(&self.db, provider, policy, Timestamp::now()).await?;
        // A real provider never takes practice sends; the sandbox settles them beside it.
        if provider.name() != "sandbox" {
            r.absorb(worker::practice_tick(&self.db, policy, Timestamp::now()).await?);
        }
        r.reminders = reminders;
        Ok(r)
    }

    /// Forgets the numbers and texts of deliveries settled longer ago than the retention
    /// setting (default a year), keeping their counts; audited when it purged anything. The
    /// app's sync loop runs it at start and daily, `maeul sync` each time.
    pub async fn purge_expired(&self, now: Timestamp) -> ApiResult<u32> {
        let policy = self.dispatch_policy().await?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        // The reach ledger reads whom deliveries reached before the purge forgets it.
        maeul_dispatch::reach::refresh(&mut tx).await?;
        let purged = maeul_dispatch::store::purge_personal(&mut tx, policy.retention, now).await?;
        if purged > 0 {
            audit::record(
                &mut tx,
                &Actor::system("system:retention"),
                "dispatch.retention_purge",
                "deliveries",
                &json!({ "rows": purged, "days": policy.retention.as_hours() / 24 }),
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(purged)
    }

    /// Why the outbox is paused (a restore, and when), or `None` while it sends.
    pub async fn outbox_paused(&self) -> ApiResult<Option<String>> {
        let mut conn = self.db.acquire().await?;
        Ok(maeul_db::settings::get(&mut conn, maeul_db::settings::OUTBOX_PAUSED).await?)
    }

    /// A person has looked at what a restored database holds and lets it go out; false when
    /// nothing was paused.
    pub async fn outbox_resume(&self, actor: &Actor) -> ApiResult<bool> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let was = maeul_db::settings::get(&mut tx, maeul_db::settings::OUTBOX_PAUSED).await?;
        if was.is_none() {
            return Ok(false);
        }
        maeul_db::settings::remove(&mut tx, maeul_db::settings::OUTBOX_PAUSED).await?;
        audit::record(
            &mut tx,
            actor,
            "dispatch.resume",
            "outbox",
            &json!({ "paused": was }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// The sending policy as stored now (read again each pass: settings take effect at once).
    pub(crate) async fn dispatch_policy(&self) -> ApiResult<Policy> {
        let mut conn = self.db.acquire().await?;
        let mut policy = Policy::load(&mut conn).await?;
        policy.worker = self.sender.worker.to_string();
        Ok(policy)
    }

    /// Deliveries not yet terminal.
    pub async fn sync_open(&self) -> ApiResult<u32> {
        Ok(worker::open_count(&self.db).await?)
    }

    /// Passes until every delivery is terminal or `timeout` has passed. Between passes it
    /// waits briefly (50 ms after a pass that moved something, doubling up to 1 s while
    /// nothing does), or — when the provider was unreachable or asked us to slow down —
    /// for the backoff (the provider's Retry-After when it gave one).
    pub async fn sync_drain(
        &self,
        provider: &dyn Provider,
        timeout: Duration,
        // After each pass: its report, and whether anything is still open (1) or not (0).
        on_pass: &(dyn Fn(&TickReport, u32) + Sync),
    ) -> ApiResult<Drained> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut d = Drained::default();
        let mut streak = 0u32;
        let mut idle_streak = 0u32;
        loop {
            let policy = self.dispatch_policy().await?;
            let r = self.pass(provider, &policy).await?;
            d.passes += 1;
            d.submitted += r.submitted;
            d.settled += r.settled;
            d.retries += r.retries;
            d.failed += r.failed;
            d.fallbacks += r.fallbacks;
            if let Some(why) = r.paused.clone() {
                d.paused = Some(why);
                d.open = self.sync_open().await?;
                return Ok(d);
            }
            let open = worker::any_open(&self.db).await?;
            on_pass(&r, u32::from(open));
            if r.interrupted() {
                d.interruptions += 1;
            }
            // Waiting on receipts: ask again soon after something moved (the last small
            // batch, or the fallbacks it spawned, settle within moments on a fast
            // provider), then less and less often, up to once a second.
            idle_streak = if r.progressed() { 0 } else { idle_streak + 1 };
            let idle = jiff::SignedDuration::from_millis(
                (50i64 << idle_streak.saturating_sub(1).min(5)).min(1000),
            );
            let wait = r.next_wait(&policy, &mut streak, idle);
            d.last = r;
            if !open || tokio::time::Instant::now() >= deadline {
                d.open = self.sync_open().await?;
                return Ok(d);
            }
            let wait = Duration::try_from(wait).unwrap_or(Duration::from_secs(1));
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            tokio::time::sleep(wait.min(left)).await;
        }
    }
}
