use super::*;

/// Codes of Solapi's table (and a few it does not list), the reason each is read as, and
/// whether another attempt is made.
const CODES: &[(&str, Reason, bool)] = &[
    ("3041", Reason::Busy, true),
    ("3040", Reason::NoAnswer, true),
    ("3043", Reason::PowerOff, true),
    ("3042", Reason::PowerOff, true),
    ("3108", Reason::OutsideHours, true),
    ("3059", Reason::SpoofedSender, false),
    ("3104", Reason::NotKakaoUser, false),
    ("3107", Reason::NotKakaoUser, false),
    ("3010", Reason::BadNumber, false),
    ("3032", Reason::BadNumber, false),
    ("1061", Reason::OptedOut, false),
    ("3055", Reason::OptedOut, false),
    ("1062", Reason::UnregisteredSender, false),
    ("2062", Reason::UnregisteredSender, false),
    ("3105", Reason::UnregisteredSender, false),
    ("1064", Reason::SenderBlocked, false),
    ("2063", Reason::SenderBlocked, false),
    ("1031", Reason::BadMessage, false),
    ("1029", Reason::BadMessage, false),
    ("1024", Reason::ProviderError, true),
    ("2230", Reason::ProviderError, true),
    ("3044", Reason::CarrierError, true),
    ("3056", Reason::CarrierError, true),
    // Not in the table: kept, and tried again.
    ("1999", Reason::ProviderError, true),
    ("2999", Reason::ProviderError, true),
    ("3999", Reason::CarrierError, true),
];

#[test]
fn status_codes_map_to_reasons_retries_and_explanations() {
    for &(code, reason, retryable) in CODES {
        assert_eq!(
            receipt("SMS", code),
            Receipt::Failed(Failure::coded(reason, code)),
            "{code}"
        );
        assert_eq!(reason.retryable(), retryable, "{code}");
        assert!(!explain(code).is_empty(), "{code}");
    }
    assert!(explain("3059").contains("변작된 발신번호"));
    assert!(explain("3104").contains("카카오톡 미사용자"));
    assert!(explain("3987").contains("통신사"));
}

#[test]
fn codes_on_their_way_and_arrived_are_no_failures() {
    assert_eq!(receipt("SMS", "2000"), Receipt::InProgress);
    assert_eq!(receipt("ATA", "3000"), Receipt::InProgress);
    assert_eq!(receipt("SMS", "4000"), Receipt::Delivered);
    assert_eq!(receipt("VOICE", "4000"), Receipt::Listened);
}

#[test]
fn a_kakaotalk_non_user_falls_back_to_a_text_a_bad_number_does_not() {
    assert!(reason("3104").falls_back());
    assert!(!reason("3010").falls_back());
    assert!(!reason("3055").falls_back());
}
