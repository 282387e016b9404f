//! The sending policy, every part a setting with a sensible default: quiet hours, the retry
//! schedule, the backoff base, and which channel stands in when another fails. Reminders
//! (programs) and broadcasts share the quiet hours.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::DispatchError;
use crate::fanout::Channel;

pub use maeul_time::{QUIET_HOURS, QuietHours, parse_durations, seoul, stamp};
pub const RETRY_SCHEDULE: &str = "dispatch.retry_schedule";
/// Whether chiefs get the list of households a settled broadcast did not reach (on | off).
pub const CHIEF_NOTICE: &str = "dispatch.chief_notice";
pub const BACKOFF_BASE: &str = "dispatch.backoff_base";
/// The longest wait between passes while the provider is down or slowing us (a base set
/// longer than this is kept as it is).
const BACKOFF_MAX_SECS: f64 = 60.0;
pub const FALLBACK: &str = "dispatch.fallback";
/// Days a settled delivery keeps the number and text it went to (개인정보 보유기간); after
/// that only its counts remain (channel, state, reason, village).
pub const RETENTION_DAYS: &str = "dispatch.retention_days";
const RETENTION_DEFAULT_DAYS: i64 = 365;
/// Shorter would lose what an auditor asks about a quarter's broadcasts; longer than ten
/// years is no retention at all.
const RETENTION_RANGE: std::ops::RangeInclusive<i64> = 30..=3650;
/// The longest one pass may take (`5s` … `30m`); the lease on the rows it sends is this plus
/// a margin, so a pass is always cut before its lease runs out.
pub const PASS_DEADLINE: &str = "dispatch.pass_deadline";
const PASS_DEADLINE_RANGE: std::ops::RangeInclusive<i64> = 5..=1800;
/// Which desks send (`all`, the default: every desk that holds the provider's secret; or the
/// desks' names, comma-separated). The others only queue: an office keeps sending on the PC
/// whose line and keyring it trusts, and a laptop that joins the database does not.
pub const SEND_FROM: &str = "dispatch.send_from";
/// More names than an office has desks is a typo.
const SEND_FROM_MAX: usize = 32;

/// Which channel stands in when a text fails for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The seed's dual path: SMS first, KakaoTalk when SMS fails.
    SmsThenKakao,
    /// The Korean providers' norm: KakaoTalk first, SMS when it fails.
    KakaoThenSms,
    None,
}

impl Fallback {
    pub fn parse(s: &str) -> Result<Fallback, DispatchError> {
        match s.trim() {
            "sms_then_kakao" => Ok(Fallback::SmsThenKakao),
            "kakao_then_sms" => Ok(Fallback::KakaoThenSms),
            "none" => Ok(Fallback::None),
            other => Err(DispatchError::invalid(
                FALLBACK,
                format!("sms_then_kakao, kakao_then_sms, none 중 하나입니다 (받은 값: {other:?})"),
            )),
        }
    }

