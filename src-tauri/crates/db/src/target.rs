//! Where a desk's data lives, as `--db` / `MAEUL_DB` name it: a SQLite file (the embedded
//! default, one desk) or the office's PostgreSQL server (`postgres://user:pass@host:port/db`,
//! optionally `?sslmode=require|verify-full`).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::{Db, DbError, POSTGRES_MIGRATOR};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    File(PathBuf),
    Server(ServerUrl),
}

impl Target {
    /// A `postgres://` or `postgresql://` URL names the server; anything else is a file path
    /// (a Windows path such as `C:\data\maeul.db` included).
    /// Any other `scheme://` (a misspelt `postgress://`) is refused rather than taken for a
    /// file path, which would put the URL, password and all, into folder names and logs.
    pub fn parse(s: &str) -> Result<Target, DbError> {
        let lower = s.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            ServerUrl::parse(s.trim()).map(Target::Server)
        } else if let Some((scheme, _)) = lower.split_once("://")
            && !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            let shown = ServerUrl {
                url: s.trim().to_owned(),
                password: None,
            };
            Err(DbError::BadServerUrl {
                server: shown.to_string(),
            })
        } else {
            Ok(Target::File(PathBuf::from(s)))
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::File(p) => write!(f, "{}", p.display()),
            Target::Server(s) => write!(f, "{s}"),
        }
    }
}

/// The office server's URL. Its password is kept for connecting and never shown: `Display`
/// and `Debug` write `***` in its place, so a log line, an error or the 설정 screen built
/// from it cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl {
    url: String,
    /// Kept apart from the URL when it came from the OS keyring (a joined office server is
    /// saved without it); applied over whatever the URL says.
    password: Option<String>,
}

impl ServerUrl {
    pub fn parse(url: &str) -> Result<ServerUrl, DbError> {
        let server = ServerUrl {
            url: url.to_owned(),
            password: None,
        };
        // sqlx's own parser decides what is a valid URL (host, port, sslmode); its error is
        // replaced because it may quote the URL, password and all.
        PgConnectOptions::from_str(url).map_err(|_| DbError::BadServerUrl {
            server: server.to_string(),
        })?;
        Ok(server)
    }

    pub(crate) fn options(&self) -> PgConnectOptions {
        let options = PgConnectOptions::from_str(&self.url).expect("checked in ServerUrl::parse");
        match &self.password {
            Some(password) => options.password(password),
            None => options,
        }
    }

