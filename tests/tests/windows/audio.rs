//! The console's offline chain as a Windows program, against the Linux build on one file.

use crate::wine::{linux_cli, maeul, ok, win, workdir};

fn render(json: &str) -> serde_json::Value {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn mixer_render_measures_as_on_linux() {
    let dir = workdir();
    let d = dir.path().join("홍 길동");
    let input = d.join("안내 방송.wav");
    ok(std::process::Command::new(linux_cli())
        .args(["mixer", "test-signal", "--seconds", "8"])
        .arg(&input)
        .output()
        .unwrap());

    let linux = render(&ok(std::process::Command::new(linux_cli())
        .args(["mixer", "render", "--chime", "--zone", "*101#", "--in"])
        .arg(&input)
        .arg("--archive")
        .arg(d.join("linux.ogg"))
        .arg("--telephony")
        .arg(d.join("linux.wav"))
        .arg("--json")
        .output()
        .unwrap()));
    let windows = render(&ok(maeul(None)
        .args([
            "mixer",
            "render",
            "--chime",
            "--zone",
            "*101#",
            "--in",
            &win(&input),
        ])
        .args(["--archive", &win(&d.join("windows.ogg"))])
        .args(["--telephony", &win(&d.join("windows.wav"))])
        .arg("--json")
        .output()
        .unwrap()));

    assert_eq!(windows["duration_ms"], linux["duration_ms"]);
    for (key, tolerance) in [
        ("input_lufs", 0.1),
        ("archive_lufs", 0.1),
        ("archive_true_peak_dbtp", 0.1),
        ("telephony_dbm0", 0.1),
        ("gain_db", 0.1),
    ] {
        let (w, l) = (windows[key].as_f64().unwrap(), linux[key].as_f64().unwrap());
        assert!((w - l).abs() <= tolerance, "{key}: Windows {w}, Linux {l}");
    }
    // The same telephone rendition in length (sample values may differ in the last bit:
    // each platform's libm rounds sin/exp/log its own way).
    assert_eq!(
        std::fs::metadata(d.join("windows.wav")).unwrap().len(),
        std::fs::metadata(d.join("linux.wav")).unwrap().len()
    );
}

/// Under WASAPI (Wine's, with no sound card here) the command says which audio system it
/// asked and that it found nothing, instead of printing nothing.
#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn mixer_devices_names_wasapi_and_says_when_there_are_none() {
    let out = ok(maeul(None).args(["mixer", "devices"]).output().unwrap());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"오디오\tWASAPI"), "{out}");
    for kind in ["입력", "출력"] {
        let mine: Vec<&&str> = lines.iter().filter(|l| l.starts_with(kind)).collect();
        assert!(
            !mine.is_empty(),
            "{kind} listed or said to be missing: {out}"
        );
        if mine.iter().any(|l| l.ends_with("장치가 없습니다")) {
            assert_eq!(mine.len(), 1, "{out}");
        }
    }
}

/// An imported recording is kept beside the database in `%APPDATA%`, where the uninstaller
/// leaves it and a backup of the profile finds it.
#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn recordings_are_kept_beside_the_database_in_appdata() {
    let dir = workdir();
    let input = dir.path().join("홍 길동/마을 안내.wav");
    ok(std::process::Command::new(linux_cli())
        .args(["mixer", "test-signal", "--seconds", "3"])
        .arg(&input)
        .output()
        .unwrap());
    ok(maeul(None)
        .args(["recording", "import", &win(&input), "--title", "마을 안내"])
        .env_remove("MAEUL_DB")
        .output()
        .unwrap());
    let kept = crate::wine::prefix()
        .join("drive_c/users/홍 길동/AppData/Roaming/maeul/Maeul Desk/data/recordings");
    let files: Vec<String> = std::fs::read_dir(&kept)
        .unwrap_or_else(|e| panic!("{}: {e}", kept.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.ends_with(".ogg")), "{files:?}");
    assert!(files.iter().any(|f| f.ends_with(".wav")), "{files:?}");
}
