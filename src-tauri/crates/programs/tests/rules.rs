//! The programmes' rules on crafted cases: calendar clashes, attendance figures, ICS read
//! back by an independent parser, reminder timing around quiet hours and consent.

use jiff::civil::DateTime;
use maeul_programs::calendar::{CalendarEvent, ConflictReason, EventKind, conflicts};
use maeul_programs::reminders::{QuietHours, Recipient, SkipReason, parse_offsets, plan};
use maeul_programs::stats::cohort_stats;
use maeul_programs::*;

fn ev(
    id: i64,
    start: &str,
    end: &str,
    place: &str,
    leader: &str,
    people: &[&str],
) -> CalendarEvent {
    CalendarEvent {
        kind: EventKind::Workshop,
        id,
        title: format!("행사{id}"),
        owner: "기수".into(),
        starts_at: start.into(),
        ends_at: end.into(),
        place: place.into(),
        leader: leader.into(),
        people: people
            .iter()
            .map(|p| (p.to_string(), p.to_string()))
            .collect(),
    }
}

#[test]
fn touching_intervals_are_not_conflicts() {
    let events = [
        ev(
            1,
            "2024-07-03T10:00",
            "2024-07-03T12:00",
            "소회의실",
            "김멘토",
            &["+821011112222"],
        ),
        ev(
            2,
            "2024-07-03T12:00",
            "2024-07-03T14:00",
            "소회의실",
            "김멘토",
            &["+821011112222"],
        ),
    ];
    assert!(conflicts(&events).is_empty());
}

#[test]
fn overlaps_in_place_leader_and_people_are_each_reported_once() {
    let events = [
        ev(
            1,
            "2024-07-10T10:00",
            "2024-07-10T14:00",
            "증평군청 소회의실",
            "이강사",
            &["a", "b"],
        ),
        // Same room written with other spacing, 13:59 end: one minute of overlap.
        ev(
            2,
            "2024-07-10T09:00",
            "2024-07-10T10:01",
            "증평군청  소회의실",
            "박강사",
            &["c"],
        ),
        ev(
            3,
            "2024-07-10T13:00",
            "2024-07-10T15:00",
            "도안면사무소",
            "이강사",
            &["b", "d"],
        ),
        // Inside event 1 entirely; nothing shared with it.
        ev(
            4,
            "2024-07-10T11:00",
            "2024-07-10T11:30",
            "보건소",
            "최강사",
            &["e"],
        ),
    ];
    let found = conflicts(&events);
    let mut pairs: Vec<(i64, i64, ConflictReason)> = found
        .iter()
        .map(|c| (c.a.1.min(c.b.1), c.a.1.max(c.b.1), c.reason))
        .collect();
    pairs.sort_by_key(|p| (p.0, p.1, p.2 as u8));
    assert_eq!(
        pairs,
        vec![
            (1, 2, ConflictReason::Place),
            (1, 3, ConflictReason::Leader),
            (1, 3, ConflictReason::Person),
        ]
    );
    let person = found
        .iter()
        .find(|c| c.reason == ConflictReason::Person)
        .unwrap();
    assert!(person.message.contains('b'), "{}", person.message);
    assert!(!person.message.contains('d'), "{}", person.message);
}

#[test]
fn events_on_other_days_never_clash() {
    let events = [
        ev(
            1,
            "2024-06-19T09:30",
            "2024-06-19T12:00",
            "소회의실",
            "김",
            &["a"],
        ),
        ev(
            2,
            "2024-06-20T09:30",
            "2024-06-20T12:00",
            "소회의실",
            "김",
            &["a"],
        ),
    ];
    assert!(conflicts(&events).is_empty());
}

fn row(id: i64, role: PersonRole, state: ApplicationState) -> PersonRow {
    PersonRow {
        person: Person {
            id: Some(id),
            cohort_id: 1,
            name: format!("사람{id}"),
            phone: None,
            village_id: None,
            role,
            state,
            sms_consent: false,
            note: String::new(),
        },
        village_name: None,
        phone_display: None,
    }
}

fn workshop(id: i64) -> Workshop {
    Workshop {
        id: Some(id),
        cohort_id: 1,
        kind: WorkshopKind::Workshop,
        phase: 2,
        title: format!("{id}차"),
        starts_at: "2024-07-03T10:00".into(),
        ends_at: "2024-07-03T12:00".into(),
        place: "소회의실".into(),
        facilitator: String::new(),
        agenda: String::new(),
        version: 1,
    }
}

