//! The 재난문자 feed as the desk takes it: one poll turns every new message covering the
//! county into an emergency draft (audited, so every desk's banner shows it at its next
//! live poll), and the loop the app runs polls every `feed.interval_secs` while a service
//! key for the feed's host is in this PC's keyring. The feed unreachable is a state the
//! desk shows, never a reason to stop: the next poll tries again. Each pass also plays a
//! waiting 위급재난 on the loudspeakers when the office set it so (see `console::alarm`),
//! whether or not the poll worked: another desk's poll may have made the draft.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;
use tokio::sync::{Notify, watch};

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_dispatch::cap;
use maeul_dispatch::credentials;
use maeul_dispatch::drafts::{self, Draft, DraftSource};
use maeul_dispatch::feed::{self, client::FeedClient, wire::FeedError};
use maeul_dispatch::secret::Secret;

use crate::{ApiError, ApiResult, Console, Desk, ErrorCode};

/// What one poll found.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct FeedPolled {
    /// Messages the feed listed for the province since yesterday.
    pub listed: u32,
    /// Of those, the ones covering some village of the county.
    pub covering: u32,
    /// Drafts this poll made (a message taken before makes none).
    pub new_drafts: Vec<Draft>,
}

/// 설정's view: the key itself is never shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FeedSettings {
    pub base_url: String,
    pub has_key: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FeedState {
    /// No service key in this PC's keyring: this desk does not poll.
    #[default]
    NotSet,
    Ok,
    /// The feed could not be reached, or answered with an error: `detail` says which.
    Failing,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct FeedStatus {
    pub state: FeedState,
    pub detail: Option<String>,
    /// UTC instant of the last poll that worked.
    pub last_ok_at: Option<String>,
    /// Why the last automatic loudspeaker play of a 위급재난 failed, until one works.
    pub alarm_error: Option<String>,
}

fn feed_error(e: FeedError) -> ApiError {
    let code = match e {
        FeedError::NoKey => ErrorCode::NotFound,
        _ => ErrorCode::Io,
    };
    ApiError::new(code, e.to_string())
}

impl Desk {
    async fn feed_base_url(&self) -> ApiResult<String> {
        let mut conn = self.db.acquire().await?;
        Ok(maeul_db::settings::get(&mut conn, feed::BASE_URL)
            .await?
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| feed::DEFAULT_BASE_URL.to_string()))
    }

    /// Where the feed is, and whether this PC's keyring holds its service key.
    pub async fn feed_settings(&self, actor: &Actor) -> ApiResult<FeedSettings> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        let base_url = self.feed_base_url().await?;
        let has_key = credentials::load(feed::KEYRING_NAME, &base_url)?.is_some();
        Ok(FeedSettings { base_url, has_key })
    }

    /// Asks the feed now, for 설정's "지금 확인" (whoever manages dispatch).
    pub async fn feed_poll_now(&self, actor: &Actor) -> ApiResult<FeedPolled> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        self.feed_poll(Timestamp::now()).await
    }

    /// Where the feed is, and (when given) its service key into this PC's keyring.
    pub async fn feed_set(
        &self,
        actor: &Actor,
        base_url: &str,
        key: Option<&Secret>,
    ) -> ApiResult<()> {
        actor.require(Permission::ManageDispatch, Scope::County)?;
        let base_url = base_url.trim().trim_end_matches('/');
        // The key travels in the query string: in the clear only to this PC (the tests'
        // fake feed), never over the network.
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|l| base_url.starts_with(l));
        if !(base_url.starts_with("https://") || loopback) {
            return Err(ApiError::invalid(
                "base_url",
                "재난문자 서버 주소는 https://로 시작해야 합니다 (서비스 키를 암호화 없이 보내지 않습니다)",
            ));
        }
        if let Some(key) = key.filter(|k| !k.expose().trim().is_empty()) {
            credentials::store(feed::KEYRING_NAME, base_url, key)?;
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        maeul_db::settings::set(&mut tx, feed::BASE_URL, base_url).await?;
        audit::record(
            &mut tx,
            actor,
            "settings.feed",
            "feed",
            &json!({ "base_url": base_url }),
        )
        .await?;
        self.commit(tx).await
    }

    /// Asks the feed once (`now` gives "since yesterday" in Seoul) and makes the drafts.
    pub async fn feed_poll(&self, now: Timestamp) -> ApiResult<FeedPolled> {
        let base_url = self.feed_base_url().await?;
        let key = credentials::load(feed::KEYRING_NAME, &base_url)?
            .ok_or_else(|| feed_error(FeedError::NoKey))?;
        let places = {
            let mut conn = self.db.acquire().await?;
            cap::area::places(&mut conn).await?
        };
        // The 시·도 name the feed's `rgnNm` takes.
        let province = places
            .first()
            .map(|p| cap::area::province(&p.county_code))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Invalid,
                    "마을 명부가 비어 있어 재난문자를 받을 지역을 모릅니다",
                )
            })?;
        let since = maeul_time::seoul_civil(now)
            .date()
            .yesterday()
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let client = FeedClient::new(&base_url, key).map_err(feed_error)?;
        let messages = client.messages(since, province).await.map_err(feed_error)?;
        let system = Actor::system("feed");
        let mut polled = FeedPolled {
            listed: messages.len() as u32,
            covering: 0,
            new_drafts: Vec::new(),
        };
        for m in &messages {
            let villages = feed::covered(&m.regions, &places);
            if villages.is_empty() || !feed::fresh(m, now) {
                continue;
            }
            polled.covering += 1;
            // A covering message stays listed for a day: known ones are read, not written, so
            // a poll a minute does not take the write lock the outbox needs.
            if drafts::exists(&mut *self.db.acquire().await?, DraftSource::Feed, &m.sn).await? {
                continue;
            }
            let new = feed::draft(m, &villages, &places);
            let mut tx = maeul_db::begin_write(&self.db).await?;
            let (id, created) = drafts::insert(&mut tx, &new, &system.username, now).await?;
            if !created {
                // Another desk's poll made it in between.
                continue;
            }
            audit::record(
                &mut tx,
                &system,
                "broadcast.draft.feed",
                &format!("broadcast_draft:{id}"),
                &json!({ "sn": m.sn, "step": m.step, "kind": m.kind, "villages": villages.len() }),
            )
            .await?;
            polled.new_drafts.push(drafts::get(&mut tx, id).await?);
            self.commit(tx).await?;
        }
        Ok(polled)
    }
}

