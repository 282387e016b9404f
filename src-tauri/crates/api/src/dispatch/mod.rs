//! Broadcasts to phones: compose, check who gets what, send (a chief to their own village),
//! approve, cancel, follow progress, resend to the not-reached; the sending policy settings.
//! Sending itself is the sync worker's ([`sync`]), which takes only from the outbox.

mod alerts;
mod broadcasts;
mod escalation;
mod feed;
mod reminders_out;
mod settings;
mod sync;
mod templates;
mod worker_loop;

pub use alerts::AlertImported;
pub use broadcasts::{BroadcastDetail, Created};
pub use feed::{FeedLoop, FeedPolled, FeedSettings, FeedState, FeedStatus};
pub use settings::{DispatchSettings, IDLE_LOCK_MINUTES, SessionSettings};
pub use sync::{Drained, SendRole};
pub use templates::FieldValue;
pub use worker_loop::{SyncLoop, SyncState, SyncStatus};

use maeul_dispatch::DispatchError;

use crate::{ApiError, ErrorCode};

impl From<DispatchError> for ApiError {
    fn from(e: DispatchError) -> ApiError {
        let field = e.field().map(str::to_string);
        let code = match &e {
            DispatchError::Invalid { .. } | DispatchError::Cap(_) => ErrorCode::Invalid,
            DispatchError::Conflict(_) => ErrorCode::Conflict,
            DispatchError::NotFound(_) => ErrorCode::NotFound,
            DispatchError::Sql(_) => ErrorCode::Database,
            DispatchError::Keyring(_) | DispatchError::Pdf(_) => ErrorCode::Io,
        };
        ApiError {
            code,
            message: e.to_string(),
            field,
        }
    }
}
