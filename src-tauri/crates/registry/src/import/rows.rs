//! Checking every row against the columns and the registry, collecting every problem.

use std::collections::{HashMap, HashSet};

use super::columns::{ColumnMap, Field};
use super::read::{RawRow, Table};
use super::{ImportProblem, ImportProgress, ImportStage};
use crate::phone::{self, PhoneKind};
use crate::validate::{self, MAX_ADDRESS, MAX_NAME};
use crate::{ConsentMethod, RegistryError, SubscriberStatus};

/// A row that passed every check, ready to write.
#[derive(Debug, Clone)]
pub struct ParsedRow {
    pub village_id: i64,
    pub address: String,
    pub head_name: String,
    pub name: String,
    pub phone: String,
    pub kind: PhoneKind,
    pub consent_date: Option<String>,
    pub consent_method: Option<ConsentMethod>,
    pub voice: bool,
    pub sms: bool,
    pub kakao: bool,
    pub status: SubscriberStatus,
}

/// Villages by code and name, and the numbers already registered, read once per import.
pub struct Lookup {
    by_code: HashMap<String, i64>,
    by_town_and_name: HashMap<(String, String), i64>,
    by_name: HashMap<String, Vec<i64>>,
    existing: HashSet<(i64, String)>,
}

impl Lookup {
    pub async fn load(conn: &mut maeul_db::Conn) -> Result<Lookup, RegistryError> {
        let villages: Vec<(i64, String, String, String)> = maeul_db::query_as(
            "SELECT v.id, v.code, v.name, t.name FROM villages v JOIN towns t ON t.id = v.town_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut lookup = Lookup {
            by_code: HashMap::new(),
            by_town_and_name: HashMap::new(),
            by_name: HashMap::new(),
            existing: HashSet::new(),
        };
        for (id, code, name, town) in villages {
            lookup.by_code.insert(code, id);
            lookup.by_town_and_name.insert((town, name.clone()), id);
            lookup.by_name.entry(name).or_default().push(id);
        }
        let numbers: Vec<(i64, String)> =
            maeul_db::query_as("SELECT village_id, phone FROM subscribers")
                .fetch_all(&mut *conn)
                .await?;
        lookup.existing = numbers.into_iter().collect();
        Ok(lookup)
    }

    fn village(&self, code: &str, town: &str, name: &str) -> Result<i64, String> {
        if !code.is_empty() {
            return self
                .by_code
                .get(code)
                .copied()
                .ok_or_else(|| format!("없는 마을코드입니다: {code}"));
        }
        if name.is_empty() {
            return Err("마을 또는 마을코드가 비어 있습니다".into());
        }
        if !town.is_empty() {
            return self
                .by_town_and_name
                .get(&(town.to_string(), name.to_string()))
                .copied()
                .ok_or_else(|| format!("{town}에 없는 마을입니다: {name}"));
        }
        match self.by_name.get(name).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(_) => Err(format!(
                "같은 이름의 마을이 여러 읍면에 있습니다: {name} (읍면 열을 넣으세요)"
            )),
            None => Err(format!("없는 마을입니다: {name}")),
        }
    }
}

fn cell<'a>(row: &'a RawRow, mapping: &[ColumnMap], field: Field) -> &'a str {
    mapping
        .iter()
        .find(|m| m.field == field)
        .and_then(|m| m.column)
        .and_then(|c| row.cells.get(c as usize))
        .map(|s| {
            s.strip_prefix('\'')
                .filter(|r| r.starts_with(['=', '+', '-', '@']))
                .unwrap_or(s)
        })
        .unwrap_or("")
        .trim()
}

