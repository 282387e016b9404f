//! First-run setup, sign-in and user management.

use maeul_accounts::users::{self, NewUser, User};
use maeul_accounts::{AccountsError, Actor, Permission, Role, Scope, audit};
use serde_json::json;

use crate::{ApiError, ApiResult, Desk, ErrorCode};

impl Desk {
    /// True until the first admin exists.
    pub async fn needs_setup(&self) -> ApiResult<bool> {
        Ok(users::count(&self.db).await? == 0)
    }

    /// First run: creates the admin account. Refused once any user exists.
    pub async fn create_first_admin(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
    ) -> ApiResult<Actor> {
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        if n > 0 {
            return Err(AccountsError::AlreadySetUp.into());
        }
        let new = NewUser {
            username: username.into(),
            display_name: display_name.into(),
            password: password.into(),
            role: Role::Admin,
            village_id: None,
        };
        let user = users::create(&mut tx, &new).await?;
        let actor = Actor {
            user_id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: Role::Admin,
            village_id: None,
            practice: None,
        };
        audit::record(
            &mut tx,
            &actor,
            "user.setup_admin",
            &format!("user/{}", user.id),
            &json!({ "username": user.username }),
        )
        .await?;
        tx.commit().await?;
        Ok(actor)
    }

    pub async fn login(&self, username: &str, password: &str) -> ApiResult<Actor> {
        self.login_at(username, password, jiff::Timestamp::now())
            .await
    }

    /// [`Desk::login`] on a given clock: failures are counted and lock the name for a while.
    pub async fn login_at(
        &self,
        username: &str,
        password: &str,
        now: jiff::Timestamp,
    ) -> ApiResult<Actor> {
        if self.needs_setup().await? {
            return Err(ApiError::new(
                ErrorCode::SetupRequired,
                "관리자 계정을 먼저 만드세요",
            ));
        }
        let actor = users::authenticate(&self.db, username, password, now).await?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        audit::record(
            &mut tx,
            &actor,
            "session.login",
            &format!("user/{}", actor.user_id),
            &json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(actor)
    }

    pub async fn list_users(&self, actor: &Actor) -> ApiResult<Vec<User>> {
        actor.require(Permission::ManageUsers, Scope::County)?;
        Ok(users::list(&self.db).await?)
    }

    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> ApiResult<User> {
        actor.require(Permission::ManageUsers, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let user = users::create(&mut tx, &new).await?;
        audit::record(
            &mut tx,
            actor,
            "user.create",
            &format!("user/{}", user.id),
            &json!({ "username": user.username, "role": user.role, "village_id": user.village_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn set_user_active(
        &self,
        actor: &Actor,
        user_id: i64,
        active: bool,
    ) -> ApiResult<()> {
        actor.require(Permission::ManageUsers, Scope::County)?;
        if user_id == actor.user_id && !active {
            return Err(ApiError::invalid("active", "자기 계정은 끌 수 없습니다"));
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        users::set_active(&mut tx, user_id, active).await?;
        audit::record(
            &mut tx,
            actor,
            "user.set_active",
            &format!("user/{user_id}"),
            &json!({ "active": active }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An admin resets anyone's password; everyone may change their own.
    pub async fn set_password(&self, actor: &Actor, user_id: i64, password: &str) -> ApiResult<()> {
        if user_id != actor.user_id {
            actor.require(Permission::ManageUsers, Scope::County)?;
        }
        let mut tx = maeul_db::begin_write(&self.db).await?;
        users::set_password(&mut tx, user_id, password).await?;
        audit::record(
            &mut tx,
            actor,
            "user.set_password",
            &format!("user/{user_id}"),
            &json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
