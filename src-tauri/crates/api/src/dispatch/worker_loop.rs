//! The sync worker as the app runs it: passes over the outbox for as long as the desk is
//! open, straight on while there is work, every few seconds when idle, backing off when
//! the provider is unreachable or asks us to slow down. It notices going offline and coming
//! back by itself (the last pass's outcome), needs no restart when the provider settings
//! change, and stops cleanly through its handle.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::{Notify, watch};

use maeul_dispatch::provider::Provider;
use maeul_dispatch::worker;

use crate::Desk;

/// Where the sync worker is, as the status bar shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    #[default]
    Idle,
    Sending,
    /// The provider cannot be reached (or a pass ran out of time).
    Offline,
    /// The provider (or its settings) refused the desk's requests.
    Refused,
    RateLimited,
    /// Waiting out quiet hours.
    Quiet,
    /// Stopped after a restore until a person resumes it.
    Paused,
    /// The office's database server cannot be reached (network or server down): nothing is
    /// lost, the outbox is on the server and sending resumes by itself when it answers.
    ServerAway,
    /// This desk is not one that sends (설정's 발송 PC, or no provider secret in its keyring):
    /// what its users compose waits in the shared outbox for a desk that sends.
    QueueOnly,
    Error,
}

/// What the status bar shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct SyncStatus {
    /// The provider in use ("sandbox" when none is configured).
    pub provider: String,
    pub state: SyncState,
    /// Why, in Korean, when not idle or sending.
    pub detail: Option<String>,
    /// Deliveries not yet terminal.
    pub open: u32,
    /// UTC instant of the last pass.
    pub last_pass_at: Option<String>,
}

