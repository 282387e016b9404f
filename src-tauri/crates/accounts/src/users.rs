//! The `users` table.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use maeul_db::{Conn, Db};

use jiff::Timestamp;
use serde_json::json;

use crate::{AccountsError, Actor, Role, audit, hash_password, throttle, verify_password};

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub village_id: Option<i64>,
    pub active: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub village_id: Option<i64>,
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    password_hash: String,
    role: String,
    village_id: Option<i64>,
    active: bool,
    created_at: String,
}

impl UserRow {
    fn into_user(self) -> User {
        User {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            role: Role::parse(&self.role).unwrap_or(Role::Auditor),
            village_id: self.village_id,
            active: self.active,
            created_at: self.created_at,
        }
    }
}

const COLUMNS: &str =
    "id, username, display_name, password_hash, role, village_id, active, created_at";

/// How many accounts exist (first run has none); inside the caller's transaction when the
/// answer decides a write.
pub async fn count(conn: &mut Conn) -> Result<i64, AccountsError> {
    let (n,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}

/// One account as stored now (active or not), `None` if it was never there.
pub async fn get(db: &Db, id: i64) -> Result<Option<User>, AccountsError> {
    let row: Option<UserRow> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(UserRow::into_user))
}

fn validate(new: &NewUser) -> Result<(), AccountsError> {
    let name = new.username.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_whitespace) {
        return Err(AccountsError::Invalid {
            field: "username",
            reason: "아이디는 공백 없이 1~64자입니다".into(),
        });
    }
    if new.display_name.trim().is_empty() {
        return Err(AccountsError::Invalid {
            field: "display_name",
            reason: "이름을 입력하세요".into(),
        });
    }
    match (new.role, new.village_id) {
        (Role::Chief, None) => Err(AccountsError::Invalid {
            field: "village_id",
            reason: "이장 계정은 담당 마을이 필요합니다".into(),
        }),
        (Role::Chief, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(AccountsError::Invalid {
            field: "village_id",
            reason: "담당 마을은 이장 계정에만 지정합니다".into(),
        }),
    }
}

/// Inserts a user inside the caller's transaction (the caller writes the audit entry).
pub async fn create(conn: &mut Conn, new: &NewUser) -> Result<User, AccountsError> {
    validate(new)?;
    let hash = hash_password(&new.password)?;
    let now = crate::now_utc();
    let row: Result<UserRow, sqlx::Error> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (username, display_name, password_hash, role, village_id, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6) RETURNING {COLUMNS}"
    )))
    .bind(new.username.trim())
    .bind(new.display_name.trim())
    .bind(&hash)
    .bind(new.role.as_str())
    .bind(new.village_id)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await;
    match row {
        Ok(row) => Ok(row.into_user()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(
            AccountsError::DuplicateUser(new.username.trim().to_string()),
        ),
        Err(e) => Err(e.into()),
    }
}

/// Checks a username and password at `now`. Inactive users and unknown names get the same
/// error as a wrong password, so that the login screen does not reveal which accounts exist.
/// Every failure is audited (the name tried, never the password) and counted: after
/// [`throttle::FREE_FAILURES`] in a row the name is refused until a lockout ends, whatever the
/// password. Success starts the count again.
pub async fn authenticate(
    db: &Db,
    username: &str,
    password: &str,
    now: Timestamp,
) -> Result<Actor, AccountsError> {
    let mut conn = db.acquire().await?;
    if let Some(until) = throttle::locked_until(&mut conn, username, now).await? {
        drop(conn);
        audit_failure(
            db,
            username,
            json!({ "reason": "locked", "locked_until": until.to_string() }),
        )
        .await?;
        return Err(locked_out(until, now));
    }
    let row: Option<UserRow> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE username = $1"
    )))
    .bind(username.trim())
    .fetch_optional(&mut *conn)
    .await?;
    drop(conn);
    let ok = match row.as_ref().filter(|r| r.active) {
        Some(row) => verify_password(password, &row.password_hash),
        None => {
            // Spend the same time as a real check so that timing does not reveal the answer either.
            let _ = verify_password(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$yNq3zUoZaM1AHIqAvZbd9Q",
            );
            false
        }
    };
    if !ok {
        let mut tx = maeul_db::begin_write(db).await?;
        let (failures, until) = throttle::fail(&mut tx, username, now).await?;
        audit::record(
            &mut tx,
            &Actor::system(SIGN_IN),
            "session.login_failed",
            &throttle::key(username),
            &json!({
                "reason": "bad_credentials",
                "failures": failures,
                "locked_until": until.map(|u| u.to_string()),
            }),
        )
        .await?;
        tx.commit().await?;
        return Err(until.map_or(AccountsError::BadCredentials, |u| locked_out(u, now)));
    }
    let mut conn = db.acquire().await?;
    throttle::reset(&mut conn, username).await?;
    let user = row
        .map(UserRow::into_user)
        .ok_or(AccountsError::BadCredentials)?;
    Ok(Actor {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        village_id: user.village_id,
        practice: None,
    })
}

/// Who the audit log names for what happens at the sign-in screen, before anyone is signed in.
pub const SIGN_IN: &str = "sign-in";

