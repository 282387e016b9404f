//! Backup and restore of the office database on its PostgreSQL server: `pg_dump` in its
//! custom format and `pg_restore`, PostgreSQL's own tools, run with the connection in their
//! environment (`PGPASSWORD`, …) so the password never appears on a command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::backup::{io, remove_staged, sibling};
use crate::{DbError, ServerUrl};

/// Where PostgreSQL's client tools are: on the PATH (Windows installs, Debian's
/// `postgresql-client`), else in Debian's versioned folders, newest first.
fn tool(name: &str) -> Result<PathBuf, DbError> {
    let exe = if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_owned()
    };
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.flatten().map(|d| d.path().join("bin")).collect())
        .unwrap_or_default();
    debian.sort_by_key(|dir| std::cmp::Reverse(version_of(dir)));
    on_path
        .into_iter()
        .chain(debian)
        .map(|dir| dir.join(&exe))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| DbError::NoServerTools { tool: name.into() })
}

/// `/usr/lib/postgresql/15/bin` → 15.
fn version_of(bin: &Path) -> u32 {
    bin.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn run(
    server: &ServerUrl,
    tool_name: &str,
    args: Vec<std::ffi::OsString>,
) -> Result<(), DbError> {
    let exe = tool(tool_name)?;
    let env = server.libpq_env();
    let failed = |reason: String| DbError::ServerTool {
        tool: tool_name.to_owned(),
        server: server.to_string(),
        reason,
    };
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::new(&exe);
        // A password prompt would wait forever on a desk with no terminal.
        command.arg("--no-password").args(&args).envs(env);
        #[cfg(windows)]
        {
            // The app has no console of its own: without this a black window flashes up.
            use std::os::windows::process::CommandExt;
            const CREATE_NO_WINDOW: u32 = 0x0800_0000;
            command.creation_flags(CREATE_NO_WINDOW);
        }
        command.output()
    })
    .await
    .map_err(|e| failed(e.to_string()))?
    .map_err(|e| failed(e.to_string()))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(failed(
        stderr.trim().lines().last().unwrap_or("").to_owned(),
    ))
}

/// Dumps the office database to `dest` (custom format). Written beside `dest` first and
/// renamed over it only when complete, so a failed dump leaves the previous backup.
pub async fn dump(server: &ServerUrl, dest: &Path) -> Result<(), DbError> {
    let staged = sibling(dest, ".part");
    let _ = std::fs::remove_file(&staged);
    let mut file = std::ffi::OsString::from("--file=");
    file.push(&staged);
    let result = run(server, "pg_dump", vec!["--format=custom".into(), file])
        .await
        .and_then(|()| std::fs::rename(&staged, dest).map_err(io(dest)));
    if result.is_err() {
        remove_staged(&staged);
    }
    result
}

/// Replaces the office database's contents with the dump at `source`, in one transaction
/// (a dump that fails half-way leaves the database as it was), then pauses its outbox
/// noting `at_utc`, as a file restore does: what was pending when the dump was taken may
/// have gone out since.
pub async fn restore(server: &ServerUrl, source: &Path, at_utc: &str) -> Result<(), DbError> {
    if !source.is_file() {
        return Err(DbError::BadBackup {
            path: source.to_owned(),
            reason: "파일이 없습니다".into(),
        });
    }
    let mut magic = [0u8; 5];
    let read = std::fs::File::open(source)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .map_err(|source_err| DbError::Io {
            path: source.to_owned(),
            source: source_err,
        });
    if read.is_err() || &magic != b"PGDMP" {
        return Err(DbError::BadBackup {
            path: source.to_owned(),
            reason: "pg_dump(사용자 지정 형식) 백업 파일이 아닙니다".into(),
        });
    }
    // libpq's own default when the URL names no database: the user's name.
    let env = server.libpq_env();
    let named = |key: &str| env.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    let database = named("PGDATABASE")
        .or_else(|| named("PGUSER"))
        .unwrap_or_else(|| "postgres".into());
    // Paused before (so no desk sends from the old rows while the restore runs) and after
    // (the dump's own settings replace the table), over a plain connection: a dump from
    // another version would stop the desk's migrations, and must not keep it sending. An
    // empty database (a new server) has nothing to pause yet.
    if let Err(e) = pause(server, at_utc).await {
        log::warn!("restore: the outbox could not be paused before ({e})");
    }
    let mut dbname = std::ffi::OsString::from("--dbname=");
    dbname.push(&database);
    run(
        server,
        "pg_restore",
        vec![
            "--clean".into(),
            "--if-exists".into(),
            "--no-owner".into(),
            "--single-transaction".into(),
            "--exit-on-error".into(),
            dbname,
            source.as_os_str().to_owned(),
        ],
    )
    .await?;
    pause(server, at_utc).await
}

/// Marks the office database's outbox paused, without running migrations.
async fn pause(server: &ServerUrl, at_utc: &str) -> Result<(), DbError> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect_with(server.options())
        .await
        .map_err(|source| DbError::Server {
            server: server.to_string(),
            source,
        })?;
    let db = crate::Db::Postgres(pool);
    let paused = crate::settings::pause_for_restore(&db, at_utc).await;
    db.close().await;
    paused?;
    Ok(())
}
