//! Reading a file into header + rows of text: CSV in UTF-8 (with or without BOM), UTF-16
//! (Excel's "Unicode text") or CP949/EUC-KR (what Korean Excel writes), and .xlsx.

use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Sheets, Xlsx, XlsxError, XlsxFormulaMetadata};
use serde::{Deserialize, Serialize};

use super::ImportProblem;

/// Largest file an import accepts; a county's registry is a few megabytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Most columns an .xlsx sheet may use; the registry has 13 fields, the rest is room for a
/// county's own notes columns.
pub const MAX_XLSX_COLUMNS: u32 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    /// UTF-8 when the bytes are valid UTF-8 (or carry a BOM), otherwise CP949.
    #[default]
    Auto,
    Utf8,
    Cp949,
    Utf16,
}

/// A data row: its line number in the file as a spreadsheet shows it (the header is row 1)
/// and its cells as text.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub line: u32,
    pub cells: Vec<String>,
    /// Columns whose cell held a formula (xlsx) rather than a value.
    pub formulas: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub encoding: TextEncoding,
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
}

fn problem(line: u32, column: &str, reason: impl Into<String>) -> Vec<ImportProblem> {
    vec![ImportProblem {
        row: line,
        column: column.to_string(),
        reason: reason.into(),
    }]
}

/// Reads a .csv/.txt or .xlsx file. File-level problems (unreadable, empty, bad encoding)
/// come back as problems too, so that the caller reports every kind of failure one way.
pub fn read_table(path: &Path, encoding: TextEncoding) -> Result<Table, Vec<ImportProblem>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| problem(0, "파일", format!("파일을 열 수 없습니다: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(problem(
            0,
            "파일",
            format!(
                "파일이 너무 큽니다 ({} MB, 최대 64 MB)",
                meta.len() / 1_048_576
            ),
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let table = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path)?,
        _ => {
            let bytes = std::fs::read(path)
                .map_err(|e| problem(0, "파일", format!("파일을 읽을 수 없습니다: {e}")))?;
            read_csv(&bytes, encoding)?
        }
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(problem(
            1,
            "파일",
            "파일이 비어 있습니다 (머리글 행이 없습니다)",
        ));
    }
    if table.rows.is_empty() {
        return Err(problem(2, "파일", "머리글 아래에 자료 행이 없습니다"));
    }
    Ok(table)
}

/// Decodes text, reporting every line that is not valid in the chosen encoding.
fn decode(
    bytes: &[u8],
    encoding: TextEncoding,
) -> Result<(String, TextEncoding), Vec<ImportProblem>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_strict(rest, TextEncoding::Utf8);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, bad) = encoding_rs::UTF_16LE.decode(bytes);
        if bad {
            return Err(problem(0, "인코딩", "UTF-16 파일에 깨진 문자가 있습니다"));
        }
        return Ok((text.into_owned(), TextEncoding::Utf16));
    }
    match encoding {
        TextEncoding::Auto if std::str::from_utf8(bytes).is_ok() => {
            decode_strict(bytes, TextEncoding::Utf8)
        }
        TextEncoding::Auto => decode_strict(bytes, TextEncoding::Cp949),
        TextEncoding::Utf16 => Err(problem(0, "인코딩", "UTF-16 표식(BOM)이 없습니다")),
        chosen => decode_strict(bytes, chosen),
    }
}

