//! The app itself under Wine, on a private X display (Xvfb). Its window needs WebView2,
//! which Wine lacks, so a lone app starts (single-instance guard, then its log in
//! %LOCALAPPDATA%, where Windows users and the county's IT look) and then waits at the web
//! view for ever; what can be checked is what happens before that.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::wine::{exe, prefix, win, wine, workdir};

/// A second start hands over to the running one (the single-instance plugin's named mutex
/// and message window) and exits at once, instead of opening the same database twice.
#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn a_second_start_hands_over_to_the_first_and_exits() {
    let app = exe().with_file_name("maeul-desk.exe");
    let (display, mut xvfb) = xvfb();
    let dir = workdir();
    let db = dir.path().join("홍 길동/desk.db");
    // The log plugin is set up right after the single-instance guard: once the first app's
    // log file exists, its guard is in place.
    let log =
        prefix().join("drive_c/users/홍 길동/AppData/Local/kr.maeul.desk/logs/Maeul Desk.log");
    let _ = std::fs::remove_file(&log);
    let mut first = wine(app.to_str().unwrap())
        .env("DISPLAY", &display)
        .args(["--db", &win(&db)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !log.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first app never started its log at {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let begun = Instant::now();
    let second = Command::new("timeout")
        .arg("30")
        .arg("wine")
        .arg(&app)
        .args(["--db", &win(&db)])
        .env("DISPLAY", &display)
        .output()
        .unwrap();
    let took = begun.elapsed();
    let first_alive = first.try_wait().unwrap().is_none();
    let _ = first.kill();
    let _ = first.wait();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    assert!(
        second.status.success(),
        "the second start exits by itself, at once: {:?} after {took:?}",
        second.status
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(first_alive, "the first app is still the one running");
}

/// A private X server on the first free display from :150.
fn xvfb() -> (String, std::process::Child) {
    let n = (150..250)
        .find(|n| !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
        .expect("a free X display");
    let child = Command::new("Xvfb")
        .arg(format!(":{n}"))
        .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb");
    let socket = format!("/tmp/.X11-unix/X{n}");
    let started = Instant::now();
    while !std::path::Path::new(&socket).exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "Xvfb :{n} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (format!(":{n}"), child)
}
