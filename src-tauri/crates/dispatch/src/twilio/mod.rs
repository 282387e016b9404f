//! Twilio (REST 2010-04-01): SMS through `Messages.json`, voice through `Calls.json` with
//! TwiML — `<Play>` of the recording at the configured media address, or `<Say>` of the text.
//! HTTP Basic auth (account SID and auth token); one message per request, a few in flight at
//! once, paced by the client-side limiter; a 429 is always safe to retry.
//!
//! Twilio carries no field of ours, so a batch is marked by the time it began (on Twilio's
//! clock, learned from its `Date`): after a crash a message is recognised as one to the same
//! number, from our number, created after that mark. Receipts are fetched per message.

use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::fanout::Channel;
use crate::keypad::Reply;
use crate::limiter::Limiter;
use crate::provider::{
    BoxFuture, Failure, Found, LISTING_PAGES_MAX, Lookup, MessageRef, Outgoing, Provider,
    ProviderError, Reason, Receipt, Submitted, endless_listing, read_body,
};
use crate::secret::Secret;

/// Requests in flight at once: enough to hide the round trip, few enough for one office line.
const IN_FLIGHT: usize = 8;
/// TwiML longer than this is refused by `Calls.json`.
const TWIML_MAX: usize = 4000;
const MARK: &str = "TW";
/// Up to this many receipts are fetched one by one; more are listed.
const FETCH_ONE_BY_ONE: usize = 20;
/// Times a page of a receipts listing is asked for before the listing stops there.
const PAGE_TRIES: u32 = 3;

#[derive(Debug, Clone)]
pub struct TwilioConfig {
    /// `https://api.twilio.com` (or the fake provider in tests).
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: Secret,
    /// The Twilio number calls and messages come from, E.164.
    pub from: String,
    /// Where the telephony renditions are published (`<Play>` fetches `{media}/{file}`);
    /// without it a call reads the text aloud.
    pub media_base_url: Option<String>,
    pub requests_per_second: Option<u32>,
}

pub struct Twilio {
    cfg: TwilioConfig,
    http: reqwest::Client,
    limiter: Limiter,
    /// Twilio's clock minus ours, in seconds, from the last `Date` it sent.
    skew: Mutex<i64>,
}

