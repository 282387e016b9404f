//! The feed's JSON answer: `{header: {resultCode, resultMsg, errorMsg?}, totalCount,
//! body: [{SN, CRT_DT, MSG_CN, RCPTN_RGN_NM, EMRG_STEP_NM, DST_SE_NM, REG_YMD, MDFCN_YMD}]}`.
//! A refused key still answers HTTP 200: only `resultCode` "00" is an answer.

use serde::Deserialize;

/// One disaster text as the feed gives it (the fields the desk uses).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FeedMessage {
    /// Unique per message; a number in some answers, a string in others.
    #[serde(rename = "SN", deserialize_with = "text_or_number")]
    pub sn: String,
    /// "YYYY/MM/DD HH:MM:SS", Seoul time.
    #[serde(rename = "CRT_DT", default)]
    pub created: String,
    #[serde(rename = "MSG_CN", default)]
    pub text: String,
    /// Receiving regions, comma-separated ("충청북도 증평군,충청북도 괴산군").
    #[serde(rename = "RCPTN_RGN_NM", default)]
    pub regions: String,
    /// 위급재난, 긴급재난 or 안전안내.
    #[serde(rename = "EMRG_STEP_NM", default)]
    pub step: String,
    /// The 재난 kind (호우, 지진, 기타 …).
    #[serde(rename = "DST_SE_NM", default)]
    pub kind: String,
}

fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "SN은 숫자나 문자열이어야 합니다: {other}"
        ))),
    }
}

#[derive(Debug, Deserialize)]
struct Header {
    #[serde(rename = "resultCode", default)]
    result_code: String,
    #[serde(rename = "resultMsg", default)]
    result_msg: String,
    #[serde(rename = "errorMsg", default)]
    error_msg: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    header: Header,
    #[serde(rename = "totalCount", default)]
    total_count: Option<u64>,
    #[serde(default)]
    body: Option<Vec<FeedMessage>>,
}

/// One page of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub messages: Vec<FeedMessage>,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("재난문자 서버에 연결할 수 없습니다: {0}")]
    Unreachable(String),
    #[error("재난문자 서버가 HTTP {0}으로 답했습니다")]
    Http(u16),
    /// `resultCode` other than "00": a refused key, a limit reached, a bad request.
    #[error("재난문자 서버가 요청을 거절했습니다 (resultCode {code}: {message})")]
    Refused { code: String, message: String },
    #[error("재난문자 서버의 답을 읽을 수 없습니다: {0}")]
    Malformed(String),
    #[error("재난문자 서비스 키가 이 PC의 키링에 없습니다: `maeul feed set`으로 넣으세요")]
    NoKey,
}

pub fn parse(bytes: &[u8]) -> Result<Page, FeedError> {
    let a: Answer =
        serde_json::from_slice(bytes).map_err(|e| FeedError::Malformed(e.to_string()))?;
    if a.header.result_code.trim() != "00" {
        let message = match a.header.error_msg.filter(|m| !m.trim().is_empty()) {
            Some(detail) => format!("{} {detail}", a.header.result_msg),
            None => a.header.result_msg,
        };
        return Err(FeedError::Refused {
            code: a.header.result_code,
            message,
        });
    }
    let messages = a.body.unwrap_or_default();
    Ok(Page {
        total: a.total_count.unwrap_or(messages.len() as u64),
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_with_numbers_or_strings_for_sn() {
        let page = parse(
            r#"{"header":{"resultMsg":"NORMAL SERVICE","resultCode":"00","errorMsg":null},
                "numOfRows":10,"pageNo":1,"totalCount":2,
                "body":[{"SN":214870,"CRT_DT":"2026/12/05 08:10:00","MSG_CN":"호우","RCPTN_RGN_NM":"충청북도 증평군",
                         "EMRG_STEP_NM":"긴급재난","DST_SE_NM":"호우","REG_YMD":"2026-12-05","MDFCN_YMD":"2026/12/05 08:10:01"},
                        {"SN":"214871","MSG_CN":"x"}]}"#
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.messages[0].sn, "214870");
        assert_eq!(page.messages[0].step, "긴급재난");
        assert_eq!(page.messages[1].sn, "214871");
    }

    #[test]
    fn a_refused_key_answers_200_and_reads_as_an_error() {
        let e = parse(
            r#"{"header":{"resultMsg":"SERVICE_KEY_IS_NOT_REGISTERED_ERROR","resultCode":"30","errorMsg":"등록되지 않은 서비스키"}}"#
                .as_bytes(),
        )
        .unwrap_err();
        assert!(
            matches!(&e, FeedError::Refused { code, .. } if code == "30"),
            "{e}"
        );
        assert!(e.to_string().contains("등록되지 않은 서비스키"), "{e}");
        // No messages today: no body at all.
        let empty = parse(br#"{"header":{"resultCode":"00","resultMsg":"NORMAL"},"totalCount":0}"#)
            .unwrap();
        assert!(empty.messages.is_empty());
        assert!(matches!(parse(b"<html>"), Err(FeedError::Malformed(_))));
    }
}
