//! Running `maeul.exe` under Wine from a test, with paths spelled as Windows sees them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The cross-built CLI.
pub fn exe() -> PathBuf {
    PathBuf::from(
        std::env::var_os("MAEUL_WIN_CLI").expect("MAEUL_WIN_CLI (run ./dev test-windows)"),
    )
}

/// The prefix `./dev test-windows` made for this run.
pub fn prefix() -> PathBuf {
    PathBuf::from(std::env::var_os("WINEPREFIX").expect("WINEPREFIX (run ./dev test-windows)"))
}

/// The native Linux build of the same CLI, to compare results with.
pub fn linux_cli() -> PathBuf {
    PathBuf::from(std::env::var_os("MAEUL_LINUX_CLI").expect("MAEUL_LINUX_CLI"))
}

/// A Linux path as a Windows program names it: Wine maps `/` to drive `Z:`.
pub fn win(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// A Windows program under Wine, with no display (the CLI needs none).
pub fn wine(program: &str) -> Command {
    let mut c = Command::new("wine");
    c.arg(program).env_remove("DISPLAY");
    c
}

/// `maeul.exe [--db DB] ...`.
pub fn maeul(db: Option<&Path>) -> Command {
    let mut c = wine(exe().to_str().expect("UTF-8 path"));
    if let Some(db) = db {
        c.arg("--db").arg(win(db));
    }
    c
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_else(|e| panic!("output is not UTF-8: {e}"))
}

/// Asserts success and returns stdout.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text(&out.stdout)
}

/// A folder for one test, under a name with Hangul and a space (as a user's profile can be).
pub fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("홍 길동")).unwrap();
    dir
}

/// `registry stats --json` of a database.
pub fn stats(db: &Path) -> serde_json::Value {
    let out = ok(maeul(Some(db))
        .args(["registry", "stats", "--json"])
        .output()
        .unwrap());
    serde_json::from_str(&out).expect("stats JSON")
}

/// A value under a key of the prefix's registry, as `reg query` prints it.
pub fn reg_query(key: &str) -> String {
    let out = wine("reg").args(["query", key, "/s"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}
