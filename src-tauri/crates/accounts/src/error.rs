use crate::{Permission, Role};

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("권한이 없습니다: {role} 역할은 '{permission}' 작업을 할 수 없습니다")]
    Forbidden { role: Role, permission: Permission },
    #[error("이 마을의 자료에는 권한이 없습니다 (담당 마을만 가능)")]
    OutOfScope,
    #[error("아이디 또는 비밀번호가 올바르지 않습니다")]
    BadCredentials,
    #[error(
        "로그인에 여러 번 실패해 이 아이디는 {until}까지 잠겼습니다. {until} 이후에 다시 시도하세요 (약 {minutes}분)"
    )]
    LockedOut { until: String, minutes: i64 },
    #[error("비밀번호는 8자 이상이어야 합니다")]
    WeakPassword,
    #[error("이미 있는 아이디입니다: {0}")]
    DuplicateUser(String),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("관리자 계정이 이미 있습니다")]
    AlreadySetUp,
    #[error("사용자를 찾을 수 없습니다: {0}")]
    UnknownUser(i64),
    #[error("감사 로그가 손상되었습니다: {0}번 항목부터 연결이 끊어졌습니다")]
    AuditBroken(i64),
    #[error("감사 로그의 끝을 기록하지 못했습니다: {0}")]
    Anchor(String),
    #[error("비밀번호 처리 오류")]
    Hash,
    #[error("데이터베이스 오류: {0}")]
    Sql(#[from] sqlx::Error),
}
