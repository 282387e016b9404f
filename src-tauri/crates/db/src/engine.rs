//! The two engines a desk can run on, behind one pool, transaction and connection type, so
//! that every crate writes its SQL once and a transaction can span crates on either engine.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// The advisory lock key of [`Db::begin_immediate`] on PostgreSQL ("maeul" + 0).
const WRITER_LOCK: i64 = 0x6d61_6575_6c00;

/// Which engine a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// One desk's file (the embedded default).
    Sqlite,
    /// The office server several desks share.
    Postgres,
}

/// The database pool every crate receives.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl From<SqlitePool> for Db {
    fn from(pool: SqlitePool) -> Self {
        Db::Sqlite(pool)
    }
}

impl From<PgPool> for Db {
    fn from(pool: PgPool) -> Self {
        Db::Postgres(pool)
    }
}

impl Db {
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite pool, for the few places that are the file's alone (backup, restore).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Db::Sqlite(p) => Some(p),
            Db::Postgres(_) => None,
        }
    }

    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        let conn = match self {
            Db::Sqlite(p) => Conn::SqliteTx(p.begin().await?),
            Db::Postgres(p) => Conn::PostgresTx(p.begin().await?),
        };
        Ok(Tx {
            conn,
            _life: PhantomData,
        })
    }

    /// Begins a transaction that writes alone: SQLite's `BEGIN IMMEDIATE` (the file's write
    /// lock from the start), and on PostgreSQL a transaction-scoped advisory lock every such
    /// transaction takes first. The crates' read-then-write steps (a chief notice sent once,
    /// an escalation step taken once, a household found or created, a name checked free)
    /// were written against SQLite's one writer; the lock keeps them so across desks.
    pub async fn begin_immediate(&self) -> Result<Tx<'static>, sqlx::Error> {
        let conn = match self {
            Db::Sqlite(p) => Conn::SqliteTx(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITER_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Conn::PostgresTx(tx)
            }
        };
        Ok(Tx {
            conn,
            _life: PhantomData,
        })
    }

    /// A connection of the pool's own, for several statements outside a transaction.
    pub async fn acquire(&self) -> Result<Pooled, sqlx::Error> {
        Ok(Pooled(match self {
            Db::Sqlite(p) => Conn::SqlitePooled(p.acquire().await?),
            Db::Postgres(p) => Conn::PostgresPooled(p.acquire().await?),
        }))
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    pub fn is_closed(&self) -> bool {
        match self {
            Db::Sqlite(p) => p.is_closed(),
            Db::Postgres(p) => p.is_closed(),
        }
    }
}

/// One connection, in a transaction or taken from the pool. Functions that run inside a
/// caller's transaction take `&mut Conn`; `&mut *tx` and `&mut *pooled` both give one.
#[derive(Debug)]
pub enum Conn {
    SqliteTx(Transaction<'static, Sqlite>),
    PostgresTx(Transaction<'static, Postgres>),
    SqlitePooled(PoolConnection<Sqlite>),
    PostgresPooled(PoolConnection<Postgres>),
}

impl Conn {
    pub fn engine(&self) -> Engine {
        match self {
            Conn::SqliteTx(_) | Conn::SqlitePooled(_) => Engine::Sqlite,
            Conn::PostgresTx(_) | Conn::PostgresPooled(_) => Engine::Postgres,
        }
    }
}

/// A transaction on either engine; dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx<'a> {
    conn: Conn,
    // Kept so that signatures written against sqlx's `Transaction<'a, _>` read the same.
    _life: PhantomData<&'a ()>,
}

impl Tx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::SqliteTx(t) => t.commit().await,
            Conn::PostgresTx(t) => t.commit().await,
            Conn::SqlitePooled(_) | Conn::PostgresPooled(_) => {
                unreachable!("a Tx holds a transaction")
            }
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.conn {
            Conn::SqliteTx(t) => t.rollback().await,
            Conn::PostgresTx(t) => t.rollback().await,
            Conn::SqlitePooled(_) | Conn::PostgresPooled(_) => {
                unreachable!("a Tx holds a transaction")
            }
        }
    }
}

impl Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

/// A connection taken from the pool ([`Db::acquire`]), returned to it on drop.
#[derive(Debug)]
pub struct Pooled(Conn);

impl Deref for Pooled {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}
