//! What can go wrong in dispatch, in words a desk user can act on.

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}을(를) 찾을 수 없습니다")]
    NotFound(&'static str),
    #[error("데이터베이스 오류: {0}")]
    Sql(#[from] sqlx::Error),
    /// The OS credential store (Windows Credential Manager, the kernel keyring) refused.
    #[error("자격 증명 저장소(키링)를 쓸 수 없습니다: {0}")]
    Keyring(String),
    #[error("PDF를 만들 수 없습니다: {0}")]
    Pdf(String),
    /// A CAP document that is not CAP 1.2, or lacks what the desk needs; names the element.
    #[error(transparent)]
    Cap(#[from] crate::cap::CapError),
    /// Saved from a version someone else changed since: who and when, in Korean.
    #[error("{0}")]
    Conflict(String),
}

impl From<maeul_time::TimeError> for DispatchError {
    fn from(e: maeul_time::TimeError) -> DispatchError {
        DispatchError::Invalid {
            field: e.field,
            reason: e.reason,
        }
    }
}

impl DispatchError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> DispatchError {
        DispatchError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The reason alone, for a form that shows it under its own field.
    pub fn reason(&self) -> String {
        match self {
            DispatchError::Invalid { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            DispatchError::Invalid { field, .. } => Some(field),
            DispatchError::Cap(e) => Some(&e.element),
            _ => None,
        }
    }
}
