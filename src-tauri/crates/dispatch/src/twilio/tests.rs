use super::*;

fn outgoing(channel: Channel, text: &str, recording: Option<&str>) -> Outgoing {
    Outgoing {
        delivery_id: 1,
        channel,
        to: "+821012345678".into(),
        subject: "제목".into(),
        text: text.into(),
        recording: recording.map(str::to_string),
        idempotency_key: "k".into(),
        keypad: None,
    }
}

#[test]
fn numbers_become_e164() {
    assert_eq!(e164("043-835-3233"), "+82438353233");
    assert_eq!(e164("+1 415 555 0100"), "+14155550100");
}

#[test]
fn twiml_plays_the_published_recording_or_says_the_text() {
    let m = outgoing(
        Channel::Voice,
        "내일 <방역> & 소독",
        Some("/data/rec/b12.wav"),
    );
    assert_eq!(
        twiml(&m, Some("https://media.example.kr/maeul/")),
        "<Response><Play>https://media.example.kr/maeul/b12.wav</Play></Response>"
    );
    assert_eq!(
        twiml(&m, None),
        "<Response><Say language=\"ko-KR\">내일 &lt;방역&gt; &amp; 소독</Say></Response>"
    );
}

#[test]
fn statuses_and_codes_map_to_our_reasons() {
    assert_eq!(
        receipt(Channel::Voice, "completed", None),
        Receipt::Answered
    );
    assert_eq!(
        receipt(Channel::Voice, "no-answer", None),
        Receipt::Failed(Reason::NoAnswer.into())
    );
    assert_eq!(receipt(Channel::Sms, "sent", None), Receipt::InProgress);
    assert_eq!(
        receipt(Channel::Sms, "undelivered", Some(30005)),
        Receipt::Failed(Failure::coded(Reason::BadNumber, "30005"))
    );
    assert_eq!(reason(21610), Reason::OptedOut);
    assert!(!reason(21211).retryable());
}

#[test]
fn a_call_with_a_keypad_question_gathers_one_digit_after_the_message() {
    let mut m = outgoing(Channel::Voice, "총회 안내", None);
    m.keypad = Some(crate::keypad::Keypad::for_poll(None));
    let t = twiml(&m, None);
    assert!(
        t.starts_with("<Response><Gather input=\"dtmf\" numDigits=\"1\" timeout=\"8\" action=\"https://twimlets.com/echo?Twiml=%3CResponse%3E"),
        "{t}"
    );
    assert!(
        t.ends_with(
            "<Say language=\"ko-KR\">총회 안내</Say><Say language=\"ko-KR\">들으셨으면 1번을 눌러 주세요.</Say></Gather></Response>"
        ),
        "{t}"
    );
    // The action's query is escaped for XML and parses back to the echo URL.
    assert!(!t.contains("Twiml=%3CResponse%3E%3CSay%20language%3D%22ko-KR%22%3E&"));
}

#[test]
fn a_calls_events_say_what_was_pressed_or_not_yet() {
    use crate::keypad::Reply;
    let ev = |params: serde_json::Value| {
        serde_json::json!({"events": [{"request": {"method": "POST", "url": GATHER_ACTION,
            "parameters": params}, "response": {"response_code": 200}}]})
    };
    assert_eq!(
        events_reply(&serde_json::json!({"events": []})),
        Reply::NotYet
    );
    assert_eq!(events_reply(&serde_json::json!({})), Reply::NotYet);
    assert_eq!(
        events_reply(&ev(serde_json::json!({"digits": "2"}))),
        Reply::Pressed(2)
    );
    assert_eq!(
        events_reply(&ev(serde_json::json!({"digits": "*"}))),
        Reply::Pressed(0)
    );
    assert_eq!(
        events_reply(&ev(serde_json::json!({"digits": ""}))),
        Reply::Nothing
    );
    assert_eq!(
        events_reply(&ev(serde_json::json!({"call_status": "completed"}))),
        Reply::Nothing
    );
}
