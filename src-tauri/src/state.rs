use std::sync::Mutex;

use maeul_api::{Actor, ApiError, ApiResult, Desk, ErrorCode};

/// What the window holds: the desk and who is signed in. One person per window.
pub struct AppState {
    pub desk: Desk,
    session: Mutex<Option<Actor>>,
}

impl AppState {
    pub fn new(desk: Desk) -> AppState {
        AppState {
            desk,
            session: Mutex::new(None),
        }
    }

    /// The signed-in actor, or `not_signed_in`.
    pub fn actor(&self) -> ApiResult<Actor> {
        self.session
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "session lock poisoned"))?
            .clone()
            .ok_or_else(|| ApiError::new(ErrorCode::NotSignedIn, "로그인하세요"))
    }

    pub fn set_actor(&self, actor: Option<Actor>) {
        if let Ok(mut s) = self.session.lock() {
            *s = actor;
        }
    }
}
