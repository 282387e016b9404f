//! Korean on a Korean Windows console (code page 949). A program that wrote UTF-8 bytes to
//! the console would show mojibake there; Rust's standard library writes UTF-16 to a console
//! (WriteConsoleW) and the bytes as they are when output is redirected, so both read right.

use std::process::Command;

use crate::wine::{exe, maeul, ok, win, workdir};

#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn korean_reads_right_on_a_949_console_and_when_redirected() {
    let dir = workdir();
    let db = dir.path().join("홍 길동/desk.db");
    // Redirected (a pipe): UTF-8, as scripts and files expect.
    let piped = ok(maeul(Some(&db))
        .args(["registry", "stats"])
        .output()
        .unwrap());
    assert!(piped.contains("읍면 0 · 마을 0"), "{piped}");

    // A console: `script` gives Wine a terminal, so maeul.exe and chcp run on a real
    // console, which reports its code page.
    let line = format!(
        "wine '{}' --db '{}' registry stats; wine cmd /c chcp",
        exe().display(),
        win(&db)
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_remove("DISPLAY")
        .output()
        .expect("script (util-linux)");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains(": 949"),
        "a code page 949 console: {screen}"
    );
    assert!(screen.contains("읍면 0 · 마을 0"), "{screen}");
}
