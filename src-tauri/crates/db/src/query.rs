//! Queries written once and run on either engine: the SQL text and its bound values are kept
//! engine-free until the executor says which engine runs them.
//!
//! The surface mirrors sqlx's (`query`, `query_as`, `query_scalar`, `.bind`, `.fetch_*`,
//! `.execute`) so that crates read as they did on sqlx alone. A row type must decode from
//! both engines' rows, which is what keeps a query from quietly relying on SQLite's loose
//! typing (a 0/1 flag read as `i64` is a `bool` on PostgreSQL).

use std::borrow::Cow;

use sqlx::postgres::{PgArguments, PgConnection, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqliteRow};
use sqlx::{Arguments, PgPool, SqlSafeStr, SqlStr, SqlitePool};

use crate::engine::{Conn, Db};

/// A bound value, kept until the engine is known. `Null` carries its type because
/// PostgreSQL types every parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null(Kind),
    Int(i64),
    Real(f64),
    Bool(bool),
    Text(String),
    Blob(Vec<u8>),
}

/// The SQL type of a bound value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    Bool,
    Text,
    Blob,
}

/// A Rust value that can be bound to a query on either engine.
pub trait Bind {
    const KIND: Kind;
    fn into_value(self) -> Value;
}

macro_rules! bind_int {
    ($($t:ty),*) => {$(
        impl Bind for $t {
            const KIND: Kind = Kind::Int;
            fn into_value(self) -> Value {
                Value::Int(i64::from(self))
            }
        }
    )*};
}
bind_int!(i64, i32, i16, u32, u16, u8);

impl Bind for usize {
    const KIND: Kind = Kind::Int;
    fn into_value(self) -> Value {
        // Counts and indexes; nothing the desk stores comes near i64::MAX.
        Value::Int(i64::try_from(self).unwrap_or(i64::MAX))
    }
}

impl Bind for f64 {
    const KIND: Kind = Kind::Real;
    fn into_value(self) -> Value {
        Value::Real(self)
    }
}

impl Bind for f32 {
    const KIND: Kind = Kind::Real;
    fn into_value(self) -> Value {
        Value::Real(f64::from(self))
    }
}

impl Bind for bool {
    const KIND: Kind = Kind::Bool;
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl Bind for String {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self)
    }
}

impl Bind for &str {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl Bind for &String {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self.clone())
    }
}

impl Bind for Cow<'_, str> {
    const KIND: Kind = Kind::Text;
    fn into_value(self) -> Value {
        Value::Text(self.into_owned())
    }
}

impl Bind for Vec<u8> {
    const KIND: Kind = Kind::Blob;
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}