fn decode_strict(
    bytes: &[u8],
    encoding: TextEncoding,
) -> Result<(String, TextEncoding), Vec<ImportProblem>> {
    let codec = if encoding == TextEncoding::Cp949 {
        encoding_rs::EUC_KR
    } else {
        encoding_rs::UTF_8
    };
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
    let mut problems = Vec::new();
    for (i, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        match codec.decode_without_bom_handling_and_without_replacement(line) {
            Some(decoded) => text.push_str(&decoded),
            None => {
                let hint = match encoding {
                    TextEncoding::Utf8 => {
                        "UTF-8이 아닌 글자가 있습니다 (CP949로 저장된 파일이면 인코딩을 CP949로 고르세요)"
                    }
                    _ => {
                        "CP949(EUC-KR)로 읽을 수 없는 글자가 있습니다 (UTF-8 파일이면 인코딩을 UTF-8로 고르세요)"
                    }
                };
                problems.push(ImportProblem {
                    row: i as u32 + 1,
                    column: "인코딩".into(),
                    reason: hint.into(),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok((text, encoding))
    } else {
        Err(problems)
    }
}

fn read_csv(bytes: &[u8], encoding: TextEncoding) -> Result<Table, Vec<ImportProblem>> {
    let (text, used) = decode(bytes, encoding)?;
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as u32);
            problem(line, "파일", format!("CSV 형식 오류: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as u32);
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if headers.is_empty() {
            headers = cells;
        } else if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push(RawRow {
                line,
                cells,
                formulas: Vec::new(),
            });
        }
    }
    Ok(Table {
        encoding: used,
        headers,
        rows,
    })
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Phone numbers typed into Excel become numbers; keep them digit-exact.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "Y" } else { "N" }.to_string(),
        Data::DateTime(dt) => excel_serial_to_date(dt.as_f64()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

/// Excel's day count (1900 date system, days since 1899-12-30) to `YYYY-MM-DD`.
fn excel_serial_to_date(serial: f64) -> String {
    let base = jiff::civil::date(1899, 12, 30);
    base.checked_add(jiff::Span::new().days(serial.floor() as i64))
        .map_or_else(|_| serial.to_string(), |d| d.to_string())
}

fn read_workbook(path: &Path) -> Result<Table, Vec<ImportProblem>> {
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|e| problem(0, "파일", format!("엑셀 파일을 열 수 없습니다: {e}")))?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(problem(1, "파일", "시트가 없습니다"));
    };
    let mut rows = match book {
        Sheets::Xlsx(ref mut xlsx) => read_xlsx_rows(xlsx, &sheet)?,
        ref mut other => read_range_rows(other, &sheet)?,
    };
    let headers = if rows.is_empty() {
        Vec::new()
    } else {
        rows.remove(0).cells
    };
    rows.retain(|r| r.cells.iter().any(|c| !c.trim().is_empty()) || !r.formulas.is_empty());
    Ok(Table {
        encoding: TextEncoding::Auto,
        headers,
        rows,
    })
}

/// Most rows an .xlsx sheet may reach, header included: a county's registry is tens of
/// thousands of rows, and past the cap a stray cell is refused instead of read.
pub const MAX_XLSX_ROWS: u32 = 200_000;

/// Spreadsheet letters of a zero-based column: 0 is `A`, 16_383 is `XFD`.
fn column_letters(col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        n -= 1;
        letters.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    letters.iter().rev().collect()
}

/// Reads an .xlsx sheet a cell at a time, values and formula marks in one pass. calamine's
/// `worksheet_range` fills the whole grid between the first and last used cell, so a tiny
/// file with cells at A1 and XFD1048576 would ask for ~17 billion cells; here a cell past
/// [`MAX_XLSX_ROWS`] × [`MAX_XLSX_COLUMNS`] is refused as soon as it is read.
fn read_xlsx_rows<RS: Read + Seek>(
    book: &mut Xlsx<RS>,
    sheet: &str,
) -> Result<Vec<RawRow>, Vec<ImportProblem>> {
    let unreadable = |e: XlsxError| problem(0, "파일", format!("시트를 읽을 수 없습니다: {e}"));
    let mut reader = match book.worksheet_cells_reader(sheet) {
        Ok(reader) => reader,
        // A chart sheet first: no cells, reported as an empty file.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e)),
    };
    // Cells usually come row by row, but the format does not promise it.
    let mut rows: BTreeMap<u32, RawRow> = BTreeMap::new();
    while let Some(cell) = reader
        .next_cell_with_formula_metadata()
        .map_err(unreadable)?
    {
        let is_formula = match &cell.formula {
            None => false,
            Some(XlsxFormulaMetadata::Normal { formula }) => !formula.is_empty(),
            Some(_) => true,
        };
        if !is_formula && matches!(cell.value, DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.pos;
        if row >= MAX_XLSX_ROWS || col >= MAX_XLSX_COLUMNS {
            return Err(problem(
                row.saturating_add(1),
                "파일",
                format!(
                    "{}{} 셀이 읽을 수 있는 범위를 벗어났습니다 (최대 {},{:03}행, {}열({}열)까지; \
                     쓰지 않는 셀이면 지우고 다시 저장하세요)",
                    column_letters(col),
                    row + 1,
                    MAX_XLSX_ROWS / 1000,
                    MAX_XLSX_ROWS % 1000,
                    MAX_XLSX_COLUMNS,
                    column_letters(MAX_XLSX_COLUMNS - 1),
                ),
            ));
        }
        let col = col as usize;
        let entry = rows.entry(row).or_insert_with(|| RawRow {
            line: row + 1,
            cells: Vec::new(),
            formulas: Vec::new(),
        });
        if entry.cells.len() <= col {
            entry.cells.resize(col + 1, String::new());
        }
        entry.cells[col] = cell_text(&Data::from(cell.value));
        if is_formula && !entry.formulas.contains(&col) {
            entry.formulas.push(col);
        }
    }
    Ok(rows.into_values().collect())
}

/// .xls and .ods, which calamine reads only as a whole grid; the header row comes first.
fn read_range_rows<RS: Read + Seek>(
    book: &mut Sheets<RS>,
    sheet: &str,
) -> Result<Vec<RawRow>, Vec<ImportProblem>> {
    let range = book
        .worksheet_range(sheet)
        .map_err(|e| problem(0, "파일", format!("시트를 읽을 수 없습니다: {e}")))?;
    let formulas = book.worksheet_formula(sheet).ok();
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let line = start_row + i as u32 + 1;
        let mut cells: Vec<String> = (0..start_col).map(|_| String::new()).collect();
        cells.extend(row.iter().map(cell_text));
        let formula_cols: Vec<usize> = formulas.as_ref().map_or_else(Vec::new, |f| {
            (0..cells.len())
                .filter(|c| {
                    f.get_value((line - 1, *c as u32))
                        .is_some_and(|v| !v.is_empty())
                })
                .collect()
        });
        rows.push(RawRow {
            line,
            cells,
            formulas: formula_cols,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp949_bytes_are_detected_and_decoded() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode("마을,주소\n연탄1리,증평읍 연탄리 1\n");
        let table = read_csv(&bytes, TextEncoding::Auto).unwrap();
        assert_eq!(table.encoding, TextEncoding::Cp949);
        assert_eq!(table.headers, vec!["마을", "주소"]);
        assert_eq!(table.rows[0].cells[0], "연탄1리");
        assert_eq!(table.rows[0].line, 2);
    }

    #[test]
    fn forcing_utf8_on_cp949_names_the_bad_lines() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode("마을,주소\n연탄1리,증평읍\n");
        let problems = read_csv(&bytes, TextEncoding::Utf8).unwrap_err();
        assert_eq!(
            problems.iter().map(|p| p.row).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }

    #[test]
    fn bom_and_tabs_are_handled() {
        let table = read_csv(
            "\u{feff}마을\t주소\n연탄1리\t증평읍\n".as_bytes(),
            TextEncoding::Auto,
        )
        .unwrap();
        assert_eq!(table.headers, vec!["마을", "주소"]);
        assert_eq!(table.rows[0].cells, vec!["연탄1리", "증평읍"]);
    }

    /// Writes an .xlsx holding `cells` as strings at zero-based `(row, column)`.
    fn write_xlsx(path: &Path, cells: &[(u32, u16, &str)]) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, col, text) in cells {
            sheet.write_string(*row, *col, *text).unwrap();
        }
        book.save(path).unwrap();
    }

    #[test]
    fn a_cell_at_xfd1048576_is_refused_without_building_the_grid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.xlsx");
        // Read densely, A1..XFD1048576 is some 17 billion cells.
        write_xlsx(&path, &[(0, 0, "마을"), (1_048_575, 16_383, "폭탄")]);
        let problems = read_table(&path, TextEncoding::Auto).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, 1_048_576);
        assert!(problems[0].reason.contains("XFD1048576"), "{problems:?}");
    }

    #[test]
    fn a_cell_past_the_last_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.xlsx");
        let last = MAX_XLSX_COLUMNS as u16;
        write_xlsx(&path, &[(0, 0, "마을"), (1, 0, "연탄1리"), (1, last, "x")]);
        let problems = read_table(&path, TextEncoding::Auto).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].row, 2);
        assert!(problems[0].reason.contains("BM2"), "{problems:?}");
    }

    #[test]
    fn cells_within_the_caps_read_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.xlsx");
        let last_col = MAX_XLSX_COLUMNS as u16 - 1;
        write_xlsx(
            &path,
            &[
                (2, 1, "마을"),
                (2, 2, "주소"),
                (4, 1, "연탄1리"),
                (4, last_col, "끝"),
            ],
        );
        let table = read_table(&path, TextEncoding::Auto).unwrap();
        assert_eq!(table.headers[..3], ["", "마을", "주소"]);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].line, 5);
        assert_eq!(table.rows[0].cells[1], "연탄1리");
        assert_eq!(table.rows[0].cells[last_col as usize], "끝");
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_serial_to_date(45078.0), "2023-06-01");
    }
}
