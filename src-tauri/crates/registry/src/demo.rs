//! The county's demo data: 증평군 with 증평읍 and 도안면, 112 villages and 37,000 households
//! (PRODUCT.md's figures from the 2023 build), with synthetic residents. Every number is in
//! a block no carrier issues: mobiles 010-0xxx-xxxx, landlines 043-1xx-xxxx.

use maeul_db::Conn;

use crate::import::Field;
use crate::{RegistryError, phone};

pub const COUNTY: (&str, &str) = ("43745", "증평군");
pub const HOUSEHOLDS: usize = 37_000;

/// (town code, name, kind, [(법정리, number of 행정리)], share of households in ‰)
type TownPlan = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, u32)],
    u32,
);

const TOWNS: [TownPlan; 2] = [
    (
        "4374525000",
        "증평읍",
        "eup",
        &[
            ("창동리", 6),
            ("중동리", 6),
            ("장동리", 5),
            ("교동리", 5),
            ("신동리", 5),
            ("내성리", 4),
            ("초중리", 5),
            ("미암리", 4),
            ("송산리", 6),
            ("연탄리", 5),
            ("남하리", 4),
            ("남차리", 3),
            ("용강리", 4),
            ("덕상리", 3),
            ("죽리", 3),
            ("율리", 2),
            ("사곡리", 2),
        ],
        840,
    ),
    (
        "4374531000",
        "도안면",
        "myeon",
        &[
            ("화성리", 6),
            ("석곡리", 5),
            ("도당리", 5),
            ("광덕리", 5),
            ("노암리", 5),
            ("연촌리", 5),
            ("송정리", 5),
            ("양촌리", 4),
        ],
        160,
    ),
];

const SURNAMES: [(&str, u32); 24] = [
    ("김", 215),
    ("이", 147),
    ("박", 84),
    ("최", 47),
    ("정", 44),
    ("강", 23),
    ("조", 21),
    ("윤", 21),
    ("장", 20),
    ("임", 17),
    ("한", 15),
    ("오", 15),
    ("서", 14),
    ("신", 14),
    ("권", 14),
    ("황", 14),
    ("안", 13),
    ("송", 13),
    ("류", 12),
    ("홍", 11),
    ("전", 11),
    ("고", 9),
    ("문", 9),
    ("양", 8),
];

const GIVEN: [&str; 60] = [
    "영수", "영희", "순자", "정숙", "영자", "철수", "민수", "상철", "광수", "옥순", "말순", "춘자",
    "경숙", "명숙", "순희", "정희", "미경", "은주", "지영", "현숙", "성호", "종수", "재민", "동현",
    "준호", "승민", "지훈", "현우", "수진", "혜진", "서연", "민지", "예준", "도윤", "하은", "서윤",
    "병철", "상훈", "기순", "덕순", "복순", "금자", "옥자", "봉수", "만수", "용호", "태식", "길자",
    "분남", "점례", "숙자", "영순", "용철", "진호", "미숙", "선영", "경자", "순례", "희정", "종철",
];

/// A demo village: code, town code, town name, name, zone code.
pub struct DemoVillage {
    pub code: String,
    pub town: &'static str,
    pub name: String,
    pub base: &'static str,
    pub zone_code: String,
    pub share: u32,
}

pub fn villages() -> Vec<DemoVillage> {
    let mut out = Vec::new();
    for (t, (town_code, town, _, bases, _)) in TOWNS.iter().enumerate() {
        let mut n = 0;
        for (base, count) in bases.iter() {
            let stem = base.trim_end_matches('리');
            for k in 1..=*count {
                n += 1;
                out.push(DemoVillage {
                    code: format!("{}{:02}", &town_code[..8], n),
                    town,
                    name: if *count == 1 {
                        base.to_string()
                    } else {
                        format!("{stem}{k}리")
                    },
                    base,
                    zone_code: format!("{}{:02}", t + 1, n),
                    share: 0,
                });
            }
        }
    }
    out
}

struct Rng(fastrand::Rng);

impl Rng {
    fn pick_weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.0.u32(0..total);
        for (item, w) in items {
            if x < *w {
                return *item;
            }
            x -= w;
        }
        items[0].0
    }

    fn name(&mut self) -> String {
        let surname = self.pick_weighted(&SURNAMES);
        let given = GIVEN[self.0.usize(0..GIVEN.len())];
        format!("{surname}{given}")
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.0.u32(0..100) < percent
    }
}

