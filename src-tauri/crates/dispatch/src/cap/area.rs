//! Which villages a CAP area covers, and the area a broadcast's villages make.
//!
//! 행정구역코드 are 10 digits whose trailing zeros say the level: 43·00000000 a 시·도,
//! 43745·00000 a 시·군·구, 43745250·00 an 읍·면, all ten a 리. A village is covered when its
//! code starts with the significant digits.

use std::collections::{BTreeMap, BTreeSet};

use maeul_db::Conn;

use super::model::{Area, ValuePair};
use crate::DispatchError;

/// A village with the names and codes of the places above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub village_id: i64,
    pub village: String,
    pub village_code: String,
    pub town_id: i64,
    pub town: String,
    pub town_code: String,
    pub county: String,
    /// Padded to 10 digits (the registry keeps the 5-digit 시군구 code).
    pub county_code: String,
}

pub async fn places(conn: &mut Conn) -> Result<Vec<Place>, DispatchError> {
    type Row = (i64, String, String, i64, String, String, String, String);
    let rows: Vec<Row> = maeul_db::query_as(
        "SELECT v.id, v.name, v.code, t.id, t.name, t.code, c.name, c.code \
           FROM villages v JOIN towns t ON t.id = v.town_id JOIN counties c ON c.id = t.county_id \
          ORDER BY t.code, v.code",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(village_id, village, village_code, town_id, town, town_code, county, cc)| Place {
                village_id,
                village,
                village_code,
                town_id,
                town,
                town_code,
                county,
                county_code: format!("{cc:0<10}"),
            },
        )
        .collect())
}

/// The significant digits of a 10-digit 행정구역코드, or why it is not one.
pub fn significant(code: &str) -> Result<&str, String> {
    let code = code.trim();
    if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("행정구역코드는 숫자 10자리입니다: '{code}'"));
    }
    let zeros = |from: usize| code[from..].bytes().all(|b| b == b'0');
    Ok(if zeros(2) {
        &code[..2]
    } else if zeros(5) {
        &code[..5]
    } else if zeros(8) {
        &code[..8]
    } else {
        code
    })
}

/// The villages one area covers: by its 행정구역코드 where it has any, else by the place
/// names in its description, the most specific level named winning ("증평군 도안면" is the
/// 면, not the whole 군). A 시·군 other than ours named in the description puts the area
/// outside, even with our province beside it ("충청북도 청주시").
pub fn covered(area: &Area, places: &[Place]) -> Result<BTreeSet<i64>, String> {
    let codes: Vec<&ValuePair> = area
        .geocodes
        .iter()
        .filter(|g| g.value_name.trim() == super::GEOCODE_NAME)
        .collect();
    if !codes.is_empty() {
        let mut out = BTreeSet::new();
        for g in codes {
            let prefix = significant(&g.value)?;
            out.extend(
                places
                    .iter()
                    .filter(|p| p.village_code.starts_with(prefix))
                    .map(|p| p.village_id),
            );
        }
        return Ok(out);
    }
    Ok(named(&area.area_desc, places))
}

/// The villages a place description names (see [`covered`]): a CAP `areaDesc`, or one of
/// a disaster text's receiving regions.
pub fn named(desc: &str, places: &[Place]) -> BTreeSet<i64> {
    let words: Vec<&str> = desc
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '·' | '/' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(first) = places.first() else {
        return BTreeSet::new();
    };
    let county = first.county.as_str();
    let ours = province_names(&first.county_code);
    let ours_named = |w: &&str| places.iter().any(|p| p.village == *w || p.town == *w);
    let county_named = words.contains(&county);
    // Another 시·도, or another 시·군·구, puts the area outside unless our county is named
    // too: "강원특별자치도 고성군 남면" is not our 남면, "충청북도 청주시" not our county.
    let elsewhere = words.iter().any(|w| {
        let province = PROVINCES.iter().any(|(_, names)| names.contains(w));
        let city = w.ends_with('시') || w.ends_with('군') || w.ends_with('구');
        (province && !ours.contains(w)) || (city && *w != county && !ours_named(w))
    });
    if elsewhere && !county_named {
        return BTreeSet::new();
    }
    let villages: BTreeSet<i64> = places
        .iter()
        .filter(|p| words.contains(&p.village.as_str()))
        .map(|p| p.village_id)
        .collect();
    if !villages.is_empty() {
        return villages;
    }
    let towns: BTreeSet<i64> = places
        .iter()
        .filter(|p| words.contains(&p.town.as_str()))
        .map(|p| p.village_id)
        .collect();
    if !towns.is_empty() {
        return towns;
    }
    // The county, or our province as a whole ("충청북도 전체").
    if county_named || words.iter().any(|w| ours.contains(w)) {
        return places.iter().map(|p| p.village_id).collect();
    }
    BTreeSet::new()
}