    /// The URL without its password, and the password (decoded): what a desk saves to
    /// rejoin the server, the URL in a plain file and the password in the OS keyring.
    pub fn split_password(&self) -> (ServerUrl, Option<String>) {
        let Ok(mut url) = url::Url::parse(&self.url) else {
            return (self.clone(), self.password.clone());
        };
        let mut password = url.password().map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        });
        let _ = url.set_password(None);
        let params: Vec<(String, String)> = url
            .query_pairs()
            .filter_map(|(k, v)| {
                if k.eq_ignore_ascii_case("password") {
                    password = Some(v.into_owned());
                    None
                } else {
                    Some((k.into_owned(), v.into_owned()))
                }
            })
            .collect();
        if params.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(params);
        }
        let plain = ServerUrl {
            url: url.to_string(),
            password: None,
        };
        (plain, self.password.clone().or(password))
    }

    /// This URL connecting with `password` (one read back from the keyring).
    pub fn with_password(mut self, password: String) -> ServerUrl {
        self.password = Some(password);
        self
    }

    /// What `pg_dump` / `pg_restore` need, as their environment (`PGHOST`, …), so the
    /// password is never on a command line another user of the PC could list.
    pub fn libpq_env(&self) -> Vec<(&'static str, String)> {
        let options = self.options();
        let mut env = vec![
            ("PGHOST", options.get_host().to_owned()),
            ("PGPORT", options.get_port().to_string()),
            ("PGUSER", options.get_username().to_owned()),
        ];
        if let Some(db) = options.get_database() {
            env.push(("PGDATABASE", db.to_owned()));
        }
        if let (_, Some(password)) = self.split_password() {
            env.push(("PGPASSWORD", password));
        }
        let mode = match options.get_ssl_mode() {
            sqlx::postgres::PgSslMode::Disable => "disable",
            sqlx::postgres::PgSslMode::Allow => "allow",
            sqlx::postgres::PgSslMode::Prefer => "prefer",
            sqlx::postgres::PgSslMode::Require => "require",
            sqlx::postgres::PgSslMode::VerifyCa => "verify-ca",
            sqlx::postgres::PgSslMode::VerifyFull => "verify-full",
        };
        env.push(("PGSSLMODE", mode.to_owned()));
        if let Ok(url) = url::Url::parse(&self.url)
            && let Some((_, cert)) = url.query_pairs().find(|(k, _)| k == "sslrootcert")
        {
            env.push(("PGSSLROOTCERT", cert.into_owned()));
        }
        env
    }

    /// The URL as it may be shown: the password replaced by `***`, wherever it is written
    /// (`user:pass@`, a `password=` parameter), and more hidden rather than less when the
    /// URL is malformed (a password holding an unencoded `/` or `?`).
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return "***".into();
        };
        // User info ends at the last '@': a password may hold '@', '/' or '?' unencoded.
        // Unless that '@' is in the query (`?password=p@ss`): then the user info, if any,
        // ends at the last '@' before the query.
        let query_at = rest.find('?').filter(|&q| {
            rest.rfind('@')
                .is_some_and(|at| at > q && rest[q..at].contains('='))
        });
        let search = query_at.map_or(rest, |q| &rest[..q]);
        let (userinfo, after) = match search.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let mut shown = format!("{scheme}://");
        if let Some(userinfo) = userinfo {
            match userinfo.split_once(':') {
                Some((user, _password)) => shown.push_str(&format!("{user}:***@")),
                None => shown.push_str(&format!("{userinfo}@")),
            }
        }
        match after.split_once('?') {
            None => shown.push_str(after),
            Some((path, query)) => {
                shown.push_str(path);
                shown.push('?');
                let params: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        // Compared decoded: `pass%77ord` is the same key to sqlx.
                        Some((key, _))
                            if percent_encoding::percent_decode_str(key)
                                .decode_utf8_lossy()
                                .eq_ignore_ascii_case("password") =>
                        {
                            format!("{key}=***")
                        }
                        _ => pair.to_string(),
                    })
                    .collect();
                shown.push_str(&params.join("&"));
            }
        }
        shown
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerUrl({})", self.redacted())
    }
}

/// Connects to the office server and brings its schema up to date
/// (`migrations/postgres`). Gives up after 10 s rather than leaving a desk waiting on a
/// server that is not there.
pub async fn open_server(server: &ServerUrl) -> Result<Db, DbError> {
    let pool = PgPoolOptions::new()
        // Eight for the desk's work, one held by the app's change listener (LISTEN).
        .max_connections(9)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(server.options())
        .await
        .map_err(|source| connect_error(server, source))?;
    POSTGRES_MIGRATOR.run(&pool).await?;
    log::info!("database open on the office server {server}");
    Ok(Db::Postgres(pool))
}

/// A refused certificate is said as such, with what to do: the office's own CA.
fn connect_error(server: &ServerUrl, source: sqlx::Error) -> DbError {
    let server = server.to_string();
    if source.to_string().to_lowercase().contains("certificate") {
        DbError::ServerCertificate { server, source }
    } else {
        DbError::Server { server, source }
    }
}

/// What a connection test reads from a server: its version, and the desk schema's latest
/// migration there (0 for an empty database).
#[derive(Debug, Clone)]
pub struct ServerProbe {
    pub version: String,
    pub migration: i64,
}

