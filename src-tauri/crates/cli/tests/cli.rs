//! The `maeul` binary as scripts use it: exit codes, `row N: column: reason` lines, JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn maeul(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maeul"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run maeul")
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/corpus/registry")
        .join(name)
}

fn stats(db: &Path) -> serde_json::Value {
    let out = maeul(db, &["registry", "stats", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stats JSON")
}

#[test]
fn seed_import_and_audit_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");

    let seeded = maeul(&db, &["demo-seed"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let s = stats(&db);
    assert_eq!(
        (
            s["towns"].as_i64(),
            s["villages"].as_i64(),
            s["households"].as_i64()
        ),
        (Some(2), Some(112), Some(37_000))
    );
    assert!(maeul(&db, &["demo-seed", "--if-empty"]).status.success());
    assert!(
        !maeul(&db, &["demo-seed"]).status.success(),
        "a second seed is refused"
    );

    // A bad file: non-zero exit, one line per problem, nothing stored.
    let bad = maeul(
        &db,
        &[
            "registry",
            "import",
            corpus("22_many_errors.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let lines: Vec<String> = String::from_utf8_lossy(&bad.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("row ")), "{lines:?}");
    assert_eq!(stats(&db)["subscribers"], s["subscribers"]);

    // A dry run passes and stores nothing; the real run stores the row.
    let valid = corpus("00_valid.xlsx");
    assert!(
        maeul(
            &db,
            &["registry", "import", "--dry-run", valid.to_str().unwrap()]
        )
        .status
        .success()
    );
    assert_eq!(stats(&db)["subscribers"], s["subscribers"]);
    assert!(
        maeul(&db, &["registry", "import", valid.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        stats(&db)["subscribers"].as_i64(),
        s["subscribers"].as_i64().map(|n| n + 1)
    );

    let export = dir.path().join("명부.csv");
    assert!(
        maeul(&db, &["registry", "export", export.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        std::fs::read(&export).unwrap().starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 BOM for Excel"
    );

    let ok = maeul(&db, &["audit", "verify"]);
    assert!(ok.status.success());
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("intact: 3 entries"),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
}

#[test]
fn audit_verify_names_the_first_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    assert!(maeul(&db, &["demo-seed"]).status.success());
    for _ in 0..2 {
        assert!(
            maeul(
                &db,
                &[
                    "registry",
                    "export",
                    dir.path().join("x.xlsx").to_str().unwrap()
                ]
            )
            .status
            .success()
        );
    }
    // Someone edits the log behind the app's back.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let pool = maeul_db::open(&db).await.unwrap();
        maeul_db::query("UPDATE audit_log SET actor = 'someone-else' WHERE id = 2")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let out = maeul(&db, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("broken at entry 2"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let copy = dir.path().join("backup.db");
    assert!(maeul(&db, &["demo-seed"]).status.success());
    assert!(
        maeul(&db, &["backup", copy.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        maeul(
            &db,
            &[
                "registry",
                "import",
                corpus("00_valid.xlsx").to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let before = stats(&copy)["subscribers"].clone();
    assert!(
        maeul(&db, &["restore", copy.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(stats(&db)["subscribers"], before);
    // The restored outbox sends nothing until a person resumes it.
    let paused = maeul(&db, &["sync", "--once"]);
    assert_eq!(paused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&paused.stderr).contains("maeul sync --resume"),
        "{}",
        String::from_utf8_lossy(&paused.stderr)
    );
    assert!(maeul(&db, &["sync", "--resume"]).status.success());
    assert!(maeul(&db, &["sync", "--once"]).status.success());
}

#[test]
fn budget_cards_print_and_check_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("budget.db");
    assert!(maeul(&db, &["demo-seed"]).status.success());

    let check = maeul(&db, &["budget", "check", "--json"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let checks: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(checks[0]["number"], "공감행정 ②-5");
    assert_eq!(checks[0]["issues"].as_array().map(Vec::len), Some(0));

    let one = dir.path().join("card.pdf");
    let printed = maeul(
        &db,
        &[
            "budget",
            "print",
            "--card",
            "공감행정 ②-5",
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    assert!(std::fs::read(&one).unwrap().starts_with(b"%PDF-"));

    let all = dir.path().join("all.pdf");
    let printed = maeul(
        &db,
        &["budget", "print", "--all", "--out", all.to_str().unwrap()],
    );
    assert!(printed.status.success());
    assert!(String::from_utf8_lossy(&printed.stdout).contains("카드 1"));

    let missing = maeul(
        &db,
        &[
            "budget",
            "print",
            "--card",
            "없는 번호",
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("없는 번호"));
    assert!(
        !maeul(&db, &["budget", "print", "--out", one.to_str().unwrap()])
            .status
            .success(),
        "--card or --all is required"
    );
}

#[test]
fn programmes_list_and_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("programs.db");
    assert!(maeul(&db, &["demo-seed"]).status.success());

    let out = maeul(&db, &["programs", "list", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cohorts = listing["cohorts"].as_array().unwrap();
    let years: Vec<i64> = cohorts
        .iter()
        .map(|c| c["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2024, 2023, 2022, 2022]);
    let c2024 = &cohorts[0];
    assert_eq!(c2024["kind"], "data_living_lab");
    assert_eq!(c2024["workshops"][0]["starts_at"], "2024-06-19T09:30");
    let trainings = listing["trainings"].as_array().unwrap();
    assert_eq!(trainings.len(), 2);
    assert_eq!(trainings[0]["present"], 56);
    assert_eq!(trainings[1]["present"], 22);

    let id = c2024["id"].as_i64().unwrap().to_string();
    let ics = dir.path().join("cohort.ics");
    let out = maeul(
        &db,
        &[
            "programs",
            "ics",
            "--cohort",
            &id,
            "--out",
            ics.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 4);
    assert!(text.contains("DTSTART:20240619T003000Z"));

    let missing = maeul(
        &db,
        &[
            "programs",
            "ics",
            "--cohort",
            "999",
            "--out",
            ics.to_str().unwrap(),
        ],
    );
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("찾을 수 없습니다"));
    let neither = maeul(&db, &["programs", "ics", "--out", ics.to_str().unwrap()]);
    assert_eq!(neither.status.code(), Some(2));

    let sheet = dir.path().join("sheet.pdf");
    let training = trainings[1]["id"].as_i64().unwrap().to_string();
    let out = maeul(
        &db,
        &[
            "programs",
            "sign-in",
            "--training",
            &training,
            "--out",
            sheet.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&sheet).unwrap().starts_with(b"%PDF"));
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_broadcast_is_queued_synced_to_the_sandbox_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    ok(&maeul(&db, &["demo-seed"]));
    ok(&maeul(
        &db,
        &["settings", "set", "dispatch.retry_schedule", "1s"],
    ));
    // Whatever the hour in Seoul when the test runs.
    ok(&maeul(
        &db,
        &["settings", "set", "dispatch.quiet_hours", "off"],
    ));
    let bad = maeul(&db, &["settings", "set", "dispatch.retry_schedule", "soon"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("dispatch.retry_schedule"));
    let unknown = maeul(
        &db,
        &[
            "broadcast",
            "send",
            "--text",
            "안내",
            "--villages",
            "없는리",
            "--channels",
            "sms",
        ],
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("없는 마을입니다: 없는리"));

    let id = ok(&maeul(
        &db,
        &[
            "broadcast",
            "send",
            "--text",
            "내일 오전 7시 마을 대청소가 있습니다.",
            "--villages",
            "창동1리,증평읍 창동2리",
            "--channels",
            "voice,sms",
        ],
    ));
    assert_eq!(id, "1");
    // A poll the calls ask: one answer is refused naming the field, two are taken.
    let poll = |p: &str| {
        maeul(
            &db,
            &[
                "broadcast",
                "send",
                "--text",
                "토요일 마을 총회",
                "--villages",
                "창동1리",
                "--channels",
                "voice",
                "--poll",
                p,
            ],
        )
    };
    let one = poll("오시나요?|참석");
    assert!(String::from_utf8_lossy(&one.stderr).contains("poll.answers"));
    assert_eq!(ok(&poll("오시나요?|참석|불참")), "2");
    ok(&maeul(&db, &["sync", "--drain", "--timeout", "60"]));
    let replies: serde_json::Value =
        serde_json::from_str(&ok(&maeul(&db, &["broadcast", "replies", "2", "--json"]))).unwrap();
    let answers = replies["poll"]["answers"].as_array().unwrap();
    assert_eq!(answers[0]["label"], "참석", "{replies}");
    let pressed: u64 = answers.iter().map(|a| a["count"].as_u64().unwrap()).sum();
    assert!(pressed > 0, "{replies}");
    assert!(
        replies["confirmation"]["confirmed"].as_u64().unwrap() > 0,
        "{replies}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&ok(&maeul(&db, &["broadcast", "report", "1", "--json"]))).unwrap();
    let rows = report.as_array().unwrap();
    let open: u64 = rows
        .iter()
        .filter(|r| ["pending", "submitting", "submitted"].contains(&r["state"].as_str().unwrap()))
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(open, 0, "{report}");
    let reached: u64 = rows
        .iter()
        .filter(|r| ["delivered", "listened"].contains(&r["state"].as_str().unwrap()))
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert!(reached > 0, "{report}");
    // A failed text is replaced by a KakaoTalk message (the default fallback).
    assert!(rows.iter().any(|r| r["channel"] == "kakao"), "{report}");
    let csv = dir.path().join("report.csv");
    ok(&maeul(
        &db,
        &["broadcast", "report", "1", "--csv", csv.to_str().unwrap()],
    ));
    let text = std::fs::read_to_string(&csv).unwrap();
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(
        text.lines().count() as u64,
        total + 1,
        "a header and one line per delivery"
    );
    assert!(
        text.contains("증평읍,창동1리,문자,010-"),
        "{}",
        &text[..200.min(text.len())]
    );
    // The printable report: a real PDF with the Korean font subset in it.
    let pdf = dir.path().join("report.pdf");
    let out = ok(&maeul(
        &db,
        &["broadcast", "report", "1", "--pdf", pdf.to_str().unwrap()],
    ));
    assert!(out.contains("쪽 →"), "{out}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        (5_000..400_000).contains(&bytes.len()),
        "{} bytes",
        bytes.len()
    );
    if let Ok(keep) = std::env::var("MAEUL_KEEP_PDF") {
        std::fs::copy(&pdf, keep).unwrap();
    }
}

/// CAP through the command line: an alert file (EUC-KR, as older systems write it) becomes
/// one draft, a second import finds it, a bad file exits 2 naming the element, the draft is
/// sent by id, and the broadcast is written back out as CAP.
#[test]
fn cap_alerts_import_send_and_export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    ok(&maeul(&db, &["demo-seed"]));
    let alert = r#"<?xml version="1.0" encoding="EUC-KR"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>KMA-CLI-1</identifier><sender>kma.go.kr</sender>
  <sent>2026-12-05T08:10:00+09:00</sent><status>Actual</status><msgType>Alert</msgType>
  <scope>Public</scope><code>대한민국정부1.1</code>
  <info><language>ko-KR</language><category>Met</category><event>대설주의보</event>
    <urgency>Expected</urgency><severity>Moderate</severity><certainty>Likely</certainty>
    <senderName>청주기상지청</senderName><headline>증평읍 대설주의보</headline>
    <description>내일 새벽까지 눈이 5cm 이상 쌓이겠습니다.</description>
    <area><areaDesc>충청북도 증평군 증평읍</areaDesc>
      <geocode><valueName>행정구역코드</valueName><value>4374525000</value></geocode></area>
  </info>
</alert>"#;
    let file = dir.path().join("대설.xml");
    std::fs::write(&file, encoding_rs::EUC_KR.encode(alert).0).unwrap();
    let made = ok(&maeul(&db, &["alert", "import", file.to_str().unwrap()]));
    assert!(made.starts_with("새 초안 1: 증평읍 대설주의보"), "{made}");
    let again = ok(&maeul(&db, &["alert", "import", file.to_str().unwrap()]));
    assert!(again.starts_with("이미 가져온 초안 1"), "{again}");

    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        alert.replace("<status>Actual</status>", "<status>Real</status>"),
    )
    .unwrap();
    let refused = maeul(&db, &["alert", "import", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("<status>"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let drafts = ok(&maeul(&db, &["alert", "drafts"]));
    assert!(drafts.starts_with("1\t대설주의보"), "{drafts}");
    let id = ok(&maeul(&db, &["alert", "send", "1"]));
    let twice = maeul(&db, &["alert", "send", "1"]);
    assert!(!twice.status.success(), "a draft is sent once");
    let out = dir.path().join("cap.xml");
    ok(&maeul(
        &db,
        &["broadcast", "cap", &id, "--out", out.to_str().unwrap()],
    ));
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("<event>대설주의보</event>"), "{xml}");
    assert!(xml.contains("<value>4374525000</value>"), "{xml}");
}