/// Korean national (`043-835-3233`) or E.164 → E.164.
pub fn e164(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if number.trim_start().starts_with('+') {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("+82{rest}")
    } else {
        format!("+{digits}")
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Where a call's `<Gather>` sends the pressed digit: Twilio's own echo twimlet, which
/// answers with the thanks below. The desk needs no address of its own: every request Twilio
/// makes during a call, with its `Digits`, is kept as the call's Events, which the desk reads.
pub const GATHER_ACTION: &str = "https://twimlets.com/echo?Twiml=%3CResponse%3E%3CSay%20language%3D%22ko-KR%22%3E%EA%B0%90%EC%82%AC%ED%95%A9%EB%8B%88%EB%8B%A4.%3C%2FSay%3E%3C%2FResponse%3E";

/// The TwiML a call runs: the recording if it is published, otherwise the text in Korean;
/// then its keypad question inside a `<Gather>` of one digit.
pub fn twiml(m: &Outgoing, media_base_url: Option<&str>) -> String {
    let file = m
        .recording
        .as_deref()
        .and_then(|p| std::path::Path::new(p).file_name())
        .and_then(|f| f.to_str());
    let inner = match (media_base_url, file) {
        (Some(base), Some(file)) => format!(
            "<Play>{}</Play>",
            xml_escape(&format!("{}/{file}", base.trim_end_matches('/')))
        ),
        _ => format!("<Say language=\"ko-KR\">{}</Say>", xml_escape(&m.text)),
    };
    match &m.keypad {
        Some(k) => format!(
            "<Response><Gather input=\"dtmf\" numDigits=\"1\" timeout=\"8\" action=\"{}\">{inner}\
             <Say language=\"ko-KR\">{}</Say></Gather></Response>",
            xml_escape(GATHER_ACTION),
            xml_escape(&k.prompt)
        ),
        None => format!("<Response>{inner}</Response>"),
    }
}

/// What a call's Events say was pressed: the `digits` of the `<Gather>` request, if one was
/// made (Twilio writes request parameters in snake case). No events yet: Twilio keeps them
/// from some minutes after the call ends, so the question is asked again; events without
/// digits: nothing was pressed. A digit outside 1–9 counts as confirmed, its answer unknown.
pub fn events_reply(body: &Value) -> Reply {
    let events = body["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if events.is_empty() {
        return Reply::NotYet;
    }
    let pressed = events.iter().find_map(|e| {
        let digits = e["request"]["parameters"]["digits"].as_str()?.trim();
        (!digits.is_empty()).then(|| digits.to_string())
    });
    match pressed {
        Some(d) => Reply::Pressed(
            d.chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .filter(|d| (1..=9).contains(d))
                .unwrap_or(0) as u8,
        ),
        None => Reply::Nothing,
    }
}

/// Twilio's error codes (on create, or on a failed message) as our reasons.
pub fn reason(code: i64) -> Reason {
    match code {
        21211 | 21214 | 21614 | 30005 | 30006 => Reason::BadNumber,
        21610 | 30004 => Reason::OptedOut,
        21212 | 21606 | 21659 | 21660 => Reason::UnregisteredSender,
        30003 => Reason::NoAnswer,
        20429 => Reason::RateLimited,
        _ => Reason::ProviderError,
    }
}

/// Twilio's error code as a failure: our reason, the code kept.
pub fn failure(code: i64) -> Failure {
    Failure::coded(reason(code), code.to_string())
}

/// A message's or call's status as a receipt.
pub fn receipt(kind: Channel, status: &str, error_code: Option<i64>) -> Receipt {
    match (kind, status) {
        (Channel::Voice, "completed") => Receipt::Answered,
        (Channel::Voice, "busy") => Receipt::Failed(Reason::Busy.into()),
        (Channel::Voice, "no-answer") => Receipt::Failed(Reason::NoAnswer.into()),
        (Channel::Voice, "failed") => Receipt::Failed(Reason::BadNumber.into()),
        (_, "delivered" | "read") => Receipt::Delivered,
        (_, "undelivered" | "failed") => {
            Receipt::Failed(error_code.map_or(Reason::ProviderError.into(), failure))
        }
        (_, "canceled") => Receipt::Failed(Reason::ProviderError.into()),
        _ => Receipt::InProgress,
    }
}

/// Call sids start with CA; message sids with SM or MM.
fn channel_of(sid: &str) -> Channel {
    if sid.starts_with("CA") {
        Channel::Voice
    } else {
        Channel::Sms
    }
}

/// When a batch began, from its mark.
fn mark(group_id: Option<&str>) -> Option<Timestamp> {
    group_id
        .and_then(|g| g.strip_prefix(MARK))
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok())
}

fn unreachable(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::Unreachable(e.to_string())
}

fn rfc2822(s: &str) -> Option<Timestamp> {
    jiff::fmt::rfc2822::parse(s).ok().map(|z| z.timestamp())
}

/// A request that failed, and whether it certainly never reached Twilio.
struct Failed {
    error: ProviderError,
    before_sending: bool,
}

impl Failed {
    fn after(error: ProviderError) -> Failed {
        Failed {
            error,
            before_sending: false,
        }
    }
}

impl From<Failed> for ProviderError {
    fn from(f: Failed) -> ProviderError {
        f.error
    }
}

/// What a request came back with: the body, or a per-message refusal, or a failure of the
/// request itself.
enum Answer {
    Ok(Value),
    Refused(i64),
}

impl Twilio {
    pub fn new(cfg: TwilioConfig) -> Result<Twilio, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(unreachable)?;
        Ok(Twilio {
            limiter: Limiter::per_second(cfg.requests_per_second),
            cfg,
            http,
            skew: Mutex::new(0),
        })
    }

    fn url(&self, resource: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/{resource}",
            self.cfg.base_url.trim_end_matches('/'),
            self.cfg.account_sid
        )
    }

    fn now(&self) -> Timestamp {
        crate::provider::wall_clock()
            + SignedDuration::from_secs(*self.skew.lock().expect("skew lock"))
    }

    async fn request(
        &self,
        method: reqwest::Method,
        resource: &str,
        form: Option<&[(&str, &str)]>,
        query: Option<&[(&str, &str)]>,
    ) -> Result<Answer, Failed> {
        let mut req = self.http.request(method, self.url(resource));
        if let Some(f) = form {
            req = req.form(f);
        }
        if let Some(q) = query {
            req = req.query(q);
        }
        self.send(req).await
    }

    /// A page Twilio pointed to (`next_page_uri`, relative to the API's host).
    async fn request_uri(&self, uri: &str) -> Result<Answer, Failed> {
        let url = format!("{}{uri}", self.cfg.base_url.trim_end_matches('/'));
        self.send(self.http.get(url)).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Answer, Failed> {
        self.limiter.wait().await;
        let req = req.basic_auth(&self.cfg.account_sid, Some(self.cfg.auth_token.expose()));
        let resp = req.send().await.map_err(|e| Failed {
            before_sending: e.is_connect(),
            error: unreachable(e),
        })?;
        let status = resp.status();
        if let Some(server) = resp
            .headers()
            .get("date")
            .and_then(|d| d.to_str().ok())
            .and_then(rfc2822)
        {
            *self.skew.lock().expect("skew lock") = server
                .duration_since(crate::provider::wall_clock())
                .as_secs();
        }
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(SignedDuration::from_secs);
        let text = read_body(resp, "Twilio").await.map_err(Failed::after)?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = body["code"].as_i64().unwrap_or(0);
        let error = match status.as_u16() {
            200..=299 if !body.is_null() => return Ok(Answer::Ok(body)),
            400 | 404 if code != 0 => return Ok(Answer::Refused(code)),
            200..=299 => unreachable("알 수 없는 응답"),
            429 => ProviderError::RateLimited { retry_after },
            401 | 403 => ProviderError::Refused(format!(
                "인증 실패 ({code}) — 설정에서 계정 SID와 토큰을 확인하세요"
            )),
            s if s >= 500 => unreachable(format!("HTTP {s} {code}")),
            s => ProviderError::Refused(format!(
                "HTTP {s} {code}: {}",
                body["message"].as_str().unwrap_or(&text)
            )),
        };
        Err(Failed::after(error))
    }

    async fn submit_one(&self, m: &Outgoing) -> Submitted {
        let from = e164(&self.cfg.from);
        let (resource, payload) = match m.channel {
            Channel::Sms => ("Messages.json", ("Body", m.text.clone())),
            Channel::Voice => {
                let twiml = twiml(m, self.cfg.media_base_url.as_deref());
                if twiml.chars().count() > TWIML_MAX {
                    return Submitted::Rejected(Reason::ProviderError.into());
                }
                ("Calls.json", ("Twiml", twiml))
            }
            // Twilio has no KakaoTalk; the fallback (if any) takes the other channel.
            Channel::Kakao => return Submitted::Rejected(Reason::UnregisteredSender.into()),
        };
        let form = [
            ("To", m.to.as_str()),
            ("From", from.as_str()),
            (payload.0, payload.1.as_str()),
        ];
        match self
            .request(reqwest::Method::POST, resource, Some(&form), None)
            .await
        {
            Ok(Answer::Ok(body)) => match body["sid"].as_str() {
                Some(sid) => Submitted::Accepted {
                    message_id: sid.to_string(),
                },
                None => Submitted::Unknown(unreachable("sid 없는 응답")),
            },
            Ok(Answer::Refused(code)) => Submitted::Rejected(failure(code)),
            // Twilio did not take it: "429 is always safe to retry", a refused login created
            // nothing, and a connection never made carried nothing.
            Err(Failed {
                error: e @ (ProviderError::RateLimited { .. } | ProviderError::Refused(_)),
                ..
            })
            | Err(Failed {
                error: e,
                before_sending: true,
            }) => Submitted::NotSent(e),
            Err(f) => Submitted::Unknown(f.error),
        }
    }

    /// Status and error code of everything our number sent on a channel since `since`
    /// (Twilio filters by UTC day), following the pages. A page that fails is asked again
    /// (a GET changes nothing); one that still fails ends the listing with what the earlier
    /// pages said, so a long day's receipts are not all lost to one bad page: the messages
    /// not listed stay in progress and are asked for next pass. Only a first page that never
    /// answers is an error.
    async fn listed_since(
        &self,
        channel: Channel,
        since: Timestamp,
    ) -> Result<Vec<(String, (String, Option<i64>))>, ProviderError> {
        let (resource, list, filter) = match channel {
            Channel::Voice => ("Calls.json", "calls", "StartTime>"),
            _ => ("Messages.json", "messages", "DateSent>"),
        };
        let day = since
            .to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m-%d")
            .to_string();
        let from = e164(&self.cfg.from);
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..LISTING_PAGES_MAX {
            let mut tries = 0;
            let body = loop {
                tries += 1;
                let answer = match &next {
                    None => {
                        let query = [
                            ("From", from.as_str()),
                            (filter, day.as_str()),
                            ("PageSize", "1000"),
                        ];
                        self.request(reqwest::Method::GET, resource, None, Some(&query))
                            .await
                    }
                    Some(uri) => self.request_uri(uri).await,
                };
                match answer {
                    Ok(a) => break a,
                    Err(Failed {
                        error: ProviderError::Unreachable(_),
                        ..
                    }) if tries < PAGE_TRIES => {}
                    Err(_) if !out.is_empty() => return Ok(out),
                    Err(f) => return Err(f.error),
                }
            };
            let Answer::Ok(body) = body else {
                return Err(ProviderError::Refused("목록 조회 거절".into()));
            };
            for r in body[list].as_array().map(Vec::as_slice).unwrap_or_default() {
                if let Some(sid) = r["sid"].as_str() {
                    let status = r["status"].as_str().unwrap_or("").to_string();
                    out.push((sid.to_string(), (status, r["error_code"].as_i64())));
                }
            }
            match body["next_page_uri"].as_str() {
                Some(uri) if !uri.is_empty() => next = Some(uri.to_string()),
                _ => return Ok(out),
            }
        }
        Err(endless_listing("Twilio"))
    }

    async fn status_one(&self, m: &MessageRef) -> Result<Receipt, ProviderError> {
        let channel = channel_of(&m.message_id);
        let resource = match channel {
            Channel::Voice => format!("Calls/{}.json", m.message_id),
            _ => format!("Messages/{}.json", m.message_id),
        };
        match self
            .request(reqwest::Method::GET, &resource, None, None)
            .await?
        {
            Answer::Ok(b) => Ok(receipt(
                channel,
                b["status"].as_str().unwrap_or(""),
                b["error_code"].as_i64(),
            )),
            // Unknown to Twilio (deleted, another account): it will not arrive.
            Answer::Refused(code) => Ok(Receipt::Failed(failure(code))),
        }
    }

    /// What was pressed on one call, from its Events.
    async fn reply_one(&self, m: &MessageRef) -> Result<Reply, ProviderError> {
        if channel_of(&m.message_id) != Channel::Voice {
            return Ok(Reply::Nothing);
        }
        let resource = format!("Calls/{}/Events.json", m.message_id);
        match self
            .request(
                reqwest::Method::GET,
                &resource,
                None,
                Some(&[("PageSize", "50")]),
            )
            .await?
        {
            Answer::Ok(b) => Ok(events_reply(&b)),
            // Not (yet) kept for this call.
            Answer::Refused(_) => Ok(Reply::NotYet),
        }
    }

    /// Sid and creation time of what our number sent to `to` on this channel, newest first.
    async fn sent_to(
        &self,
        to: &str,
        channel: Channel,
    ) -> Result<Vec<(String, Timestamp)>, Failed> {
        let (resource, list) = match channel {
            Channel::Voice => ("Calls.json", "calls"),
            _ => ("Messages.json", "messages"),
        };
        let from = e164(&self.cfg.from);
        let query = [("To", to), ("From", from.as_str()), ("PageSize", "50")];
        match self
            .request(reqwest::Method::GET, resource, None, Some(&query))
            .await?
        {
            Answer::Ok(body) => Ok(body[list]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|r| {
                    Some((
                        r["sid"].as_str()?.to_string(),
                        rfc2822(r["date_created"].as_str()?)?,
                    ))
                })
                .collect()),
            Answer::Refused(code) => Err(Failed::after(ProviderError::Refused(format!(
                "목록 조회 거절 ({code})"
            )))),
        }
    }
}

mod provider;
#[cfg(test)]
mod tests;
