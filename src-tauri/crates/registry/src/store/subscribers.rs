use maeul_db::QueryBuilder;
use sqlx::FromRow;

use maeul_db::versions::Versioned;
use maeul_db::{Conn, Db};

use crate::phone::{self, PhoneKind};
use crate::store::households;
use crate::validate::{MAX_NAME, date, required};
use crate::{
    Channel, Channels, ConsentMethod, Enrollment, RegistryError, SubscriberFilter, SubscriberInput,
    SubscriberRow, SubscriberStatus,
};

#[derive(FromRow)]
struct Row {
    id: i64,
    household_id: i64,
    village_id: i64,
    name: String,
    phone: String,
    phone_kind: String,
    address: String,
    head_name: String,
    consent_date: Option<String>,
    consent_method: Option<String>,
    want_voice: bool,
    want_sms: bool,
    want_kakao: bool,
    text_first: bool,
    #[sqlx(try_from = "String")]
    language: crate::Language,
    status: String,
    enrollment: String,
    version: i64,
}

impl Row {
    fn into_row(self, mask: bool) -> SubscriberRow {
        SubscriberRow {
            id: self.id,
            household_id: self.household_id,
            village_id: self.village_id,
            name: self.name,
            phone: if mask {
                phone::masked(&self.phone)
            } else {
                phone::display(&self.phone)
            },
            phone_kind: PhoneKind::parse(&self.phone_kind).unwrap_or(PhoneKind::Mobile),
            address: self.address,
            head_name: self.head_name,
            consent_date: self.consent_date,
            consent_method: self
                .consent_method
                .as_deref()
                .and_then(ConsentMethod::parse),
            channels: Channels {
                voice: self.want_voice,
                sms: self.want_sms,
                kakao: self.want_kakao,
            },
            text_first: self.text_first,
            language: self.language,
            status: SubscriberStatus::parse(&self.status).unwrap_or(SubscriberStatus::Active),
            enrollment: Enrollment::parse(&self.enrollment).unwrap_or(Enrollment::Pending),
            version: self.version,
        }
    }
}

const SELECT: &str = "SELECT s.id, s.household_id, s.village_id, s.name, s.phone, s.phone_kind, h.address, h.head_name, \
     s.consent_date, s.consent_method, s.want_voice, s.want_sms, s.want_kakao, s.text_first, s.language, s.status, s.enrollment, s.version \
     FROM subscribers s JOIN households h ON h.id = s.household_id JOIN villages v ON v.id = s.village_id";

/// Subscribers matching the filter, in village and household order. The table in the UI
/// searches this list in memory, so it is fetched whole (a county is ~50,000 rows).
pub async fn list(
    db: &Db,
    filter: &SubscriberFilter,
    mask: bool,
) -> Result<Vec<SubscriberRow>, RegistryError> {
    let mut q: QueryBuilder = QueryBuilder::new(SELECT);
    q.push(" WHERE 1 = 1");
    if let Some(t) = filter.town_id {
        q.push(" AND v.town_id = ").push_bind(t);
    }
    if let Some(v) = filter.village_id {
        q.push(" AND s.village_id = ").push_bind(v);
    }
    match filter.channel {
        Some(Channel::Voice) => q.push(" AND s.want_voice"),
        Some(Channel::Sms) => q.push(" AND s.want_sms"),
        Some(Channel::Kakao) => q.push(" AND s.want_kakao"),
        None => &mut q,
    };
    match filter.consented {
        Some(true) => q.push(" AND s.consent_date IS NOT NULL"),
        Some(false) => q.push(" AND s.consent_date IS NULL"),
        None => &mut q,
    };
    if let Some(e) = filter.enrollment {
        q.push(" AND s.enrollment = ").push_bind(e.as_str());
    }
    if let Some(g) = filter.group_id {
        q.push(" AND s.id IN (SELECT subscriber_id FROM registry_group_members WHERE group_id = ")
            .push_bind(g)
            .push(")");
    }
    q.push(" ORDER BY s.village_id, s.household_id, s.id");
    let rows: Vec<Row> = q.build_query_as().fetch_all(db).await?;
    Ok(rows.into_iter().map(|r| r.into_row(mask)).collect())
}

pub async fn get(db: &Db, id: i64, mask: bool) -> Result<SubscriberRow, RegistryError> {
    let row: Option<Row> =
        maeul_db::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.id = $1")))
            .bind(id)
            .fetch_optional(db)
            .await?;
    row.map(|r| r.into_row(mask))
        .ok_or(RegistryError::NotFound("수신자"))
}

/// The checked, normalised values of a form.
struct Checked {
    name: String,
    phone: phone::Phone,
    consent_date: Option<String>,
    consent_method: Option<ConsentMethod>,
}

