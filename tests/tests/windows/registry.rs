//! The registry's files as a Windows user makes and opens them.

use std::path::{Path, PathBuf};

use crate::wine::{maeul, ok, prefix, stats, text, win, workdir};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/registry")
        .join(name)
}

fn expected(name: &str) -> Vec<String> {
    std::fs::read_to_string(corpus(name))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The prefix's profile is `C:\users\홍 길동` (set by `./dev test-windows`): the database
/// goes to `%APPDATA%` there, and redirected output is UTF-8 on a code page 949 system.
#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn demo_seed_lands_in_appdata_under_a_hangul_profile() {
    let out = maeul(None)
        .arg("demo-seed")
        .env_remove("MAEUL_DB")
        .output()
        .unwrap();
    let printed = ok(out);
    assert!(printed.contains("데모 자료: 세대 37000"), "{printed}");
    let db = prefix().join("drive_c/users/홍 길동/AppData/Roaming/maeul/Maeul Desk/data/maeul.db");
    assert!(db.is_file(), "no database at {}", db.display());

    let out = maeul(None)
        .args(["registry", "stats", "--json"])
        .env_remove("MAEUL_DB")
        .output()
        .unwrap();
    let s: serde_json::Value = serde_json::from_str(&ok(out)).unwrap();
    assert_eq!(
        (
            s["towns"].as_i64(),
            s["villages"].as_i64(),
            s["households"].as_i64()
        ),
        (Some(2), Some(112), Some(37_000)),
        "{s}"
    );
    assert_eq!(s["county"], "증평군");
}

#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn imports_are_all_or_nothing_from_cp949_csv_and_xlsx() {
    let dir = workdir();
    let db = dir.path().join("홍 길동/desk.db");
    ok(maeul(Some(&db)).arg("demo-seed").output().unwrap());
    let before = stats(&db)["subscribers"].as_i64().unwrap();

    // A CP949 file, as Korean Excel saves CSV, with three bad rows: each listed, none stored.
    let utf8 = std::fs::read_to_string(corpus("22_many_errors.csv")).unwrap();
    let cp949 = dir.path().join("홍 길동/오류 명부.csv");
    std::fs::write(&cp949, encoding_rs::EUC_KR.encode(&utf8).0).unwrap();
    let bad = maeul(Some(&db))
        .args(["registry", "import", &win(&cp949)])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad.stderr));
    let lines: Vec<String> = text(&bad.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines, expected("22_many_errors.expected"));
    assert!(text(&bad.stderr).contains("명부는 바뀌지 않았습니다"));
    assert_eq!(stats(&db)["subscribers"].as_i64(), Some(before));

    // The same from an .xlsx: its bad row named, nothing stored.
    let bad = maeul(Some(&db))
        .args([
            "registry",
            "import",
            &win(&corpus("25_unknown_village.xlsx")),
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let lines: Vec<String> = text(&bad.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines, expected("25_unknown_village.expected"));
    assert_eq!(stats(&db)["subscribers"].as_i64(), Some(before));

    // Good files go in whole.
    ok(maeul(Some(&db))
        .args(["registry", "import", &win(&corpus("00_valid_cp949.csv"))])
        .output()
        .unwrap());
    assert_eq!(stats(&db)["subscribers"].as_i64(), Some(before + 3));
    let xlsx = dir.path().join("홍 길동/새 명부.xlsx");
    write_xlsx(&xlsx);
    let done = ok(maeul(Some(&db))
        .args(["registry", "import", &win(&xlsx)])
        .output()
        .unwrap());
    assert!(done.contains("가져왔습니다: 2 행"), "{done}");
    assert_eq!(stats(&db)["subscribers"].as_i64(), Some(before + 5));

    // Export: UTF-8 with BOM and CRLF records for Excel; CP949 on request.
    let csv = dir.path().join("홍 길동/주민명부.csv");
    ok(maeul(Some(&db))
        .args(["registry", "export", &win(&csv)])
        .output()
        .unwrap());
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    assert_eq!(crlf, lf, "every record ends CRLF");
    assert!(lf > 1000, "{lf} records");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.contains("010-0555-0101"),
        "the xlsx's rows are exported"
    );

    let euc = dir.path().join("홍 길동/주민명부 949.csv");
    ok(maeul(Some(&db))
        .args(["registry", "export", "--format", "csv-cp949", &win(&euc)])
        .output()
        .unwrap());
    let bytes = std::fs::read(&euc).unwrap();
    let (decoded, _, malformed) = encoding_rs::EUC_KR.decode(&bytes);
    assert!(
        !malformed && decoded.starts_with("읍면,마을"),
        "{decoded:.40}"
    );
}

/// A name Windows refuses is refused by the desk, naming the character — never NTFS's
/// silent alternate stream (`보고서:1.csv` written into a hidden stream of `보고서`).
#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn file_names_windows_refuses_are_refused_clearly() {
    let dir = workdir();
    let db = dir.path().join("홍 길동/desk.db");
    for (name, shown) in [
        ("보고서:1.csv", "':'"),
        ("행사?.xlsx", "'?'"),
        ("NUL.csv", "장치 이름"),
    ] {
        let out = maeul(Some(&db))
            .args([
                "registry",
                "export",
                &win(&dir.path().join("홍 길동").join(name)),
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = text(&out.stderr);
        assert!(err.contains(shown), "{name}: {err}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path().join("홍 길동"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("desk.db"))
        .collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
}

fn write_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        [
            "읍면",
            "마을",
            "주소",
            "세대주",
            "이름",
            "전화번호",
            "동의일자",
            "동의방법",
            "음성",
            "문자",
            "카카오톡",
            "상태",
        ],
        [
            "증평읍",
            "연탄1리",
            "증평읍 연탄리 601",
            "최윈도",
            "최윈도",
            "010-0555-0101",
            "2024-03-02",
            "서면",
            "Y",
            "Y",
            "N",
            "정상",
        ],
        [
            "도안면",
            "화성1리",
            "도안면 화성리 77",
            "정윈도",
            "정윈도",
            "010-0555-0102",
            "2024-03-02",
            "전화",
            "Y",
            "N",
            "Y",
            "정상",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save(path).unwrap();
}
