//! The `users` table.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use maeul_db::{Conn, Db};

use crate::{AccountsError, Actor, Role, hash_password, verify_password};

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

pub async fn count(db: &Db) -> Result<i64, AccountsError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?;
    Ok(n)
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
    let row: Result<UserRow, sqlx::Error> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (username, display_name, password_hash, role, village_id, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING {COLUMNS}"
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

/// Checks a username and password. Inactive users and unknown names get the same error as
/// a wrong password, so that the login screen does not reveal which accounts exist.
pub async fn authenticate(db: &Db, username: &str, password: &str) -> Result<Actor, AccountsError> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE username = $1"
    )))
    .bind(username.trim())
    .fetch_optional(db)
    .await?;
    let Some(row) = row.filter(|r| r.active) else {
        // Spend the same time as a real check so that timing does not reveal the answer either.
        let _ = verify_password(
            password,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$yNq3zUoZaM1AHIqAvZbd9Q",
        );
        return Err(AccountsError::BadCredentials);
    };
    if !verify_password(password, &row.password_hash) {
        return Err(AccountsError::BadCredentials);
    }
    let user = row.into_user();
    Ok(Actor {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        village_id: user.village_id,
        practice: None,
    })
}

pub async fn list(db: &Db) -> Result<Vec<User>, AccountsError> {
    let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users ORDER BY id"
    )))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(UserRow::into_user).collect())
}

pub async fn set_active(conn: &mut Conn, id: i64, active: bool) -> Result<(), AccountsError> {
    let done = sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AccountsError::UnknownUser(id));
    }
    Ok(())
}

pub async fn set_password(conn: &mut Conn, id: i64, password: &str) -> Result<(), AccountsError> {
    let hash = hash_password(password)?;
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
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
        let actor = authenticate(&db, "admin", "correct horse").await.unwrap();
        assert_eq!(actor.role, Role::Admin);
        assert!(matches!(
            authenticate(&db, "admin", "wrong horse").await,
            Err(AccountsError::BadCredentials)
        ));
        assert!(matches!(
            authenticate(&db, "nobody", "correct horse").await,
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
        assert!(authenticate(&db, "a2", "correct horse").await.is_err());
    }
}
