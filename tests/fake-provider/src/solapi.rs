//! The Solapi v4 endpoints the desk uses: create a group, add messages to it (≤ 10,000 per
//! request), send it, list messages by group or id (paged), and the test-only `/__stats`.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, Query, State as Ax};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Value, json};

use super::{
    Fault, Group, Message, Shared, auth, faults, maybe_drop, padded, server_now, with_date,
    with_date_raw,
};

const MAX_PER_REQUEST: usize = 10_000;
const SMS_MAX: usize = 90;
const LMS_MAX: usize = 2000;

fn error(s: &Shared, status: StatusCode, code: &str, message: &str) -> Response {
    with_date(
        s,
        status,
        json!({ "errorCode": code, "errorMessage": message }),
    )
}

/// What every request goes through: the injected faults, then the signature. Returns the
/// request's number, for the drop decision taken later.
async fn gate(s: &Shared, headers: &HeaderMap) -> Result<u64, Response> {
    let n = match faults(s).await {
        Ok(n) => n,
        Err(Fault::RateLimited) => {
            let mut r = error(
                s,
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "잠시 후 다시 시도하세요",
            );
            r.headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            return Err(r);
        }
        Err(Fault::Failed) => {
            return Err(error(
                s,
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "일시적인 오류",
            ));
        }
    };
    let header = headers.get("authorization").and_then(|v| v.to_str().ok());
    let mut st = s.lock();
    if let Err(refusal) = auth::check(header, &s.config.accounts, server_now(s), &mut st) {
        st.stats.auth_refused += 1;
        drop(st);
        return Err(error(
            s,
            StatusCode::UNAUTHORIZED,
            refusal.code(),
            "인증 실패",
        ));
    }
    Ok(n)
}

pub async fn create_group(Ax(s): Ax<Shared>, headers: HeaderMap) -> Response {
    let n = match gate(&s, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    let id = {
        let mut st = s.lock();
        st.serial += 1;
        let id = format!("G4V{:020}", st.serial);
        st.groups.insert(id.clone(), Default::default());
        id
    };
    maybe_drop(&s, n);
    with_date(
        &s,
        StatusCode::OK,
        json!({ "groupId": id, "status": "PENDING" }),
    )
}

fn euc_kr_bytes(text: &str) -> Option<usize> {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    (!unmappable).then_some(bytes.len())
}

/// One entry of an "add messages" answer. (Typed rather than `json!` objects: a county-wide
/// send puts ~90,000 of these through the fake, which shares the bench's two cores.)
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddResult<'a> {
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<String>,
    status_code: &'static str,
    status_message: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddAnswer<'a> {
    error_count: u32,
    result_list: Vec<AddResult<'a>>,
}

/// One message of a list page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed<'a> {
    message_id: &'a str,
    group_id: &'a str,
    to: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    status_code: &'a str,
    custom_fields: ListedFields<'a>,
    /// For a call that asked for a key: whether one in its `replyRange` was pressed, and
    /// which (see the client's note on the field's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    voice_replied: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_key: Option<String>,
}

#[derive(Serialize)]
struct ListedFields<'a> {
    #[serde(rename = "maeulKey")]
    key: &'a str,
}

/// `messageList`: an object keyed by message id, in the group's order.
struct ListedMap<'a>(Vec<Listed<'a>>);

impl Serialize for ListedMap<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut map = ser.serialize_map(Some(self.0.len()))?;
        for m in &self.0 {
            map.serialize_entry(m.message_id, m)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListAnswer<'a> {
    start_key: Option<String>,
    next_key: Option<String>,
    limit: usize,
    message_list: ListedMap<'a>,
}