/// Every 시·도 by the first two digits of its codes (old and new where a province was
/// renamed and renumbered), with the names alerts use: full first, then short.
const PROVINCES: &[(&str, &[&str])] = &[
    ("11", &["서울특별시", "서울"]),
    ("26", &["부산광역시", "부산"]),
    ("27", &["대구광역시", "대구"]),
    ("28", &["인천광역시", "인천"]),
    ("29", &["광주광역시"]),
    ("30", &["대전광역시", "대전"]),
    ("31", &["울산광역시", "울산"]),
    ("36", &["세종특별자치시", "세종"]),
    ("41", &["경기도", "경기"]),
    ("42", &["강원특별자치도", "강원도", "강원"]),
    ("51", &["강원특별자치도", "강원도", "강원"]),
    ("43", &["충청북도", "충북"]),
    ("44", &["충청남도", "충남"]),
    ("45", &["전북특별자치도", "전라북도", "전북"]),
    ("52", &["전북특별자치도", "전라북도", "전북"]),
    ("46", &["전라남도", "전남"]),
    ("47", &["경상북도", "경북"]),
    ("48", &["경상남도", "경남"]),
    ("50", &["제주특별자치도", "제주"]),
];

/// What a 시·도 code is called (full name first); empty for a code not in the table.
pub fn province_names(code: &str) -> &'static [&'static str] {
    let two = code.get(..2).unwrap_or("");
    PROVINCES
        .iter()
        .find(|(c, _)| *c == two)
        .map_or(&[], |(_, names)| *names)
}