/// Checks every row; either all rows parse, or every problem is returned.
pub fn check_all(
    table: &Table,
    mapping: &[ColumnMap],
    lookup: &Lookup,
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Result<Vec<ParsedRow>, Vec<ImportProblem>> {
    let mut problems = missing_columns(mapping);
    if !problems.is_empty() {
        return Err(problems);
    }
    let checked = check_rows(&table.rows, mapping, lookup, validate::today(), progress);
    let mut parsed = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<(i64, String), u32> = HashMap::new();
    for (raw, result) in table.rows.iter().zip(checked) {
        match result {
            Ok(row) => {
                let key = (row.village_id, row.phone.clone());
                if let Some(first) = seen.get(&key) {
                    problems.push(ImportProblem {
                        row: raw.line,
                        column: Field::Phone.header().into(),
                        reason: format!(
                            "파일 안에서 같은 마을에 중복된 번호입니다 (row {first}와 같음)"
                        ),
                    });
                } else if lookup.existing.contains(&key) {
                    problems.push(ImportProblem {
                        row: raw.line,
                        column: Field::Phone.header().into(),
                        reason: format!(
                            "이 마을에 이미 등록된 번호입니다: {}",
                            phone::display(&row.phone)
                        ),
                    });
                } else {
                    seen.insert(key, raw.line);
                    parsed.push(row);
                }
            }
            Err(mut row_problems) => problems.append(&mut row_problems),
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// Checks each row on its own, in file order. (Spreading this over threads was slower:
/// `phonenumber` serialises its regex cache behind one lock.)
fn check_rows(
    rows: &[RawRow],
    mapping: &[ColumnMap],
    lookup: &Lookup,
    today: jiff::civil::Date,
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Vec<Result<ParsedRow, Vec<ImportProblem>>> {
    let total = rows.len() as u32;
    rows.iter()
        .enumerate()
        .map(|(i, raw)| {
            if i % 2000 == 0 {
                progress(ImportProgress {
                    stage: ImportStage::Checking,
                    done: i as u32,
                    total,
                });
            }
            check_row(raw, mapping, lookup, today)
        })
        .collect()
}

fn missing_columns(mapping: &[ColumnMap]) -> Vec<ImportProblem> {
    let has = |f: Field| mapping.iter().any(|m| m.field == f && m.column.is_some());
    let mut problems: Vec<ImportProblem> = Field::ALL
        .into_iter()
        .filter(|f| f.required() && !has(*f))
        .map(|f| ImportProblem {
            row: 1,
            column: f.header().into(),
            reason: "필수 열이 없습니다".into(),
        })
        .collect();
    if !has(Field::Village) && !has(Field::VillageCode) {
        problems.push(ImportProblem {
            row: 1,
            column: Field::Village.header().into(),
            reason: "필수 열이 없습니다 (마을 또는 마을코드)".into(),
        });
    }
    problems
}

fn check_row(
    raw: &RawRow,
    mapping: &[ColumnMap],
    lookup: &Lookup,
    today: jiff::civil::Date,
) -> Result<ParsedRow, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let mut fail = |field: Field, reason: String| {
        problems.push(ImportProblem {
            row: raw.line,
            column: field.header().into(),
            reason,
        });
    };
    for m in mapping {
        if let Some(c) = m.column
            && raw.formulas.contains(&(c as usize))
        {
            fail(
                m.field,
                "수식 셀은 가져올 수 없습니다 (값으로 붙여넣기 하세요)".into(),
            );
        }
    }
    let get = |f: Field| cell(raw, mapping, f);
    let text = |f: Field, max: usize, fail: &mut dyn FnMut(Field, String)| -> Option<String> {
        let result = if f.required() {
            validate::required("", get(f), max).map(Some)
        } else {
            validate::optional("", get(f), max)
        };
        result.unwrap_or_else(|e| {
            fail(f, reason_of(e));
            None
        })
    };

    let village_id = lookup
        .village(
            get(Field::VillageCode),
            get(Field::Town),
            get(Field::Village),
        )
        .map_err(|reason| {
            fail(
                if get(Field::VillageCode).is_empty() {
                    Field::Village
                } else {
                    Field::VillageCode
                },
                reason,
            );
        })
        .ok();
    let address = text(Field::Address, MAX_ADDRESS, &mut fail);
    let head_name = text(Field::HeadName, MAX_NAME, &mut fail);
    let name = text(Field::Name, MAX_NAME, &mut fail);
    let phone = phone::normalize(get(Field::Phone))
        .map_err(|e| fail(Field::Phone, e.to_string()))
        .ok();
    let consent_date =
        validate::date_until("", get(Field::ConsentDate), today).unwrap_or_else(|e| {
            fail(Field::ConsentDate, reason_of(e));
            None
        });
    let method_text = get(Field::ConsentMethod);
    let consent_method = if method_text.is_empty() {
        consent_date.as_ref().map(|_| ConsentMethod::Paper)
    } else {
        ConsentMethod::parse(method_text).or_else(|| {
            fail(
                Field::ConsentMethod,
                format!("서면/전화/앱/방문 중 하나여야 합니다: {method_text}"),
            );
            None
        })
    };
    let mobile = phone.as_ref().is_none_or(|p| p.kind == PhoneKind::Mobile);
    let flag = |f: Field, default: bool, fail: &mut dyn FnMut(Field, String)| {
        validate::yes_no("", get(f), default).unwrap_or_else(|e| {
            fail(f, reason_of(e));
            default
        })
    };
    let voice = flag(Field::Voice, true, &mut fail);
    let sms = flag(Field::Sms, mobile, &mut fail);
    let kakao = flag(Field::Kakao, false, &mut fail);
    if !mobile && (sms || kakao) {
        fail(
            Field::Phone,
            "일반전화·070 번호는 문자·카카오톡을 받을 수 없습니다".into(),
        );
    }
    let status = match get(Field::Status) {
        "" | "정상" | "수신" | "active" => SubscriberStatus::Active,
        "수신거부" | "거부" | "opted_out" => SubscriberStatus::OptedOut,
        other => {
            fail(
                Field::Status,
                format!("정상/수신거부 중 하나여야 합니다: {other}"),
            );
            SubscriberStatus::Active
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(village_id), Some(address), Some(head_name), Some(phone)) =
        (village_id, address, head_name, phone)
    else {
        return Err(vec![ImportProblem {
            row: raw.line,
            column: "행".into(),
            reason: "필수 값이 비어 있습니다".into(),
        }]);
    };
    Ok(ParsedRow {
        village_id,
        name: name.unwrap_or_else(|| head_name.clone()),
        address,
        head_name,
        phone: phone.e164,
        kind: phone.kind,
        consent_date,
        consent_method,
        voice,
        sms,
        kakao,
        status,
    })
}

fn reason_of(e: RegistryError) -> String {
    match e {
        RegistryError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}
