//! The rules that decide what is sent, on crafted cases.

use maeul_dispatch::fanout::{Channel, Recipient, Skip, plan};
use maeul_dispatch::text::{LMS_MAX, SMS_MAX, TextError, TextKind, classify, euc_kr_len, fold};
use maeul_registry::Language;
use maeul_registry::phone::PhoneKind;

#[test]
fn euc_kr_counts_hangul_two_and_ascii_one() {
    assert_eq!(euc_kr_len('a'), Some(1));
    assert_eq!(euc_kr_len('가'), Some(2));
    assert_eq!(euc_kr_len('漢'), Some(2));
    assert_eq!(euc_kr_len('※'), Some(2));
    // CP949-only syllables and emoji have no KS X 1001 code.
    assert_eq!(euc_kr_len('똠'), None);
    assert_eq!(euc_kr_len('뷁'), None);
    assert_eq!(euc_kr_len('😀'), None);
}

#[test]
fn ninety_bytes_is_sms_ninety_one_is_lms() {
    let sms = "가".repeat(45);
    assert_eq!(
        classify(&sms).unwrap(),
        maeul_dispatch::text::TextInfo {
            bytes: 90,
            kind: TextKind::Sms
        }
    );
    let lms = format!("{sms}a");
    let info = classify(&lms).unwrap();
    assert_eq!((info.bytes, info.kind), (91, TextKind::Lms));
    assert_eq!(SMS_MAX, 90);
}

#[test]
fn longer_than_lms_is_refused_with_the_byte_count() {
    let ok = "나".repeat(LMS_MAX / 2);
    assert_eq!(classify(&ok).unwrap().kind, TextKind::Lms);
    let long = format!("{ok}!");
    assert_eq!(
        classify(&long).unwrap_err(),
        TextError::TooLong { bytes: 2001 }
    );
    assert!(
        classify(&long)
            .unwrap_err()
            .to_string()
            .contains("2001바이트")
    );
}

#[test]
fn unsendable_characters_are_listed_once_each() {
    let e = classify("똠방각하 😀 회의 😀 뷁").unwrap_err();
    assert_eq!(e, TextError::Unsendable(vec!['똠', '😀', '뷁']));
    assert!(e.to_string().contains("똠😀뷁"));
    assert_eq!(classify("  \n").unwrap_err(), TextError::Empty);
}

fn who(id: i64, e164: &str, kind: PhoneKind) -> Recipient {
    Recipient {
        subscriber_id: id,
        village_id: 1,
        e164: e164.into(),
        kind,
        consented: true,
        opted_out: false,
        voice: true,
        sms: true,
        kakao: true,
        text_first: false,
        language: Language::Ko,
    }
}

#[test]
fn text_first_subscribers_get_a_voice_broadcast_also_as_sms() {
    let mut deaf = who(1, "+821000990001", PhoneKind::Mobile);
    deaf.text_first = true;
    // Their SMS preference does not matter: text is how they take a broadcast at all.
    deaf.sms = false;
    let plain = who(2, "+821000990002", PhoneKind::Mobile);
    let mut on_landline = who(3, "+82431110003", PhoneKind::Landline);
    on_landline.text_first = true;
    let mut unconsented = who(4, "+821000990004", PhoneKind::Mobile);
    unconsented.text_first = true;
    unconsented.consented = false;
    let all = [deaf, plain, on_landline, unconsented];
    let p = plan(&all, &[Channel::Voice]);
    let got: Vec<(Channel, &str)> = p
        .deliveries
        .iter()
        .map(|d| (d.channel, d.e164.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Channel::Voice, "+821000990001"),
            (Channel::Voice, "+821000990002"),
            (Channel::Voice, "+82431110003"),
            (Channel::Sms, "+821000990001"),
        ]
    );
    assert_eq!(p.text_first, vec![1]);
    // A broadcast that texts them anyway adds nothing; one without voice neither.
    let mut wants_kakao = all[0].clone();
    wants_kakao.kakao = true;
    let p = plan(&[wants_kakao.clone()], &[Channel::Voice, Channel::Kakao]);
    assert_eq!(p.deliveries.len(), 2);
    assert!(p.text_first.is_empty());
    let p = plan(&[wants_kakao], &[Channel::Kakao]);
    assert_eq!(p.deliveries.len(), 1);
    assert!(p.text_first.is_empty());
}

