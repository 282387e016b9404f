//! The Twilio 2010-04-01 endpoints the desk uses: create a message (`Messages.json`) or a call
//! (`Calls.json`, TwiML inline), fetch one by sid, list by `To`/`From` newest first. HTTP Basic
//! auth with the account SID and auth token, the SID also in the path. Twilio carries no key
//! of ours, so a duplicate is a second acceptance of the same channel, number and content while
//! an earlier one is not failed (a retry after a no-answer is not a duplicate; resending what
//! is on its way or arrived is). Every create request is kept, raw, for the OpenAPI test.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as Ax};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Fault, Shared, faults, maybe_drop, padded, server_now, with_date};

const BODY_MAX: usize = 1600;
const TWIML_MAX: usize = 4000;

#[derive(Debug, Clone)]
pub(crate) struct TwMessage {
    sid: String,
    call: bool,
    to: String,
    from: String,
    body: String,
    created: Timestamp,
    created_at: Instant,
    /// Final status and error code, decided at creation from the seed.
    fate: (&'static str, Option<i64>),
    /// The `<Gather>` action of the call's TwiML, where the pressed digit is sent.
    gather: Option<String>,
}

/// One create request as it arrived: for checking against Twilio's OpenAPI description.
#[derive(Debug, Clone, Serialize)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub content_type: String,
    pub authorization: String,
    pub form: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub(crate) struct TwilioState {
    messages: BTreeMap<String, TwMessage>,
    /// content key → sids accepted for it, oldest first.
    by_key: HashMap<String, Vec<String>>,
    requests: Vec<RawRequest>,
}

fn error(s: &Shared, status: StatusCode, code: i64, message: &str) -> Response {
    with_date(
        s,
        status,
        json!({
            "code": code, "message": message, "status": status.as_u16(),
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        }),
    )
}

/// Faults, then Basic auth for the account named in the path.
async fn gate(s: &Shared, headers: &HeaderMap, account: &str) -> Result<u64, Response> {
    let n = match faults(s).await {
        Ok(n) => n,
        Err(Fault::RateLimited) => {
            let mut r = error(s, StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests");
            r.headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            return Err(r);
        }
        Err(Fault::Failed) => {
            return Err(error(
                s,
                StatusCode::INTERNAL_SERVER_ERROR,
                20500,
                "Internal Server Error",
            ));
        }
    };
    let credentials = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let ok = credentials
        .as_deref()
        .and_then(|c| c.split_once(':'))
        .is_some_and(|(user, token)| {
            user == account && s.config.twilio_accounts.get(user).map(String::as_str) == Some(token)
        });
    if !ok {
        s.lock().stats.auth_refused += 1;
        return Err(error(s, StatusCode::UNAUTHORIZED, 20003, "Authenticate"));
    }
    Ok(n)
}

fn e164(n: &str) -> bool {
    n.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && !d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The final status of an accepted message or call, from the seed and its content key and
/// how many times it was accepted before.
fn fate(s: &Shared, call: bool, key: &str, nth: usize) -> (&'static str, Option<i64>) {
    let r = s.roll(&format!("twilio:{key}:{nth}"));
    match call {
        true if r < 0.05 => ("busy", None),
        true if r < 0.10 => ("no-answer", None),
        true => ("completed", None),
        false if r < 0.05 => ("undelivered", Some(30003)),
        false => ("delivered", None),
    }
}

fn status_now(s: &Shared, m: &TwMessage) -> (&'static str, Option<i64>) {
    if m.created_at.elapsed() < s.config.settle {
        (if m.call { "queued" } else { "sent" }, None)
    } else {
        m.fate
    }
}

fn resource_json(s: &Shared, account: &str, m: &TwMessage) -> Value {
    let (status, code) = status_now(s, m);
    let created = jiff::fmt::rfc2822::to_string(&m.created.to_zoned(jiff::tz::TimeZone::UTC))
        .unwrap_or_default();
    let mut v = json!({
        "sid": m.sid, "account_sid": account, "to": m.to, "from": m.from,
        "status": status, "date_created": created, "api_version": "2010-04-01",
    });
    if m.call {
        v["duration"] = json!(if status == "completed" { "21" } else { "0" });
    } else {
        v["body"] = json!(m.body);
        v["error_code"] = json!(code);
    }
    v
}

pub async fn create(
    Ax(s): Ax<Shared>,
    Path((account, resource)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let header = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    s.lock().twilio.requests.push(RawRequest {
        method: "POST".into(),
        path: format!("/2010-04-01/Accounts/{account}/{resource}"),
        content_type: header("content-type"),
        authorization: header("authorization")
            .split(' ')
            .next()
            .unwrap_or("")
            .into(),
        form: form.clone(),
    });
    let n = match gate(&s, &headers, &account).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    let call = match resource.as_str() {
        "Calls.json" => true,
        "Messages.json" => false,
        _ => return error(&s, StatusCode::NOT_FOUND, 20404, "Not Found"),
    };
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let to = get("To").unwrap_or("");
    let from = get("From").unwrap_or("");
    let content = if call { get("Twiml") } else { get("Body") }.unwrap_or("");
    let refusal = if !e164(to) {
        Some((21211, "Invalid 'To' Phone Number"))
    } else if from != s.config.twilio_from {
        Some((21212, "Invalid 'From' Number"))
    } else if content.is_empty() {
        Some((21602, "Message body or TwiML is required"))
    } else if !call && content.chars().count() > BODY_MAX {
        Some((
            21617,
            "The concatenated message body exceeds the 1600 character limit",
        ))
    } else if call && (content.chars().count() > TWIML_MAX || !content.starts_with("<Response>")) {
        Some((21220, "Invalid TwiML"))
    } else {
        None
    };
    if let Some((code, message)) = refusal {
        s.lock().stats.rejected += 1;
        return error(&s, StatusCode::BAD_REQUEST, code, message);
    }
    let key = format!("{}|{to}|{content}", if call { "call" } else { "sms" });
    let m = {
        let mut st = s.lock();
        let st = &mut *st;
        let earlier = st.twilio.by_key.get(&key).cloned().unwrap_or_default();
        let live = earlier.iter().any(|sid| {
            st.twilio.messages.get(sid).is_some_and(|m| {
                let (status, _) = status_now(&s, m);
                !matches!(status, "busy" | "no-answer" | "failed" | "undelivered")
            })
        });
        if live {
            st.stats.duplicates += 1;
        } else {
            st.stats.accepted += 1;
        }
        st.serial += 1;
        let sid = format!(
            "{}{:032x}",
            if call { "CA" } else { "SM" },
            u128::from(st.serial)
        );
        let m = TwMessage {
            sid: sid.clone(),
            call,
            to: to.into(),
            from: from.into(),
            body: if call { String::new() } else { content.into() },
            gather: call.then(|| gather_action(content)).flatten(),
            created: server_now(&s),
            created_at: Instant::now(),
            fate: fate(&s, call, &key, earlier.len()),
        };
        st.twilio.by_key.entry(key).or_default().push(sid.clone());
        st.twilio.messages.insert(sid, m.clone());
        m
    };
    maybe_drop(&s, n);
    with_date(&s, StatusCode::CREATED, resource_json(&s, &account, &m))
}

/// The `action` of a `<Gather>` in TwiML, unescaped.
fn gather_action(twiml: &str) -> Option<String> {
    let start = twiml.find("<Gather")?;
    let tag = &twiml[start..start + twiml[start..].find('>')?];
    let at = tag.find("action=\"")? + "action=\"".len();
    let value = &tag[at..at + tag[at..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// A call's Events: the requests Twilio made to the application during it. Kept only from
/// a while after the call ends (here: twice the settling time), and empty before, as for a
/// call whose TwiML made no request. A call whose `<Gather>` got a digit shows the POST to
/// its action with the parameters in snake case, `digits` among them.
pub async fn events(
    Ax(s): Ax<Shared>,
    Path((account, sid, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let n = match gate(&s, &headers, &account).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    maybe_drop(&s, n);
    if file != "Events.json" {
        return error(&s, StatusCode::NOT_FOUND, 20404, "Not Found");
    }
    let Some(m) = s.lock().twilio.messages.get(&sid).cloned() else {
        return error(
            &s,
            StatusCode::NOT_FOUND,
            20404,
            "The requested resource was not found",
        );
    };
    let kept = m.created_at.elapsed() >= s.config.settle * 2;
    let pressed = match (kept, status_now(&s, &m).0, &m.gather) {
        (true, "completed", Some(action)) => {
            crate::keypad_press(&m.to).map(|d| (action.clone(), d))
        }
        _ => None,
    };
    let events: Vec<Value> = pressed
        .into_iter()
        .map(|(action, digit)| {
            json!({
                "request": {
                    "method": "POST",
                    "url": action,
                    "parameters": {
                        "call_sid": m.sid, "account_sid": account, "to": m.to, "from": m.from,
                        "call_status": "in-progress", "direction": "outbound-api",
                        "digits": digit.to_string(), "finished_on_key": "",
                    },
                },
                "response": {
                    "response_code": 200, "content_type": "text/xml", "request_duration": 84,
                },
            })
        })
        .collect();
    with_date(
        &s,
        StatusCode::OK,
        json!({
            "events": events, "page": 0, "page_size": 50, "start": 0, "end": 0,
            "uri": format!("/2010-04-01/Accounts/{account}/Calls/{sid}/Events.json"),
            "first_page_uri": format!("/2010-04-01/Accounts/{account}/Calls/{sid}/Events.json?PageSize=50&Page=0"),
            "next_page_uri": null, "previous_page_uri": null,
        }),
    )
}

pub async fn fetch(
    Ax(s): Ax<Shared>,
    Path((account, resource, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let n = match gate(&s, &headers, &account).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    maybe_drop(&s, n);
    let sid = file.strip_suffix(".json").unwrap_or(&file);
    let st = s.lock();
    match st.twilio.messages.get(sid) {
        Some(m) if m.call == (resource == "Calls") => {
            let body = resource_json(&s, &account, m);
            drop(st);
            with_date(&s, StatusCode::OK, body)
        }
        _ => {
            drop(st);
            error(
                &s,
                StatusCode::NOT_FOUND,
                20404,
                "The requested resource was not found",
            )
        }
    }
}

pub async fn list(
    Ax(s): Ax<Shared>,
    Path((account, resource)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let n = match gate(&s, &headers, &account).await {
        Ok(n) => n,
        Err(r) => return r,
    };
    maybe_drop(&s, n);
    let (call, name) = match resource.as_str() {
        "Calls.json" => (true, "calls"),
        "Messages.json" => (false, "messages"),
        _ => return error(&s, StatusCode::NOT_FOUND, 20404, "Not Found"),
    };
    let size: usize = q
        .get("PageSize")
        .and_then(|p| p.parse().ok())
        .unwrap_or(50)
        .clamp(1, 1000);
    // "DateSent>=2026-11-26" arrives as the key "DateSent>" (calls: "StartTime>"): on or
    // after that UTC day.
    let since = q
        .get(if call { "StartTime>" } else { "DateSent>" })
        .map(String::as_str);
    let day = |t: Timestamp| {
        t.to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m-%d")
            .to_string()
    };
    let offset: usize = q
        .get("PageToken")
        .and_then(|t| t.strip_prefix("PA"))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    if offset > 0 && s.config.twilio_later_pages_fail {
        s.lock().stats.failed_injected += 1;
        return error(
            &s,
            StatusCode::INTERNAL_SERVER_ERROR,
            20500,
            "Internal Server Error",
        );
    }
    let st = s.lock();
    let mut found: Vec<&TwMessage> = st
        .twilio
        .messages
        .values()
        .filter(|m| m.call == call)
        .filter(|m| q.get("To").is_none_or(|t| *t == m.to))
        .filter(|m| q.get("From").is_none_or(|f| *f == m.from))
        .filter(|m| since.is_none_or(|d| day(m.created).as_str() >= d))
        .collect();
    found.sort_by_key(|m| std::cmp::Reverse(m.created_at));
    let page: Vec<Value> = found
        .iter()
        .skip(offset)
        .take(size)
        .map(|m| resource_json(&s, &account, m))
        .collect();
    let more = found.len() > offset + size || s.config.endless_listing;
    drop(st);
    let next = more.then(|| {
        let mut uri = format!("/2010-04-01/Accounts/{account}/{resource}?");
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &q {
            if k != "PageToken" && k != "Page" {
                ser.append_pair(k, v);
            }
        }
        ser.append_pair("Page", &(offset / size + 1).to_string());
        ser.append_pair("PageToken", &format!("PA{}", offset + size));
        uri.push_str(&ser.finish());
        uri
    });
    let body =
        json!({ name: page, "page": offset / size, "page_size": size, "next_page_uri": next });
    if s.config.listing_padding > 0 {
        return padded(
            serde_json::to_vec(&body).unwrap_or_default(),
            s.config.listing_padding,
        );
    }
    with_date(&s, StatusCode::OK, body)
}

pub async fn account(Ax(s): Ax<Shared>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let account = file.strip_suffix(".json").unwrap_or(&file).to_string();
    if let Err(r) = gate(&s, &headers, &account).await {
        return r;
    }
    with_date(
        &s,
        StatusCode::OK,
        json!({ "sid": account, "friendly_name": "증평군 마을방송", "status": "active", "type": "Full" }),
    )
}

pub async fn requests(Ax(s): Ax<Shared>) -> Response {
    let st = s.lock();
    Json(serde_json::to_value(&st.twilio.requests).unwrap_or_default()).into_response()
}