    /// The channel that takes over when `failed` fails for good.
    pub fn after(self, failed: Channel) -> Option<Channel> {
        match (self, failed) {
            (Fallback::SmsThenKakao, Channel::Sms) => Some(Channel::Kakao),
            (Fallback::KakaoThenSms, Channel::Kakao) => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// Everything the worker needs to decide when and whether to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The waits before the 2nd, 3rd … attempt (`dispatch.retry_schedule`).
    pub waits: Vec<SignedDuration>,
    /// The first wait after a rate limit or an unreachable provider, doubled each time
    /// (`dispatch.backoff_base`); a Retry-After from the provider wins.
    pub backoff_base: SignedDuration,
    pub fallback: Fallback,
    pub quiet: QuietHours,
    /// How many deliveries one pass hands the provider.
    pub batch: u32,
    pub chief_notice: bool,
    /// How long settled deliveries keep their numbers and texts (`dispatch.retention_days`).
    pub retention: SignedDuration,
    /// The longest one pass may take: a provider that accepts connections but stalls would
    /// otherwise hold the sync loop (and the status bar) in one pass for ever. What a cut pass
    /// left submitting is looked up at the provider by the next.
    pub pass_deadline: SignedDuration,
    /// This worker's name on the rows it leases ([`worker_name`]): what another desk's
    /// status shows as holding them.
    pub worker: String,
}

/// The machine and process a worker runs in, e.g. `PC-01:4242`: the app and `maeul sync`
/// on one PC are two workers.
pub fn worker_name() -> String {
    format!("{}:{}", desk_name(), std::process::id())
}

/// This PC's name as [`SEND_FROM`] lists it: the Windows computer name, else the host name.
pub fn desk_name() -> String {
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "desk".into())
}

/// The desks [`SEND_FROM`] names, or `None` for `all` (and for no setting).
pub fn send_from(value: &str) -> Result<Option<Vec<String>>, DispatchError> {
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    let names: Vec<String> = value.split(',').map(|n| n.trim().to_string()).collect();
    if let Some(i) = names.iter().position(|n| n.is_empty()) {
        return Err(DispatchError::invalid(
            SEND_FROM,
            format!(
                "{}번째 PC 이름이 비어 있습니다 (예: all 또는 PC-01,PC-02)",
                i + 1
            ),
        ));
    }
    if let Some(bad) = names
        .iter()
        .find(|n| n.chars().count() > 63 || n.chars().any(char::is_whitespace))
    {
        return Err(DispatchError::invalid(
            SEND_FROM,
            format!("PC 이름에는 공백을 쓸 수 없고 63자까지입니다 (받은 값: {bad:?})"),
        ));
    }
    if names.len() > SEND_FROM_MAX {
        return Err(DispatchError::invalid(
            SEND_FROM,
            format!("발송 PC는 {SEND_FROM_MAX}대까지 적을 수 있습니다"),
        ));
    }
    Ok(Some(names))
}

/// Whether `desk` is one of the sending desks; names compare without case, as Windows
/// computer names do.
pub fn sends_from(listed: Option<&[String]>, desk: &str) -> bool {
    listed.is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(desk)))
}

fn pass_deadline(value: &str) -> Result<SignedDuration, DispatchError> {
    let bad = || {
        DispatchError::invalid(
            PASS_DEADLINE,
            format!(
                "{}초에서 {}분 사이의 기간 하나입니다 (예: 2m, 받은 값: {value})",
                PASS_DEADLINE_RANGE.start(),
                PASS_DEADLINE_RANGE.end() / 60
            ),
        )
    };
    match parse_durations(PASS_DEADLINE, value)?.as_slice() {
        [d] if PASS_DEADLINE_RANGE.contains(&d.as_secs()) => Ok(*d),
        _ => Err(bad()),
    }
}

fn retention_days(value: &str) -> Result<i64, DispatchError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| RETENTION_RANGE.contains(d))
        .ok_or_else(|| {
            DispatchError::invalid(
                RETENTION_DAYS,
                format!(
                    "보유 기간은 {}~{}일 사이의 날 수입니다 (받은 값: {value})",
                    RETENTION_RANGE.start(),
                    RETENTION_RANGE.end()
                ),
            )
        })
}

fn on_off(key: &str, value: &str) -> Result<bool, DispatchError> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(DispatchError::invalid(key, "on 또는 off 입니다")),
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            waits: vec![SignedDuration::from_mins(3), SignedDuration::from_mins(15)],
            backoff_base: SignedDuration::from_secs(2),
            fallback: Fallback::SmsThenKakao,
            quiet: QuietHours::default(),
            batch: 5000,
            chief_notice: true,
            retention: SignedDuration::from_hours(24 * RETENTION_DEFAULT_DAYS),
            pass_deadline: SignedDuration::from_mins(2),
            worker: worker_name(),
        }
    }
}

