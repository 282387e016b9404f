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
    pub fn parse(s: &str) -> Result<Target, DbError> {
        let lower = s.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            ServerUrl::parse(s.trim()).map(Target::Server)
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
}

impl ServerUrl {
    pub fn parse(url: &str) -> Result<ServerUrl, DbError> {
        let server = ServerUrl {
            url: url.to_owned(),
        };
        // sqlx's own parser decides what is a valid URL (host, port, sslmode); its error is
        // replaced because it may quote the URL, password and all.
        PgConnectOptions::from_str(url).map_err(|_| DbError::BadServerUrl {
            server: server.to_string(),
        })?;
        Ok(server)
    }

    fn options(&self) -> PgConnectOptions {
        PgConnectOptions::from_str(&self.url).expect("checked in ServerUrl::parse")
    }

    /// The URL as it may be shown: the password replaced by `***`, wherever it is written
    /// (`user:pass@`, a `password=` parameter), and more hidden rather than less when the
    /// URL is malformed (a password holding an unencoded `/` or `?`).
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return "***".into();
        };
        // User info ends at the last '@': a password may hold '@', '/' or '?' unencoded.
        let (userinfo, after) = match rest.rfind('@') {
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
                        Some((key, _)) if key.eq_ignore_ascii_case("password") => {
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
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(server.options())
        .await
        .map_err(|source| DbError::Server {
            server: server.to_string(),
            source,
        })?;
    POSTGRES_MIGRATOR.run(&pool).await?;
    log::info!("database open on the office server {server}");
    Ok(Db::Postgres(pool))
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
        ] {
            let server = ServerUrl {
                url: url.to_string(),
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
    fn a_bad_url_is_refused_without_quoting_the_password() {
        let err = Target::parse("postgres://desk:s3cret@office:99999/maeul").unwrap_err();
        let shown = err.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("office"), "{shown}");
        assert!(matches!(err, DbError::BadServerUrl { .. }));
    }
}
