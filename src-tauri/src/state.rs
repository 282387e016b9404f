use std::sync::{Arc, Mutex};

use maeul_api::{Actor, ApiError, ApiResult, Console, Desk, ErrorCode, FeedLoop, SyncLoop};

/// What the window holds: the desk, its sync worker, and who is signed in. One person per
/// window.
pub struct AppState {
    pub desk: Desk,
    pub sync: SyncLoop,
    /// The worker's task, awaited on exit so that a pass is never cut mid-write.
    pub sync_task: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    /// Polls the 재난문자 feed into drafts while this PC holds the feed's key.
    pub feed: FeedLoop,
    /// The broadcast console (its engine starts when the 방송 screen first opens).
    pub console: Arc<Console>,
    /// Stores finished recordings; awaited on exit after the engine has stopped.
    pub console_task: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    session: Mutex<Option<Actor>>,
}

impl AppState {
    pub fn new(desk: Desk) -> AppState {
        let (sync, task) = SyncLoop::new(desk.clone(), |s| {
            log::info!("sync: {:?} {:?} (open {})", s.state, s.detail, s.open);
        });
        let task = tauri::async_runtime::spawn(task);
        let (console, console_task) = Console::new(desk.clone());
        let console = Arc::new(console);
        let console_task = tauri::async_runtime::spawn(console_task);
        // Nothing in a poll needs finishing on exit: each draft commits whole. The loop
        // holds the console to play a 위급재난 on the loudspeakers by itself.
        let (feed, feed_task) = FeedLoop::new(desk.clone(), console.clone());
        tauri::async_runtime::spawn(feed_task);
        AppState {
            desk,
            sync,
            sync_task: Mutex::new(Some(task)),
            feed,
            console,
            console_task: Mutex::new(Some(console_task)),
            session: Mutex::new(None),
        }
    }

    /// The signed-in actor as the database has them now, or `not_signed_in`: a deactivated
    /// account is signed out here, at its next command, and a changed role applies at once.
    pub async fn actor(&self) -> ApiResult<Actor> {
        let held = self
            .session
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "session lock poisoned"))?
            .clone()
            .ok_or_else(|| ApiError::new(ErrorCode::NotSignedIn, "로그인하세요"))?;
        match self.desk.refresh_actor(&held).await {
            Ok(now) => {
                if now != held {
                    self.replace_if_held(&held, Some(now.clone()));
                }
                Ok(now)
            }
            Err(e) => {
                if e.code == ErrorCode::NotSignedIn {
                    self.replace_if_held(&held, None);
                }
                Err(e)
            }
        }
    }

    /// Swaps the session only if it is still `held` (a sign-in in between wins).
    fn replace_if_held(&self, held: &Actor, next: Option<Actor>) {
        if let Ok(mut s) = self.session.lock()
            && s.as_ref() == Some(held)
        {
            *s = next;
        }
    }

    pub fn set_actor(&self, actor: Option<Actor>) {
        if let Ok(mut s) = self.session.lock() {
            *s = actor;
        }
    }
}