#[test]
fn a_text_goes_in_the_language_everyone_at_the_number_reads() {
    let mut mother = who(1, "+821000990001", PhoneKind::Mobile);
    mother.language = Language::Vi;
    let mut father = who(2, "+821000990001", PhoneKind::Mobile);
    father.language = Language::Ko;
    let mut alone = who(3, "+821000990003", PhoneKind::Mobile);
    alone.language = Language::Vi;
    let p = plan(&[mother, father, alone], &[Channel::Voice, Channel::Sms]);
    let got: Vec<(Channel, &str, Language)> = p
        .deliveries
        .iter()
        .map(|d| (d.channel, d.e164.as_str(), d.language))
        .collect();
    assert_eq!(
        got,
        [
            (Channel::Voice, "+821000990001", Language::Ko),
            (Channel::Voice, "+821000990003", Language::Ko),
            // A shared phone whose holders read different languages gets the Korean text.
            (Channel::Sms, "+821000990001", Language::Ko),
            (Channel::Sms, "+821000990003", Language::Vi),
        ]
    );
}

#[test]
fn translations_lose_only_the_accents_a_carrier_cannot_carry() {
    assert_eq!(
        fold("Thông báo: họp thôn lúc 10 giờ"),
        "Thong bao: hop thon luc 10 gio"
    );
    assert_eq!(fold("Đi đến Đà Nẵng"), "Di den Da Nang");
    // Hangul, ASCII and what KS X 1001 has stay as written.
    assert_eq!(fold("마을회관 10:00 ※"), "마을회관 10:00 ※");
    // Emoji have no unaccented form: kept, for classify to name.
    assert_eq!(fold("Hi 😀"), "Hi 😀");
    assert!(classify(&fold("Hi 😀")).is_err());
}

#[test]
fn one_delivery_per_channel_and_number() {
    let a = who(1, "+821000990001", PhoneKind::Mobile);
    // A spouse registered with the same mobile number.
    let b = who(2, "+821000990001", PhoneKind::Mobile);
    let p = plan(&[a, b], &[Channel::Voice, Channel::Sms]);
    assert_eq!(p.deliveries.len(), 2);
    assert!(p.deliveries.iter().all(|d| d.subscriber_ids == vec![1, 2]));
    assert!(p.skipped.is_empty());
}

#[test]
fn consent_opt_out_preferences_and_number_type_are_honoured() {
    let mut opted = who(1, "+821000990001", PhoneKind::Mobile);
    opted.opted_out = true;
    let mut unconsented = who(2, "+821000990002", PhoneKind::Mobile);
    unconsented.consented = false;
    let landline = who(3, "+82431110001", PhoneKind::Landline);
    let voip = who(4, "+827011110001", PhoneKind::Voip);
    let mut no_kakao = who(5, "+821000990005", PhoneKind::Mobile);
    no_kakao.kakao = false;
    let p = plan(
        &[opted, unconsented, landline, voip, no_kakao],
        &[Channel::Voice, Channel::Sms, Channel::Kakao],
    );
    let got: Vec<(Channel, &str)> = p
        .deliveries
        .iter()
        .map(|d| (d.channel, d.e164.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Channel::Voice, "+821000990005"),
            (Channel::Voice, "+82431110001"),
            (Channel::Voice, "+827011110001"),
            (Channel::Sms, "+821000990005"),
        ]
    );
    let why = |id: i64, ch: Channel| {
        p.skipped
            .iter()
            .find(|s| s.0 == id && s.1 == ch)
            .map(|s| s.2)
    };
    assert_eq!(why(1, Channel::Voice), Some(Skip::OptedOut));
    assert_eq!(why(2, Channel::Sms), Some(Skip::NoConsent));
    assert_eq!(why(3, Channel::Sms), Some(Skip::VoiceOnlyNumber));
    assert_eq!(why(4, Channel::Kakao), Some(Skip::VoiceOnlyNumber));
    assert_eq!(why(5, Channel::Kakao), Some(Skip::NotWanted));
}

#[test]
fn backoff_doubles_from_the_base_up_to_a_minute_with_a_quarter_of_jitter() {
    let p = maeul_dispatch::policy::Policy::default();
    let secs = |n, jitter| p.backoff(n, jitter).as_secs_f64();
    assert_eq!(secs(1, 0.0), 2.0);
    assert_eq!(secs(2, 0.0), 4.0);
    assert_eq!(secs(5, 0.0), 32.0);
    assert_eq!(secs(6, 0.0), 60.0);
    assert_eq!(secs(40, 0.0), 60.0);
    assert_eq!(secs(40, 1.0), 75.0);
    assert_eq!(secs(1, 0.5), 2.25);
}
