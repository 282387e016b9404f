//! End-to-end: the real app window, driven through tauri-driver and WebKitWebDriver under
//! Xvfb. `./dev e2e` (part of `./dev test`) builds the binaries, seeds one database (the demo
//! county, quiet hours off so a send leaves at any hour in Seoul), starts Xvfb and runs these
//! with `--run-ignored`. One test per area, each on its own copy of that database and its own
//! app window; nextest runs them one at a time (`.config/nextest.toml`, group `app-window`).

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

// Budget cards: the execution rate, checks while typing, the printed preview.
mod budget;
// The broadcast console: the test signal moves the meters, on air to a village, the
// recording listed with its levels, handed to the dispatch form.
mod console;
// 현황판: a year's figures as charts and tables, one village's visit list.
mod dashboard;
// Dispatch: compose to two villages, the summary, send, live progress and its reasons.
mod dispatch;
// First run on a restored backup: setup, the language switch, signing out and in.
mod first_run;
// Registry groups: made, filled from the list, targeted in the compose form.
mod groups;
// Office mode: two app windows on one PostgreSQL server, an edit seen and a stale save refused.
mod office;
// Living lab and chief training: workshops, the calendar's clashes, the check-in desk.
mod programmes;
// The registry: figures, search, a subscriber added and undone, a village, import, enrolment.
mod registry;

/// Kills tauri-driver (and so the app) however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by ./dev e2e")))
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e");
    dir
}

/// tauri-driver and the app on `db`, with a WebDriver session. A session that fails while
/// being made (seen once: the driver closed the request half-way while the machine was busy
/// with another build) is tried again with a fresh driver, up to three times.
async fn start(db: &std::path::Path) -> (Driver, Client) {
    let mut last = String::new();
    for _ in 0..3 {
        match try_start(db).await {
            Ok(started) => return started,
            Err(e) => last = e,
        }
    }
    panic!("no WebDriver session after three tries: {last}");
}

async fn try_start(db: &std::path::Path) -> Result<(Driver, Client), String> {
    let port = free_port();
    let driver = Driver(
        Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver on PATH (cargo install tauri-driver)"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() >= deadline {
            return Err(format!("tauri-driver did not listen on {port}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": env_path("MAEUL_E2E_BIN"), "args": ["--db", db.to_str().unwrap()] }),
    );
    let client = ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| format!("WebDriver session: {e}"))?;
    Ok((driver, client))
}

async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(selector))
        .await
    {
        Ok(el) => el,
        Err(e) => {
            let shot = failed(c).await;
            panic!("{selector} did not appear: {e} (screenshot: target/e2e/{shot})")
        }
    }
}

/// Replaces a field's text the way a person does (select all, then type), so that the
/// page sees real input events; WebDriver's clear() fires none in WebKit.
/// A keystroke can be lost while a form is still mounting, so the value is read back and the
/// typing repeated (up to three times) until the field holds exactly `text`.
async fn fill(c: &Client, selector: &str, text: &str) {
    let mut value = String::new();
    for _ in 0..3 {
        let el = css(c, selector).await;
        el.send_keys("\u{E009}a\u{E000}").await.expect("select all");
        let keys = if text.is_empty() { "\u{E003}" } else { text };
        el.send_keys(keys).await.expect("type");
        value = el.prop("value").await.expect("value").unwrap_or_default();
        if value == text {
            return;
        }
    }
    let shot = failed(c).await;
    panic!("{selector} holds {value:?} after typing {text:?} (screenshot: target/e2e/{shot})");
}

async fn click(c: &Client, selector: &str) {
    css(c, selector)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
}