/// `n` distinct demo names, deterministic for a seed (programme participants and the like).
pub fn names(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng(fastrand::Rng::with_seed(seed));
    let mut out: Vec<String> = Vec::with_capacity(n);
    while out.len() < n {
        let name = rng.name();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn mobile(n: u32) -> String {
    format!("010-{:04}-{:04}", n / 10_000, n % 10_000)
}

fn landline(n: u32) -> String {
    format!("043-1{:02}-{:04}", (n / 10_000) % 100, n % 10_000)
}

/// The residents as import rows (the importer's own columns, in [`Field::ALL`] order),
/// deterministic for a given seed. Benchmarks write these to .xlsx and CP949 .csv.
pub fn resident_rows(seed: u64) -> Vec<[String; 13]> {
    let mut rng = Rng(fastrand::Rng::with_seed(seed));
    let villages = villages();
    // Households per village: each town's share spread over its villages with some spread.
    let mut counts = Vec::with_capacity(villages.len());
    for (_, town, _, _, permille) in TOWNS.iter() {
        let ids: Vec<usize> = (0..villages.len())
            .filter(|i| villages[*i].town == *town)
            .collect();
        let weights: Vec<u32> = ids.iter().map(|_| 60 + rng.0.u32(0..140)).collect();
        let sum: u32 = weights.iter().sum();
        let town_total = HOUSEHOLDS as u32 * permille / 1000;
        let mut given = 0;
        for (k, w) in weights.iter().enumerate() {
            let c = if k + 1 == weights.len() {
                town_total - given
            } else {
                town_total * w / sum
            };
            given += c;
            counts.push(c);
        }
    }
    let mut rows = Vec::with_capacity(HOUSEHOLDS * 3 / 2);
    let (mut next_mobile, mut next_landline) = (1u32, 1u32);
    let methods = [("서면", 60), ("방문", 25), ("전화", 10), ("앱", 5)];
    for (v, count) in villages.iter().zip(counts) {
        let mut lot = 1 + rng.0.u32(0..40);
        for _ in 0..count {
            lot += 1 + rng.0.u32(0..4);
            let address = if rng.chance(70) {
                format!("{} {} {}", v.town, v.base, lot)
            } else {
                format!("{} {} {}-{}", v.town, v.base, lot, 1 + rng.0.u32(0..9))
            };
            let head = rng.name();
            let mut members = vec![(head.clone(), mobile(next_mobile))];
            next_mobile += 1;
            if rng.chance(25) {
                members.push((rng.name(), mobile(next_mobile)));
                next_mobile += 1;
            }
            if rng.chance(15) {
                members.push((head.clone(), landline(next_landline)));
                next_landline += 1;
            }
            for (name, number) in members {
                let is_mobile = number.starts_with("010");
                let consented = rng.chance(96);
                let date = if consented {
                    format!(
                        "2023-{:02}-{:02}",
                        6 + rng.0.u32(0..5),
                        1 + rng.0.u32(0..28)
                    )
                } else {
                    String::new()
                };
                let method = if consented {
                    rng.pick_weighted(&methods).to_string()
                } else {
                    String::new()
                };
                let yn = |b: bool| if b { "Y" } else { "N" }.to_string();
                let (voice, sms, kakao) = if is_mobile {
                    (rng.chance(90), rng.chance(95), rng.chance(35))
                } else {
                    (true, false, false)
                };
                let status = if rng.chance(2) {
                    "수신거부"
                } else {
                    "정상"
                };
                rows.push([
                    v.town.to_string(),
                    v.code.clone(),
                    v.name.clone(),
                    address.clone(),
                    head.clone(),
                    name,
                    number,
                    date,
                    method,
                    yn(voice),
                    yn(sms || !voice && !kakao),
                    yn(kakao),
                    status.to_string(),
                ]);
            }
        }
    }
    rows
}

/// The import headers matching [`resident_rows`].
pub fn headers() -> Vec<String> {
    Field::ALL.iter().map(|f| f.header().to_string()).collect()
}

/// County, towns and villages with their chiefs. Fails if any town exists already.
pub async fn seed_structure(conn: &mut Conn) -> Result<(), RegistryError> {
    let (n,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM towns")
        .fetch_one(&mut *conn)
        .await?;
    if n > 0 {
        return Err(RegistryError::Invalid {
            field: "demo",
            reason: "이미 명부 자료가 있어 데모 자료를 넣지 않았습니다".into(),
        });
    }
    let (county_id,): (i64,) =
        maeul_db::query_as("INSERT INTO counties (code, name) VALUES ($1, $2) RETURNING id")
            .bind(COUNTY.0)
            .bind(COUNTY.1)
            .fetch_one(&mut *conn)
            .await?;
    let mut rng = Rng(fastrand::Rng::with_seed(2023));
    let mut chief_number = 990_000;
    for (code, name, kind, _, _) in TOWNS {
        let (town_id,): (i64,) = maeul_db::query_as(
            "INSERT INTO towns (county_id, code, name, kind) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(county_id)
        .bind(code)
        .bind(name)
        .bind(kind)
        .fetch_one(&mut *conn)
        .await?;
        for v in villages().into_iter().filter(|v| v.town == name) {
            chief_number += 1;
            let chief_phone = phone::normalize(&mobile(chief_number)).map(|p| p.e164).ok();
            maeul_db::query(
                "INSERT INTO villages (town_id, code, name, chief_name, chief_phone, zone_code) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(town_id)
            .bind(&v.code)
            .bind(&v.name)
            .bind(rng.name())
            .bind(chief_phone)
            .bind(&v.zone_code)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// A few residents' requests waiting for their chief, so that the enrollment queue has work.
pub fn pending_requests(seed: u64) -> Vec<(String, crate::SubscriberInput)> {
    let mut rng = Rng(fastrand::Rng::with_seed(seed));
    let mut out = Vec::new();
    for (i, v) in villages().iter().enumerate().filter(|(i, _)| i % 4 == 0) {
        for k in 0..(1 + rng.0.u32(0..3)) {
            let head = rng.name();
            out.push((
                v.code.clone(),
                crate::SubscriberInput {
                    household_id: None,
                    village_id: 0,
                    address: format!("{} {} {}", v.town, v.base, 900 + k),
                    head_name: head.clone(),
                    name: head,
                    phone: mobile(980_000 + i as u32 * 10 + k),
                    consent_date: Some("2024-03-15".into()),
                    consent_method: Some(crate::ConsentMethod::App),
                    channels: crate::Channels {
                        voice: true,
                        sms: true,
                        kakao: rng.chance(50),
                    },
                    text_first: false,
                    language: crate::Language::Ko,
                    status: crate::SubscriberStatus::Active,
                },
            ));
        }
    }
    out
}

/// Two of the lists an office keeps besides the villages: one senior-centre head per village
/// (the first approved resident of each village stands in for them) and a returning farmers'
/// circle of every 200th approved mobile subscriber.
pub async fn seed_groups(conn: &mut Conn) -> Result<(), RegistryError> {
    use crate::GroupInput;
    use crate::store::groups;
    let plans: [(&str, &str, &str); 2] = [
        (
            "경로당 회장단",
            "마을마다 경로당 회장 한 분 (데모)",
            "SELECT MIN(id) FROM subscribers WHERE enrollment = 'approved' GROUP BY village_id",
        ),
        (
            "귀농·귀촌 모임",
            "귀농·귀촌 교육 수료자 (데모)",
            "SELECT id FROM subscribers WHERE enrollment = 'approved' AND phone_kind = 'mobile' \
             AND id % 200 = 7",
        ),
    ];
    for (name, note, members) in plans {
        let id = groups::create(
            conn,
            &GroupInput {
                name: name.into(),
                note: note.into(),
            },
        )
        .await?;
        let ids: Vec<i64> = maeul_db::query_scalar(members)
            .fetch_all(&mut *conn)
            .await?;
        groups::add_members(conn, id, &ids).await?;
    }
    Ok(())
}

/// Readers of other languages and the hard of hearing, as a rural county has them: about
/// one approved mobile subscriber in a hundred reads Vietnamese best, fewer Tagalog or
/// English; one in 250 takes voice broadcasts as texts. Only subscribers who already want
/// texts are marked, so that the county-wide send keeps the seed's delivery counts.
pub async fn seed_languages(conn: &mut Conn) -> Result<(), RegistryError> {
    maeul_db::query(
        "UPDATE subscribers SET language = CASE \
             WHEN id % 97 = 3 THEN 'vi' WHEN id % 211 = 7 THEN 'tl' \
             WHEN id % 401 = 11 THEN 'en' ELSE 'ko' END, \
             text_first = (id % 250 = 13) \
         WHERE enrollment = 'approved' AND phone_kind = 'mobile' AND want_sms",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_holds_the_seed_figures() {
        let v = villages();
        assert_eq!(v.len(), 112);
        assert_eq!(v.iter().filter(|v| v.town == "증평읍").count(), 72);
        assert_eq!(v.iter().filter(|v| v.town == "도안면").count(), 40);
        let rows = resident_rows(1);
        let households: std::collections::HashSet<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r[1].as_str(), r[3].as_str(), r[4].as_str()))
            .collect();
        assert_eq!(households.len(), HOUSEHOLDS);
        assert!(rows.len() > 45_000 && rows.len() < 60_000, "{}", rows.len());
    }
}
