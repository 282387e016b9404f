//! Importing households and subscribers from .xlsx or .csv: read, map columns, check every
//! row, then write everything in one transaction or nothing at all.

mod apply;
mod columns;
mod read;
mod rows;

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use maeul_db::Db;

pub use columns::{ColumnMap, Field, ImportColumn, detect, import_columns};
pub use read::{MAX_FILE_BYTES, TextEncoding};

use crate::RegistryError;

/// One bad cell or line: `row N: column: reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ImportProblem {
    /// The row as a spreadsheet numbers it (header = 1); 0 for the file as a whole.
    pub row: u32,
    pub column: String,
    pub reason: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}: {}: {}", self.row, self.column, self.reason)
    }
}

#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
pub struct ImportOptions {
    #[serde(default)]
    pub encoding: TextEncoding,
    /// A mapping chosen in the wizard; `None` detects it from the headers.
    #[serde(default)]
    pub mapping: Option<Vec<ColumnMap>>,
}

/// What the wizard shows before anything is written.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ImportPreview {
    pub encoding: TextEncoding,
    pub headers: Vec<String>,
    pub mapping: Vec<ColumnMap>,
    pub sample: Vec<Vec<String>>,
    pub rows: u32,
}

#[derive(Debug, Clone, Default, Serialize, specta::Type)]
pub struct ImportReport {
    pub dry_run: bool,
    /// True only when the rows were written.
    pub committed: bool,
    pub rows: u32,
    pub households_created: u32,
    pub subscribers_created: u32,
    pub problems: Vec<ImportProblem>,
}

/// Progress of a long import, for the UI's bar.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct ImportProgress {
    pub stage: ImportStage,
    pub done: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ImportStage {
    Reading,
    Checking,
    Writing,
    Done,
}

pub fn preview(path: &Path, options: &ImportOptions) -> Result<ImportPreview, Vec<ImportProblem>> {
    let table = read::read_table(path, options.encoding)?;
    let mapping = options
        .mapping
        .clone()
        .unwrap_or_else(|| detect(&table.headers));
    Ok(ImportPreview {
        encoding: table.encoding,
        mapping,
        sample: table
            .rows
            .iter()
            .take(20)
            .map(|r| r.cells.clone())
            .collect(),
        rows: table.rows.len() as u32,
        headers: table.headers,
    })
}

/// A file read and checked; written only by [`CheckedImport::write`].
pub struct CheckedImport {
    pub report: ImportReport,
    rows: Vec<rows::ParsedRow>,
}

/// Reads and checks the whole file against the registry. Every problem lands in the report;
/// nothing is written.
pub async fn check_file(
    db: &Db,
    path: &Path,
    options: &ImportOptions,
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Result<CheckedImport, RegistryError> {
    let mut report = ImportReport {
        dry_run: true,
        ..ImportReport::default()
    };
    progress(ImportProgress {
        stage: ImportStage::Reading,
        done: 0,
        total: 0,
    });
    let table = match read::read_table(path, options.encoding) {
        Ok(t) => t,
        Err(problems) => {
            report.problems = problems;
            return Ok(CheckedImport {
                report,
                rows: Vec::new(),
            });
        }
    };
    report.rows = table.rows.len() as u32;
    let mapping = options
        .mapping
        .clone()
        .unwrap_or_else(|| detect(&table.headers));
    let lookup = rows::Lookup::load(&mut *db.acquire().await?).await?;
    let rows = match rows::check_all(&table, &mapping, &lookup, progress) {
        Ok(rows) => rows,
        Err(problems) => {
            report.problems = problems;
            return Ok(CheckedImport {
                report,
                rows: Vec::new(),
            });
        }
    };
    report.subscribers_created = rows.len() as u32;
    report.households_created = apply::count_new_households(db, &rows).await?;
    Ok(CheckedImport { report, rows })
}

impl CheckedImport {
    pub fn is_clean(&self) -> bool {
        self.report.problems.is_empty()
    }

    /// Writes the rows inside the caller's write transaction (see `maeul_db::begin_write`),
    /// so that the caller's audit entry commits with them.
    pub async fn write(
        mut self,
        tx: &mut maeul_db::Conn,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> Result<ImportReport, RegistryError> {
        if !self.is_clean() {
            return Ok(self.report);
        }
        let (households, subscribers) = apply::write(tx, &self.rows, progress).await?;
        self.report.dry_run = false;
        self.report.committed = true;
        self.report.households_created = households;
        self.report.subscribers_created = subscribers;
        progress(ImportProgress {
            stage: ImportStage::Done,
            done: self.report.rows,
            total: self.report.rows,
        });
        Ok(self.report)
    }
}

/// Checks and writes rows held in memory (the demo residents) inside the caller's write
/// transaction, through the same checks as a file.
pub async fn import_rows_in(
    tx: &mut maeul_db::Conn,
    headers: Vec<String>,
    cells: Vec<[String; 13]>,
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Result<ImportReport, RegistryError> {
    let rows = cells
        .into_iter()
        .enumerate()
        .map(|(i, c)| read::RawRow {
            line: i as u32 + 2,
            cells: c.to_vec(),
            formulas: Vec::new(),
        })
        .collect();
    let table = read::Table {
        encoding: TextEncoding::Utf8,
        headers,
        rows,
    };
    let mapping = detect(&table.headers);
    let lookup = rows::Lookup::load(&mut *tx).await?;
    let parsed = rows::check_all(&table, &mapping, &lookup, progress).map_err(|problems| {
        let first = problems
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        RegistryError::Invalid {
            field: "rows",
            reason: format!("{} 건 오류, 첫 오류: {first}", problems.len()),
        }
    })?;
    let (households, subscribers) = apply::write(tx, &parsed, progress).await?;
    Ok(ImportReport {
        dry_run: false,
        committed: true,
        rows: table.rows.len() as u32,
        households_created: households,
        subscribers_created: subscribers,
        problems: Vec::new(),
    })
}
