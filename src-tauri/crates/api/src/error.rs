//! The one error shape that crosses the IPC boundary and the CLI: `{ code, message, field }`.
//! The UI branches on `code`; `message` is Korean for people; `field` names the form field.

use serde::Serialize;

use maeul_accounts::AccountsError;
use maeul_budget::BudgetError;
use maeul_db::DbError;
use maeul_registry::RegistryError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The role may not do this at all.
    Forbidden,
    /// A chief reached outside their own village.
    OutOfScope,
    BadCredentials,
    /// Too many failed sign-ins for this name: the message says until when.
    LockedOut,
    NotSignedIn,
    /// First run: no admin exists yet.
    SetupRequired,
    AlreadySetUp,
    /// A field's value is wrong; `field` says which.
    Invalid,
    Duplicate,
    NotFound,
    /// Saved from a version someone else has changed since: the message names who and when.
    Conflict,
    Io,
    /// An audio device could not be opened or went away.
    Device,
    Database,
    Internal,
}

#[derive(Debug, Clone, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Invalid,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }
}

/// A time or period the user typed (quiet hours, a retry schedule) that does not parse.
impl From<maeul_time::TimeError> for ApiError {
    fn from(e: maeul_time::TimeError) -> ApiError {
        ApiError::invalid(&e.field, e.reason)
    }
}

impl From<AccountsError> for ApiError {
    fn from(e: AccountsError) -> ApiError {
        let code = match &e {
            AccountsError::Forbidden { .. } => ErrorCode::Forbidden,
            AccountsError::OutOfScope => ErrorCode::OutOfScope,
            AccountsError::BadCredentials => ErrorCode::BadCredentials,
            AccountsError::LockedOut { .. } => ErrorCode::LockedOut,
            AccountsError::WeakPassword => return ApiError::invalid("password", e.to_string()),
            AccountsError::Invalid { field, reason } => {
                return ApiError::invalid(field, reason.clone());
            }
            AccountsError::DuplicateUser(_) => {
                return ApiError {
                    code: ErrorCode::Duplicate,
                    message: e.to_string(),
                    field: Some("username".into()),
                };
            }
            AccountsError::AlreadySetUp => ErrorCode::AlreadySetUp,
            AccountsError::UnknownUser(_) => ErrorCode::NotFound,
            AccountsError::AuditBroken(_) | AccountsError::Hash | AccountsError::Anchor(_) => {
                ErrorCode::Internal
            }
            AccountsError::Sql(_) => ErrorCode::Database,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> ApiError {
        let field = e.field().map(str::to_string);
        let code = match &e {
            RegistryError::Invalid { .. } | RegistryError::Phone { .. } => ErrorCode::Invalid,
            RegistryError::DuplicatePhone(_) => ErrorCode::Duplicate,
            RegistryError::NotFound(_) => ErrorCode::NotFound,
            RegistryError::Conflict(_) => ErrorCode::Conflict,
            RegistryError::Io(_) | RegistryError::Xlsx(_) => ErrorCode::Io,
            RegistryError::Sql(_) => ErrorCode::Database,
        };
        ApiError {
            code,
            message: e.to_string(),
            field,
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        let code = match &e {
            DbError::Io { .. } | DbError::BadBackup { .. } => ErrorCode::Io,
            _ => ErrorCode::Database,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::new(ErrorCode::Database, format!("데이터베이스 오류: {e}"))
    }
}

impl From<maeul_mixer::MixerError> for ApiError {
    fn from(e: maeul_mixer::MixerError) -> ApiError {
        use maeul_mixer::MixerError as M;
        let code = match &e {
            M::Invalid { .. } | M::Decode { .. } => ErrorCode::Invalid,
            M::Io { .. } | M::Write(_) => ErrorCode::Io,
            M::Device(_) => ErrorCode::Device,
            M::Encode(_) | M::EngineGone => ErrorCode::Internal,
        };
        let field = match &e {
            M::Decode { .. } => Some("file".to_string()),
            _ => e.field().map(str::to_string),
        };
        ApiError {
            code,
            message: e.to_string(),
            field,
        }
    }
}

impl From<BudgetError> for ApiError {
    fn from(e: BudgetError) -> ApiError {
        let field = e.field().map(str::to_string);
        let code = match &e {
            BudgetError::Invalid { .. } => ErrorCode::Invalid,
            BudgetError::DuplicateNumber(_) => ErrorCode::Duplicate,
            BudgetError::NotFound(_) => ErrorCode::NotFound,
            BudgetError::Conflict(_) => ErrorCode::Conflict,
            BudgetError::Corrupt { .. } | BudgetError::Pdf(_) => ErrorCode::Internal,
            BudgetError::Sql(_) => ErrorCode::Database,
        };
        ApiError {
            code,
            message: e.to_string(),
            field,
        }
    }
}
