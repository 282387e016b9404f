//! Files the user names: printed reports, exports, backups. The desk runs on Windows PCs
//! and its files travel between them, so a name Windows refuses is refused here on every
//! platform, with a message naming the character — not an OS error code, and never NTFS's
//! silent reading of `보고서:1.csv` as a hidden stream of a file called `보고서`.

use std::path::Path;

use crate::{ApiError, ApiResult, ErrorCode};

/// Characters no Windows file name may hold (besides the control characters).
const REFUSED: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

/// Names Windows keeps for devices, with or without an extension (`NUL.csv` is NUL).
const DEVICES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Checks the last part of `path` (the name the user typed; the folders exist already or
/// came from a file dialog) and answers which character or rule it breaks.
pub fn check_file_name(field: &str, path: &Path) -> ApiResult<()> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Err(ApiError::invalid(
            field,
            format!("파일 이름이 없습니다: {}", path.display()),
        ));
    };
    if let Some(c) = name.chars().find(|c| REFUSED.contains(c) || c.is_control()) {
        let shown = if c.is_control() {
            format!("제어 문자 U+{:04X}", c as u32)
        } else {
            format!("'{c}'")
        };
        return Err(ApiError::invalid(
            field,
            format!(
                "파일 이름에 Windows가 쓰지 못하게 하는 문자가 있습니다 ({shown}): {name} — < > : \" / \\ | ? * 는 빼고 다시 정하세요"
            ),
        ));
    }
    if name.ends_with(['.', ' ']) {
        return Err(ApiError::invalid(
            field,
            format!("파일 이름이 점이나 빈칸으로 끝나면 Windows에서 열 수 없습니다: '{name}'"),
        ));
    }
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    if DEVICES.iter().any(|d| d.eq_ignore_ascii_case(stem)) {
        return Err(ApiError::invalid(
            field,
            format!(
                "'{stem}'은(는) Windows가 장치 이름으로 쓰므로 파일 이름이 될 수 없습니다: {name}"
            ),
        ));
    }
    Ok(())
}

/// Writes a printed or exported file where the user chose, with a Korean error naming it.
pub async fn save_file(path: &Path, bytes: &[u8]) -> ApiResult<()> {
    check_file_name("out", path)?;
    tokio::fs::write(path, bytes)
        .await
        .map_err(|e| io_error(path, &e))
}

/// An error writing `path`, in words an office user can act on.
pub(crate) fn io_error(path: &Path, e: &std::io::Error) -> ApiError {
    // ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION: on Windows a file open in Excel or a
    // PDF viewer cannot be replaced.
    let held = matches!(e.raw_os_error(), Some(32 | 33)) && cfg!(windows);
    let message = if held {
        format!(
            "{}을(를) 다른 프로그램(엑셀, PDF 보기 등)이 열고 있어 저장할 수 없습니다. 그 프로그램을 닫고 다시 하세요",
            path.display()
        )
    } else {
        format!("{}에 저장할 수 없습니다: {e}", path.display())
    };
    ApiError::new(ErrorCode::Io, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(name: &str) -> String {
        let e = check_file_name("out", Path::new("/tmp").join(name).as_path()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("out"));
        e.message
    }

    #[test]
    fn names_windows_accepts_pass() {
        for name in [
            "주민명부.xlsx",
            "홍 길동 발송결과.csv",
            "공감행정 ②-5.pdf",
            "2026-12-05 백업.db",
            "CONSOLE.txt",
        ] {
            check_file_name("out", &Path::new("/tmp").join(name)).unwrap();
        }
    }

    #[test]
    fn names_windows_refuses_are_refused_by_character_or_rule() {
        assert!(refused("보고서:1.csv").contains("':'"));
        assert!(refused("행사?.pdf").contains("'?'"));
        assert!(refused("a*b.ics").contains("'*'"));
        assert!(refused("탭\t문자.csv").contains("U+0009"));
        assert!(refused("끝에 점.").contains("점이나 빈칸"));
        assert!(refused("nul.csv").contains("장치 이름"));
        assert!(refused("COM1").contains("장치 이름"));
    }
}
