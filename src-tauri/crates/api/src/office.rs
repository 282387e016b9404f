//! Which database a desk runs on: a file on this PC (the embedded default) or the office's
//! PostgreSQL server. Named by `--db`, else `MAEUL_DB`, else the server this PC joined
//! (its URL saved without the password beside the default database, the password in the OS
//! keyring), else the default file.

use std::path::PathBuf;

use serde::Serialize;

use maeul_accounts::{Actor, Permission, Scope};
use maeul_db::{ServerUrl, Target};

use crate::{ApiError, ApiResult, Desk, ErrorCode};

const KEYRING_SERVICE: &str = "kr.maeul.desk";

/// What the 설정 screen shows about where the data is; never a password.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct StorageInfo {
    /// `file` or `server`.
    pub engine: String,
    /// The file's path, or the server's URL with `***` for its password.
    pub location: String,
    /// Saved by "join the office server" (rather than named by `--db` / `MAEUL_DB`).
    pub joined: bool,
}

/// What a connection test found.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ServerCheck {
    pub server: String,
    /// The server's own `version()` line.
    pub version: String,
    /// The desk schema's migration on the server, 0 for an empty database (joining
    /// creates the tables).
    pub migration: i64,
}

fn saved_url_path() -> ApiResult<PathBuf> {
    Ok(maeul_db::default_db_path()?.with_file_name("office-server.url"))
}

fn keyring_entry(plain: &ServerUrl) -> ApiResult<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, &format!("office-server:{plain}"))
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("OS 비밀 보관소 오류: {e}")))
}

/// The server this PC joined, as saved (no password); `None` if it joined none.
fn saved_url() -> ApiResult<Option<ServerUrl>> {
    let path = saved_url_path()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(ServerUrl::parse(text.trim())?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ApiError::new(
            ErrorCode::Io,
            format!(
                "사무실 서버 설정을 읽을 수 없습니다 ({}): {e}",
                path.display()
            ),
        )),
    }
}

/// The server this PC joined, with its password from the keyring; `None` if it joined none.
fn saved_server() -> ApiResult<Option<ServerUrl>> {
    let Some(plain) = saved_url()? else {
        return Ok(None);
    };
    match keyring_entry(&plain)?.get_password() {
        Ok(password) => Ok(Some(plain.with_password(password))),
        // Joined with a URL that carried no password (a trust or peer login).
        Err(keyring::Error::NoEntry) => Ok(Some(plain)),
        Err(e) => Err(ApiError::new(
            ErrorCode::Io,
            format!("사무실 서버 암호를 OS 비밀 보관소에서 읽을 수 없습니다: {e}"),
        )),
    }
}

/// The URL as typed, with the password typed apart (a password field, so it is never shown
/// on screen) when there is one; the URL may carry it instead.
fn server_of(url: &str, password: Option<&str>) -> ApiResult<ServerUrl> {
    let server = ServerUrl::parse(url.trim())?;
    Ok(match password.filter(|p| !p.is_empty()) {
        Some(password) => server.with_password(password.to_owned()),
        None => server,
    })
}

/// Connects, reads the server's version and how far the desk schema is on it; changes
/// nothing (the schema is made when a desk opens it).
pub async fn check_server(url: &str, password: Option<&str>) -> ApiResult<ServerCheck> {
    let server = server_of(url, password)?;
    let probe = maeul_db::probe_server(&server).await?;
    Ok(ServerCheck {
        server: server.to_string(),
        version: probe.version,
        migration: probe.migration,
    })
}

/// What moving a desk's file onto the office server did.
#[derive(Debug, Clone)]
pub struct MoveReport {
    pub tables: Vec<maeul_db::copy::TableCount>,
    /// The audit chain as read back from the server after the copy.
    pub audit: maeul_accounts::audit::VerifyReport,
    /// The same chain in the file, before.
    pub audit_before: maeul_accounts::audit::VerifyReport,
}

/// Copies the SQLite desk at `from` into the empty office database `to` (one transaction:
/// nothing is written unless every table's rows arrive), then verifies the audit chain on
/// the server. The file's rows are only read (it is first brought to the current schema,
/// as any desk opening it would, so both sides have the same tables).
pub async fn copy_file_to_server(
    from: &std::path::Path,
    to: &str,
    progress: &(dyn Fn(&maeul_db::copy::TableCount) + Send + Sync),
) -> ApiResult<MoveReport> {
    if !from.is_file() {
        return Err(ApiError {
            field: Some("from".into()),
            ..ApiError::new(
                ErrorCode::NotFound,
                format!("옮길 파일이 없습니다 ({})", from.display()),
            )
        });
    }
    let server = ServerUrl::parse(to.trim())?;
    let source = maeul_db::open(from).await?;
    let result = async {
        let audit_before = maeul_accounts::audit::verify(&source).await?;
        let target = maeul_db::open_server(&server).await?;
        let copied = maeul_db::copy::sqlite_to_server(&source, &target, progress).await;
        let audit = match &copied {
            Ok(_) => maeul_accounts::audit::verify(&target).await,
            Err(_) => Ok(audit_before.clone()),
        };
        target.close().await;
        let tables = copied.map_err(|e| ApiError::new(ErrorCode::Database, e.to_string()))?;
        Ok(MoveReport {
            tables,
            audit: audit?,
            audit_before,
        })
    }
    .await;
    source.close().await;
    result
}

