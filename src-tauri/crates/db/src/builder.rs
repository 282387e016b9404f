//! Statements assembled at run time (filters, multi-row VALUES), numbered `$1…` so the same
//! text runs on either engine.

use std::fmt::Write as _;

use sqlx::AssertSqlSafe;

use crate::query::{Bind, FromRows, Query, QueryAs, Value, query, query_as};

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

    pub fn push_bind(&mut self, value: impl Bind) -> &mut Self {
        self.args.push(value.into_value());
        write!(self.sql, "${}", self.args.len()).expect("writing to a String");
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
        let mut q = query(AssertSqlSafe(sql));
        q.args = args;
        q
    }

    pub fn build_query_as<O: FromRows>(&mut self) -> QueryAs<O> {
        let (sql, args) = self.take();
        let mut q = query_as(AssertSqlSafe(sql));
        q.args = args;
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
