//! Frequent messages (자주 쓰는 문구): a title and text per category, shared by the desk, with
//! fields — {마을명}, {일시}, {장소} — filled in when a broadcast is composed. The filled text
//! goes through the same checks as typed text (its bytes, its characters).

use jiff::Timestamp;
use maeul_db::Conn;
use serde::{Deserialize, Serialize};

use crate::DispatchError;
use crate::broadcast::{Category, TITLE_MAX};
use crate::policy::stamp;
use crate::text;

/// The fields a template may hold, in the order the form asks for them.
pub const FIELDS: [&str; 3] = ["마을명", "일시", "장소"];
pub const NAME_MAX: usize = 40;
/// What a filled field may be: a place or a time, not a second message.
pub const VALUE_MAX: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct NewTemplate {
    pub name: String,
    pub category: Category,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub category: Category,
    pub title: String,
    pub body: String,
    /// The fields its title and text use, in [`FIELDS`] order.
    pub fields: Vec<String>,
    pub updated_by: String,
    pub updated_at: String,
    pub version: i64,
}

/// A template filled in: what the compose form takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Filled {
    pub category: Category,
    pub title: String,
    pub body: String,
}

/// A text cut at its `{…}`: literal pieces and field names, in order. A `{` with no `}` after
/// it is an error (the text would go out with the brace in it).
enum Piece<'a> {
    Text(&'a str),
    Field(&'a str),
}

fn pieces(s: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("'{'를 닫는 '}'가 없습니다".to_string());
        };
        out.push(Piece::Field(&after[..close]));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// The `{…}` names in a text, in order of appearance (each once), exactly as written.
fn placeholders(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in pieces(s).unwrap_or_default() {
        if let Piece::Field(name) = p
            && !out.iter().any(|o| o == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// The fields used by a title and text, in [`FIELDS`] order.
pub fn fields_of(title: &str, body: &str) -> Vec<String> {
    let used: Vec<String> = placeholders(title)
        .into_iter()
        .chain(placeholders(body))
        .collect();
    FIELDS
        .iter()
        .filter(|f| used.iter().any(|u| u == *f))
        .map(|f| f.to_string())
        .collect()
}

impl NewTemplate {
    /// The template as meant (trimmed), or the field that is wrong.
    pub fn checked(&self) -> Result<NewTemplate, DispatchError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(DispatchError::invalid("name", "문구 이름을 적어 주세요"));
        }
        if name.chars().count() > NAME_MAX {
            return Err(DispatchError::invalid(
                "name",
                format!("문구 이름은 {NAME_MAX}자까지입니다"),
            ));
        }
        let title = self.title.trim();
        if title.chars().count() > TITLE_MAX {
            return Err(DispatchError::invalid(
                "title",
                format!("제목은 {TITLE_MAX}자까지입니다"),
            ));
        }
        let body = self.body.trim_end();
        if body.trim().is_empty() {
            return Err(DispatchError::invalid("body", "내용을 적어 주세요"));
        }
        for (field, s) in [("title", title), ("body", body)] {
            pieces(s).map_err(|e| DispatchError::invalid(field, e))?;
            if let Some(bad) = placeholders(s)
                .into_iter()
                .find(|p| !FIELDS.contains(&p.as_str()))
            {
                return Err(DispatchError::invalid(
                    field,
                    format!(
                        "{{{bad}}}는 채울 수 없는 칸입니다 (쓸 수 있는 칸: {})",
                        FIELDS.map(|f| format!("{{{f}}}")).join(", ")
                    ),
                ));
            }
        }
        // Characters a text cannot carry are named now, not when it is sent.
        text::classify(body).map_err(|e| DispatchError::invalid("body", e.to_string()))?;
        Ok(NewTemplate {
            name: name.to_string(),
            category: self.category,
            title: title.to_string(),
            body: body.to_string(),
        })
    }
}

/// The template with its fields filled: every field it uses must be given (named when not).
/// One pass over the text: a value that itself holds "{일시}" is put in as it is.
pub fn fill(t: &Template, values: &[(String, String)]) -> Result<Filled, DispatchError> {
    let value = |f: &str| values.iter().find(|(k, _)| k == f).map(|(_, v)| v.trim());
    for f in &t.fields {
        let v = value(f).filter(|v| !v.is_empty()).ok_or_else(|| {
            DispatchError::invalid(format!("fields.{f}"), format!("{f}을(를) 적어 주세요"))
        })?;
        if v.chars().count() > VALUE_MAX {
            return Err(DispatchError::invalid(
                format!("fields.{f}"),
                format!("{f}은(는) {VALUE_MAX}자까지입니다"),
            ));
        }
    }
    let filled = |field: &str, s: &str| -> Result<String, DispatchError> {
        let mut out = String::with_capacity(s.len());
        for p in pieces(s).map_err(|e| DispatchError::invalid(field, e))? {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => out.push_str(value(f).unwrap_or_default()),
            }
        }
        Ok(out)
    };
    Ok(Filled {
        category: t.category,
        title: filled("title", &t.title)?,
        body: filled("body", &t.body)?,
    })
}

type Row = (i64, String, String, String, String, String, String, i64);

fn from_row(
    (id, name, category, title, body, by, at, version): Row,
) -> Result<Template, DispatchError> {
    let category = Category::parse(&category).ok_or_else(|| {
        DispatchError::invalid(
            "category",
            format!("저장된 분류를 알 수 없습니다: {category}"),
        )
    })?;
    Ok(Template {
        id,
        fields: fields_of(&title, &body),
        name,
        category,
        title,
        body,
        updated_by: by,
        updated_at: at,
        version,
    })
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Template>, DispatchError> {
    let rows: Vec<Row> = maeul_db::query_as(concat!(
        "SELECT id, name, category, title, body, updated_by, updated_at, version \
         FROM message_templates",
        " ORDER BY category, name"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Template, DispatchError> {
    let row: Option<Row> = maeul_db::query_as(concat!(
        "SELECT id, name, category, title, body, updated_by, updated_at, version \
         FROM message_templates",
        " WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(from_row).ok_or(DispatchError::NotFound("문구"))?
}

/// A name another template has: named, not a database error.
async fn name_taken(conn: &mut Conn, name: &str, except: Option<i64>) -> Result<(), DispatchError> {
    let taken: Option<(i64,)> =
        maeul_db::query_as("SELECT id FROM message_templates WHERE name = $1 AND id != $2")
            .bind(name)
            .bind(except.unwrap_or(0))
            .fetch_optional(&mut *conn)
            .await?;
    match taken {
        Some(_) => Err(DispatchError::invalid(
            "name",
            format!("같은 이름의 문구가 있습니다: {name}"),
        )),
        None => Ok(()),
    }
}

pub async fn insert(
    conn: &mut Conn,
    t: &NewTemplate,
    by: &str,
    now: Timestamp,
) -> Result<Template, DispatchError> {
    let t = t.checked()?;
    name_taken(conn, &t.name, None).await?;
    let at = stamp(now);
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO message_templates (name, category, title, body, created_by, created_at, \
             updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $5, $6) RETURNING id",
    )
    .bind(&t.name)
    .bind(t.category.as_str())
    .bind(&t.title)
    .bind(&t.body)
    .bind(by)
    .bind(&at)
    .fetch_one(&mut *conn)
    .await?;
    get(conn, id).await
}

/// Changes a template as of `version`: refused, saying who changed it, when another person
/// saved it first.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    version: i64,
    t: &NewTemplate,
    by: &str,
    now: Timestamp,
) -> Result<Template, DispatchError> {
    let t = t.checked()?;
    let current = get(conn, id).await?;
    if current.version != version {
        return Err(DispatchError::Conflict(format!(
            "{}님이 이 문구를 먼저 바꿨습니다: 다시 열어 확인하세요",
            current.updated_by
        )));
    }
    name_taken(conn, &t.name, Some(id)).await?;
    let done = maeul_db::query(
        "UPDATE message_templates SET name = $1, category = $2, title = $3, body = $4, \
             updated_by = $5, updated_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8",
    )
    .bind(&t.name)
    .bind(t.category.as_str())
    .bind(&t.title)
    .bind(&t.body)
    .bind(by)
    .bind(stamp(now))
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(DispatchError::Conflict(
            "다른 담당자가 이 문구를 먼저 바꿨습니다: 다시 열어 확인하세요".into(),
        ));
    }
    get(conn, id).await
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<Template, DispatchError> {
    let t = get(conn, id).await?;
    maeul_db::query("DELETE FROM message_templates WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(title: &str, body: &str) -> Template {
        Template {
            id: 1,
            name: "총회".into(),
            category: Category::VillageNews,
            title: title.into(),
            body: body.into(),
            fields: fields_of(title, body),
            updated_by: "op".into(),
            updated_at: String::new(),
            version: 1,
        }
    }

    #[test]
    fn fields_are_found_in_form_order_and_filled() {
        let t = template(
            "{마을명} 총회",
            "{일시}에 {장소}에서 {마을명} 총회가 있습니다. {마을명} 주민 모두 오세요.",
        );
        assert_eq!(t.fields, ["마을명", "일시", "장소"]);
        let v = |k: &str, v: &str| (k.to_string(), v.to_string());
        let f = fill(
            &t,
            &[
                v("마을명", "창동1리"),
                v("일시", "12월 9일 오전 10시"),
                v("장소", " 마을회관 "),
            ],
        )
        .unwrap();
        assert_eq!(f.title, "창동1리 총회");
        assert_eq!(
            f.body,
            "12월 9일 오전 10시에 마을회관에서 창동1리 총회가 있습니다. 창동1리 주민 모두 오세요."
        );
        // A value holding a field's name is put in as it is (one pass).
        let once = fill(
            &t,
            &[
                v("마을명", "{일시}리"),
                v("일시", "내일"),
                v("장소", "회관"),
            ],
        )
        .unwrap();
        assert_eq!(once.title, "{일시}리 총회");
        let missing = fill(&t, &[v("마을명", "창동1리"), v("일시", "")]).unwrap_err();
        assert!(
            matches!(missing, DispatchError::Invalid { ref field, .. } if field == "fields.일시")
        );
    }

    #[test]
    fn unknown_fields_and_bad_names_are_named() {
        let new = |name: &str, body: &str| NewTemplate {
            name: name.into(),
            category: Category::Admin,
            title: String::new(),
            body: body.into(),
        };
        let field = |t: NewTemplate| match t.checked() {
            Err(DispatchError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(new("a", "{날짜}에 모입니다")), "body");
        assert_eq!(
            field(new("a", "{ 마을명 } 총회")),
            "body",
            "written exactly"
        );
        assert_eq!(field(new("a", "{마을명 총회")), "body", "a brace left open");
        assert_eq!(field(new(" ", "본문")), "name");
        assert_eq!(field(new("a", "  ")), "body");
        assert!(new("총회 안내", "{일시} {장소}").checked().is_ok());
    }
}
