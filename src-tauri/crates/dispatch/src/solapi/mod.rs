//! Solapi REST v4 (the Korean messaging provider): SMS/LMS, KakaoTalk alimtalk (ATA) and
//! voice (TTS of the text), sent in message groups of at most 10,000 per request. Every
//! request is signed afresh: `HMAC-SHA256 apiKey=…, date=…, salt=…, signature=…`, the
//! signature being HMAC-SHA256(secret, date + salt) in hex, with a new random salt each time.
//!
//! A batch is a group: created first (its id is stored with the rows), filled, then sent.
//! After a crash the group's messages are listed and matched by the idempotency key each
//! carries in `customFields`, and the group is sent if it was not.

mod wire;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hmac::{Hmac, Mac};
use jiff::SignedDuration;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::Sha256;

use crate::fanout::Channel;
use crate::keypad::Reply;
use crate::limiter::Limiter;
use crate::provider::{
    self, BoxFuture, Failure, Found, Lookup, MessageRef, Outgoing, Provider, ProviderError, Reason,
    Receipt, Submitted,
};
use crate::secret::Secret;
use crate::text::{self, TextKind};

/// How many messages one "add messages" request may carry.
pub const MAX_PER_REQUEST: usize = 10_000;
const PAGE: usize = 500;
/// The custom field that carries our idempotency key.
pub const KEY_FIELD: &str = "maeulKey";

#[derive(Debug, Clone)]
pub struct SolapiConfig {
    /// `https://api.solapi.com` (or the fake provider in tests).
    pub base_url: String,
    pub api_key: String,
    pub api_secret: Secret,
    /// The registered sender number (발신번호), national format.
    pub sender: String,
    /// KakaoTalk channel id and approved alimtalk template; without them KakaoTalk is refused.
    pub kakao_pf_id: Option<String>,
    pub kakao_template_id: Option<String>,
    pub requests_per_second: Option<u32>,
}

pub struct Solapi {
    cfg: SolapiConfig,
    http: reqwest::Client,
    limiter: Limiter,
    /// Seconds to add to our clock, learned from the server's Date when it says ours is off.
    skew: Mutex<i64>,
}

/// `+821012345678` → `01012345678`.
pub fn national(e164: &str) -> String {
    match e164.strip_prefix("+82") {
        Some(rest) => format!("0{rest}"),
        None => e164.to_string(),
    }
}

