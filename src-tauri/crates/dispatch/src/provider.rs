//! What every carrier client offers the sync worker. Small on purpose: another carrier
//! (Solapi, Twilio, KT, NHN Cloud) is one module implementing these three calls.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::fanout::Channel;
use crate::keypad::{Keypad, Reply};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One message as the provider receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub delivery_id: i64,
    pub channel: Channel,
    pub to: String,
    /// The broadcast's title: an LMS subject, a KakaoTalk heading.
    pub subject: String,
    pub text: String,
    /// The telephony rendition a voice call plays; without it the text is read aloud.
    pub recording: Option<String>,
    /// Sent along (as a custom field) so that a lookup after a crash can find the message.
    pub idempotency_key: String,
    /// What a voice call asks to be pressed after the message (`None` for texts).
    pub keypad: Option<Keypad>,
}

/// Our reasons, whatever the provider's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    NoAnswer,
    Busy,
    BadNumber,
    OptedOut,
    UnregisteredSender,
    RateLimited,
    ProviderError,
    /// The phone is off or out of coverage.
    PowerOff,
    /// 카카오톡 미사용자 — the number has no KakaoTalk (or blocked alimtalk): a text reaches it.
    NotKakaoUser,
    /// Alimtalk goes only between 08:00 and 20:00.
    OutsideHours,
    /// 변작된 발신번호 — the sender number's owner barred it from internet sending (the
    /// carrier's anti-spoofing service): nothing goes from it until they lift the bar.
    SpoofedSender,
    /// The account or sender is blocked (a KISA spam report, the provider's own block).
    SenderBlocked,
    /// The provider refused the message itself (its format, length, characters).
    BadMessage,
    /// The carrier failed to deliver, for a reason the provider did not name.
    CarrierError,
}

impl Reason {
    pub const ALL: [Reason; 14] = [
        Reason::NoAnswer,
        Reason::Busy,
        Reason::BadNumber,
        Reason::OptedOut,
        Reason::UnregisteredSender,
        Reason::RateLimited,
        Reason::ProviderError,
        Reason::PowerOff,
        Reason::NotKakaoUser,
        Reason::OutsideHours,
        Reason::SpoofedSender,
        Reason::SenderBlocked,
        Reason::BadMessage,
        Reason::CarrierError,
    ];

    /// Whether another attempt can succeed.
    pub fn retryable(self) -> bool {
        match self {
            Reason::NoAnswer
            | Reason::Busy
            | Reason::RateLimited
            | Reason::ProviderError
            | Reason::PowerOff
            | Reason::OutsideHours
            | Reason::CarrierError => true,
            Reason::BadNumber
            | Reason::OptedOut
            | Reason::UnregisteredSender
            | Reason::NotKakaoUser
            | Reason::SpoofedSender
            | Reason::SenderBlocked
            | Reason::BadMessage => false,
        }
    }

    /// Whether, once this channel failed for good, the fallback channel is worth trying: not
    /// for a number that does not exist or refused us, whatever the channel.
    pub fn falls_back(self) -> bool {
        !matches!(self, Reason::BadNumber | Reason::OptedOut)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoAnswer => "no_answer",
            Reason::Busy => "busy",
            Reason::BadNumber => "bad_number",
            Reason::OptedOut => "opted_out",
            Reason::UnregisteredSender => "unregistered_sender",
            Reason::RateLimited => "rate_limited",
            Reason::ProviderError => "provider_error",
            Reason::PowerOff => "power_off",
            Reason::NotKakaoUser => "not_kakao_user",
            Reason::OutsideHours => "outside_hours",
            Reason::SpoofedSender => "spoofed_sender",
            Reason::SenderBlocked => "sender_blocked",
            Reason::BadMessage => "bad_message",
            Reason::CarrierError => "carrier_error",
        }
    }

    /// The reason as stored (`as_str`); `None` for text that is none of ours.
    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// How the delivery report names it (the screens use the UI's catalogues).
    pub fn label_ko(self) -> &'static str {
        match self {
            Reason::NoAnswer => "받지 않음",
            Reason::Busy => "통화 중",
            Reason::BadNumber => "없는 번호",
            Reason::OptedOut => "수신 거부",
            Reason::UnregisteredSender => "발신번호 미등록",
            Reason::RateLimited => "요청 한도 초과",
            Reason::ProviderError => "발송 서버 오류",
            Reason::PowerOff => "전원 꺼짐·통화권 밖",
            Reason::NotKakaoUser => "카카오톡 미사용자",
            Reason::OutsideHours => "발송 가능 시간 아님",
            Reason::SpoofedSender => "변작된 발신번호",
            Reason::SenderBlocked => "발신 차단",
            Reason::BadMessage => "메시지 형식 오류",
            Reason::CarrierError => "통신사 오류",
        }
    }
}