/// Checks one message; the code it is refused with, if it is (Solapi's documented codes).
fn refuse(s: &Shared, m: &Value) -> Option<&'static str> {
    let to = m["to"].as_str().unwrap_or("");
    if !(10..=11).contains(&to.len())
        || !to.starts_with('0')
        || !to.bytes().all(|b| b.is_ascii_digit())
    {
        return Some("3010");
    }
    if m["from"].as_str() != Some(s.config.sender.as_str()) {
        return Some("1062");
    }
    let text = m["text"].as_str().unwrap_or("");
    let Some(bytes) = euc_kr_bytes(text) else {
        return Some("1029");
    };
    match m["type"].as_str().unwrap_or("") {
        "SMS" if bytes > SMS_MAX => Some("1031"),
        "LMS" if bytes > LMS_MAX => Some("1031"),
        "ATA"
            if m["kakaoOptions"]["pfId"].as_str().is_none()
                || m["kakaoOptions"]["templateId"].as_str().is_none() =>
        {
            Some("3105")
        }
        "SMS" | "LMS" | "ATA" | "VOICE" => None,
        _ => Some("1025"),
    }
}

/// The final code of an accepted message: scripted for its number (counting its messages of
/// this type), else from the seed and
/// its key — busy or timed out for calls, a phone off for texts, not a KakaoTalk user.
fn fate(
    s: &Shared,
    messages: &BTreeMap<String, Message>,
    kind: &str,
    to: &str,
    key: &str,
) -> &'static str {
    if let Some(script) = s.config.solapi_scripted.get(to) {
        let earlier = messages
            .values()
            .filter(|m| m.to == to && m.kind == kind)
            .count();
        if let Some(code) = script.get(earlier).or(script.last()) {
            return code;
        }
    }
    let r = s.roll(&format!("fate:{key}"));
    match kind {
        "VOICE" if r < 0.05 => "3041",
        "VOICE" if r < 0.10 => "3040",
        "SMS" | "LMS" if r < 0.05 => "3043",
        "ATA" if r < 0.03 => "3104",
        _ => "4000",
    }
}

/// The group a request names, if it exists and has not been sent yet.
fn unsent<'a>(
    s: &Shared,
    groups: &'a mut HashMap<String, Group>,
    id: &str,
) -> Result<&'a mut Group, Box<Response>> {
    let Some(g) = groups.get_mut(id) else {
        return Err(Box::new(error(
            s,
            StatusCode::NOT_FOUND,
            "GroupNotFound",
            "없는 그룹입니다",
        )));
    };
    if g.sent_at.is_some() {
        return Err(Box::new(error(
            s,
            StatusCode::BAD_REQUEST,
            "AlreadySent",
            "이미 발송한 그룹입니다",
        )));
    }
    Ok(g)
}

#[derive(Deserialize)]
pub struct AddMessages {
    messages: Vec<Value>,
}

pub async fn add_messages(
    Ax(s): Ax<Shared>,
    Path(group): Path<String>,
    headers: HeaderMap,
    Json(body): Json<AddMessages>,
) -> Response {
    let n = match gate(&s, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    if body.messages.len() > MAX_PER_REQUEST {
        return error(
            &s,
            StatusCode::BAD_REQUEST,
            "TooManyMessages",
            "한 번에 10,000건까지입니다",
        );
    }
    let mut results = Vec::with_capacity(body.messages.len());
    let mut errors = 0;
    {
        let mut st = s.lock();
        let st = &mut *st;
        let g = match unsent(&s, &mut st.groups, &group) {
            Ok(g) => g,
            Err(r) => return *r,
        };
        for m in &body.messages {
            let to = m["to"].as_str().unwrap_or("");
            let kind = m["type"].as_str().unwrap_or("");
            if let Some(code) = refuse(&s, m) {
                st.stats.rejected += 1;
                errors += 1;
                results.push(AddResult {
                    to,
                    from: None,
                    kind,
                    country: None,
                    message_id: None,
                    status_code: code,
                    status_message: "접수 실패",
                });
                continue;
            }
            let key = m["customFields"]["maeulKey"]
                .as_str()
                .map_or_else(|| format!("{to}|{}", m["text"]), str::to_string);
            if st.accepted_keys.insert(key.clone()) {
                st.stats.accepted += 1;
            } else {
                st.stats.duplicates += 1;
            }
            st.serial += 1;
            let id = format!("M4V{:020}", st.serial);
            let fate = fate(&s, &st.messages, kind, to, &key);
            g.messages.push(id.clone());
            st.messages.insert(
                id.clone(),
                Message {
                    group: group.clone(),
                    to: to.to_string(),
                    kind: kind.to_string(),
                    key,
                    fate,
                    reply_range: m["voiceOptions"]["replyRange"]
                        .as_u64()
                        .and_then(|r| u8::try_from(r).ok()),
                },
            );
            results.push(AddResult {
                to,
                from: m["from"].as_str(),
                kind,
                country: Some("82"),
                message_id: Some(id),
                status_code: "2000",
                status_message: "정상 접수(이통사로 접수 예정)",
            });
        }
    }
    maybe_drop(&s, n);
    with_date(
        &s,
        StatusCode::OK,
        AddAnswer {
            error_count: errors,
            result_list: results,
        },
    )
}

pub async fn send_group(
    Ax(s): Ax<Shared>,
    Path(group): Path<String>,
    headers: HeaderMap,
) -> Response {
    let n = match gate(&s, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    {
        let mut st = s.lock();
        let g = match unsent(&s, &mut st.groups, &group) {
            Ok(g) => g,
            Err(r) => return *r,
        };
        g.sent_at = Some(Instant::now());
    }
    maybe_drop(&s, n);
    with_date(
        &s,
        StatusCode::OK,
        json!({ "groupId": group, "status": "SENDING" }),
    )
}

#[derive(Deserialize)]
pub struct ListQuery {
    criteria: Option<String>,
    value: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "startKey")]
    start_key: Option<String>,
}

