use std::path::Path;

use fantoccini::Client;

use crate::{ADMIN_PASSWORD, cli, click, css, fill, seeded_copy, start, text, text_until};

/// The desk's first start on a restored backup (as after a PC is replaced): the setup form
/// makes the admin and signs in; the language switch turns the labels English and back;
/// signing out, a wrong password is refused in Korean and the right one signs in again.
#[tokio::test]
#[ignore = "drives the real window: run by ./dev test (Xvfb + tauri-driver)"]
async fn first_run_setup_language_and_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = restored(dir.path());
    let (_driver, c) = start(&db).await;
    flow(&c).await;
    c.close().await.unwrap();
}

/// A copy of the seed backed up and restored over itself.
pub(crate) fn restored(dir: &Path) -> std::path::PathBuf {
    let db = seeded_copy(dir);
    let backup = dir.join("backup.db");
    let backup = backup.to_str().unwrap();
    cli(&db, &["backup", backup], "");
    cli(&db, &["restore", backup], "");
    db
}

async fn flow(c: &Client) {
    css(c, "[data-testid=setup-form]").await;
    fill(c, "input[name=display_name]", "정보통신팀").await;
    fill(c, "input[name=password]", ADMIN_PASSWORD).await;
    fill(c, "input[name=password_again]", ADMIN_PASSWORD).await;
    click(c, "[data-testid=setup-form] button[type=submit]").await;
    text_until(c, "[data-stat='stats.villages']", |t| t == "112").await;

    // English: the labels, and a refused password explained from the UI's own catalogue
    // (the backend's Korean words follow as the detail).
    click(c, "nav .row button:first-child").await;
    text_until(c, "nav a[href='/registry']", |t| t == "Registry").await;
    click(c, "[data-testid=logout]").await;
    fill(c, "input[name=username]", "admin").await;
    fill(c, "input[name=password]", "wrong-password").await;
    click(c, "[data-testid=login-form] button[type=submit]").await;
    let refused = text(c, "[data-testid=login-error]").await;
    assert!(
        refused.starts_with("Wrong user name or password"),
        "{refused}"
    );
    fill(c, "input[name=password]", ADMIN_PASSWORD).await;
    click(c, "[data-testid=login-form] button[type=submit]").await;
    click(c, "nav .row button:first-child").await;
    text_until(c, "nav a[href='/registry']", |t| t == "주민명부").await;

    // Sign out; a wrong password is refused in Korean; the right one signs in again.
    click(c, "[data-testid=logout]").await;
    fill(c, "input[name=username]", "admin").await;
    fill(c, "input[name=password]", "wrong-password").await;
    click(c, "[data-testid=login-form] button[type=submit]").await;
    let refused = text(c, "[data-testid=login-error]").await;
    assert!(refused.contains("올바르지 않습니다"), "{refused}");
    fill(c, "input[name=password]", ADMIN_PASSWORD).await;
    click(c, "[data-testid=login-form] button[type=submit]").await;
    css(c, "[data-testid=registry-stats]").await;
}
