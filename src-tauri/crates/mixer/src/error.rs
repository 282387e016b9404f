use std::path::Path;

/// What can go wrong in the mixer, in words for the person at the desk.
#[derive(Debug, thiserror::Error)]
pub enum MixerError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{file}을(를) 읽을 수 없습니다: {reason}")]
    Decode { file: String, reason: String },
    #[error("인코딩 실패: {0}")]
    Encode(String),
    #[error("오디오 장치: {0}")]
    Device(String),
    #[error("{reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("파일 쓰기 실패: {0}")]
    Write(#[from] std::io::Error),
    #[error("방송 엔진이 멈췄습니다")]
    EngineGone,
}

impl MixerError {
    pub fn io(path: &Path, source: std::io::Error) -> MixerError {
        MixerError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    pub fn invalid(field: &'static str, reason: impl Into<String>) -> MixerError {
        MixerError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            MixerError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