async fn audit_failure(
    db: &Db,
    username: &str,
    detail: serde_json::Value,
) -> Result<(), AccountsError> {
    let mut tx = maeul_db::begin_write(db).await?;
    audit::record(
        &mut tx,
        &Actor::system(SIGN_IN),
        "session.login_failed",
        &throttle::key(username),
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn locked_out(until: Timestamp, now: Timestamp) -> AccountsError {
    let secs = until.duration_since(now).as_secs().max(0);
    AccountsError::LockedOut {
        until: throttle::show_kst(until),
        minutes: (secs + 59) / 60,
    }
}

pub async fn list(db: &Db) -> Result<Vec<User>, AccountsError> {
    let rows: Vec<UserRow> = maeul_db::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users ORDER BY id"
    )))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(UserRow::into_user).collect())
}

pub async fn set_active(conn: &mut Conn, id: i64, active: bool) -> Result<(), AccountsError> {
    let done = maeul_db::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AccountsError::UnknownUser(id));
    }
    Ok(())
}

/// Whether `password` is user `id`'s current one (changing one's own password asks for it).
pub async fn check_password(db: &Db, id: i64, password: &str) -> Result<bool, AccountsError> {
    let row: Option<(String,)> =
        maeul_db::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    let (hash,) = row.ok_or(AccountsError::UnknownUser(id))?;
    Ok(verify_password(password, &hash))
}

pub async fn set_password(conn: &mut Conn, id: i64, password: &str) -> Result<(), AccountsError> {
    let hash = hash_password(password)?;
    let done = maeul_db::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AccountsError::UnknownUser(id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-03-02T06:00:00Z".parse().unwrap()
    }

    fn minutes(m: i64) -> jiff::SignedDuration {
        jiff::SignedDuration::from_mins(m)
    }

    async fn failures_audited(db: &Db) -> Vec<(String, String, String)> {
        maeul_db::query_as(
            "SELECT actor, target, detail FROM audit_log WHERE action = 'session.login_failed' ORDER BY id",
        )
        .fetch_all(db)
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn five_failures_lock_the_name_until_the_lockout_ends() {
        let db = maeul_db::open_memory().await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        create(&mut conn, &admin("admin")).await.unwrap();
        drop(conn);
        for i in 0..4 {
            let at = now() + minutes(i);
            assert!(matches!(
                authenticate(&db, "admin", "wrong horse", at).await,
                Err(AccountsError::BadCredentials)
            ));
        }
        let fifth = authenticate(&db, "admin", "wrong horse", now() + minutes(4)).await;
        let Err(AccountsError::LockedOut {
            until,
            minutes: left,
        }) = fifth
        else {
            panic!("fifth failure should lock: {fifth:?}");
        };
        assert_eq!((until.as_str(), left), ("15:09", 5));
        // Locked: even the right password is refused, with when to try again.
        let e = authenticate(&db, "admin", "correct horse", now() + minutes(6))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("15:09"), "{e}");
        // After the lockout the right password works and starts the count again.
        authenticate(&db, "admin", "correct horse", now() + minutes(10))
            .await
            .unwrap();
        let (left,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM login_failures")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(left, 0);

        let audited = failures_audited(&db).await;
        assert_eq!(audited.len(), 6, "{audited:?}");
        for (actor, target, detail) in &audited {
            assert_eq!((actor.as_str(), target.as_str()), (SIGN_IN, "admin"));
            assert!(
                !detail.contains("horse"),
                "password in the audit log: {detail}"
            );
        }
    }

    #[tokio::test]
    async fn each_failure_after_a_lockout_locks_for_longer() {
        let db = maeul_db::open_memory().await.unwrap();
        for i in 0..5 {
            let _ = authenticate(&db, "nobody", "guess", now() + minutes(i)).await;
        }
        // The first lockout (5 minutes from the fifth failure) is over; the next failure
        // locks for 10 minutes. Unknown names are counted like real ones.
        let e = authenticate(&db, "nobody", "guess", now() + minutes(20))
            .await
            .unwrap_err();
        assert!(
            matches!(e, AccountsError::LockedOut { minutes: 10, .. }),
            "{e:?}"
        );
    }

    fn admin(username: &str) -> NewUser {
        NewUser {
            username: username.into(),
            display_name: "관리자".into(),
            password: "correct horse".into(),
            role: Role::Admin,
            village_id: None,
        }
    }

    #[tokio::test]
    async fn created_user_can_sign_in_and_duplicates_are_refused() {
        let db = maeul_db::open_memory().await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        create(&mut conn, &admin("admin")).await.unwrap();
        assert!(matches!(
            create(&mut conn, &admin("admin")).await,
            Err(AccountsError::DuplicateUser(_))
        ));
        drop(conn);
        let actor = authenticate(&db, "admin", "correct horse", now())
            .await
            .unwrap();
        assert_eq!(actor.role, Role::Admin);
        assert!(matches!(
            authenticate(&db, "admin", "wrong horse", now()).await,
            Err(AccountsError::BadCredentials)
        ));
        assert!(matches!(
            authenticate(&db, "nobody", "correct horse", now()).await,
            Err(AccountsError::BadCredentials)
        ));
    }

    #[tokio::test]
    async fn chief_needs_a_village_and_disabled_users_cannot_sign_in() {
        let db = maeul_db::open_memory().await.unwrap();
        let mut conn = db.acquire().await.unwrap();
        let chief = NewUser {
            role: Role::Chief,
            ..admin("chief")
        };
        assert!(matches!(
            create(&mut conn, &chief).await,
            Err(AccountsError::Invalid {
                field: "village_id",
                ..
            })
        ));
        let user = create(&mut conn, &admin("a2")).await.unwrap();
        set_active(&mut conn, user.id, false).await.unwrap();
        drop(conn);
        assert!(
            authenticate(&db, "a2", "correct horse", now())
                .await
                .is_err()
        );
    }
}