impl Policy {
    /// The stored settings over the defaults; a bad stored value is refused by its key.
    pub async fn load(conn: &mut maeul_db::Conn) -> Result<Policy, DispatchError> {
        use maeul_db::settings::get;
        let mut p = Policy::default();
        if let Some(v) = get(conn, RETRY_SCHEDULE).await? {
            p.waits = parse_durations(RETRY_SCHEDULE, &v)?;
        }
        if let Some(v) = get(conn, BACKOFF_BASE).await? {
            p.backoff_base = parse_durations(BACKOFF_BASE, &v)?
                .first()
                .copied()
                .ok_or_else(|| DispatchError::invalid(BACKOFF_BASE, "값이 비어 있습니다"))?;
        }
        if let Some(v) = get(conn, FALLBACK).await? {
            p.fallback = Fallback::parse(&v)?;
        }
        if let Some(v) = get(conn, QUIET_HOURS).await? {
            p.quiet = QuietHours::parse(&v)?;
        }
        if let Some(v) = get(conn, CHIEF_NOTICE).await? {
            p.chief_notice = on_off(CHIEF_NOTICE, &v)?;
        }
        if let Some(v) = get(conn, RETENTION_DAYS).await? {
            p.retention = SignedDuration::from_hours(24 * retention_days(&v)?);
        }
        if let Some(v) = get(conn, PASS_DEADLINE).await? {
            p.pass_deadline = pass_deadline(&v)?;
        }
        Ok(p)
    }

    /// Checks a value for one of the policy's keys before it is stored.
    pub fn check_setting(key: &str, value: &str) -> Result<(), DispatchError> {
        match key {
            RETRY_SCHEDULE => parse_durations(key, value).map(drop).map_err(Into::into),
            BACKOFF_BASE => match parse_durations(key, value)?.len() {
                1 => Ok(()),
                _ => Err(DispatchError::invalid(
                    key,
                    "기간 하나를 적어 주세요 (예: 2s)",
                )),
            },
            FALLBACK => Fallback::parse(value).map(drop),
            QUIET_HOURS => QuietHours::parse(value).map(drop).map_err(Into::into),
            CHIEF_NOTICE => on_off(key, value).map(drop),
            RETENTION_DAYS => retention_days(value).map(drop),
            PASS_DEADLINE => pass_deadline(value).map(drop),
            SEND_FROM => send_from(value).map(drop),
            _ => Err(DispatchError::invalid(key, "발송 설정이 아닙니다")),
        }
    }

    /// How long a pass's rows stay leased: its deadline (the pass is cut then, dropping its
    /// provider call) plus a quarter of it, at least a second and at most 30 s, for the
    /// commit after the cut and for clocks that differ between desks.
    pub fn lease(&self) -> SignedDuration {
        let margin = (self.pass_deadline / 4)
            .clamp(SignedDuration::from_secs(1), SignedDuration::from_secs(30));
        self.pass_deadline + margin
    }

    /// The wait after the `n`th consecutive rate limit or outage (n from 1): the base doubled
    /// each time, capped at a minute, with up to a quarter added as jitter so that many
    /// desks do not return at once. A minute, not more: one pass costs the provider a request
    /// or two, and staff waiting on a line that came back should see sending resume soon.
    pub fn backoff(&self, n: u32, jitter: f64) -> SignedDuration {
        let base = self.backoff_base.as_secs_f64() * 2f64.powi(n.saturating_sub(1).min(16) as i32);
        let capped = base.min(BACKOFF_MAX_SECS.max(self.backoff_base.as_secs_f64()));
        SignedDuration::from_secs_f64(capped * (1.0 + 0.25 * jitter.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_from_is_all_or_a_list_of_desk_names() {
        assert_eq!(send_from("").unwrap(), None);
        assert_eq!(send_from(" ALL ").unwrap(), None);
        let listed = send_from("PC-01, desk-jp").unwrap();
        assert_eq!(
            listed.as_deref(),
            Some(&["PC-01".into(), "desk-jp".into()][..])
        );
        assert!(
            sends_from(listed.as_deref(), "pc-01"),
            "Windows names ignore case"
        );
        assert!(!sends_from(listed.as_deref(), "PC-02"));
        assert!(sends_from(None, "anything"));
        for bad in ["PC-01,,PC-02", "PC 01", ","] {
            let e = send_from(bad).unwrap_err();
            assert!(e.to_string().contains(SEND_FROM), "{bad}: {e}");
        }
        assert!(Policy::check_setting(SEND_FROM, "PC-01").is_ok());
    }
}