#[test]
fn attendance_statistics() {
    use Attendance::*;
    let people = [
        row(1, PersonRole::Resident, ApplicationState::Selected),
        row(2, PersonRole::Resident, ApplicationState::Selected),
        row(3, PersonRole::Expert, ApplicationState::Selected),
        row(4, PersonRole::Resident, ApplicationState::Declined),
    ];
    // Workshop 30 has not happened yet: no marks.
    let workshops = [workshop(10), workshop(20), workshop(30)];
    let m = |w, p, s| AttendanceMark {
        workshop_id: w,
        person_id: p,
        status: s,
    };
    let marks = [
        m(10, 1, Present),
        m(10, 2, Late),
        m(10, 3, Absent),
        m(20, 1, Present),
        m(20, 2, Excused),
    ];
    let s = cohort_stats(10, &people, &workshops, &marks);
    assert_eq!(
        (s.target, s.selected, s.residents, s.experts),
        (10, 3, 2, 1)
    );
    let w10 = &s.workshops[0];
    assert_eq!(
        (w10.present, w10.late, w10.absent, w10.excused, w10.unmarked),
        (1, 1, 1, 0, 0)
    );
    assert_eq!(w10.rate, Some(2.0 / 3.0));
    let w20 = &s.workshops[1];
    assert_eq!((w20.present, w20.excused, w20.unmarked), (1, 1, 1));
    assert_eq!(s.workshops[2].rate, None, "not held yet: no rate, not 0 %");
    let p = |id| s.people.iter().find(|x| x.person_id == id).unwrap();
    // Two workshops held; person 2 was excused from one, so 1 of 1 counts.
    assert_eq!((p(1).attended, p(1).held, p(1).rate), (2, 2, Some(1.0)));
    assert_eq!((p(2).attended, p(2).excused, p(2).rate), (1, 1, Some(1.0)));
    assert_eq!((p(3).attended, p(3).rate), (0, Some(0.0)));
    assert!(
        s.people.iter().all(|x| x.person_id != 4),
        "declined applicants are not counted"
    );
    assert_eq!(s.overall_rate, Some(3.0 / 6.0));
}

#[test]
fn ics_reads_back_with_an_independent_parser() {
    let mut a = ev(
        16,
        "2024-06-19T09:30",
        "2024-06-19T12:00",
        "증평군청 본관 2층 소회의실",
        "충북과학기술혁신원",
        &[],
    );
    a.title = "리빙랩 착수보고회 및 오리엔테이션, 네트워킹; 일정 협의".into();
    let b = ev(
        17,
        "2024-07-10T10:00",
        "2024-07-10T14:00",
        "소회의실",
        "",
        &[],
    );
    let stamp = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let text = maeul_programs::ics::export(
        "2024 데이터기반 리빙랩",
        &[
            (
                a,
                "스마트도시 리빙랩 운영 전문가 교육\n참여단 네트워킹 및 일정 협의".into(),
            ),
            (b, String::new()),
        ],
        stamp,
    )
    .unwrap();
    assert!(text.contains("\r\n"), "RFC 5545 lines end in CRLF");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
    }
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none());
    assert_eq!(cal.events.len(), 2);
    let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
        e.properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    let first = &cal.events[0];
    // 09:30 in Seoul is 00:30 UTC.
    assert_eq!(prop(first, "DTSTART"), "20240619T003000Z");
    assert_eq!(prop(first, "DTEND"), "20240619T030000Z");
    assert_eq!(prop(first, "UID"), "workshop-16@maeul-desk");
    assert_eq!(prop(first, "LOCATION"), "증평군청 본관 2층 소회의실");
    // Folding never split a Hangul syllable, and commas/semicolons are escaped.
    assert_eq!(
        prop(first, "SUMMARY"),
        "[기수] 리빙랩 착수보고회 및 오리엔테이션\\, 네트워킹\\; 일정 협의"
    );
    assert!(prop(first, "DESCRIPTION").starts_with("진행: 충북과학기술혁신원\\n스마트도시"));
    assert_eq!(prop(&cal.events[1], "DTSTART"), "20240710T010000Z");
    assert_eq!(prop(&cal.events[1], "DTSTAMP"), "20231114T221320Z");
}

#[test]
fn ics_line_breaks_in_text_never_break_the_line_structure() {
    let mut a = ev(
        18,
        "2024-06-19T09:30",
        "2024-06-19T12:00",
        "본관\r2층",
        "김\r\n진행",
        &[],
    );
    a.title = "착수\r보고회".into();
    let stamp = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let text = maeul_programs::ics::export(
        "2024\r\n리빙랩",
        &[(a, "첫째 줄\r\n둘째 줄\r셋째 줄\n넷째\u{7}".into())],
        stamp,
    )
    .unwrap();
    for line in text.split("\r\n") {
        assert!(
            !line.contains(['\r', '\n', '\u{7}']),
            "a control character inside a line: {line:?}"
        );
    }
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("parses");
    let event = &cal.events[0];
    let prop = |name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(prop("SUMMARY"), "[기수] 착수\\n보고회");
    assert_eq!(prop("LOCATION"), "본관\\n2층");
    assert_eq!(
        prop("DESCRIPTION"),
        "진행: 김\\n진행\\n첫째 줄\\n둘째 줄\\n셋째 줄\\n넷째"
    );
    let name = cal.properties.iter().find(|p| p.name == "NAME").unwrap();
    assert_eq!(name.value.as_deref(), Some("2024 리빙랩"));
}