/// Clicks a tab until it says it is selected: a click that lands while the page is still
/// mounting can be lost (seen once on the registry's tabs right after navigating there).
async fn select_tab(c: &Client, selector: &str) {
    for _ in 0..5 {
        click(c, selector).await;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            let selected = css(c, selector).await.attr("aria-selected").await;
            if matches!(selected.as_ref().map(|s| s.as_deref()), Ok(Some("true"))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let shot = failed(c).await;
    panic!("{selector} stayed unselected after five clicks (screenshot: target/e2e/{shot})");
}

/// Waits (up to 10 s) until nothing matches `selector`; `stuck` says what went wrong if
/// something still does.
async fn until_gone(c: &Client, selector: &str, stuck: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !c.find_all(Locator::Css(selector)).await.unwrap().is_empty() {
        assert!(Instant::now() < deadline, "{stuck}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An element's visible text.
async fn text(c: &Client, selector: &str) -> String {
    css(c, selector)
        .await
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of {selector}: {e}"))
}

/// Saves what the window shows when a step fails, named for the test (nextest runs each test
/// in a process whose main thread carries its name), and returns the file's name.
async fn failed(c: &Client) -> String {
    let test = std::thread::current()
        .name()
        .unwrap_or("e2e")
        .rsplit("::")
        .next()
        .unwrap_or("e2e")
        .to_string();
    let name = format!("failure-{test}.png");
    screenshot(c, &name).await;
    name
}

/// Saves what the window shows to target/e2e/NAME.
async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(out_dir().join(name), png).expect("write screenshot");
}

/// A table cell's text. WebDriver's visible text is empty for cells clipped by
/// `overflow: hidden`, so this reads `textContent`.
async fn cell(c: &Client, selector: &str) -> String {
    css(c, selector)
        .await
        .prop("textContent")
        .await
        .expect("textContent")
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn digits(text: &str) -> u64 {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

/// Waits (up to 20 s) until exactly `n` elements match `selector`.
async fn count_until(c: &Client, selector: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = c.find_all(Locator::Css(selector)).await.unwrap().len();
        if found == n {
            return;
        }
        if Instant::now() >= deadline {
            let shot = failed(c).await;
            panic!("{selector}: {found} found, {n} expected (screenshot: target/e2e/{shot})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls an element's attribute until `ok` holds, returning its last value.
async fn attr_until(c: &Client, selector: &str, name: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = css(c, selector)
            .await
            .attr(name)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        if ok(&value) {
            return value;
        }
        if Instant::now() >= deadline {
            let shot = failed(c).await;
            panic!(
                "{selector} [{name}] never matched; last: {value:?} (screenshot: target/e2e/{shot})"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls an element's `textContent` (what a clipped or contents-only element holds, where
/// WebDriver's visible text is empty) until `ok` holds.
pub(crate) async fn content_until(c: &Client, selector: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = css(c, selector)
            .await
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default();
        if ok(&t) {
            return t;
        }
        if Instant::now() > deadline {
            let shot = failed(c).await;
            panic!("{selector} never matched; last text: {t:?} (screenshot: target/e2e/{shot})");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Polls an element's text until `ok` holds, returning the last text.
async fn text_until(c: &Client, selector: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = css(c, selector).await.text().await.unwrap_or_default();
        if ok(&text) {
            return text;
        }
        if Instant::now() >= deadline {
            let shot = failed(c).await;
            panic!("{selector} never matched; last text: {text:?} (screenshot: target/e2e/{shot})");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

pub(crate) const ADMIN_PASSWORD: &str = "증평군청-3233";

/// Runs the CLI on `db` and insists it succeeded; `stdin` is typed into it.
fn cli(db: &Path, args: &[&str], stdin: &str) {
    let mut child = Command::new(env_path("MAEUL_E2E_CLI"))
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .expect("maeul CLI");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    assert!(child.wait().unwrap().success(), "maeul {args:?} failed");
}

/// This test's own copy of the database `./dev e2e` seeded once (`MAEUL_E2E_SEED`, a folder
/// holding `desk.db` and the files beside it, such as the audit chain's sealed head).
/// The test's own connection to the app's database file, to look at or set what the window
/// does not show.
async fn pool(db: &Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open the desk's database")
}

fn seeded_copy(dir: &Path) -> PathBuf {
    for entry in std::fs::read_dir(env_path("MAEUL_E2E_SEED")).expect("seed folder") {
        let entry = entry.expect("seed entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy seed");
    }
    dir.join("desk.db")
}

/// The app on a copy of the seed with an admin made by the CLI, signed in through the form.
async fn signed_in(dir: &Path) -> (Driver, Client) {
    sign_in(&seeded_copy(dir)).await
}

/// The app on `db` with an admin made by the CLI, signed in through the form.
async fn sign_in(db: &Path) -> (Driver, Client) {
    cli(
        db,
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--name",
            "정보통신팀",
            "--role",
            "admin",
        ],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    let (driver, c) = start(db).await;
    fill(&c, "input[name=username]", "admin").await;
    fill(&c, "input[name=password]", ADMIN_PASSWORD).await;
    click(&c, "[data-testid=login-form] button[type=submit]").await;
    css(&c, "[data-testid=registry-stats]").await;
    (driver, c)
}
