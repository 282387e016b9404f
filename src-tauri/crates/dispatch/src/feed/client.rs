//! Asks the feed for the county's province's messages since yesterday (the feed's `crtDt`
//! is where the listing starts; yesterday keeps a message sent just before midnight), page
//! by page up to a cap.

use std::time::Duration;

use jiff::civil::Date;

use super::wire::{self, FeedError, FeedMessage};
use crate::secret::Secret;

/// Pages of 100 asked for at most: two days of one province's texts fit many times over.
const MAX_PAGES: u32 = 20;
const ROWS: u32 = 100;
/// An answer larger than this is not read whole.
const BODY_CAP: usize = 4 * 1024 * 1024;

pub struct FeedClient {
    http: reqwest::Client,
    base_url: String,
    key: Secret,
}

impl FeedClient {
    pub fn new(base_url: &str, key: Secret) -> Result<FeedClient, FeedError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            // The key rides in the query: never to wherever a redirect points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FeedError::Unreachable(e.to_string()))?;
        Ok(FeedClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            key,
        })
    }

    /// Every message for `region` (a 시·도 name) created on or after `since`.
    pub async fn messages(&self, since: Date, region: &str) -> Result<Vec<FeedMessage>, FeedError> {
        let url = format!("{}/V2/api/DSSP-IF-00247", self.base_url);
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let page_no = page.to_string();
            let rows = ROWS.to_string();
            let day = since.strftime("%Y%m%d").to_string();
            let query = [
                ("serviceKey", self.key.expose()),
                ("returnType", "json"),
                ("pageNo", page_no.as_str()),
                ("numOfRows", rows.as_str()),
                ("crtDt", day.as_str()),
                ("rgnNm", region),
            ];
            let mut r = self
                .http
                .get(&url)
                .query(&query)
                .send()
                .await
                // reqwest's error names the URL, which carries the key: keep only the kind.
                .map_err(|e| FeedError::Unreachable(without_url(&e)))?;
            if !r.status().is_success() {
                return Err(FeedError::Http(r.status().as_u16()));
            }
            let mut body = Vec::new();
            while let Some(chunk) = r
                .chunk()
                .await
                .map_err(|e| FeedError::Unreachable(without_url(&e)))?
            {
                if body.len() + chunk.len() > BODY_CAP {
                    return Err(FeedError::Malformed(format!(
                        "답이 {}MB를 넘습니다",
                        BODY_CAP / 1024 / 1024
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            let p = wire::parse(&body)?;
            let got = p.messages.len();
            all.extend(p.messages);
            if got == 0 || u64::from(page * ROWS) >= p.total {
                return Ok(all);
            }
        }
        Ok(all)
    }
}

fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "시간 초과"
    } else if e.is_connect() {
        "연결 거부 또는 주소 없음"
    } else {
        "연결 끊김"
    };
    kind.to_string()
}