pub async fn list(Ax(s): Ax<Shared>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    let n = match gate(&s, &headers).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    maybe_drop(&s, n);
    let limit = q.limit.unwrap_or(20).clamp(1, 500);
    let value = q.value.unwrap_or_default();
    let st = s.lock();
    let ids: Vec<&String> = match q.criteria.as_deref() {
        Some("groupId") => st
            .groups
            .get(&value)
            .map(|g| g.messages.iter().collect())
            .unwrap_or_default(),
        Some("messageId") => st
            .messages
            .get_key_value(&value)
            .map(|(k, _)| vec![k])
            .unwrap_or_default(),
        _ => {
            return error(
                &s,
                StatusCode::BAD_REQUEST,
                "InvalidCriteria",
                "criteria는 groupId 또는 messageId",
            );
        }
    };
    let start = q
        .start_key
        .as_ref()
        .and_then(|k| ids.iter().position(|id| *id == k))
        .unwrap_or(0);
    let page = &ids[start.min(ids.len())..(start + limit).min(ids.len())];
    let next = if s.config.endless_listing {
        Some(format!("E{n}"))
    } else {
        ids.get(start + limit).map(|id| id.to_string())
    };
    let mut list = Vec::with_capacity(page.len());
    for id in page {
        let m = &st.messages[*id];
        let sent = st.groups.get(&m.group).and_then(|g| g.sent_at);
        let code = match sent {
            None => "2000",
            Some(t) if t.elapsed() < s.config.settle => "3000",
            Some(_) => m.fate,
        };
        // A key outside the range is not taken by the call: not replied.
        let pressed = match (code, m.reply_range) {
            ("4000", Some(range)) => Some(crate::keypad_press(&m.to).filter(|d| *d <= range)),
            _ => None,
        };
        list.push(Listed {
            message_id: id,
            group_id: &m.group,
            to: &m.to,
            kind: &m.kind,
            status_code: code,
            custom_fields: ListedFields { key: &m.key },
            voice_replied: pressed.map(|p| p.is_some()),
            reply_key: pressed.flatten().map(|d| d.to_string()),
        });
    }
    // Written while the messages are borrowed from the locked state.
    let body = serde_json::to_vec(&ListAnswer {
        start_key: q.start_key.clone(),
        next_key: next,
        limit,
        message_list: ListedMap(list),
    })
    .unwrap_or_default();
    drop(st);
    if s.config.listing_padding > 0 {
        return padded(body, s.config.listing_padding);
    }
    with_date_raw(&s, StatusCode::OK, body)
}

pub async fn balance(Ax(s): Ax<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = gate(&s, &headers).await {
        return r;
    }
    with_date(
        &s,
        StatusCode::OK,
        json!({ "balance": 120000, "point": 3500, "deposit": 0 }),
    )
}

pub async fn stats(Ax(s): Ax<Shared>) -> Response {
    let st = s.lock();
    Json(serde_json::to_value(&st.stats).unwrap_or_default()).into_response()
}