impl Bind for &[u8] {
    const KIND: Kind = Kind::Blob;
    fn into_value(self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl<T: Bind> Bind for Option<T> {
    const KIND: Kind = T::KIND;
    fn into_value(self) -> Value {
        self.map_or(Value::Null(T::KIND), Bind::into_value)
    }
}

impl<T: Bind + Clone> Bind for &Option<T> {
    const KIND: Kind = T::KIND;
    fn into_value(self) -> Value {
        self.clone().into_value()
    }
}

impl Bind for &i64 {
    const KIND: Kind = Kind::Int;
    fn into_value(self) -> Value {
        Value::Int(*self)
    }
}

impl Bind for &bool {
    const KIND: Kind = Kind::Bool;
    fn into_value(self) -> Value {
        Value::Bool(*self)
    }
}

impl Bind for &f64 {
    const KIND: Kind = Kind::Real;
    fn into_value(self) -> Value {
        Value::Real(*self)
    }
}

fn sqlite_args(values: Vec<Value>) -> Result<SqliteArguments, sqlx::Error> {
    let mut args = SqliteArguments::default();
    for v in values {
        match v {
            Value::Null(Kind::Int) => args.add(None::<i64>),
            Value::Null(Kind::Real) => args.add(None::<f64>),
            Value::Null(Kind::Bool) => args.add(None::<bool>),
            Value::Null(Kind::Text) => args.add(None::<String>),
            Value::Null(Kind::Blob) => args.add(None::<Vec<u8>>),
            Value::Int(i) => args.add(i),
            Value::Real(f) => args.add(f),
            Value::Bool(b) => args.add(b),
            Value::Text(s) => args.add(s),
            Value::Blob(b) => args.add(b),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(args)
}

fn pg_args(values: Vec<Value>) -> Result<PgArguments, sqlx::Error> {
    let mut args = PgArguments::default();
    for v in values {
        match v {
            Value::Null(Kind::Int) => args.add(None::<i64>),
            Value::Null(Kind::Real) => args.add(None::<f64>),
            Value::Null(Kind::Bool) => args.add(None::<bool>),
            Value::Null(Kind::Text) => args.add(None::<String>),
            Value::Null(Kind::Blob) => args.add(None::<Vec<u8>>),
            Value::Int(i) => args.add(i),
            Value::Real(f) => args.add(f),
            Value::Bool(b) => args.add(b),
            Value::Text(s) => args.add(s),
            Value::Blob(b) => args.add(b),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(args)
}

/// Where a query runs: a pool or one connection, on either engine.
pub enum Exec<'e> {
    SqlitePool(&'e SqlitePool),
    Sqlite(&'e mut SqliteConnection),
    PostgresPool(&'e PgPool),
    Postgres(&'e mut PgConnection),
}

/// What a query can run on: `&Db`, `&mut Conn` (so `&mut *tx` and `&mut *pooled`).
pub trait Executor<'e> {
    fn into_exec(self) -> Exec<'e>;
}

impl<'e> Executor<'e> for &'e Db {
    fn into_exec(self) -> Exec<'e> {
        match self {
            Db::Sqlite(p) => Exec::SqlitePool(p),
            Db::Postgres(p) => Exec::PostgresPool(p),
        }
    }
}

impl<'e> Executor<'e> for &'e mut Conn {
    fn into_exec(self) -> Exec<'e> {
        match self {
            Conn::SqliteTx(t) => Exec::Sqlite(&mut *t),
            Conn::SqlitePooled(c) => Exec::Sqlite(&mut *c),
            Conn::PostgresTx(t) => Exec::Postgres(&mut *t),
            Conn::PostgresPooled(c) => Exec::Postgres(&mut *c),
        }
    }
}

/// A row type that decodes from either engine's rows.
pub trait FromRows:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> FromRows for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

/// What a statement changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// `sql` with each `?` outside a quoted literal numbered `$1, $2, …` for PostgreSQL.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + sql.len() / 4);
    let (mut n, mut quote) = (0usize, None::<char>);
    for c in sql.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '?') => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// The text PostgreSQL runs: positional `?` numbered when the query was written so.
fn pg_text(sql: SqlStr, positional: bool) -> SqlStr {
    if positional {
        sqlx::AssertSqlSafe(numbered(sql.as_str())).into_sql_str()
    } else {
        sql
    }
}

/// Runs `$body` with `$q` bound to the engine's own sqlx query built from `$build`.
macro_rules! on_engine {
    ($ex:expr, $sql:expr, $positional:expr, $args:expr, |$q:ident, $e:ident| $body:expr) => {
        match $ex.into_exec() {
            Exec::SqlitePool($e) => {
                let $q = sqlite_args($args).map(|a| (a, $sql))?;
                $body
            }
            Exec::Sqlite($e) => {
                let $q = sqlite_args($args).map(|a| (a, $sql))?;
                $body
            }
            Exec::PostgresPool($e) => {
                let $q = pg_args($args).map(|a| (a, pg_text($sql, $positional)))?;
                $body
            }
            Exec::Postgres($e) => {
                let $q = pg_args($args).map(|a| (a, pg_text($sql, $positional)))?;
                $body
            }
        }
    };
}

/// A statement whose rows, if any, are not read.
#[must_use = "a query does nothing until it is executed"]
pub struct Query {
    pub(crate) sql: SqlStr,
    pub(crate) args: Vec<Value>,
    pub(crate) positional: bool,
}

pub fn query(sql: impl SqlSafeStr) -> Query {
    Query {
        sql: sql.into_sql_str(),
        args: Vec::new(),
        positional: false,
    }
}

/// A statement written with anonymous `?` placeholders, numbered `$1…` when it runs on
/// PostgreSQL. For statements with thousands of parameters: SQLite looks a numbered
/// parameter's name up by walking a list, which made a 5,000-parameter INSERT cost
/// quadratic time in binding (the county fan-out went from 0.36 s to 2.5 s).
pub fn query_positional(sql: impl SqlSafeStr) -> Query {
    Query {
        positional: true,
        ..query(sql)
    }
}

impl Query {
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.args.push(value.into_value());
        self
    }

    pub async fn execute<'e>(self, ex: impl Executor<'e>) -> Result<Done, sqlx::Error> {
        let rows_affected = on_engine!(ex, self.sql, self.positional, self.args, |q, e| {
            sqlx::query_with(q.1, q.0).execute(e).await?.rows_affected()
        });
        Ok(Done { rows_affected })
    }
}

/// A query read into rows of `O` (a tuple or a `#[derive(FromRow)]` struct).
#[must_use = "a query does nothing until it is fetched"]
pub struct QueryAs<O> {
    pub(crate) sql: SqlStr,
    pub(crate) args: Vec<Value>,
    pub(crate) positional: bool,
    pub(crate) _out: std::marker::PhantomData<fn() -> O>,
}

pub fn query_as<O: FromRows>(sql: impl SqlSafeStr) -> QueryAs<O> {
    QueryAs {
        sql: sql.into_sql_str(),
        args: Vec::new(),
        positional: false,
        _out: std::marker::PhantomData,
    }
}

impl<O: FromRows> QueryAs<O> {
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.args.push(value.into_value());
        self
    }