/// Owned by the shell, like the sync loop: polls while the desk is open.
pub struct FeedLoop {
    status: Arc<Mutex<FeedStatus>>,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl FeedLoop {
    pub fn new(
        desk: Desk,
        console: Arc<Console>,
    ) -> (FeedLoop, impl Future<Output = ()> + Send + 'static) {
        let status = Arc::new(Mutex::new(FeedStatus::default()));
        let wake = Arc::new(Notify::new());
        let (stop, stop_rx) = watch::channel(false);
        let handle = FeedLoop {
            status: status.clone(),
            wake: wake.clone(),
            stop,
        };
        (handle, run(desk, console, status, wake, stop_rx))
    }

    pub fn status(&self) -> FeedStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.wake.notify_one();
    }
}

async fn run(
    desk: Desk,
    console: Arc<Console>,
    status: Arc<Mutex<FeedStatus>>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let now = Timestamp::now();
        let mut next = match desk.feed_poll(now).await {
            Ok(p) => {
                if !p.new_drafts.is_empty() {
                    log::info!("feed: {} new drafts", p.new_drafts.len());
                }
                FeedStatus {
                    state: FeedState::Ok,
                    detail: None,
                    last_ok_at: Some(maeul_time::stamp(now)),
                    alarm_error: None,
                }
            }
            Err(e) if e.code == ErrorCode::NotFound => FeedStatus {
                state: FeedState::NotSet,
                detail: Some(e.message),
                last_ok_at: None,
                alarm_error: None,
            },
            Err(e) => {
                let last_ok_at = status.lock().ok().and_then(|s| s.last_ok_at.clone());
                FeedStatus {
                    state: FeedState::Failing,
                    detail: Some(e.message),
                    last_ok_at,
                    alarm_error: None,
                }
            }
        };
        next.alarm_error = match console.auto_alarm(Timestamp::now()).await {
            Ok(Some(recording)) => {
                log::info!("feed: 위급재난 on the loudspeakers as recording {recording}");
                None
            }
            Ok(None) => None,
            Err(e) => {
                log::warn!("feed: loudspeaker alarm failed: {}", e.message);
                Some(e.message)
            }
        };
        if let Ok(mut s) = status.lock() {
            *s = next;
        }
        let secs = desk
            .feed_interval()
            .await
            .unwrap_or(feed::DEFAULT_INTERVAL_SECS);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(secs)) => {}
            _ = wake.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

impl Desk {
    async fn feed_interval(&self) -> ApiResult<u64> {
        let mut conn = self.db.acquire().await?;
        Ok(maeul_db::settings::get(&mut conn, feed::INTERVAL)
            .await?
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|s| *s >= 10)
            .unwrap_or(feed::DEFAULT_INTERVAL_SECS))
    }
}
