//! Exporting the registry to .xlsx or .csv with the importer's own headers, so that an
//! export can be edited in Excel and imported again.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};

use maeul_db::Db;

use crate::import::Field;
use crate::{RegistryError, phone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Xlsx,
    /// UTF-8 with a BOM, which Excel opens with Hangul intact.
    Csv,
    /// CP949, for older tools that expect it.
    CsvCp949,
}

impl ExportFormat {
    pub fn from_path(path: &Path) -> ExportFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") | Some("txt") => ExportFormat::Csv,
            _ => ExportFormat::Xlsx,
        }
    }
}

const COLUMNS: [Field; 13] = Field::ALL;

/// Cells that a spreadsheet would run as a formula get a leading apostrophe (OWASP's
/// advice for CSV injection); the importer strips it again.
pub fn neutralize(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

type ExportRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    bool,
    String,
);

async fn rows(db: &Db, village: Option<i64>) -> Result<Vec<[String; 13]>, RegistryError> {
    let sql = "SELECT t.name, v.code, v.name, h.address, h.head_name, s.name, s.phone, s.consent_date, \
                 s.consent_method, s.want_voice, s.want_sms, s.want_kakao, s.status \
               FROM subscribers s JOIN households h ON h.id = s.household_id \
               JOIN villages v ON v.id = s.village_id JOIN towns t ON t.id = v.town_id \
               WHERE s.enrollment = 'approved' AND ($1 IS NULL OR s.village_id = $1) \
               ORDER BY v.code, h.id, s.id";
    let raw: Vec<ExportRow> = maeul_db::query_as(sql).bind(village).fetch_all(db).await?;
    let yn = |b: bool| if b { "Y" } else { "N" }.to_string();
    Ok(raw
        .into_iter()
        .map(|r| {
            [
                r.0,
                r.1,
                r.2,
                r.3,
                r.4,
                r.5,
                phone::display(&r.6),
                r.7.unwrap_or_default(),
                r.8.as_deref()
                    .and_then(crate::ConsentMethod::parse)
                    .map(|m| m.korean().to_string())
                    .unwrap_or_default(),
                yn(r.9),
                yn(r.10),
                yn(r.11),
                if r.12 == "opted_out" {
                    "수신거부"
                } else {
                    "정상"
                }
                .to_string(),
            ]
        })
        .collect())
}

/// Writes approved subscribers (all, or one village's) and returns how many rows.
pub async fn export(
    db: &Db,
    path: &Path,
    format: ExportFormat,
    village: Option<i64>,
) -> Result<u32, RegistryError> {
    let rows = rows(db, village).await?;
    write_rows(path, format, &rows)?;
    Ok(rows.len() as u32)
}

/// Writes rows already in the export's column order (the benchmark's input files).
pub fn write_rows(
    path: &Path,
    format: ExportFormat,
    rows: &[[String; 13]],
) -> Result<(), RegistryError> {
    match format {
        ExportFormat::Xlsx => write_xlsx(path, rows),
        ExportFormat::Csv | ExportFormat::CsvCp949 => {
            write_csv(path, rows, format == ExportFormat::CsvCp949)
        }
    }
}

fn write_csv(path: &Path, rows: &[[String; 13]], cp949: bool) -> Result<(), RegistryError> {
    // CRLF as RFC 4180 and Excel on Windows expect, whatever the platform writing it.
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let csv_err = |e: csv::Error| RegistryError::Io(std::io::Error::other(e));
    out.write_record(COLUMNS.iter().map(|f| f.header()))
        .map_err(csv_err)?;
    for r in rows {
        out.write_record(r.iter().map(|c| neutralize(c)))
            .map_err(csv_err)?;
    }
    let text = String::from_utf8(
        out.into_inner()
            .map_err(|e| RegistryError::Io(e.into_error()))?,
    )
    .map_err(std::io::Error::other)?;
    let bytes = if cp949 {
        encoding_rs::EUC_KR.encode(&text).0.into_owned()
    } else {
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend_from_slice(text.as_bytes());
        b
    };
    std::fs::write(path, bytes)?;
    Ok(())
}

fn write_xlsx(path: &Path, rows: &[[String; 13]]) -> Result<(), RegistryError> {
    let xl = |e: rust_xlsxwriter::XlsxError| RegistryError::Xlsx(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("주민명부").map_err(xl)?;
    let bold = Format::new().set_bold();
    for (c, f) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, f.header(), &bold)
            .map_err(xl)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Written as strings, never as formulas; still neutralised so that a copy
            // pasted into CSV stays harmless.
            sheet
                .write_string(r as u32 + 1, c as u16, neutralize(cell))
                .map_err(xl)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xl)?;
    sheet
        .autofilter(0, 0, rows.len() as u32, (COLUMNS.len() - 1) as u16)
        .map_err(xl)?;
    for (c, width) in [8, 12, 10, 28, 10, 10, 15, 12, 8, 6, 6, 8, 8]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, width).map_err(xl)?;
    }
    book.save(path).map_err(xl)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_are_neutralised() {
        assert_eq!(neutralize("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(neutralize("+82"), "'+82");
        assert_eq!(neutralize("-1"), "'-1");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("김철수"), "김철수");
    }

    #[test]
    fn csv_records_end_crlf_in_both_encodings() {
        let dir = tempfile::tempdir().unwrap();
        let row: [String; 13] = std::array::from_fn(|i| format!("칸{i}"));
        for (name, format) in [
            ("utf8.csv", ExportFormat::Csv),
            ("cp949.csv", ExportFormat::CsvCp949),
        ] {
            let path = dir.path().join(name);
            write_rows(&path, format, &[row.clone(), row.clone()]).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
            let lf = bytes.iter().filter(|b| **b == b'\n').count();
            assert_eq!((crlf, lf), (3, 3), "{name}: header and two rows, each CRLF");
        }
    }
}