fn at(s: &str) -> DateTime {
    s.parse().unwrap()
}

fn who(name: &str, phone: Option<&str>, consent: bool) -> Recipient {
    Recipient {
        name: name.into(),
        phone: phone.map(str::to_string),
        consent,
    }
}

#[test]
fn reminders_respect_consent_and_quiet_hours() {
    let offsets = parse_offsets("1d,2h").unwrap();
    let quiet = QuietHours::parse("21:00-07:00").unwrap();
    let people = [
        who("동의", Some("+821011110000"), true),
        who("미동의", Some("+821022220000"), false),
        who("번호없음", None, true),
    ];
    // 09:30 workshop: the day before at 09:30, and 07:30 the same morning.
    let (planned, skipped) = plan(
        at("2024-06-19T09:30"),
        &offsets,
        quiet,
        &people,
        at("2024-06-01T00:00"),
    );
    let dues: Vec<String> = planned.iter().map(|p| p.due.to_string()).collect();
    assert_eq!(dues, ["2024-06-18T09:30:00", "2024-06-19T07:30:00"]);
    assert!(planned.iter().all(|p| p.recipient == "동의"));
    let reasons: Vec<(&str, SkipReason)> = skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("미동의", SkipReason::NoConsent),
            ("번호없음", SkipReason::NoPhone)
        ]
    );

    // An 08:00 event: "2h before" is 06:00, inside quiet hours, so it moves to the evening
    // before (20:50), which is also where nothing else is due.
    let (planned, _) = plan(
        at("2024-07-03T08:00"),
        &offsets,
        quiet,
        &people,
        at("2024-06-01T00:00"),
    );
    let dues: Vec<String> = planned.iter().map(|p| p.due.to_string()).collect();
    assert_eq!(dues, ["2024-07-02T08:00:00", "2024-07-02T20:50:00"]);
    for p in &planned {
        assert!(!quiet.contains(p.due), "{} is in quiet hours", p.due);
    }

    // A "1d" reminder at 22:00 the day before a 22:00 event moves back to 20:50 of that day.
    let (planned, _) = plan(
        at("2024-07-03T22:00"),
        &parse_offsets("1d").unwrap(),
        quiet,
        &people,
        at("2024-06-01T00:00"),
    );
    assert_eq!(planned[0].due.to_string(), "2024-07-02T20:50:00");

    // Nothing is planned in the past.
    let (planned, _) = plan(
        at("2024-06-19T09:30"),
        &offsets,
        quiet,
        &people,
        at("2024-06-19T08:00"),
    );
    assert!(planned.is_empty());
}

#[test]
fn reminder_settings_are_checked() {
    assert!(parse_offsets("1d, 3h ,30m").unwrap().len() == 3);
    let e = parse_offsets("1w").unwrap_err();
    assert_eq!(e.field(), Some("programs.reminder_offsets"));
    assert!(e.to_string().contains("1w"));
    assert!(parse_offsets("0h").is_err());
    assert!(QuietHours::parse("25:00-07:00").is_err());
    assert!(QuietHours::parse("2100-0700").is_err());
    let off = QuietHours::parse("off").unwrap();
    assert!(!off.contains("2026-11-26T23:30".parse().unwrap()));
    assert!(!off.contains("2026-11-26T00:00".parse().unwrap()));
    let day = QuietHours::parse("12:00-13:00").unwrap();
    assert!(day.contains(at("2024-01-01T12:30")));
    assert!(!day.contains(at("2024-01-01T13:00")));
}

#[test]
fn forms_are_refused_with_the_field_named() {
    let mut w = workshop(1);
    w.ends_at = "2024-07-03T09:00".into();
    let e = validate::workshop(&mut w).unwrap_err();
    assert_eq!(e.field(), Some("ends_at"));
    let mut w = workshop(1);
    w.starts_at = "7월 3일 10시".into();
    let e = validate::workshop(&mut w).unwrap_err();
    assert_eq!(e.field(), Some("starts_at"));
    assert!(e.to_string().contains("2024-06-19 09:30"), "{e}");
    let mut w = workshop(1);
    w.starts_at = "2024-07-03 10:00".into();
    validate::workshop(&mut w).unwrap();
    assert_eq!(w.starts_at, "2024-07-03T10:00");
    let mut p = row(1, PersonRole::Resident, ApplicationState::Applied).person;
    p.phone = Some("010-12".into());
    assert_eq!(validate::person(&mut p).unwrap_err().field(), Some("phone"));
    p.phone = Some("010-1234-5678".into());
    p.sms_consent = true;
    validate::person(&mut p).unwrap();
    assert_eq!(p.phone.as_deref(), Some("+821012345678"));
}