impl Desk {
    /// `--db`, else `MAEUL_DB`, else the joined office server, else the default file.
    pub fn resolve_target(flag: Option<String>) -> ApiResult<Target> {
        let named =
            flag.or_else(|| std::env::var_os("MAEUL_DB").map(|v| v.to_string_lossy().into_owned()));
        if let Some(named) = named {
            return Ok(Target::parse(&named)?);
        }
        if let Some(server) = saved_server()? {
            return Ok(Target::Server(server));
        }
        Ok(Target::File(maeul_db::default_db_path()?))
    }

    /// Opens the desk `target` names.
    pub async fn open_target(target: &Target) -> ApiResult<Desk> {
        match target {
            Target::File(path) => Desk::open(path).await,
            Target::Server(server) => Desk::open_server(server).await,
        }
    }

    pub fn is_on_server(&self) -> bool {
        self.server.is_some()
    }

    /// Whether the database answers within `limit`: on the office server, a Korean
    /// "server unreachable" naming the server when it does not.
    pub async fn reach_server(&self, limit: std::time::Duration) -> ApiResult<()> {
        let shown = self
            .server
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default();
        let away = |why: String| {
            ApiError::new(
                ErrorCode::Database,
                format!(
                    "사무실 서버에 연결할 수 없습니다 ({shown}): {why}. 보낼 것은 서버에 그대로 있고, \
                     서버가 다시 응답하면 저절로 이어서 보냅니다"
                ),
            )
        };
        match tokio::time::timeout(
            limit,
            maeul_db::query_scalar::<i64>("SELECT CAST(1 AS BIGINT)").fetch_one(&self.db),
        )
        .await
        {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(away(e.to_string())),
            Err(_) => Err(away(format!("{}초 안에 응답이 없습니다", limit.as_secs()))),
        }
    }

    pub fn storage(&self) -> StorageInfo {
        // The saved URL alone: the keyring holds nothing this needs.
        let joined = |server: &ServerUrl| {
            saved_url()
                .ok()
                .flatten()
                .is_some_and(|saved| saved == server.split_password().0)
        };
        match (&self.server, self.db_path()) {
            (Some(server), _) => StorageInfo {
                engine: "server".into(),
                location: server.to_string(),
                joined: joined(server),
            },
            (None, path) => StorageInfo {
                engine: "file".into(),
                location: path.map(|p| p.display().to_string()).unwrap_or_default(),
                joined: false,
            },
        }
    }

    /// Makes this PC open the office server from its next start: tests the connection,
    /// then saves the URL (without its password) and the password in the OS keyring. On a
    /// desk nobody has set up yet anyone at the PC may; after that, an administrator.
    pub async fn join_server(
        &self,
        actor: Option<&Actor>,
        url: &str,
        password: Option<&str>,
    ) -> ApiResult<ServerCheck> {
        if !self.needs_setup().await? {
            let actor = actor.ok_or_else(|| {
                ApiError::new(ErrorCode::NotSignedIn, "로그인한 관리자만 할 수 있습니다")
            })?;
            actor.require(Permission::Backup, Scope::County)?;
        }
        let check = check_server(url, password).await?;
        let (plain, password) = server_of(url, password)?.split_password();
        let entry = keyring_entry(&plain)?;
        match password {
            Some(password) => entry.set_password(&password).map_err(|e| {
                ApiError::new(
                    ErrorCode::Io,
                    format!("사무실 서버 암호를 OS 비밀 보관소에 저장할 수 없습니다: {e}"),
                )
            })?,
            None => {
                let _ = entry.delete_credential();
            }
        }
        let path = saved_url_path()?;
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // `plain` holds no password, so its shown form is the whole URL.
        std::fs::write(&path, format!("{plain}\n")).map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!(
                    "사무실 서버 설정을 저장할 수 없습니다 ({}): {e}",
                    path.display()
                ),
            )
        })?;
        log::info!("this desk joins the office server {plain} from its next start");
        Ok(check)
    }

    /// Back to the file on this PC from the next start (the server keeps its data).
    pub async fn leave_server(&self, actor: &Actor) -> ApiResult<()> {
        actor.require(Permission::Backup, Scope::County)?;
        if let Some(plain) = saved_url()? {
            let _ = keyring_entry(&plain)?.delete_credential();
        }
        match std::fs::remove_file(saved_url_path()?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ApiError::new(ErrorCode::Io, e.to_string())),
        }
    }
}
