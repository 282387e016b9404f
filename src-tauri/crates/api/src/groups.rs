//! Group use cases: the office's subscriber lists. Viewing and managing them are county-wide
//! permissions; membership through the subscriber form is checked against the subscriber's
//! village as well, like every other change to a subscriber.

use serde_json::json;

use maeul_accounts::{Actor, Permission, Scope, audit};
use maeul_registry::store::{groups, villages};
use maeul_registry::{Group, GroupInput};

use crate::{ApiResult, Desk};

impl Desk {
    pub async fn list_groups(&self, actor: &Actor) -> ApiResult<Vec<Group>> {
        actor.require(Permission::ViewGroups, Scope::County)?;
        Ok(groups::list(&self.db).await?)
    }

    pub async fn create_group(&self, actor: &Actor, input: GroupInput) -> ApiResult<Group> {
        actor.require(Permission::ManageGroups, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let id = groups::create(&mut tx, &input).await?;
        let group = groups::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "group.create",
            &format!("group/{id}"),
            &json!({ "name": group.name, "note": group.note }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(group)
    }

    pub async fn update_group(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: GroupInput,
    ) -> ApiResult<Group> {
        actor.require(Permission::ManageGroups, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let before = groups::get(&mut tx, id).await?;
        groups::update(&mut tx, id, version, &input, &actor.display_name).await?;
        let after = groups::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "group.update",
            &format!("group/{id}"),
            &json!({ "name": [before.name, after.name], "note": [before.note, after.note] }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(after)
    }

    /// Deletes the group; its members stay in the registry. Broadcasts already sent to it
    /// keep their deliveries (they were planned when sent).
    pub async fn delete_group(&self, actor: &Actor, id: i64) -> ApiResult<()> {
        actor.require(Permission::ManageGroups, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let before = groups::get(&mut tx, id).await?;
        groups::delete(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "group.delete",
            &format!("group/{id}"),
            &json!({ "name": before.name, "members": before.members }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Adds (or with `remove`, takes out) subscribers; returns the group with its new counts.
    pub async fn change_group_members(
        &self,
        actor: &Actor,
        id: i64,
        subscriber_ids: Vec<i64>,
        remove: bool,
    ) -> ApiResult<Group> {
        actor.require(Permission::ManageGroups, Scope::County)?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let changed = if remove {
            groups::remove_members(&mut tx, id, &subscriber_ids).await?
        } else {
            groups::add_members(&mut tx, id, &subscriber_ids).await?
        };
        let group = groups::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            if remove {
                "group.remove_members"
            } else {
                "group.add_members"
            },
            &format!("group/{id}"),
            &json!({ "asked": subscriber_ids.len(), "changed": changed, "members": group.members }),
        )
        .await?;
        self.commit(tx).await?;
        Ok(group)
    }

    /// The groups one subscriber is in (for the subscriber form).
    pub async fn groups_of_subscriber(&self, actor: &Actor, id: i64) -> ApiResult<Vec<i64>> {
        actor.require(Permission::ViewGroups, Scope::County)?;
        let village = villages::of_subscriber(&self.db, id).await?;
        actor.require(Permission::ViewHouseholds, Scope::Village(village))?;
        Ok(groups::of_subscriber(&self.db, id).await?)
    }

    /// Puts one subscriber in exactly these groups.
    pub async fn set_subscriber_groups(
        &self,
        actor: &Actor,
        id: i64,
        group_ids: Vec<i64>,
    ) -> ApiResult<()> {
        actor.require(Permission::ManageGroups, Scope::County)?;
        let village = villages::of_subscriber(&self.db, id).await?;
        actor.require(Permission::EditHouseholds, Scope::Village(village))?;
        let mut tx = maeul_db::begin_write(&self.db).await?;
        let (joined, left) = groups::set_for_subscriber(&mut tx, id, &group_ids).await?;
        if !joined.is_empty() || !left.is_empty() {
            audit::record(
                &mut tx,
                actor,
                "subscriber.groups",
                &format!("subscriber/{id}"),
                &json!({ "joined": joined, "left": left }),
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(())
    }
}
