//! Old → new, field by field, for the audit log: an auditor reads what changed, not two
//! whole cards.

use serde::Serialize;
use serde_json::Value;

use crate::model::PledgeCard;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// JSON path, e.g. `plan.rows[3].years[1]`.
    pub path: String,
    pub old: Value,
    pub new: Value,
}

pub fn diff(old: &PledgeCard, new: &PledgeCard) -> Vec<FieldChange> {
    let (Ok(a), Ok(b)) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return vec![];
    };
    let mut out = Vec::new();
    walk(String::new(), &a, &b, &mut out);
    out
}

fn walk(path: String, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(p, va, y.get(k).unwrap_or(&Value::Null), out);
            }
            for (k, vb) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                walk(format!("{path}.{k}"), &Value::Null, vb, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                walk(format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(FieldChange {
            path,
            old: a.clone(),
            new: b.clone(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MillionWon, Source, demo::seed_card};

    #[test]
    fn names_each_changed_cell_with_old_and_new() {
        let old = seed_card();
        let mut new = old.clone();
        new.executed.row_mut(Source::County).unwrap().years[3] = Some(MillionWon(25));
        new.title.push('!');
        let changes = diff(&old, &new);
        let paths: Vec<_> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["executed.rows[3].years[3]", "title"]);
        assert_eq!(changes[0].old, Value::Null);
        assert_eq!(changes[0].new, Value::from(25));
        assert!(diff(&old, &old).is_empty());
    }
}
