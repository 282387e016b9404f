use crate::phone::PhoneError;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("{field}: {source}")]
    Phone {
        field: &'static str,
        source: PhoneError,
    },
    #[error("이 마을에 이미 등록된 번호입니다: {0}")]
    DuplicatePhone(String),
    #[error("{0}을(를) 찾을 수 없습니다")]
    NotFound(&'static str),
    /// Saved from a version someone else has since changed; the message names who and when.
    #[error("{0}")]
    Conflict(String),
    #[error("파일 오류: {0}")]
    Io(#[from] std::io::Error),
    #[error("엑셀 파일 오류: {0}")]
    Xlsx(String),
    #[error("데이터베이스 오류: {0}")]
    Sql(#[from] sqlx::Error),
}

impl RegistryError {
    pub fn field(&self) -> Option<&'static str> {
        match self {
            RegistryError::Invalid { field, .. } | RegistryError::Phone { field, .. } => {
                Some(field)
            }
            RegistryError::DuplicatePhone(_) => Some("phone"),
            _ => None,
        }
    }
}
