//! A stand-in for the providers' HTTP APIs (the Solapi v4 and Twilio 2010-04-01 subsets the
//! desk uses), faithful
//! enough to catch what a real one would refuse: HMAC signatures (bad, reused, skewed),
//! batch sizes, byte limits, unknown sender. Each message's fate follows from a seed and its
//! idempotency key, so runs repeat. Faults — 5xx, 429 with Retry-After, latency, connections
//! dropped after the work was done — are injected at given rates, and listings can be made to
//! never end or to be too large to hold. `GET /__stats` counts
//! what was accepted, accepted twice (duplicates) and rejected: how tests prove "no loss,
//! no duplicate".

mod auth;
pub mod feed;
mod solapi;
mod twilio;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    /// Share of requests answered 500 before any work.
    pub fail_rate: f64,
    /// Share of requests whose connection is dropped — after the work, for the requests
    /// that change something, so the client cannot know it happened.
    pub drop_rate: f64,
    pub latency: Duration,
    /// Requests per second before 429 (0: no limit).
    pub rate_limit: u32,
    /// Added to the server's clock (to test a desk whose clock is off).
    pub clock_offset_secs: i64,
    /// api key → secret.
    pub accounts: HashMap<String, String>,
    /// The registered sender number.
    pub sender: String,
    /// How long a sent message stays "3000" before its final code.
    pub settle: Duration,
    /// Twilio: account SID → auth token, and the account's number.
    pub twilio_accounts: HashMap<String, String>,
    pub twilio_from: String,
    /// Twilio: every page of a listing after the first answers 500 (a listing cut off
    /// partway, whatever the client does).
    pub twilio_later_pages_fail: bool,
    /// Solapi: national number → the final status codes of its successive messages of each
    /// type, in order (the last repeats). Other numbers meet the seed's fate.
    pub solapi_scripted: HashMap<String, Vec<&'static str>>,
    /// Both providers' listings: every page names a next one, for ever.
    pub endless_listing: bool,
    /// Both providers' listings: every page is a valid answer padded to this many bytes and
    /// sent without a length (0: plain pages).
    pub listing_padding: usize,
}

pub const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 7,
            fail_rate: 0.0,
            drop_rate: 0.0,
            latency: Duration::ZERO,
            rate_limit: 0,
            clock_offset_secs: 0,
            accounts: HashMap::from([("NCSTESTKEY".to_string(), "test-secret".to_string())]),
            sender: "0438353233".into(),
            settle: Duration::from_millis(20),
            twilio_accounts: HashMap::from([(TWILIO_SID.to_string(), "twilio-token".to_string())]),
            twilio_from: "+82438353233".into(),
            twilio_later_pages_fail: false,
            solapi_scripted: HashMap::new(),
            endless_listing: false,
            listing_padding: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub group: String,
    pub to: String,
    pub kind: String,
    pub key: String,
    pub fate: &'static str,
    /// A call's `voiceOptions.replyRange`: the digits 1 to this it accepts.
    pub reply_range: Option<u8>,
}

#[derive(Debug, Default)]
pub(crate) struct Group {
    pub messages: Vec<String>,
    pub sent_at: Option<Instant>,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    /// Messages accepted, each idempotency key counted once.
    pub accepted: u64,
    /// Acceptances of a key already accepted: messages a real provider would send twice.
    pub duplicates: u64,
    /// Messages refused one by one (bad number, too long, …).
    pub rejected: u64,
    pub requests: u64,
    pub failed_injected: u64,
    pub dropped_injected: u64,
    pub rate_limited: u64,
    pub auth_refused: u64,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub groups: HashMap<String, Group>,
    pub messages: BTreeMap<String, Message>,
    pub accepted_keys: HashSet<String>,
    pub seen_signatures: HashSet<String>,
    pub stats: Stats,
    pub serial: u64,
    /// (second, requests in it) for the rate limit.
    pub window: (u64, u32),
    pub twilio: twilio::TwilioState,
}

#[derive(Clone)]
pub(crate) struct Shared {
    pub config: Arc<Config>,
    pub state: Arc<Mutex<State>>,
    pub started: Instant,
}