/// HMAC-SHA256(secret, date + salt) as lowercase hex.
pub fn signature(secret: &str, date: &str, salt: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(date.as_bytes());
    mac.update(salt.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Solapi's four-digit status code as our reason (its table: 1xxx refused on receipt, 2xxx
/// failed on the platform, 3xxx failed at the carrier; `api-reference/message-status-codes.md`
/// of solapi/documents). A code the table does not list is taken as one that may pass on
/// another attempt: the provider's or the carrier's error by its first digit.
pub fn reason(code: &str) -> Reason {
    match code {
        "3041" => Reason::Busy,
        "3040" => Reason::NoAnswer,
        "3042" | "3043" => Reason::PowerOff,
        "3010" | "3032" => Reason::BadNumber,
        "1060" | "1061" | "2060" | "2061" | "3047" | "3055" => Reason::OptedOut,
        "1041" | "1042" | "1043" | "1062" | "2062" | "3013" | "3101" | "3103" | "3105" | "3106" => {
            Reason::UnregisteredSender
        }
        "1064" | "2063" | "2064" => Reason::SenderBlocked,
        "1011" | "1013" | "1014" | "1025" | "1027" | "1028" | "1029" | "1031" | "2011" | "3011" => {
            Reason::BadMessage
        }
        "3059" => Reason::SpoofedSender,
        "3102" | "3104" | "3107" => Reason::NotKakaoUser,
        "3108" => Reason::OutsideHours,
        c if c.starts_with('3') => Reason::CarrierError,
        _ => Reason::ProviderError,
    }
}

/// What a Solapi status code means, in Korean, for the delivery report. Never empty: a code
/// the table does not list is named by its class.
pub fn explain(code: &str) -> &'static str {
    match code {
        "1010" => "필수 입력 값 미입력",
        "1011" | "2011" | "3011" => "형식 오류 (Format Error)",
        "1013" => "SMS에는 제목을 쓸 수 없음",
        "1014" => "제목은 40바이트까지",
        "1020" => "등록된 계정이 아니거나 비밀번호가 틀림",
        "1021" => "해당 메시지가 없음",
        "1022" => "해당 그룹이 없음",
        "1023" => "해당 이미지가 없음",
        "1024" | "2024" | "3024" => "서버 오류",
        "1025" => "잘못된 메시지 타입",
        "1026" => "중복 수신번호",
        "1027" => "UTF-8 인코딩만 사용 가능",
        "1028" => "출력할 수 없는 문자 포함",
        "1029" => "EUC-KR(완성형 한글) 밖의 문자 포함",
        "1030" | "2230" => "잔액 부족",
        "1031" => "메시지 길이 초과 (SMS 90바이트, LMS 2000바이트, 알림톡 1000자)",
        "1032" => "유효하지 않은 사용자 정의 필드",
        "1033" => "kakaoOptions는 알림톡·친구톡에만",
        "1034" => "imageId가 없음",
        "1041" => "유효하지 않은 카카오 채널(플러스친구)",
        "1042" => "유효하지 않은 템플릿 아이디",
        "1043" => "등록한 템플릿과 내용이 다름",
        "1044" | "1045" | "1046" | "1047" | "1048" | "1049" | "1050" | "1052" | "1053" => {
            "알림톡 버튼이 템플릿과 맞지 않음"
        }
        "1051" => "등록되지 않은 친구톡 이미지",
        "1058" | "3058" => "전송 경로 없음",
        "1060" | "2060" => "차단된 수신번호",
        "1061" | "2061" => "수신자가 080 수신거부를 함",
        "1062" | "2062" => "발신번호 미등록",
        "1064" | "2064" => "KISA 신고로 인한 차단",
        "2000" => "정상 접수 (이통사로 접수 예정)",
        "2063" => "차단된 계정",
        "2254" => "플랫폼 내부 스팸 처리",
        "3000" => "이통사로 접수 (결과를 기다리는 중)",
        "3010" => "수신번호 형식 오류",
        "3012" => "연동처 서버 오류",
        "3013" => "발신번호 형식 오류 (세칙 위반)",
        "3014" => "알 수 없는 메시지 상태",
        "3031" => "전송할 수 없음",
        "3032" => "미가입자 (없는 번호)",
        "3040" => "전송 시간 초과 (받지 않음)",
        "3041" => "단말기 통화 중",
        "3042" => "음영 지역 (통화권 밖)",
        "3043" => "단말기 전원 꺼짐",
        "3044" => "단말기 메시지 저장 개수 초과",
        "3045" => "단말기 일시 서비스 정지",
        "3046" => "기타 단말기 문제",
        "3047" => "착신 거절",
        "3048" => "통신사의 알 수 없는 코드",
        "3050" => "SMS를 받을 수 없는 단말기",
        "3051" => "착신 측이 호를 받을 수 없는 상태",
        "3052" => "이통사 서버 운영자가 삭제",
        "3053" => "이통사 서버 메시지 대기열 가득 참",
        "3054" => "통신사 스팸 처리",
        "3055" => "nospam.or.kr에 등록된 번호 (스팸 수신거부)",
        "3056" => "전송 실패 (무선망)",
        "3057" => "전송 실패 (무선망에서 단말기로)",
        "3059" => {
            "변작된 발신번호: 번호 명의자가 인터넷 발송을 막아 둔 발신번호 — 명의자가 통신사에 해지를 신청해야 합니다"
        }
        "3060" => "성인 인증 실패",
        "3101" => "카카오 발신 프로필 키가 유효하지 않음",
        "3102" => "카카오톡 채널 친구가 아님",
        "3103" => "메시지가 알림톡 템플릿과 다름",
        "3104" => "카카오톡 미사용자 — 문자로 대신 보냅니다",
        "3105" => "미등록 알림톡 템플릿",
        "3106" => "유효하지 않은 카카오톡 채널",
        "3107" => "72시간 안에 카카오톡을 쓰지 않았거나 알림톡을 차단한 사용자",
        "3108" => "알림톡 발송 가능 시간이 아님 (오전 8시~오후 8시)",
        "4000" => "발송 완료",
        c if c.starts_with('1') => "접수 중 오류 (솔라피 표에 없는 코드)",
        c if c.starts_with('2') => "플랫폼 내부 처리 중 오류 (솔라피 표에 없는 코드)",
        c if c.starts_with('3') => "통신사 처리 중 오류 (솔라피 표에 없는 코드)",
        _ => "알 수 없는 코드",
    }
}

/// A message's status as a receipt: 2000/3000 are on their way, 4000 arrived (a call was
/// listened to); anything else failed, with its code kept.
pub fn receipt(kind: &str, code: &str) -> Receipt {
    match code {
        "2000" | "3000" => Receipt::InProgress,
        "4000" if kind == "VOICE" => Receipt::Listened,
        "4000" => Receipt::Delivered,
        code => Receipt::Failed(Failure::coded(reason(code), code)),
    }
}

/// One message as a group listing shows it.
struct Seen {
    kind: String,
    code: String,
    key: String,
    reply: Reply,
}

/// What a listed call's resident pressed: nothing known until the call is over (4000 or a
/// failure); then `voiceReplied` says whether a digit in range was pressed.
fn listed_reply(m: &wire::Listed) -> Reply {
    match m.status_code.as_deref() {
        Some("2000" | "3000") | None => return Reply::NotYet,
        Some("4000") => {}
        Some(_) => return Reply::Nothing,
    }
    let replied = match &m.voice_replied {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_u64() == Some(1),
        _ => false,
    };
    if !replied {
        return Reply::Nothing;
    }
    let digit = match &m.reply_key {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Reply::Pressed(digit.filter(|d| (1..=9).contains(d)).unwrap_or(0) as u8)
}

fn unreachable(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::Unreachable(e.to_string())
}

impl Solapi {
    pub fn new(cfg: SolapiConfig) -> Result<Solapi, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(unreachable)?;
        Ok(Solapi {
            limiter: Limiter::per_second(cfg.requests_per_second),
            cfg,
            http,
            skew: Mutex::new(0),
        })
    }

    fn authorization(&self) -> String {
        let skew = *self.skew.lock().expect("skew lock");
        let date = (crate::provider::wall_clock() + SignedDuration::from_secs(skew))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let mut salt = [0u8; 16];
        // A fixed salt would make every signature in the same second identical (and refused
        // as reused); the OS source never fails on the platforms the desk runs on.
        let _ = getrandom::fill(&mut salt);
        let salt = hex::encode(salt);
        let sig = signature(self.cfg.api_secret.expose(), &date, &salt);
        format!(
            "HMAC-SHA256 apiKey={}, date={date}, salt={salt}, signature={sig}",
            self.cfg.api_key
        )
    }

    /// One request, signed, its answer read as `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&(impl Serialize + Sync)>,
    ) -> Result<T, ProviderError> {
        let text = self.call_text(method, path, body).await?;
        serde_json::from_str(&text).map_err(|e| unreachable(format!("알 수 없는 응답: {e}")))
    }

    /// One request, signed; the text of a successful answer. A 401 for a skewed clock is
    /// retried once with the server's time.
    async fn call_text(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&(impl Serialize + Sync)>,
    ) -> Result<String, ProviderError> {
        for attempt in 0..2 {
            self.limiter.wait().await;
            let url = format!("{}{path}", self.cfg.base_url.trim_end_matches('/'));
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header("Authorization", self.authorization());
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.map_err(unreachable)?;
            let status = resp.status();
            let server_date = resp
                .headers()
                .get("date")
                .and_then(|d| d.to_str().ok())
                .and_then(|d| jiff::fmt::rfc2822::parse(d).ok())
                .map(|z| z.timestamp());
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
                .map(SignedDuration::from_secs);
            // A cut-off body is as unknown as a dropped connection.
            let text = provider::read_body(resp, "Solapi").await?;
            if status.is_success() {
                return Ok(text);
            }
            let err: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let code = err["errorCode"].as_str().unwrap_or("").to_string();
            let message = err["errorMessage"].as_str().unwrap_or(&text).to_string();
            match status.as_u16() {
                429 => return Err(ProviderError::RateLimited { retry_after }),
                401 if code == "RequestTimeTooSkewed" && attempt == 0 => {
                    if let Some(server) = server_date {
                        let off = server
                            .duration_since(crate::provider::wall_clock())
                            .as_secs();
                        *self.skew.lock().expect("skew lock") = off;
                        continue;
                    }
                    return Err(ProviderError::Refused(
                        "PC 시계가 맞지 않습니다 (발송 서버와 15분 이상 차이)".into(),
                    ));
                }
                401 | 403 => {
                    return Err(ProviderError::Refused(format!(
                        "인증 실패 ({code}): {message} — 설정에서 API 키를 확인하세요"
                    )));
                }
                s if s >= 500 => return Err(unreachable(format!("HTTP {s} {code}"))),
                s => {
                    return Err(ProviderError::Refused(format!(
                        "HTTP {s} {code}: {message}"
                    )));
                }
            }
        }
        Err(ProviderError::Refused(
            "PC 시계가 맞지 않습니다 (발송 서버와 15분 이상 차이)".into(),
        ))
    }

    fn message<'a>(&'a self, m: &'a Outgoing) -> Result<wire::Message<'a>, Reason> {
        let mut msg = wire::Message {
            to: national(&m.to),
            from: &self.cfg.sender,
            text: Cow::Borrowed(&m.text),
            kind: "SMS",
            subject: None,
            custom_fields: wire::CustomFields {
                key: &m.idempotency_key,
            },
            voice_options: None,
            kakao_options: None,
        };
        match m.channel {
            Channel::Voice => {
                msg.kind = "VOICE";
                msg.voice_options = Some(wire::VoiceOptions {
                    voice_type: "FEMALE",
                    reply_range: m.keypad.as_ref().map(|k| k.range.clamp(1, 9)),
                });
                if let Some(k) = &m.keypad {
                    msg.text = Cow::Owned(format!("{} {}", m.text.trim_end(), k.prompt));
                }
            }
            Channel::Sms => {
                let info = text::classify(&m.text).map_err(|_| Reason::ProviderError)?;
                if info.kind == TextKind::Lms {
                    msg.kind = "LMS";
                    msg.subject = Some(m.subject.chars().take(20).collect());
                }
            }
            Channel::Kakao => {
                let (Some(pf), Some(template)) =
                    (&self.cfg.kakao_pf_id, &self.cfg.kakao_template_id)
                else {
                    return Err(Reason::UnregisteredSender);
                };
                msg.kind = "ATA";
                msg.kakao_options = Some(wire::KakaoOptions {
                    pf_id: pf,
                    template_id: template,
                    // The SMS fallback is the desk's, not Solapi's: it is recorded as its own
                    // delivery so that nothing is sent twice behind our back.
                    disable_sms: true,
                    variables: wire::KakaoVariables {
                        title: &m.subject,
                        body: &m.text,
                    },
                });
            }
        }
        Ok(msg)
    }

    /// Every message of a group: message id → (type, status code, our key).
    async fn list_group(&self, group: &str) -> Result<HashMap<String, Seen>, ProviderError> {
        let mut out = HashMap::new();
        let mut start: Option<String> = None;
        for _ in 0..provider::LISTING_PAGES_MAX {
            let mut path =
                format!("/messages/v4/list?criteria=groupId&cond=eq&value={group}&limit={PAGE}");
            if let Some(k) = &start {
                path.push_str(&format!("&startKey={k}"));
            }
            let page: wire::ListPage = self
                .call(reqwest::Method::GET, &path, None::<&wire::Empty>)
                .await?;
            for (id, m) in page.message_list {
                let reply = listed_reply(&m);
                out.insert(
                    id,
                    Seen {
                        kind: m.kind.unwrap_or_default(),
                        code: m.status_code.unwrap_or_default(),
                        key: m.custom_fields.and_then(|f| f.key).unwrap_or_default(),
                        reply,
                    },
                );
            }
            match page.next_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(out),
            }
        }
        Err(provider::endless_listing("Solapi"))
    }
}

