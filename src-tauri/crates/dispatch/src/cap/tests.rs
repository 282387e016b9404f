//! The writer's documents read by an independent parser (roxmltree) element by element,
//! and the reader against alerts as other systems write them.

use super::*;

fn sample() -> Alert {
    Alert {
        xmlns: NAMESPACE.into(),
        identifier: "KR.maeul.43745.20261205090000.7".into(),
        sender: "maeul-desk.43745".into(),
        sent: "2026-12-05T09:00:00+09:00".into(),
        status: "Actual".into(),
        msg_type: "Alert".into(),
        source: None,
        scope: "Public".into(),
        codes: vec![KOREAN_PROFILE.into()],
        note: None,
        references: None,
        infos: vec![Info {
            language: Some("ko-KR".into()),
            categories: vec!["Met".into()],
            event: "호우주의보".into(),
            urgency: "Immediate".into(),
            severity: "Severe".into(),
            certainty: "Observed".into(),
            event_codes: vec![ValuePair::new(EVENT_CODE_NAME, "HRA")],
            effective: None,
            expires: None,
            sender_name: Some("증평군 마을 방송".into()),
            headline: Some("호우주의보 & 하천 접근 금지".into()),
            description: Some("하천변 <산책로> 출입을 삼가 주세요.\n마을회관으로 대피".into()),
            instruction: None,
            areas: vec![Area {
                area_desc: "충청북도 증평군 증평읍".into(),
                geocodes: vec![ValuePair::new(GEOCODE_NAME, "4374525000")],
            }],
        }],
    }
}

fn children<'a>(n: roxmltree::Node<'a, 'a>) -> Vec<&'a str> {
    n.children()
        .filter(|c| c.is_element())
        .map(|c| c.tag_name().name())
        .collect()
}

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
    n.children()
        .find(|c| c.has_tag_name(name))
        .unwrap_or_else(|| panic!("no <{name}>"))
}

fn text<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> &'a str {
    child(n, name).text().unwrap_or("")
}

#[test]
fn the_written_alert_is_cap_1_2_in_the_korean_profile() {
    let xml = to_xml(&sample()).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let alert = doc.root_element();
    assert_eq!(alert.tag_name().name(), "alert");
    assert_eq!(alert.tag_name().namespace(), Some(NAMESPACE));
    // CAP 1.2's schema is a sequence: the order is part of validity.
    assert_eq!(
        children(alert),
        [
            "identifier",
            "sender",
            "sent",
            "status",
            "msgType",
            "scope",
            "code",
            "info"
        ]
    );
    assert_eq!(text(alert, "code"), "대한민국정부1.1");
    assert_eq!(text(alert, "sent"), "2026-12-05T09:00:00+09:00");
    assert!(check::STATUS.contains(&text(alert, "status")));
    assert!(check::MSG_TYPE.contains(&text(alert, "msgType")));
    assert!(check::SCOPE.contains(&text(alert, "scope")));

    let info = child(alert, "info");
    assert_eq!(
        children(info),
        [
            "language",
            "category",
            "event",
            "urgency",
            "severity",
            "certainty",
            "eventCode",
            "senderName",
            "headline",
            "description",
            "area"
        ]
    );
    assert_eq!(text(info, "language"), "ko-KR");
    assert!(check::CATEGORY.contains(&text(info, "category")));
    assert!(check::URGENCY.contains(&text(info, "urgency")));
    assert!(check::SEVERITY.contains(&text(info, "severity")));
    assert!(check::CERTAINTY[..5].contains(&text(info, "certainty")));
    let code = child(info, "eventCode");
    assert_eq!(text(code, "valueName"), EVENT_CODE_NAME);
    assert_eq!(text(code, "value"), "HRA");
    // Escaped on the way out, whole on the way back.
    assert_eq!(text(info, "headline"), "호우주의보 & 하천 접근 금지");
    assert_eq!(
        text(info, "description"),
        "하천변 <산책로> 출입을 삼가 주세요.\n마을회관으로 대피"
    );
    let area = child(info, "area");
    assert_eq!(children(area), ["areaDesc", "geocode"]);
    let geocode = child(area, "geocode");
    assert_eq!(text(geocode, "valueName"), "행정구역코드");
    let value = text(geocode, "value");
    assert!(value.len() == 10 && value.bytes().all(|b| b.is_ascii_digit()));
}

#[test]
fn what_the_desk_writes_it_reads_back_unchanged() {
    let a = sample();
    assert_eq!(parse(&to_xml(&a).unwrap()).unwrap(), a);
}

