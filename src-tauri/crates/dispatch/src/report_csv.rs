//! The delivery report as CSV for auditors and spreadsheets: one line per delivery, by town
//! and village, with its state and reason. UTF-8 with a byte-order mark, which is how Excel
//! on a Korean Windows recognises UTF-8.

use maeul_db::{Conn, dialect};
use maeul_registry::export::neutralize;

use crate::DispatchError;
use crate::provider::Reason;
use crate::report;

// SQLite's JSON has no booleans: the fallback field (is this a fallback?) is 0 or 1.
type Line = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
    u8,
    Option<String>,
    Option<String>,
);

fn state_ko(s: &str) -> &'static str {
    match s {
        "pending" | "submitting" => "대기",
        "submitted" => "전송",
        "delivered" => "도달",
        "answered" => "응답",
        "listened" => "청취",
        "failed" => "실패",
        _ => "취소",
    }
}

fn channel_ko(c: &str) -> &'static str {
    match c {
        "voice" => "음성",
        "sms" => "문자",
        _ => "카카오톡",
    }
}

/// The reason in Korean; text that is none of ours as it is stored.
fn reason_ko(reason: Option<&str>) -> &str {
    match reason {
        None => "",
        Some(r) => match Reason::parse(r) {
            Some(known) => known.label_ko(),
            None => r,
        },
    }
}

/// Writes the report; `show` turns a stored E.164 number into what this reader may see.
pub async fn write(
    conn: &mut Conn,
    broadcast_id: i64,
    show: &(dyn Fn(&str) -> String + Sync),
) -> Result<(Vec<u8>, u32), DispatchError> {
    let lines_json = dialect::json_rows(
        conn.engine(),
        &[
            "COALESCE(t.name, '')",
            "COALESCE(v.name, '')",
            "d.channel",
            "d.e164",
            "d.state",
            "d.reason",
            "d.attempt",
            "d.updated_at",
            "CASE WHEN d.fallback_of IS NOT NULL THEN 1 ELSE 0 END",
            "d.provider_code",
            "d.provider",
        ],
        None,
    );
    let (json,): (String,) = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {lines_json} \
         FROM deliveries d LEFT JOIN villages v ON v.id = d.village_id LEFT JOIN towns t ON t.id = v.town_id \
         WHERE d.broadcast_id = $1"
    )))
    .bind(broadcast_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut lines: Vec<Line> =
        serde_json::from_str(&json).map_err(|e| DispatchError::invalid("report", e.to_string()))?;
    lines.sort_by(|a, b| (&a.0, &a.1, &a.2, &a.3).cmp(&(&b.0, &b.1, &b.2, &b.3)));
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        // CRLF as RFC 4180 and Excel on Windows expect, whatever the platform writing it.
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let header = [
            "읍면",
            "마을",
            "수단",
            "전화번호",
            "상태",
            "사유",
            "코드",
            "코드 설명",
            "시도",
            "갱신(UTC)",
            "대체 발송",
        ];
        w.write_record(header)
            .map_err(|e| DispatchError::invalid("report", e.to_string()))?;
        for line in &lines {
            let (
                town,
                village,
                channel,
                e164,
                state,
                reason,
                attempt,
                updated,
                fallback,
                code,
                provider,
            ) = line;
            let code = code.as_deref().unwrap_or("");
            let explanation = match code {
                "" => "",
                code => report::explain(provider.as_deref().unwrap_or(""), code),
            };
            // Names, numbers and provider text come from outside: Excel must not run them.
            w.write_record([
                neutralize(town).as_str(),
                &neutralize(village),
                channel_ko(channel),
                &neutralize(&if e164.starts_with(crate::store::PURGED) {
                    "(보유 기간이 지나 지움)".to_string()
                } else {
                    show(e164)
                }),
                state_ko(state),
                &neutralize(reason_ko(reason.as_deref())),
                &neutralize(code),
                explanation,
                &attempt.to_string(),
                updated.as_str(),
                if *fallback != 0 { "예" } else { "" },
            ])
            .map_err(|e| DispatchError::invalid("report", e.to_string()))?;
        }
        w.flush()
            .map_err(|e| DispatchError::invalid("report", e.to_string()))?;
    }
    Ok((out, lines.len() as u32))
}

#[cfg(test)]
mod tests {
    use crate::fanout::{Channel, Planned};

    #[tokio::test]
    async fn cells_a_spreadsheet_would_run_as_formulas_are_neutralised() {
        let db = maeul_db::open_memory().await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        for sql in [
            "INSERT INTO counties (id, code, name) VALUES (1, 'c1', '증평군')",
            "INSERT INTO towns (id, county_id, code, name, kind) \
             VALUES (1, 1, 't1', '=HYPERLINK(\"http://x\")', 'eup')",
            "INSERT INTO villages (id, town_id, code, name) VALUES (7, 1, 'v7', '+연탄1리')",
            "INSERT INTO broadcasts (id, title, category, body, created_by, created_at) \
             VALUES (1, '마을 대청소', 'village_news', '내일 아침', 'test', '2026-11-26T00:00:00Z')",
        ] {
            maeul_db::query(sql).execute(&mut *conn).await.unwrap();
        }
        let planned = Planned {
            channel: Channel::Sms,
            e164: "+821000990001".into(),
            village_id: 7,
            subscriber_ids: vec![1],
            language: maeul_registry::Language::Ko,
        };
        crate::outbox::insert_planned(&mut conn, 1, &[planned], &[], "2026-11-26T00:00:00Z")
            .await
            .unwrap();
        maeul_db::query(
            "UPDATE deliveries SET state = 'failed', reason = '@SUM(1)', provider = 'solapi', \
             provider_code = '3059'",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        let (bytes, lines) = super::write(&mut conn, 1, &|e164| e164.to_string())
            .await
            .unwrap();
        assert_eq!(lines, 1);
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&row[1], "'+연탄1리");
        assert_eq!(&row[3], "'+821000990001");
        assert_eq!(&row[5], "'@SUM(1)");
        assert_eq!(&row[4], "실패");
        // Solapi's own code, and what it means.
        assert_eq!(&row[6], "3059");
        assert!(row[7].starts_with("변작된 발신번호"), "{}", &row[7]);
    }
}
