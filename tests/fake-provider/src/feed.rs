//! A stand-in for the national disaster-text feed (safetydata.go.kr `DSSP-IF-00247`) with
//! its field names and its habits: a key it does not know still answers HTTP 200, with
//! `resultCode` "30"; a missing or malformed `crtDt` is `resultCode` "10"; listings are
//! filtered by `rgnNm` (contained in `RCPTN_RGN_NM`) and `crtDt` (on or after), and paged.
//! Tests add messages while it runs and make the next answers fail.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// The feed's state, shared with the test that runs it.
#[derive(Clone, Default)]
pub struct FakeFeed {
    pub key: String,
    /// Messages as the feed lists them (SN, CRT_DT "YYYY/MM/DD HH:MM:SS", MSG_CN, …).
    pub messages: Arc<Mutex<Vec<Value>>>,
    /// The next this many requests answer HTTP 500.
    pub fail_next: Arc<AtomicU32>,
    pub requests: Arc<AtomicU32>,
}

impl FakeFeed {
    pub fn new(key: &str) -> FakeFeed {
        FakeFeed {
            key: key.into(),
            ..FakeFeed::default()
        }
    }

    /// Adds a message with the feed's field names.
    pub fn add(&self, sn: u64, created: &str, regions: &str, step: &str, kind: &str, text: &str) {
        let day = created.get(..10).unwrap_or("").replace('/', "-");
        self.messages.lock().unwrap().push(json!({
            "SN": sn,
            "CRT_DT": created,
            "MSG_CN": text,
            "RCPTN_RGN_NM": regions,
            "EMRG_STEP_NM": step,
            "DST_SE_NM": kind,
            "REG_YMD": day,
            "MDFCN_YMD": created,
        }));
    }

    pub async fn serve(self) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let bound = listener.local_addr()?;
        let app = Router::new()
            .route("/V2/api/DSSP-IF-00247", get(list))
            .with_state(self);
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok((bound, handle))
    }
}

fn refused(code: &str, msg: &str, detail: &str) -> Response {
    axum::Json(json!({
        "header": { "resultCode": code, "resultMsg": msg, "errorMsg": detail }
    }))
    .into_response()
}

async fn list(State(feed): State<FakeFeed>, Query(q): Query<HashMap<String, String>>) -> Response {
    feed.requests.fetch_add(1, Ordering::SeqCst);
    if feed
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    }
    if q.get("serviceKey").map(String::as_str) != Some(feed.key.as_str()) {
        return refused(
            "30",
            "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
            "등록되지 않은 서비스키입니다",
        );
    }
    let Some(since) = q
        .get("crtDt")
        .filter(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
    else {
        return refused("10", "INVALID_REQUEST_PARAMETER_ERROR", "crtDt(YYYYMMDD)");
    };
    let number = |name: &str, default: usize| {
        q.get(name)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let (rows, page) = (number("numOfRows", 10), number("pageNo", 1));
    let region = q.get("rgnNm").cloned().unwrap_or_default();
    let all: Vec<Value> = feed
        .messages
        .lock()
        .unwrap()
        .iter()
        .filter(|m| {
            let day = m["CRT_DT"]
                .as_str()
                .unwrap_or("")
                .get(..10)
                .unwrap_or("")
                .replace('/', "");
            day.as_str() >= since.as_str()
                && m["RCPTN_RGN_NM"].as_str().unwrap_or("").contains(&region)
        })
        .cloned()
        .collect();
    let shown: Vec<Value> = all
        .iter()
        .skip((page - 1) * rows)
        .take(rows)
        .cloned()
        .collect();
    let mut answer = json!({
        "header": { "resultMsg": "NORMAL SERVICE", "resultCode": "00", "errorMsg": null },
        "numOfRows": rows,
        "pageNo": page,
        "totalCount": all.len(),
    });
    // No messages: the feed leaves the body out rather than sending an empty list.
    if !shown.is_empty() {
        answer["body"] = Value::Array(shown);
    }
    axum::Json(answer).into_response()
}
