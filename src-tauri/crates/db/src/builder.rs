//! Statements assembled at run time (filters, multi-row VALUES): binds are written as `?`
//! and numbered `$1…` when the statement runs on PostgreSQL.

use std::fmt::Write as _;

use sqlx::AssertSqlSafe;

use crate::query::{Bind, FromRows, Query, QueryAs, Value, query_as, query_positional};

pub struct QueryBuilder {
    sql: String,
    args: Vec<Value>,
}

impl QueryBuilder {
    pub fn new(init: impl Into<String>) -> Self {
        QueryBuilder {
            sql: init.into(),
            args: Vec::new(),
        }
    }

    /// Appends SQL text. Only constant text: values go through [`QueryBuilder::push_bind`].
    pub fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        write!(self.sql, "{sql}").expect("writing to a String");
        self
    }

    /// Binds a value: `?` in the text, numbered `$n` only if it runs on PostgreSQL (see
    /// [`crate::query_positional`] for why not on SQLite).
    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        self.args.push(value.into_value());
        self.sql.push('?');
        self
    }

    /// Appends ` VALUES (…), (…)`, one tuple per item, its values bound by `row`.
    pub fn push_values<I, F>(&mut self, items: I, mut row: F) -> &mut Self
    where
        I: IntoIterator,
        F: FnMut(Separated<'_>, I::Item),
    {
        self.sql.push_str("VALUES ");
        for (n, item) in items.into_iter().enumerate() {
            if n > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            row(
                Separated {
                    builder: self,
                    first: true,
                },
                item,
            );
            self.sql.push(')');
        }
        self
    }

    pub fn build(&mut self) -> Query {
        let (sql, args) = self.take();
        let mut q = query_positional(AssertSqlSafe(sql));
        q.args = args;
        q
    }

    pub fn build_query_as<O: FromRows>(&mut self) -> QueryAs<O> {
        let (sql, args) = self.take();
        let mut q = query_as(AssertSqlSafe(sql));
        q.args = args;
        q.positional = true;
        q
    }

    fn take(&mut self) -> (String, Vec<Value>) {
        (
            std::mem::take(&mut self.sql),
            std::mem::take(&mut self.args),
        )
    }

    /// The SQL so far (for tests and logs; never holds a bound value).
    pub fn sql(&self) -> &str {
        &self.sql
    }
}

/// One VALUES tuple being written: each bind is separated from the last by a comma.
pub struct Separated<'b> {
    builder: &'b mut QueryBuilder,
    first: bool,
}

impl Separated<'_> {
    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        if !self.first {
            self.builder.sql.push_str(", ");
        }
        self.first = false;
        self.builder.push_bind(value);
        self
    }

    /// Appends SQL text inside the tuple (a constant or a cast), comma-separated like a bind.
    pub fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        if !self.first {
            self.builder.sql.push_str(", ");
        }
        self.first = false;
        self.builder.push(sql);
        self
    }
}