/// Owned by the shell; dropping it without [`SyncLoop::stop`] leaves the task to the runtime.
pub struct SyncLoop {
    status: Arc<Mutex<SyncStatus>>,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl SyncLoop {
    /// The handle and the loop's future, for the caller's runtime to spawn. `on_change` is
    /// called whenever the status changes (the shell emits it to the window).
    pub fn new(
        desk: Desk,
        on_change: impl Fn(&SyncStatus) + Send + Sync + 'static,
    ) -> (SyncLoop, impl Future<Output = ()> + Send + 'static) {
        let status = Arc::new(Mutex::new(SyncStatus::default()));
        let wake = Arc::new(Notify::new());
        let (stop, stop_rx) = watch::channel(false);
        let handle = SyncLoop {
            status: status.clone(),
            wake: wake.clone(),
            stop,
        };
        let task = run(desk, status, wake, stop_rx, on_change);
        (handle, task)
    }

    pub fn status(&self) -> SyncStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Start a pass now (after a broadcast was queued, or settings changed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Asks the loop to finish its pass and stop.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
        self.wake.notify_one();
    }
}

async fn run(
    desk: Desk,
    status: Arc<Mutex<SyncStatus>>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
    on_change: impl Fn(&SyncStatus) + Send + Sync + 'static,
) {
    let mut provider: Option<(String, Box<dyn Provider>)> = None;
    let mut streak = 0u32;
    let mut purged_at: Option<std::time::Instant> = None;
    let mut ledger_at: Option<std::time::Instant> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        // Retention: at start, then once a day for a desk left open.
        if purged_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(24 * 3600)) {
            match desk.purge_expired(Timestamp::now()).await {
                Ok(0) => {}
                Ok(n) => log::info!("retention: {n} old deliveries purged of numbers and texts"),
                Err(e) => log::warn!("retention purge failed: {}", e.message),
            }
            purged_at = Some(std::time::Instant::now());
        }
        let (mut next, wait) = pass(&desk, &mut provider, &mut streak).await;
        // The reach ledger, once a minute at most: passes come every few seconds during a
        // send, and a minute is soon enough to read whom deliveries reached.
        if ledger_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
            if let Err(e) = desk.reach_refresh().await {
                log::warn!("reach ledger: {}", e.message);
            }
            ledger_at = Some(std::time::Instant::now());
        }
        let changed = {
            let mut s = status.lock().unwrap_or_else(|e| e.into_inner());
            if next.state == SyncState::ServerAway {
                // What was open is unknown while away; the last count stays on show.
                next.open = s.open;
            }
            let before = (s.state, s.detail.clone(), s.open, s.provider.clone());
            let now = (
                next.state,
                next.detail.clone(),
                next.open,
                next.provider.clone(),
            );
            *s = next.clone();
            before != now
        };
        if changed {
            on_change(&next);
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

/// One pass and what it means for the status bar, with how long to wait before the next.
async fn pass(
    desk: &Desk,
    cached: &mut Option<(String, Box<dyn Provider>)>,
    streak: &mut u32,
) -> (SyncStatus, Duration) {
    let mut st = SyncStatus {
        last_pass_at: Some(Timestamp::now().to_string()),
        ..SyncStatus::default()
    };
    let idle = Duration::from_secs(3);
    // A desk on the office server first checks it answers, so that a network cut reads as
    // such (and costs 3 s, not every query's connection timeout).
    if desk.is_on_server()
        && let Err(e) = desk.reach_server(Duration::from_secs(3)).await
    {
        *cached = None;
        st.state = SyncState::ServerAway;
        st.detail = Some(e.message);
        return (st, Duration::from_secs(3));
    }
    // Asked every pass: an office changes which desks send without restarting any of them.
    match desk.send_role().await {
        Ok(crate::SendRole::Sends) => {}
        Ok(crate::SendRole::QueueOnly(why)) => {
            *cached = None;
            st.state = SyncState::QueueOnly;
            st.detail = Some(why);
            st.open = worker::open_count(&desk.db).await.unwrap_or(0);
            return (st, Duration::from_secs(5));
        }
        Err(e) => return error(st, e.message, idle),
    }
    // The provider is rebuilt only when its settings change.
    let key = match desk.provider_settings_json().await {
        Ok(k) => k,
        Err(e) => return error(st, e.message, idle),
    };
    if cached.as_ref().is_none_or(|(k, _)| *k != key) {
        match desk.provider().await {
            Ok(p) => *cached = Some((key, p)),
            Err(e) => {
                *cached = None;
                st.state = SyncState::Refused;
                st.detail = Some(e.message);
                return (st, Duration::from_secs(10));
            }
        }
    }
    let Some((_, provider)) = cached.as_ref() else {
        return error(st, "발송 서비스를 준비하지 못했습니다".into(), idle);
    };
    st.provider = provider.name().to_string();
    let policy = match desk.dispatch_policy().await {
        Ok(p) => p,
        Err(e) => return error(st, e.message, idle),
    };
    let r = match desk.pass(provider.as_ref(), &policy).await {
        Ok(r) => r,
        Err(e) => return error(st, e.message, idle),
    };
    st.open = worker::open_count(&desk.db).await.unwrap_or(0);
    let wait = to_std(r.next_wait(&policy, streak, jiff::SignedDuration::from_secs(1)));
    let (state, detail) = if r.paused.is_some() {
        (
            SyncState::Paused,
            Some(
                "복원한 데이터베이스라 발송을 멈춰 두었습니다: 보낼 내용을 확인한 뒤 발송을 재개하세요"
                    .to_string(),
            ),
        )
    } else if r.deadline {
        (
            SyncState::Offline,
            Some(
                "발송 서버가 응답하지 않아 이번 회차를 멈췄습니다: 곧 다시 시도합니다".to_string(),
            ),
        )
    } else if r.offline {
        (
            SyncState::Offline,
            Some("발송 서버에 연결할 수 없습니다: 연결되면 이어서 보냅니다".to_string()),
        )
    } else if r.rate_limited.is_some() {
        (
            SyncState::RateLimited,
            Some("발송 서버가 잠시 기다려 달라고 합니다".to_string()),
        )
    } else if let Some(why) = r.refused.clone() {
        (SyncState::Refused, Some(why))
    } else if r.quiet && st.open > 0 && !r.progressed() {
        (
            SyncState::Quiet,
            Some("심야 시간(방송 제한)이라 아침까지 기다립니다".to_string()),
        )
    } else if st.open > 0 {
        (SyncState::Sending, None)
    } else {
        (SyncState::Idle, None)
    };
    st.state = state;
    st.detail = detail;
    (st, wait)
}

fn error(mut st: SyncStatus, why: String, wait: Duration) -> (SyncStatus, Duration) {
    st.state = SyncState::Error;
    st.detail = Some(why);
    (st, wait)
}

fn to_std(d: jiff::SignedDuration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::from_secs(1))
}
