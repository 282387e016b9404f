//! Where a poll of the provider (receipts, keypad replies) reads the rows it asks about and
//! writes the answers.

use maeul_db::{Conn, Db, Engine, Pooled, Tx};

/// On PostgreSQL, one transaction from the read to the answers that holds the rows it read
/// (`FOR UPDATE … SKIP LOCKED`) over the provider's call: a second desk polling at the same
/// moment asks about the next rows instead of the same ones, and neither waits for the
/// other. Only polls touch these rows while they are out (submitted or answered calls:
/// claims, cancels and opt-outs change pending rows), and a crash or a cut pass rolls the
/// transaction back, freeing them.
///
/// On SQLite a transaction would hold the file's write lock over the call: the rows are read
/// on a plain connection and answered in a short transaction after. Two workers on one file
/// may then ask about the same rows; each UPDATE checks the row is still as it was read
/// (its state and attempt, or its reply check).
pub(super) enum Polled {
    Held(Tx<'static>),
    Read(Pooled),
}

impl Polled {
    pub(super) async fn begin(db: &Db) -> Result<Self, sqlx::Error> {
        Ok(match db.engine() {
            Engine::Postgres => Polled::Held(maeul_db::begin_rows(db).await?),
            Engine::Sqlite => Polled::Read(db.acquire().await?),
        })
    }

    /// The connection to read on.
    pub(super) fn conn(&mut self) -> &mut Conn {
        match self {
            Polled::Held(tx) => tx,
            Polled::Read(conn) => conn,
        }
    }

    /// The transaction to write the answers in: the same one on PostgreSQL, a new one
    /// (holding SQLite's write lock only now) on SQLite.
    pub(super) async fn answering(self, db: &Db) -> Result<Tx<'static>, sqlx::Error> {
        match self {
            Polled::Held(tx) => Ok(tx),
            Polled::Read(conn) => {
                drop(conn);
                maeul_db::begin_rows(db).await
            }
        }
    }
}