/// The areas a broadcast's villages make, smallest in count: the county when it covers
/// every village, else a town when it covers all of one, else the village itself.
pub fn of_villages(villages: &BTreeSet<i64>, places: &[Place]) -> Vec<Area> {
    let covered: Vec<&Place> = places
        .iter()
        .filter(|p| villages.contains(&p.village_id))
        .collect();
    let Some(first) = covered.first() else {
        return Vec::new();
    };
    if covered.len() == places.len() {
        return vec![Area {
            area_desc: format!("{} {}", province(&first.county_code), first.county),
            geocodes: vec![ValuePair::new(
                super::GEOCODE_NAME,
                first.county_code.clone(),
            )],
        }];
    }
    let mut by_town: BTreeMap<(&str, &str), Vec<&Place>> = BTreeMap::new();
    for p in &covered {
        by_town
            .entry((p.town_code.as_str(), p.town.as_str()))
            .or_default()
            .push(p);
    }
    let mut areas = Vec::new();
    for ((town_code, town), in_town) in by_town {
        let whole = places.iter().filter(|p| p.town_code == town_code).count() == in_town.len();
        let prefix = format!("{} {} {town}", province(&first.county_code), first.county);
        if whole {
            areas.push(Area {
                area_desc: prefix,
                geocodes: vec![ValuePair::new(super::GEOCODE_NAME, town_code)],
            });
        } else {
            areas.push(Area {
                area_desc: format!(
                    "{prefix} {}",
                    in_town
                        .iter()
                        .map(|p| p.village.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                geocodes: in_town
                    .iter()
                    .map(|p| ValuePair::new(super::GEOCODE_NAME, p.village_code.clone()))
                    .collect(),
            });
        }
    }
    areas
}

pub fn province(county_code: &str) -> &'static str {
    province_names(county_code).first().copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(id: i64, village: &str, code: &str, town: &str, town_code: &str) -> Place {
        Place {
            village_id: id,
            village: village.into(),
            village_code: code.into(),
            town_id: if town == "증평읍" { 1 } else { 2 },
            town: town.into(),
            town_code: town_code.into(),
            county: "증평군".into(),
            county_code: "4374500000".into(),
        }
    }

    fn county() -> Vec<Place> {
        vec![
            place(1, "연탄1리", "4374525021", "증평읍", "4374525000"),
            place(2, "연탄2리", "4374525022", "증평읍", "4374525000"),
            place(3, "도안1리", "4374531021", "도안면", "4374531000"),
        ]
    }

    fn geo(codes: &[&str]) -> Area {
        Area {
            area_desc: "x".into(),
            geocodes: codes
                .iter()
                .map(|c| ValuePair::new(crate::cap::GEOCODE_NAME, *c))
                .collect(),
        }
    }

    fn desc(d: &str) -> Area {
        Area {
            area_desc: d.into(),
            geocodes: Vec::new(),
        }
    }

    fn ids(a: &Area) -> Vec<i64> {
        covered(a, &county()).unwrap().into_iter().collect()
    }

    #[test]
    fn geocodes_cover_by_their_level() {
        assert_eq!(ids(&geo(&["4300000000"])), [1, 2, 3]);
        assert_eq!(ids(&geo(&["4374500000"])), [1, 2, 3]);
        assert_eq!(ids(&geo(&["4374525000"])), [1, 2]);
        assert_eq!(ids(&geo(&["4374525022", "4374531021"])), [2, 3]);
        assert!(ids(&geo(&["4311100000"])).is_empty(), "청주시 상당구");
        assert!(ids(&geo(&["4400000000"])).is_empty(), "충청남도");
        assert!(covered(&geo(&["43745"]), &county()).is_err());
    }

    #[test]
    fn names_cover_the_most_specific_level_named() {
        assert_eq!(ids(&desc("충청북도 증평군")), [1, 2, 3]);
        assert_eq!(ids(&desc("충청북도 전체")), [1, 2, 3]);
        assert_eq!(ids(&desc("충청북도 증평군 도안면")), [3]);
        assert_eq!(ids(&desc("증평읍 연탄2리, 도안면")), [2]);
        assert!(ids(&desc("충청북도 청주시 상당구")).is_empty());
        assert!(ids(&desc("경기도 전체")).is_empty());
        assert!(
            ids(&desc("강원특별자치도 고성군 도안면")).is_empty(),
            "not our 도안면"
        );
        assert!(ids(&desc("청주시 증평읍")).is_empty());
        assert_eq!(ids(&desc("충북 증평군")), [1, 2, 3]);
    }

    #[test]
    fn a_broadcast_area_is_the_fewest_places_that_cover_it() {
        let all: BTreeSet<i64> = [1, 2, 3].into();
        let a = of_villages(&all, &county());
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].area_desc, "충청북도 증평군");
        assert_eq!(a[0].geocodes[0].value, "4374500000");

        let some: BTreeSet<i64> = [1, 2, 3].into_iter().filter(|&v| v != 3).collect();
        let a = of_villages(&some, &county());
        assert_eq!(a[0].area_desc, "충청북도 증평군 증평읍");
        assert_eq!(a[0].geocodes[0].value, "4374525000");

        let one: BTreeSet<i64> = [2, 3].into();
        let a = of_villages(&one, &county());
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].area_desc, "충청북도 증평군 증평읍 연탄2리");
        assert_eq!(a[0].geocodes[0].value, "4374525022");
        assert_eq!(a[1].geocodes[0].value, "4374531000");
        // Each area read back covers what it was made from.
        let back: BTreeSet<i64> = a
            .iter()
            .flat_map(|x| covered(x, &county()).unwrap())
            .collect();
        assert_eq!(back, one);
    }
}