/// Why an attempt failed: our reason, and the provider's own code when it gave one (kept on
/// the delivery for the report, which explains it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub reason: Reason,
    pub code: Option<String>,
}

impl Failure {
    pub fn coded(reason: Reason, code: impl Into<String>) -> Failure {
        Failure {
            reason,
            code: Some(code.into()),
        }
    }
}

impl From<Reason> for Failure {
    fn from(reason: Reason) -> Failure {
        Failure { reason, code: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Accepted {
        message_id: String,
    },
    Rejected(Failure),
    /// The request for this message failed in a way that leaves its fate unknown (providers
    /// that take one message per request): the row stays submitting and the next pass looks
    /// it up before anything is sent again.
    Unknown(ProviderError),
    /// Certainly not taken (a 429, refused credentials, or not tried once the provider had
    /// stopped answering): back to pending without spending the attempt.
    NotSent(ProviderError),
}

/// Where a submitted message stands at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    InProgress,
    Delivered,
    Answered,
    Listened,
    Failed(Failure),
}

/// The most of one answer a client reads: a listing page is well under a megabyte, and an
/// answer that goes on and on is not gathered into memory.
pub const BODY_MAX: usize = 8 << 20;
/// The most pages a listing is followed for: far more than a county-wide send fills (Solapi
/// 500 a page, Twilio 1,000), and an end to one whose pages always name a next.
pub const LISTING_PAGES_MAX: usize = 200;

/// An answer's body, read piece by piece and refused past [`BODY_MAX`]. What the answer said
/// is then unknown, as for one cut off: nothing is taken as sent or as absent.
pub(crate) async fn read_body(
    mut resp: reqwest::Response,
    provider: &str,
) -> Result<String, ProviderError> {
    let too_large = || {
        ProviderError::Unreachable(format!(
            "{provider}의 응답이 {} MiB를 넘어 읽지 않았습니다",
            BODY_MAX >> 20
        ))
    };
    if resp.content_length().is_some_and(|n| n > BODY_MAX as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(piece) = resp
        .chunk()
        .await
        .map_err(|e| ProviderError::Unreachable(e.to_string()))?
    {
        if body.len() + piece.len() > BODY_MAX {
            return Err(too_large());
        }
        body.extend_from_slice(&piece);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// A listing whose pages went on past [`LISTING_PAGES_MAX`]: staff are told, and the
/// provider is asked again next pass.
pub(crate) fn endless_listing(provider: &str) -> ProviderError {
    ProviderError::Refused(format!(
        "{provider}의 목록이 {LISTING_PAGES_MAX}쪽을 넘어 더 읽지 않았습니다 — 발송 서버에 문의하세요"
    ))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The network or the provider is down, or the answer was cut off: nothing is known to
    /// have happened, so what was sent is looked up before anything is sent again.
    #[error("발송 서버에 연결할 수 없습니다: {0}")]
    Unreachable(String),
    /// Too many requests: nothing was accepted; wait (as long as the provider asked) and retry.
    #[error("발송 서버가 잠시 기다려 달라고 합니다")]
    RateLimited {
        retry_after: Option<jiff::SignedDuration>,
    },
    /// Credentials, sender number or account: nothing will succeed until staff fix it.
    #[error("발송 서버가 요청을 거절했습니다: {0}")]
    Refused(String),
}

/// A message a crash may have left at the provider: how to recognise it there. Providers
/// that carry our key (Solapi's custom fields) match on it; those that cannot (Twilio) look
/// for a message to the same number created after the batch began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub key: String,
    pub to: String,
    pub channel: Channel,
    /// The provider's id from this delivery's previous attempt: never the one being looked
    /// for, and what it is looked for after.
    pub previous: Option<String>,
}

/// What a lookup learned of a message a crash may have left at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The provider has it, under this id.
    Sent(String),
    /// The provider never took it: it can go again without spending an attempt.
    Absent,
    /// The lookup itself failed: ask again next pass.
    Unknown,
}

/// A submitted message as the provider knows it: its id and the group it was sent in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRef {
    pub group_id: Option<String>,
    pub message_id: String,
}

pub trait Provider: Send + Sync {
    fn name(&self) -> &'static str;

