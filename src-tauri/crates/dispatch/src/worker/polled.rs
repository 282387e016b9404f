//! Where a poll of the provider (receipts, keypad replies) reads the rows it asks about and
//! writes the answers.

use maeul_db::{Db, Engine, QueryAs, Tx};

/// On PostgreSQL, one transaction from the read to the answers that holds the rows it read
/// (`FOR UPDATE … SKIP LOCKED`) over the provider's call: a second desk polling at the same
/// moment asks about the next rows instead of the same ones, and neither waits for the
/// other. Only polls touch these rows while they are out (submitted or answered calls:
/// claims, cancels and opt-outs change pending rows), and a crash or a cut pass rolls the
/// transaction back, freeing them.
///
/// On SQLite a transaction would hold the file's write lock over the call: the rows are read
/// on a connection of the pool, given back before the call (the pass's other steps use it
/// meanwhile), and answered in a short transaction after. Two workers on one file may then
/// ask about the same rows; each UPDATE checks the row is still as it was read (its state
/// and attempt, or its reply check).
pub(super) enum Polled {
    Held(Tx<'static>),
    Unheld,
}

impl Polled {
    pub(super) async fn begin(db: &Db) -> Result<Self, sqlx::Error> {
        Ok(match db.engine() {
            Engine::Postgres => Polled::Held(maeul_db::begin_rows(db).await?),
            Engine::Sqlite => Polled::Unheld,
        })
    }

    /// The poll's read of its rows, as one JSON text.
    pub(super) async fn read(
        &mut self,
        db: &Db,
        query: QueryAs<(String,)>,
    ) -> Result<String, sqlx::Error> {
        let (json,) = match self {
            Polled::Held(tx) => query.fetch_one(&mut **tx).await?,
            Polled::Unheld => query.fetch_one(db).await?,
        };
        Ok(json)
    }

    /// The transaction to write the answers in: the same one on PostgreSQL, a new one
    /// (holding SQLite's write lock only now) on SQLite.
    pub(super) async fn answering(self, db: &Db) -> Result<Tx<'static>, sqlx::Error> {
        match self {
            Polled::Held(tx) => Ok(tx),
            Polled::Unheld => maeul_db::begin_rows(db).await,
        }
    }
}