/// As the 통합경보 system writes one: elements the desk does not use, a prefixed namespace
/// on nothing, several areas, an English info block after the Korean one.
#[test]
fn an_alert_from_another_system_reads_with_what_it_skips() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>KMA-20261205-0001</identifier>
  <sender>kma.go.kr</sender>
  <sent>2026-12-05T08:10:00+09:00</sent>
  <status>Actual</status>
  <msgType>Update</msgType>
  <scope>Public</scope>
  <code>대한민국정부1.1</code>
  <references>kma.go.kr,KMA-20261205-0000,2026-12-05T07:00:00+09:00</references>
  <info>
    <language>ko-KR</language>
    <category>Met</category>
    <event>호우경보</event>
    <responseType>Prepare</responseType>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>TTAS.KO-07.0046/R5 재난 종류 코드</valueName><value>HRW</value></eventCode>
    <effective>2026-12-05T08:10:00+09:00</effective>
    <senderName>기상청</senderName>
    <headline>충북 증평 호우경보</headline>
    <description>시간당 50mm 이상의 강한 비</description>
    <instruction>저지대 주민은 대피하십시오</instruction>
    <parameter><valueName>x</valueName><value>y</value></parameter>
    <area>
      <areaDesc>충청북도 증평군 도안면</areaDesc>
      <polygon>36.7,127.6 36.8,127.6 36.8,127.7 36.7,127.6</polygon>
      <geocode><valueName>행정구역코드</valueName><value>4374531000</value></geocode>
    </area>
    <area>
      <areaDesc>충청북도 괴산군</areaDesc>
      <geocode><valueName>행정구역코드</valueName><value>4376000000</value></geocode>
    </area>
  </info>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Heavy rain warning</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
  </info>
</alert>"#;
    let a = parse(xml).unwrap();
    assert_eq!(a.msg_type, "Update");
    assert_eq!(a.infos.len(), 2);
    let info = &a.infos[0];
    assert_eq!(info.event_code(), Some("HRW"));
    assert_eq!(info.areas.len(), 2);
    assert_eq!(info.areas[0].geocodes[0].value, "4374531000");
    assert_eq!(
        info.instruction.as_deref(),
        Some("저지대 주민은 대피하십시오")
    );
}

fn refused(xml: &str) -> CapError {
    parse(xml).expect_err("refused")
}

fn with(from: &str, to: &str) -> String {
    let xml = to_xml(&sample()).unwrap();
    assert!(xml.contains(from), "{from}");
    xml.replacen(from, to, 1)
}

#[test]
fn a_bad_alert_is_refused_naming_the_element() {
    let e = refused(&with(
        "<identifier>KR.maeul.43745.20261205090000.7</identifier>",
        "",
    ));
    assert_eq!(e.element, "identifier");
    assert!(e.to_string().contains("필수"), "{e}");

    let e = refused(&with("<status>Actual</status>", "<status>Real</status>"));
    assert_eq!(e.element, "status");
    assert!(e.message.contains("Actual, Exercise"), "{e}");

    let e = refused(&with(
        "<severity>Severe</severity>",
        "<severity>Bad</severity>",
    ));
    assert_eq!(e.element, "info[1]/severity");

    let e = refused(&with(
        "<sent>2026-12-05T09:00:00+09:00</sent>",
        "<sent>어제 아침</sent>",
    ));
    assert_eq!(e.element, "sent");

    let e = refused(&with(
        "<msgType>Alert</msgType>",
        "<msgType>Cancel</msgType>",
    ));
    assert_eq!(e.element, "references");

    let e = refused(&with(NAMESPACE, "urn:oasis:names:tc:emergency:cap:1.1"));
    assert_eq!(e.element, "alert");
    assert!(e.message.contains("1.2"), "{e}");

    let e = refused(&with(
        "<value>4374525000</value>",
        "<value>4374525000</value></geocode>",
    ));
    assert!(e.message.contains("XML"), "{e}");

    let e = refused("이것은 XML이 아닙니다");
    assert!(e.to_string().starts_with("CAP 경보의 <"), "{e}");
}

#[test]
fn a_prefixed_alert_reads_and_the_writer_holds_cap_time() {
    let xml = to_xml(&sample()).unwrap();
    let prefixed = xml
        .replace("<alert xmlns=", "<cap:alert xmlns:cap=")
        .replace('<', "<cap:")
        .replace("<cap:?xml", "<?xml")
        .replace("<cap:cap:", "<cap:")
        .replace("<cap:/", "</cap:");
    assert!(prefixed.contains("<cap:identifier>"), "{prefixed}");
    assert_eq!(parse(&prefixed).unwrap(), sample());

    let mut zulu = sample();
    zulu.sent = "2026-12-05T00:00:00Z".into();
    assert!(
        parse(
            &to_xml(&sample())
                .unwrap()
                .replace("+09:00", "Z")
                .replace("T09:00:00Z", "T00:00:00Z")
        )
        .is_ok(),
        "read"
    );
    let e = to_xml(&zulu).unwrap_err();
    assert_eq!(e.element, "sent");
}