    /// A harmless call that proves the address, the credentials and the clock; what it
    /// learned, for 설정's "연결 시험" (a balance, an account's name).
    fn check(&self) -> BoxFuture<'_, Result<String, ProviderError>> {
        Box::pin(async {
            Ok("내장 시험 발송기: 실제로 보내지 않습니다".to_string())
        })
    }

    /// Whether one request carries a whole batch (Solapi's message groups). The worker then
    /// overlaps a pass's requests — receipts while the batch goes, the batch as two groups.
    /// Where every message is a request of its own (Twilio, the sandbox), the provider's
    /// request rate is the limit, and overlapping only meets its 429s sooner: the pass runs
    /// its steps in turn.
    fn batched(&self) -> bool {
        false
    }

    /// Whether this provider, as configured, can carry `channel` at all: a fallback is never
    /// made onto a channel it cannot (KakaoTalk on Twilio, or on Solapi without a profile),
    /// where every stand-in would only fail.
    fn carries(&self, _channel: Channel) -> bool {
        true
    }

    /// Opens a batch at the provider (Solapi's message group) before anything is written as
    /// submitting, so that the group id is on disk with the rows: a restart looks the
    /// messages up by it. Providers without groups answer `None`.
    fn open_group(&self) -> BoxFuture<'_, Result<Option<String>, ProviderError>> {
        Box::pin(async { Ok(None) })
    }

    /// Sends a batch; one answer per message, in order.
    fn submit<'a>(
        &'a self,
        group_id: Option<&'a str>,
        batch: &'a [Outgoing],
    ) -> BoxFuture<'a, Result<Vec<Submitted>, ProviderError>>;

    /// Where submitted messages stand, one receipt per reference, in order.
    fn status<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Receipt>, ProviderError>>;

    /// What each answered call's resident pressed, one answer per reference, in order. The
    /// worker asks for calls that were answered (and again, some minutes apart, while the
    /// provider answers [`Reply::NotYet`]). A provider that cannot tell says nothing was
    /// pressed: the call counts as answered, never as confirmed.
    fn replies<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Reply>, ProviderError>> {
        Box::pin(async move { Ok(vec![Reply::Nothing; messages.len()]) })
    }

    /// The provider's message id for each lookup it ever accepted (None where it did not): how a restart learns what left before the desk stopped. A provider that
    /// needs a final step to release what it holds (Solapi's group send) takes it here.
    fn find<'a>(
        &'a self,
        group_id: Option<&'a str>,
        lookups: &'a [Lookup],
    ) -> BoxFuture<'a, Result<Vec<Found>, ProviderError>>;
}

/// The wall clock as a provider's API wants it: requests are signed or dated with the real
/// time (and corrected by the skew the server reports). Nothing decides by it.
#[allow(clippy::disallowed_methods)] // provider authentication needs the real time
pub(crate) fn wall_clock() -> jiff::Timestamp {
    jiff::Timestamp::now()
}