impl Provider for Solapi {
    fn name(&self) -> &'static str {
        "solapi"
    }

    fn batched(&self) -> bool {
        true
    }

    fn carries(&self, channel: Channel) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        channel != Channel::Kakao
            || (set(&self.cfg.kakao_pf_id) && set(&self.cfg.kakao_template_id))
    }

    fn check(&self) -> BoxFuture<'_, Result<String, ProviderError>> {
        Box::pin(async move {
            let b: Value = self
                .call(
                    reqwest::Method::GET,
                    "/cash/v1/balance",
                    None::<&wire::Empty>,
                )
                .await?;
            let won = |v: &Value| v.as_f64().map_or("?".to_string(), |n| format!("{n:.0}"));
            Ok(format!(
                "Solapi 잔액 {}원, 포인트 {}",
                won(&b["balance"]),
                won(&b["point"])
            ))
        })
    }

    fn open_group(&self) -> BoxFuture<'_, Result<Option<String>, ProviderError>> {
        Box::pin(async move {
            let g: Value = self
                .call(
                    reqwest::Method::POST,
                    "/messages/v4/groups",
                    Some(&wire::Empty {}),
                )
                .await?;
            g["groupId"]
                .as_str()
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| unreachable("그룹 아이디가 없는 응답"))
        })
    }

    fn submit<'a>(
        &'a self,
        group_id: Option<&'a str>,
        batch: &'a [Outgoing],
    ) -> BoxFuture<'a, Result<Vec<Submitted>, ProviderError>> {
        Box::pin(async move {
            let group = group_id.ok_or_else(|| unreachable("그룹 없이 보낼 수 없습니다"))?;
            let mut answers: Vec<Option<Submitted>> = vec![None; batch.len()];
            let mut sendable = Vec::new();
            for (i, m) in batch.iter().enumerate() {
                match self.message(m) {
                    Ok(v) => sendable.push((i, v)),
                    Err(reason) => answers[i] = Some(Submitted::Rejected(reason.into())),
                }
            }
            for chunk in sendable.chunks(MAX_PER_REQUEST) {
                let body = wire::AddMessages {
                    messages: chunk.iter().map(|(_, v)| v).collect(),
                };
                let path = format!("/messages/v4/groups/{group}/messages");
                let added: wire::Added =
                    self.call(reqwest::Method::PUT, &path, Some(&body)).await?;
                let results = added.result_list;
                if results.len() != chunk.len() {
                    return Err(unreachable("접수 결과의 개수가 보낸 개수와 다릅니다"));
                }
                for ((i, _), r) in chunk.iter().zip(results) {
                    let code = r.status_code.as_deref().unwrap_or("");
                    answers[*i] = Some(match (code, r.message_id) {
                        ("2000", Some(id)) => Submitted::Accepted { message_id: id },
                        // Taken without an id, or "in progress" at once: not a message we
                        // can follow, so not one to wait for.
                        (code @ ("2000" | "3000" | "4000"), _) | (code @ "", _) => {
                            Submitted::Rejected(Failure {
                                reason: Reason::ProviderError,
                                code: Some(code).filter(|c| !c.is_empty()).map(str::to_string),
                            })
                        }
                        (code, _) => Submitted::Rejected(Failure::coded(reason(code), code)),
                    });
                }
            }
            if answers
                .iter()
                .any(|a| matches!(a, Some(Submitted::Accepted { .. })))
            {
                let path = format!("/messages/v4/groups/{group}/send");
                self.call_text(reqwest::Method::POST, &path, Some(&wire::Empty {}))
                    .await?;
            }
            Ok(answers
                .into_iter()
                .map(|a| a.unwrap_or(Submitted::Rejected(Reason::ProviderError.into())))
                .collect())
        })
    }

    fn status<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Receipt>, ProviderError>> {
        Box::pin(async move {
            let mut known: HashMap<String, Seen> = HashMap::new();
            let mut groups: Vec<&str> = messages
                .iter()
                .filter_map(|m| m.group_id.as_deref())
                .collect();
            groups.sort_unstable();
            groups.dedup();
            // A group that cannot be listed now is asked again next pass: its messages stay
            // in progress. Only when no group answers is the provider reported down.
            let mut last_error = None;
            let asked = groups.len();
            for g in groups {
                match self.list_group(g).await {
                    Ok(listed) => known.extend(listed),
                    Err(e) => last_error = Some(e),
                }
            }
            if let Some(e) = last_error.filter(|_| known.is_empty() && asked > 0) {
                return Err(e);
            }
            Ok(messages
                .iter()
                .map(|m| match known.get(&m.message_id) {
                    Some(seen) => receipt(&seen.kind, &seen.code),
                    None => Receipt::InProgress,
                })
                .collect())
        })
    }

    fn replies<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Reply>, ProviderError>> {
        Box::pin(async move {
            let mut known: HashMap<String, Seen> = HashMap::new();
            let mut groups: Vec<&str> = messages
                .iter()
                .filter_map(|m| m.group_id.as_deref())
                .collect();
            groups.sort_unstable();
            groups.dedup();
            for g in groups {
                known.extend(self.list_group(g).await?);
            }
            Ok(messages
                .iter()
                .map(|m| known.get(&m.message_id).map_or(Reply::NotYet, |s| s.reply))
                .collect())
        })
    }

    fn find<'a>(
        &'a self,
        group_id: Option<&'a str>,
        lookups: &'a [Lookup],
    ) -> BoxFuture<'a, Result<Vec<Found>, ProviderError>> {
        Box::pin(async move {
            let Some(group) = group_id else {
                return Ok(vec![Found::Absent; lookups.len()]);
            };
            let listed = self.list_group(group).await?;
            let by_key: HashMap<&str, &str> = listed
                .iter()
                .map(|(id, seen)| (seen.key.as_str(), id.as_str()))
                .collect();
            let found: Vec<Found> = lookups
                .iter()
                .map(|l| {
                    by_key
                        .get(l.key.as_str())
                        .map_or(Found::Absent, |id| Found::Sent(id.to_string()))
                })
                .collect();
            if found.iter().any(|f| matches!(f, Found::Sent(_))) {
                // The desk may have stopped between filling the group and sending it.
                let path = format!("/messages/v4/groups/{group}/send");
                match self
                    .call_text(reqwest::Method::POST, &path, Some(&wire::Empty {}))
                    .await
                {
                    Ok(_) | Err(ProviderError::Refused(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(found)
        })
    }
}

#[cfg(test)]
mod tests;
