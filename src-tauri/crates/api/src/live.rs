//! Live across desks: what others changed since a window last looked. Every change made
//! through the desk is audited in its own transaction, on whichever desk or process made it,
//! so the audit log's newest id is the office's change counter. Windows poll it (SQLite has no
//! notifications between processes); on the office server each audited commit is also
//! announced (NOTIFY) and [`Desk::watch_changes`] wakes the windows at once. Only area names
//! cross, never what changed.

use serde::Serialize;

use maeul_accounts::{Actor, audit};

use crate::{ApiResult, Desk};

/// A part of the app a window reloads when others changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// Subscribers, households, villages, groups, enrolment requests, imports.
    Registry,
    /// Broadcasts, their approval and cancelling, recordings, the outbox's settings.
    Dispatch,
    Programs,
    Budget,
}

impl Area {
    /// The area an audited action changed; `None` for reads that are audited (exports,
    /// printing, sign-ins) and for account and settings matters no screen lists live.
    pub fn of(action: &str) -> Option<Area> {
        if action.ends_with(".export") || action.contains(".print") {
            return None;
        }
        match action.split('.').next()? {
            "subscriber" | "household" | "village" | "group" | "registry" | "enrollment" => {
                Some(Area::Registry)
            }
            "broadcast" | "recording" => Some(Area::Dispatch),
            "programs" => Some(Area::Programs),
            "budget" => Some(Area::Budget),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Changes {
    /// Pass this back as `after` next time.
    pub head: i64,
    /// What others changed since `after`, each area once.
    pub areas: Vec<Area>,
}

impl Desk {
    /// What others (not this signed-in user) changed after audit entry `after`. Any signed-in
    /// role may ask: the answer names areas only. `after` 0 gives the head and no areas.
    pub async fn changes_since(&self, actor: &Actor, after: i64) -> ApiResult<Changes> {
        let mut conn = self.db.acquire().await?;
        let (head, actions) = audit::actions_after(&mut conn, after, &actor.username).await?;
        let mut areas: Vec<Area> = if after == 0 {
            Vec::new()
        } else {
            actions.iter().filter_map(|a| Area::of(a)).collect()
        };
        areas.sort();
        areas.dedup();
        Ok(Changes { head, areas })
    }
}

/// How long a lost listener waits before asking the server again.
const RELISTEN: std::time::Duration = std::time::Duration::from_secs(3);

impl Desk {
    /// On the office server: a task that calls `wake` whenever an audited change commits on
    /// any desk (this one too: the window's own poll sorts out whose it was), and after a
    /// lost connection (what was announced meanwhile is gone): when it is back, and every few
    /// seconds while the server does not answer. Ends when the desk closes. `None` on a file,
    /// where windows poll.
    pub async fn watch_changes(
        &self,
        wake: impl Fn() + Send + 'static,
    ) -> ApiResult<Option<tokio::task::JoinHandle<()>>> {
        let maeul_db::Db::Postgres(pool) = &self.db else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(audit::CHANGES_CHANNEL).await?;
        Ok(Some(tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(_)) => wake(),
                    // The connection dropped and is back (sqlx listens again on it).
                    Ok(None) => wake(),
                    Err(sqlx::Error::PoolClosed) => break,
                    // The server is away (the windows' polls say so). Whatever was announced
                    // meanwhile is lost: the windows look once more each time it tries again.
                    Err(e) => {
                        log::debug!("change listener: {e}");
                        tokio::time::sleep(RELISTEN).await;
                        wake();
                    }
                }
            }
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::Area;

    #[test]
    fn actions_map_to_the_screens_that_list_them() {
        assert_eq!(Area::of("subscriber.update"), Some(Area::Registry));
        assert_eq!(Area::of("enrollment.approve"), Some(Area::Registry));
        assert_eq!(Area::of("registry.import"), Some(Area::Registry));
        assert_eq!(Area::of("broadcast.send"), Some(Area::Dispatch));
        assert_eq!(Area::of("programs.workshop.update"), Some(Area::Programs));
        assert_eq!(Area::of("registry.export"), None, "a read");
        assert_eq!(Area::of("programs.print.sign_in"), None, "a read");
        assert_eq!(Area::of("session.login"), None);
    }
}