    pub async fn fetch_all<'e>(self, ex: impl Executor<'e>) -> Result<Vec<O>, sqlx::Error> {
        on_engine!(ex, self.sql, self.positional, self.args, |q, e| {
            sqlx::query_as_with(q.1, q.0).fetch_all(e).await
        })
    }

    pub async fn fetch_one<'e>(self, ex: impl Executor<'e>) -> Result<O, sqlx::Error> {
        on_engine!(ex, self.sql, self.positional, self.args, |q, e| {
            sqlx::query_as_with(q.1, q.0).fetch_one(e).await
        })
    }

    pub async fn fetch_optional<'e>(self, ex: impl Executor<'e>) -> Result<Option<O>, sqlx::Error> {
        on_engine!(ex, self.sql, self.positional, self.args, |q, e| {
            sqlx::query_as_with(q.1, q.0).fetch_optional(e).await
        })
    }
}

/// A query whose rows are one column of `O`.
#[must_use = "a query does nothing until it is fetched"]
pub struct QueryScalar<O> {
    inner: QueryAs<(O,)>,
}

pub fn query_scalar<O>(sql: impl SqlSafeStr) -> QueryScalar<O>
where
    (O,): FromRows,
{
    QueryScalar {
        inner: query_as(sql),
    }
}

impl<O> QueryScalar<O>
where
    (O,): FromRows,
{
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.inner = self.inner.bind(value);
        self
    }

    pub async fn fetch_all<'e>(self, ex: impl Executor<'e>) -> Result<Vec<O>, sqlx::Error> {
        Ok(self
            .inner
            .fetch_all(ex)
            .await?
            .into_iter()
            .map(|(o,)| o)
            .collect())
    }

    pub async fn fetch_one<'e>(self, ex: impl Executor<'e>) -> Result<O, sqlx::Error> {
        Ok(self.inner.fetch_one(ex).await?.0)
    }

    pub async fn fetch_optional<'e>(self, ex: impl Executor<'e>) -> Result<Option<O>, sqlx::Error> {
        Ok(self.inner.fetch_optional(ex).await?.map(|(o,)| o))
    }
}

// A raw pool, for tests that open a desk's file beside the running app without migrating it.
impl<'e> Executor<'e> for &'e SqlitePool {
    fn into_exec(self) -> Exec<'e> {
        Exec::SqlitePool(self)
    }
}

impl<'e> Executor<'e> for &'e PgPool {
    fn into_exec(self) -> Exec<'e> {
        Exec::PostgresPool(self)
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn positional_placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            numbered("INSERT INTO t VALUES (?,?),(?, '?', \"a?\", ?)"),
            "INSERT INTO t VALUES ($1,$2),($3, '?', \"a?\", $4)"
        );
        assert_eq!(
            numbered("SELECT 'it''s?' WHERE x = ?"),
            "SELECT 'it''s?' WHERE x = $1"
        );
    }
}
