//! The installer as a county PC runs it: per user, no administrator, Korean first.

use std::path::PathBuf;
use std::process::Command;

use crate::wine::{exe, ok, prefix, reg_query, wine};

fn installer() -> PathBuf {
    let dir = exe().parent().unwrap().to_owned();
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-setup.exe"))
        .unwrap_or_else(|| panic!("no *-setup.exe in {}", dir.display()))
}

/// Waits for every Wine process of the prefix (an NSIS uninstaller re-launches itself).
fn settle() {
    let _ = Command::new("wineserver").arg("-w").status();
}

#[test]
#[ignore = "run by ./dev test-windows under Wine"]
fn installs_per_user_and_uninstalls_keeping_the_data() {
    // What the installer holds, read by 7-Zip on Linux.
    let listing = Command::new("7z")
        .arg("l")
        .arg(installer())
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    for file in [
        "maeul-desk.exe",
        "maeul.exe",
        "WebView2Loader.dll",
        "uninstall.exe",
    ] {
        assert!(listing.contains(file), "{file} in\n{listing}");
    }

    let setup = installer();
    ok(wine(setup.to_str().unwrap()).arg("/S").output().unwrap());
    settle();
    let home = prefix().join("drive_c/users/홍 길동/AppData/Local/Programs/Maeul Desk");
    for file in [
        "maeul-desk.exe",
        "maeul.exe",
        "WebView2Loader.dll",
        "uninstall.exe",
    ] {
        assert!(
            home.join(file).is_file(),
            "{} not installed",
            home.join(file).display()
        );
    }
    let users = prefix().join("drive_c/users");
    let shortcut = walk(&users)
        .into_iter()
        .find(|p| p.ends_with("마을 데스크.lnk"));
    assert!(
        shortcut.is_some(),
        "no Start-menu entry 마을 데스크.lnk under {}",
        users.display()
    );
    let key = reg_query(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\kr.maeul.desk");
    assert!(key.contains("uninstall.exe"), "{key}");

    // The installed CLI works and writes the desk's database in %APPDATA%.
    let installed = home.join("maeul.exe");
    ok(wine(installed.to_str().unwrap())
        .args(["settings", "set", "dispatch.retry_schedule", "3m,15m"])
        .env_remove("MAEUL_DB")
        .output()
        .unwrap());
    let data =
        prefix().join("drive_c/users/홍 길동/AppData/Roaming/maeul/Maeul Desk/data/maeul.db");
    assert!(data.is_file());

    // A silent uninstall removes the program and keeps the data.
    ok(wine(home.join("uninstall.exe").to_str().unwrap())
        .arg("/S")
        .output()
        .unwrap());
    settle();
    assert!(!home.join("maeul-desk.exe").exists(), "program removed");
    assert!(data.is_file(), "the database stays");
    let key = reg_query(r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\kr.maeul.desk");
    assert!(!key.contains("uninstall.exe"), "{key}");
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                found.extend(walk(&p));
            } else {
                found.push(p);
            }
        }
    }
    found
}
