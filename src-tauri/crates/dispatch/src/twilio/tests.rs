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