impl Shared {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A number in [0, 1) from the seed and a label: the same run decides the same way.
    pub fn roll(&self, label: &str) -> f64 {
        let mut h = Sha256::new();
        h.update(self.config.seed.to_le_bytes());
        h.update(label.as_bytes());
        let d = h.finalize();
        let n = u64::from_le_bytes(d[..8].try_into().expect("8 bytes"));
        (n >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn router(config: Config) -> Router {
    let shared = Shared {
        config: Arc::new(config),
        state: Arc::new(Mutex::new(State::default())),
        started: Instant::now(),
    };
    Router::new()
        .route("/messages/v4/groups", post(solapi::create_group))
        .route(
            "/messages/v4/groups/{id}/messages",
            put(solapi::add_messages),
        )
        .route("/messages/v4/groups/{id}/send", post(solapi::send_group))
        .route("/messages/v4/list", get(solapi::list))
        .route("/__stats", get(solapi::stats))
        .route("/cash/v1/balance", get(solapi::balance))
        .route("/2010-04-01/Accounts/{file}", get(twilio::account))
        .route(
            "/2010-04-01/Accounts/{account}/{resource}",
            post(twilio::create).get(twilio::list),
        )
        .route(
            "/2010-04-01/Accounts/{account}/{resource}/{sid}",
            get(twilio::fetch),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Calls/{sid}/{file}",
            get(twilio::events),
        )
        .route("/__twilio/requests", get(twilio::requests))
        .with_state(shared)
}

/// Serves on `addr` (port 0: any free port); returns the bound address.
pub async fn serve(
    addr: SocketAddr,
    config: Config,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    quiet_dropped_connections();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = router(config);
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((bound, handle))
}

/// What a resident presses when a call asks for a key: the number's last digit decides, so
/// tests know the tallies. 0–3 press nothing; the rest press 1, 2 or 3.
pub fn keypad_press(to: &str) -> Option<u8> {
    match to.chars().last()?.to_digit(10)? as u8 {
        0..=3 => None,
        d => Some(1 + d % 3),
    }
}

pub(crate) fn server_now(s: &Shared) -> Timestamp {
    Timestamp::now() + SignedDuration::from_secs(s.config.clock_offset_secs)
}

/// A JSON answer with the server's `Date` (which clients use to correct a skewed clock).
pub(crate) fn with_date(s: &Shared, status: StatusCode, body: impl Serialize) -> Response {
    with_date_raw(s, status, serde_json::to_vec(&body).unwrap_or_default())
}

/// A JSON object answered in pieces without a length, `padding` bytes of filler added as
/// its last field: a listing too large to hold.
pub(crate) fn padded(json: Vec<u8>, padding: usize) -> Response {
    let mut head = json;
    if head.last() == Some(&b'}') {
        head.pop();
    }
    head.extend_from_slice(b",\"padding\":\"");
    const PIECE: usize = 64 * 1024;
    let filler = vec![b'x'; PIECE];
    let pieces = std::iter::once(head)
        .chain(std::iter::repeat_n(filler, padding.div_ceil(PIECE)))
        .chain(std::iter::once(b"\"}".to_vec()))
        .map(Ok::<_, std::convert::Infallible>);
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        axum::body::Body::from_stream(futures_util::stream::iter(pieces)),
    )
        .into_response()
}

/// [`with_date`] for a body already written as JSON.
pub(crate) fn with_date_raw(s: &Shared, status: StatusCode, json: Vec<u8>) -> Response {
    let mut r = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json,
    )
        .into_response();
    let date = jiff::fmt::rfc2822::to_string(&server_now(s).to_zoned(jiff::tz::TimeZone::UTC))
        .unwrap_or_default();
    if let Ok(v) = HeaderValue::from_str(&date) {
        r.headers_mut().insert("date", v);
    }
    r
}

pub(crate) enum Fault {
    RateLimited,
    Failed,
}

/// The faults every request may meet before any work: latency, the rate limit, an injected
/// 5xx. Returns the request's number, for the drop decision taken after the work.
pub(crate) async fn faults(s: &Shared) -> Result<u64, Fault> {
    if !s.config.latency.is_zero() {
        tokio::time::sleep(s.config.latency).await;
    }
    let n = {
        let mut st = s.lock();
        st.stats.requests += 1;
        st.serial += 1;
        let n = st.serial;
        if s.config.rate_limit > 0 {
            let second = s.started.elapsed().as_secs();
            if st.window.0 != second {
                st.window = (second, 0);
            }
            st.window.1 += 1;
            if st.window.1 > s.config.rate_limit {
                st.stats.rate_limited += 1;
                return Err(Fault::RateLimited);
            }
        }
        n
    };
    if s.roll(&format!("req{n}:fail")) < s.config.fail_rate {
        s.lock().stats.failed_injected += 1;
        return Err(Fault::Failed);
    }
    Ok(n)
}

/// Drops the connection (after the work is done) for the share of requests asked for.
pub(crate) fn maybe_drop(s: &Shared, n: u64) {
    if s.roll(&format!("req{n}:drop")) < s.config.drop_rate {
        s.lock().stats.dropped_injected += 1;
        std::panic::panic_any(DROP);
    }
}

/// A dropped connection is a panicking handler (hyper then closes the socket without an
/// answer); its message is not worth printing.
pub(crate) const DROP: &str = "fake-provider: connection dropped on purpose";

fn quiet_dropped_connections() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .unwrap_or_default();
            if msg != DROP {
                default(info);
            }
        }));
    });
}