/// Connects once (10 s limit) and reads; changes nothing.
pub async fn probe_server(server: &ServerUrl) -> Result<ServerProbe, DbError> {
    use sqlx::{ConnectOptions, Connection};
    let failed = |source| connect_error(server, source);
    let mut conn = tokio::time::timeout(Duration::from_secs(10), server.options().connect())
        .await
        .map_err(|_| failed(sqlx::Error::PoolTimedOut))?
        .map_err(failed)?;
    let version: String = sqlx::query_scalar("SELECT version()")
        .fetch_one(&mut conn)
        .await?;
    // Two steps: a statement naming a missing table fails even in an untaken branch.
    let migrated: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut conn)
        .await?;
    let migration: i64 = if migrated {
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await?
    } else {
        0
    };
    let _ = conn.close().await;
    Ok(ServerProbe { version, migration })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_the_server_and_anything_else_a_file() {
        let t =
            Target::parse("postgres://desk:s3cret@10.0.0.5:5432/maeul?sslmode=require").unwrap();
        assert!(matches!(t, Target::Server(_)));
        assert!(matches!(
            Target::parse("POSTGRESQL://desk@office/maeul").unwrap(),
            Target::Server(_)
        ));
        assert_eq!(
            Target::parse(r"C:\Users\홍 길동\maeul.db").unwrap(),
            Target::File(PathBuf::from(r"C:\Users\홍 길동\maeul.db"))
        );
        assert_eq!(
            Target::parse("desk.db").unwrap(),
            Target::File(PathBuf::from("desk.db"))
        );
    }

    #[test]
    fn the_password_never_shows() {
        let t =
            Target::parse("postgres://desk:s3cret@10.0.0.5:5432/maeul?sslmode=require").unwrap();
        for shown in [t.to_string(), format!("{t:?}")] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("postgres://desk:***@10.0.0.5:5432/maeul?sslmode=require"));
        }
        // A password holding '@' or ':' is still hidden whole.
        let t = Target::parse("postgres://desk:p%40ss:w@office/maeul").unwrap();
        assert_eq!(t.to_string(), "postgres://desk:***@office/maeul");
        // In a parameter, or unencoded in the user info: hidden all the same.
        for (url, shown) in [
            (
                "postgres://desk@office/maeul?password=s3cret&sslmode=require",
                "postgres://desk@office/maeul?password=***&sslmode=require",
            ),
            (
                "postgres:///maeul?user=desk&PASSWORD=s3cret",
                "postgres:///maeul?user=desk&PASSWORD=***",
            ),
            (
                "postgres://desk:1234/s3cret@office/maeul",
                "postgres://desk:***@office/maeul",
            ),
            (
                "postgres://desk:s3?cret@office/maeul",
                "postgres://desk:***@office/maeul",
            ),
            (
                "postgres://desk@office/maeul?password=s3@cret&sslmode=require",
                "postgres://desk@office/maeul?password=***&sslmode=require",
            ),
            (
                "postgres://desk@office/maeul?pass%77ord=s3cret",
                "postgres://desk@office/maeul?pass%77ord=***",
            ),
        ] {
            let server = ServerUrl {
                url: url.to_string(),
                password: None,
            };
            assert_eq!(server.to_string(), shown);
            assert!(!format!("{server:?}").contains("s3"), "{server:?}");
        }
        // A URL sqlx refuses is named without the password too.
        let err = Target::parse("postgres://desk:pa/s3cret@office/maeul").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        // Without a password there is nothing to hide.
        let t = Target::parse("postgres://desk@office/maeul").unwrap();
        assert_eq!(t.to_string(), "postgres://desk@office/maeul");
    }

    #[test]
    fn a_password_is_split_off_to_be_kept_apart_and_put_back() {
        for url in [
            "postgres://desk:p%40ss%2Fw@office:5433/maeul?sslmode=disable",
            "postgres://desk@office:5433/maeul?password=p%40ss%2Fw&sslmode=disable",
        ] {
            let server = ServerUrl::parse(url).unwrap();
            let (plain, password) = server.split_password();
            assert_eq!(password.as_deref(), Some("p@ss/w"), "{url}");
            assert_eq!(
                plain.url, "postgres://desk@office:5433/maeul?sslmode=disable",
                "{url}"
            );
            let back = plain.with_password("p@ss/w".into());
            let env = back.libpq_env();
            assert!(env.contains(&("PGPASSWORD", "p@ss/w".into())), "{env:?}");
            assert!(env.contains(&("PGHOST", "office".into())), "{env:?}");
            assert!(env.contains(&("PGPORT", "5433".into())), "{env:?}");
            assert!(env.contains(&("PGDATABASE", "maeul".into())), "{env:?}");
            assert!(!format!("{back:?}").contains("p@ss"), "{back:?}");
        }
        let (plain, none) = ServerUrl::parse("postgres://desk@office/maeul")
            .unwrap()
            .split_password();
        assert_eq!(none, None);
        assert_eq!(plain.url, "postgres://desk@office/maeul");
    }

    #[test]
    fn a_misspelt_scheme_is_refused_not_taken_for_a_file() {
        let err = Target::parse("postgress://desk:s3cret@office/maeul").unwrap_err();
        assert!(matches!(err, DbError::BadServerUrl { .. }));
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn a_bad_url_is_refused_without_quoting_the_password() {
        let err = Target::parse("postgres://desk:s3cret@office:99999/maeul").unwrap_err();
        let shown = err.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("office"), "{shown}");
        assert!(matches!(err, DbError::BadServerUrl { .. }));
    }
}
