#[derive(Debug, thiserror::Error)]
pub enum ProgramsError {
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}을(를) 찾을 수 없습니다")]
    NotFound(&'static str),
    /// Saved from a version someone else has since changed; the message names who and when.
    #[error("{0}")]
    Conflict(String),
    #[error("PDF를 만들 수 없습니다: {0}")]
    Pdf(String),
    #[error("데이터베이스 오류: {0}")]
    Sql(#[from] sqlx::Error),
}

impl ProgramsError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ProgramsError {
        ProgramsError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The reason alone, for a form that shows it under its own field.
    pub fn reason(&self) -> String {
        match self {
            ProgramsError::Invalid { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            ProgramsError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Why a guarded save moved no row: someone saved `what` first, or it is gone.
pub(crate) async fn stale(
    conn: &mut maeul_db::Conn,
    table: maeul_db::versions::Versioned,
    id: i64,
    what: &'static str,
) -> Result<ProgramsError, sqlx::Error> {
    Ok(
        match maeul_db::versions::stale(conn, table, id, what).await? {
            Some(message) => ProgramsError::Conflict(message),
            None => ProgramsError::NotFound(what),
        },
    )
}

impl From<maeul_time::TimeError> for ProgramsError {
    fn from(e: maeul_time::TimeError) -> ProgramsError {
        ProgramsError::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}
