use serde::{Deserialize, Serialize};

use crate::{AccountsError, Permission, Role, Scope};

/// The signed-in person (or the CLI) on whose behalf a use case runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The chief's own village; `None` for every other role.
    pub village_id: Option<i64>,
    /// When this session (a trainer's) switched practice mode on, UTC; `None` for real work.
    /// Practice belongs to one session: every other desk and person keeps sending for real.
    #[serde(default)]
    pub practice: Option<String>,
}

impl Actor {
    /// The command-line tool: whoever can run it already holds the database file, so it acts
    /// with the admin role, and the audit log names it `cli:<os user>`.
    pub fn cli() -> Actor {
        let who = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_default();
        Actor {
            user_id: 0,
            username: format!("cli:{who}"),
            display_name: "maeul CLI".into(),
            role: Role::Admin,
            village_id: None,
            practice: None,
        }
    }

    /// The desk acting by itself (finishing a recording a crash interrupted), audited under
    /// `name`. Never handed to a front end.
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: 0,
            username: name.to_string(),
            display_name: "시스템".into(),
            role: Role::Admin,
            village_id: None,
            practice: None,
        }
    }

    /// Whether this session is in practice mode: its sends reach only the sandbox.
    pub fn in_practice(&self) -> bool {
        self.practice.is_some()
    }

    /// Checks the role table and, for a chief, that the data is their own village's.
    pub fn require(&self, permission: Permission, scope: Scope) -> Result<(), AccountsError> {
        if !permission.granted_to(self.role) {
            return Err(AccountsError::Forbidden {
                role: self.role,
                permission,
            });
        }
        if self.role == Role::Chief {
            match scope {
                Scope::Village(v) if Some(v) == self.village_id => {}
                _ => return Err(AccountsError::OutOfScope),
            }
        }
        Ok(())
    }

    /// The village a listing must be limited to: a chief's own, otherwise the one asked for.
    pub fn village_filter(&self, asked: Option<i64>) -> Result<Option<i64>, AccountsError> {
        match (self.role, asked) {
            (Role::Chief, None) => Ok(self.village_id),
            (Role::Chief, Some(v)) if Some(v) != self.village_id => Err(AccountsError::OutOfScope),
            (_, asked) => Ok(asked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, village_id: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            village_id,
            practice: None,
        }
    }

    #[test]
    fn chief_is_limited_to_own_village() {
        let chief = actor(Role::Chief, Some(7));
        assert!(
            chief
                .require(Permission::EditHouseholds, Scope::Village(7))
                .is_ok()
        );
        assert!(matches!(
            chief.require(Permission::EditHouseholds, Scope::Village(8)),
            Err(AccountsError::OutOfScope)
        ));
        assert!(matches!(
            chief.require(Permission::EditHouseholds, Scope::County),
            Err(AccountsError::OutOfScope)
        ));
        assert_eq!(chief.village_filter(None).unwrap(), Some(7));
        assert!(chief.village_filter(Some(8)).is_err());
    }

    #[test]
    fn auditor_reads_but_never_edits() {
        let auditor = actor(Role::Auditor, None);
        assert!(
            auditor
                .require(Permission::ViewHouseholds, Scope::County)
                .is_ok()
        );
        assert!(
            auditor
                .require(Permission::ViewAudit, Scope::County)
                .is_ok()
        );
        for p in [
            Permission::EditHouseholds,
            Permission::ImportRegistry,
            Permission::ViewFullPhone,
        ] {
            assert!(auditor.require(p, Scope::County).is_err(), "{p}");
        }
    }
}