fn check(input: &SubscriberInput) -> Result<Checked, RegistryError> {
    let name = required("name", &input.name, MAX_NAME)?;
    let phone = phone::normalize(&input.phone).map_err(|source| RegistryError::Phone {
        field: "phone",
        source,
    })?;
    let consent_date = date("consent_date", input.consent_date.as_deref().unwrap_or(""))?;
    if consent_date.is_some() && input.consent_method.is_none() {
        return Err(RegistryError::Invalid {
            field: "consent_method",
            reason: "동의 방법을 고르세요".into(),
        });
    }
    if phone.kind != PhoneKind::Mobile && (input.channels.sms || input.channels.kakao) {
        return Err(RegistryError::Invalid {
            field: "channels",
            reason: "일반전화·070 번호는 음성 통화만 받을 수 있습니다".into(),
        });
    }
    if phone.kind != PhoneKind::Mobile && input.text_first {
        return Err(RegistryError::Invalid {
            field: "text_first",
            reason: "일반전화·070 번호로는 문자를 받을 수 없어 '문자로 받기 우선'을 켤 수 없습니다"
                .into(),
        });
    }
    Ok(Checked {
        name,
        phone,
        consent_date,
        consent_method: input.consent_method,
    })
}

fn duplicate(e: sqlx::Error, phone: &str) -> RegistryError {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            RegistryError::DuplicatePhone(phone::display(phone))
        }
        e => e.into(),
    }
}

/// Adds a subscriber (and its household if new). `enrollment` is `Approved` when staff add
/// someone directly and `Pending` for a resident's request that the chief must approve.
pub async fn insert(
    conn: &mut Conn,
    input: &SubscriberInput,
    enrollment: Enrollment,
) -> Result<i64, RegistryError> {
    let c = check(input)?;
    let household_id = match input.household_id {
        Some(h) => h,
        None => {
            households::find_or_create(conn, input.village_id, &input.address, &input.head_name)
                .await?
        }
    };
    let now = maeul_time::now_utc();
    let (id,): (i64,) = maeul_db::query_as(
        "INSERT INTO subscribers (household_id, village_id, name, phone, phone_kind, consent_date, consent_method, \
           want_voice, want_sms, want_kakao, status, enrollment, created_at, updated_at, text_first, language) \
         SELECT h.id, h.village_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14 FROM households h \
         WHERE h.id = $1 RETURNING id",
    )
    .bind(household_id)
    .bind(&c.name)
    .bind(&c.phone.e164)
    .bind(c.phone.kind.as_str())
    .bind(&c.consent_date)
    .bind(c.consent_method.map(ConsentMethod::as_str))
    .bind(input.channels.voice)
    .bind(input.channels.sms)
    .bind(input.channels.kakao)
    .bind(input.status.as_str())
    .bind(enrollment.as_str())
    .bind(&now)
    .bind(input.text_first)
    .bind(input.language.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| duplicate(e, &c.phone.e164))?
    .ok_or(RegistryError::NotFound("세대"))?;
    Ok(id)
}

/// Changes a subscriber's own fields; the household stays (moving house is remove + add).
/// `version` is the one the form was loaded with: a save made from an older one (someone else
/// saved in between) is refused as a conflict naming them. `by` is the saver's name.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    version: i64,
    input: &SubscriberInput,
    by: &str,
) -> Result<(), RegistryError> {
    let c = check(input)?;
    let done = maeul_db::query(
        "UPDATE subscribers SET name = $1, phone = $2, phone_kind = $3, consent_date = $4, consent_method = $5, \
           want_voice = $6, want_sms = $7, want_kakao = $8, status = $9, updated_at = $10, \
           version = version + 1, updated_by = $12, text_first = $14, language = $15 \
         WHERE id = $11 AND version = $13",
    )
    .bind(&c.name)
    .bind(&c.phone.e164)
    .bind(c.phone.kind.as_str())
    .bind(&c.consent_date)
    .bind(c.consent_method.map(ConsentMethod::as_str))
    .bind(input.channels.voice)
    .bind(input.channels.sms)
    .bind(input.channels.kakao)
    .bind(input.status.as_str())
    .bind(maeul_time::now_utc())
    .bind(id)
    .bind(by)
    .bind(version)
    .bind(input.text_first)
    .bind(input.language.as_str())
    .execute(&mut *conn)
    .await
    .map_err(|e| duplicate(e, &c.phone.e164))?;
    if done.rows_affected() == 0 {
        return Err(super::stale(conn, Versioned::Subscribers, id, "수신자").await?);
    }
    Ok(())
}

/// Removes a subscriber, and its household when it was the last one.
pub async fn delete(conn: &mut Conn, id: i64) -> Result<(), RegistryError> {
    let row: Option<(i64,)> =
        maeul_db::query_as("DELETE FROM subscribers WHERE id = $1 RETURNING household_id")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((household_id,)) = row else {
        return Err(RegistryError::NotFound("수신자"));
    };
    households::remove_if_empty(conn, household_id).await
}

/// Approves or rejects a pending enrollment request.
pub async fn decide(
    conn: &mut Conn,
    id: i64,
    approve: bool,
    by: &str,
) -> Result<(), RegistryError> {
    let state = if approve {
        Enrollment::Approved
    } else {
        Enrollment::Rejected
    };
    let done = maeul_db::query(
        "UPDATE subscribers SET enrollment = $1, enrollment_by = $2, enrollment_at = $3, updated_at = $3 \
         WHERE id = $4 AND enrollment = 'pending'",
    )
    .bind(state.as_str())
    .bind(by)
    .bind(maeul_time::now_utc())
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(RegistryError::Invalid {
            field: "enrollment",
            reason: "대기 중인 신청이 아닙니다".into(),
        });
    }
    Ok(())
}
