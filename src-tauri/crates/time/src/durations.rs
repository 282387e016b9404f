//! Lists of durations as settings write them: `"3m,15m"`, `"1d,2h,30m"`.

use jiff::SignedDuration;

use crate::TimeError;

/// `"3m,15m"`, `"1d,2h,30m"`: a list of positive durations.
pub fn parse_durations(field: &str, s: &str) -> Result<Vec<SignedDuration>, TimeError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let split = part.len() - part.chars().last().map_or(0, char::len_utf8);
        let (n, unit) = part.split_at(split);
        let n: i64 = n.trim().parse().map_err(|_| {
            TimeError::invalid(field, format!("'{part}'은(는) 1d, 2h, 30m 형식이 아닙니다"))
        })?;
        let d = match unit {
            "d" => SignedDuration::from_hours(24 * n),
            "h" => SignedDuration::from_hours(n),
            "m" => SignedDuration::from_mins(n),
            "s" => SignedDuration::from_secs(n),
            _ => {
                return Err(TimeError::invalid(
                    field,
                    format!("'{part}': 단위는 d, h, m, s 중 하나입니다"),
                ));
            }
        };
        if n <= 0 {
            return Err(TimeError::invalid(
                field,
                format!("'{part}': 0보다 커야 합니다"),
            ));
        }
        out.push(d);
    }
    Ok(out)
}
