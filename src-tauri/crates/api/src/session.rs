//! First-run setup, sign-in and user management.

use maeul_accounts::users::{self, NewUser, User};
use maeul_accounts::{AccountsError, Actor, Permission, Role, Scope, audit};
use serde_json::json;

use crate::{ApiError, ApiResult, Desk, ErrorCode};

impl Desk {
    /// True until the first admin exists.
    pub async fn needs_setup(&self) -> ApiResult<bool> {
        let mut conn = self.db.acquire().await?;
        Ok(users::count(&mut conn).await? == 0)
    }

    /// First run: creates the admin account. Refused once any user exists.
    pub async fn create_first_admin(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
    ) -> ApiResult<Actor> {
        let mut tx = maeul_db::begin_write(&self.db).await?;
        if users::count(&mut tx).await? > 0 {
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
        self.commit(tx).await?;
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
        let signed_in = users::authenticate(&self.db, username, password, now).await;
        // A failure was audited inside authenticate: seal it too.
        self.anchor_audit().await;
        let actor = signed_in?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        audit::record(
            &mut tx,
            &actor,
            "session.login",
            &format!("user/{}", actor.user_id),
            &json!({}),
        )
        .await?;
        self.commit(tx).await?;
        Ok(actor)
    }

    /// The signed-in person as the database has them now: a deactivated account is signed
    /// out at its next command, and a changed role or village takes effect at once. The
    /// session's own practice mode is kept (dropped if the new role may not practise).
    pub async fn refresh_actor(&self, actor: &Actor) -> ApiResult<Actor> {
        let Some(user) = users::get(&self.db, actor.user_id)
            .await?
            .filter(|u| u.active)
        else {
            return Err(ApiError::new(
                ErrorCode::NotSignedIn,
                "계정이 꺼졌습니다. 관리자에게 문의하세요",
            ));
        };
        let role = user.role;
        Ok(Actor {
            user_id: actor.user_id,
            username: user.username,
            display_name: user.display_name,
            role,
            village_id: user.village_id,
            practice: actor
                .practice
                .clone()
                .filter(|_| Permission::PracticeMode.granted_to(role)),
        })
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
        self.commit(tx).await?;
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
        self.commit(tx).await?;
        Ok(())
    }

    /// An admin resets anyone's password; everyone may change their own, giving the
    /// `current` one (so that a desk left signed in cannot be taken over).
    pub async fn set_password(
        &self,
        actor: &Actor,
        user_id: i64,
        current: Option<&str>,
        password: &str,
    ) -> ApiResult<()> {
        if user_id != actor.user_id {
            actor.require(Permission::ManageUsers, Scope::County)?;
        } else {
            let current = current
                .filter(|c| !c.is_empty())
                .ok_or_else(|| ApiError::invalid("current", "현재 비밀번호를 입력하세요"))?;
            if !users::check_password(&self.db, user_id, current).await? {
                return Err(ApiError::invalid(
                    "current",
                    "현재 비밀번호가 올바르지 않습니다",
                ));
            }
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
        self.commit(tx).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn desk_with(role: Role) -> (Desk, Actor, Actor) {
        let desk = Desk::open_memory().await.unwrap();
        let admin = desk
            .create_first_admin("admin", "관리자", "correct horse")
            .await
            .unwrap();
        let user = desk
            .create_user(
                &admin,
                NewUser {
                    username: "op".into(),
                    display_name: "운영".into(),
                    password: "battery staple".into(),
                    role,
                    village_id: None,
                },
            )
            .await
            .unwrap();
        let signed_in = desk.login("op", "battery staple").await.unwrap();
        assert_eq!(signed_in.user_id, user.id);
        (desk, admin, signed_in)
    }

    #[tokio::test]
    async fn a_deactivated_user_is_refused_at_the_next_command() {
        let (desk, admin, op) = desk_with(Role::Operator).await;
        assert_eq!(desk.refresh_actor(&op).await.unwrap(), op);
        desk.set_user_active(&admin, op.user_id, false)
            .await
            .unwrap();
        let e = desk.refresh_actor(&op).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NotSignedIn);
        assert!(e.message.contains("계정이 꺼졌습니다"), "{}", e.message);
    }

    #[tokio::test]
    async fn changing_ones_own_password_needs_the_current_one() {
        let (desk, admin, op) = desk_with(Role::Operator).await;
        for current in [None, Some(""), Some("wrong horse")] {
            let e = desk
                .set_password(&op, op.user_id, current, "new password 1")
                .await
                .unwrap_err();
            assert_eq!(e.field.as_deref(), Some("current"), "{current:?}: {e:?}");
        }
        desk.set_password(&op, op.user_id, Some("battery staple"), "new password 1")
            .await
            .unwrap();
        desk.login("op", "new password 1").await.unwrap();
        // An admin resetting someone else's password is not asked for theirs.
        desk.set_password(&admin, op.user_id, None, "new password 2")
            .await
            .unwrap();
        desk.login("op", "new password 2").await.unwrap();
        // Nor may anyone else change it, old password or not.
        assert!(
            desk.set_password(&op, admin.user_id, Some("correct horse"), "x1234567")
                .await
                .is_err()
        );
    }
}
