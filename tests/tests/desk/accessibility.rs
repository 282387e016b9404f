//! 문자로 받기 우선 and preferred languages: who gets what, checked row by row in the outbox.

use maeul_api::{Desk, ErrorCode, Role};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets, Translation};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::store::LanguageCount;
use maeul_registry::{Channels, ConsentMethod, Language, SubscriberInput, SubscriberStatus};

use crate::fixtures::{EngineDesk, actor, admin, desk_with_structure, village_id};

fn person(village_id: i64, name: &str, phone: &str, sms: bool) -> SubscriberInput {
    SubscriberInput {
        household_id: None,
        village_id,
        address: format!("도안면 화성리 {name}"),
        head_name: name.into(),
        name: name.into(),
        phone: phone.into(),
        consent_date: Some("2024-05-02".into()),
        consent_method: Some(ConsentMethod::Visit),
        channels: Channels {
            voice: true,
            sms,
            kakao: false,
        },
        status: SubscriberStatus::Active,
        text_first: false,
        language: Language::Ko,
    }
}

fn notice(village: i64, channels: &[Channel], translations: Vec<Translation>) -> NewBroadcast {
    NewBroadcast {
        title: "마을 총회".into(),
        category: Category::VillageNews,
        body: "내일 오전 10시 마을회관에서 총회가 열립니다.".into(),
        recording_id: None,
        targets: Targets::Villages(vec![village]),
        channels: channels.to_vec(),
        emergency: false,
        send_at: None,
        poll: None,
        translations,
    }
}

/// 화성1리 with four people: 김한글 (Korean), Nguyễn Thị Lan (Vietnamese), Maria Santos
/// (Tagalog, no texts wanted), and 박청각 (hard of hearing, takes calls as texts, no SMS
/// preference). Returns the desk and the village.
async fn village_of_four() -> (EngineDesk, i64, [i64; 4]) {
    let desk = desk_with_structure().await;
    let v = village_id(&desk, "화성1리").await;
    let a = admin();
    let ko = desk
        .add_subscriber(&a, person(v, "김한글", "010-4100-0001", true))
        .await
        .unwrap();
    let vi = desk
        .add_subscriber(
            &a,
            SubscriberInput {
                language: Language::Vi,
                ..person(v, "Nguyen Thi Lan", "010-4100-0002", true)
            },
        )
        .await
        .unwrap();
    let tl = desk
        .add_subscriber(
            &a,
            SubscriberInput {
                language: Language::Tl,
                ..person(v, "Maria Santos", "010-4100-0003", false)
            },
        )
        .await
        .unwrap();
    let deaf = desk
        .add_subscriber(
            &a,
            SubscriberInput {
                text_first: true,
                ..person(v, "박청각", "010-4100-0004", false)
            },
        )
        .await
        .unwrap();
    (desk, v, [ko, vi, tl, deaf])
}

/// (channel, number, own body) of a broadcast's deliveries, in order.
async fn outbox(desk: &Desk, id: i64) -> Vec<(String, String, Option<String>)> {
    maeul_db::query_as(
        "SELECT channel, e164, body FROM deliveries WHERE broadcast_id = $1 ORDER BY channel, e164",
    )
    .bind(id)
    .fetch_all(desk.db())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_settings_are_the_subscribers_own_and_read_back() {
    let (desk, _, [_, vi, _, deaf]) = village_of_four().await;
    let row = desk.get_subscriber(&admin(), vi).await.unwrap();
    assert_eq!((row.language, row.text_first), (Language::Vi, false));
    let row = desk.get_subscriber(&admin(), deaf).await.unwrap();
    assert_eq!((row.language, row.text_first), (Language::Ko, true));

    // Switched off again by a save; a landline cannot be text-first.
    let input = SubscriberInput {
        text_first: false,
        language: Language::En,
        ..person(row.village_id, "박청각", "010-4100-0004", false)
    };
    let input = SubscriberInput {
        household_id: Some(row.household_id),
        ..input
    };
    desk.update_subscriber(&admin(), deaf, row.version, input)
        .await
        .unwrap();
    let row = desk.get_subscriber(&admin(), deaf).await.unwrap();
    assert_eq!((row.language, row.text_first), (Language::En, false));
    let e = desk
        .add_subscriber(
            &admin(),
            SubscriberInput {
                text_first: true,
                ..person(row.village_id, "이집전화", "043-835-0001", false)
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert_eq!(e.field.as_deref(), Some("text_first"), "{e:?}");
    assert!(e.message.contains("문자로 받기 우선"), "{}", e.message);
}

#[tokio::test]
async fn a_voice_broadcast_reaches_the_hard_of_hearing_as_a_text() {
    let (desk, v, _) = village_of_four().await;
    let op = actor(Role::Operator, None);
    let summary = desk
        .broadcast_preview(&op, notice(v, &[Channel::Voice], Vec::new()))
        .await
        .unwrap();
    assert_eq!(summary.text_first, 1);
    // The text's size is shown although the broadcast itself is voice only.
    assert!(summary.text_kind.is_some());
    // Nobody of another language gets a text of a call-only broadcast.
    assert_eq!(summary.languages, Vec::<LanguageCount>::new());
    let sent = desk
        .broadcast_send(&op, notice(v, &[Channel::Voice], Vec::new()))
        .await
        .unwrap();
    let rows = outbox(&desk, sent.id).await;
    let channels: Vec<(&str, &str)> = rows
        .iter()
        .map(|(c, e, _)| (c.as_str(), e.as_str()))
        .collect();
    assert_eq!(
        channels,
        [
            ("sms", "+821041000004"),
            ("voice", "+821041000001"),
            ("voice", "+821041000002"),
            ("voice", "+821041000003"),
            ("voice", "+821041000004"),
        ]
    );
    // The text is the broadcast's own (no body of its own).
    assert_eq!(rows[0].2, None);

    // A voice broadcast whose text could not go as a message is refused, naming why.
    let mut b = notice(v, &[Channel::Voice], Vec::new());
    b.body = "긴급 😀 안내".into();
    let e = desk.broadcast_preview(&op, b).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("body"), "{e:?}");
    assert!(e.message.contains("문자로 받기 우선"), "{}", e.message);
}

#[tokio::test]
async fn translations_go_to_their_readers_and_korean_to_everyone_else() {
    let (desk, v, _) = village_of_four().await;
    let op = actor(Role::Operator, None);
    let both = [Channel::Voice, Channel::Sms];
    // Before translating: the form learns who needs which language.
    let summary = desk
        .broadcast_preview(&op, notice(v, &both, Vec::new()))
        .await
        .unwrap();
    assert_eq!(
        summary.languages,
        [LanguageCount {
            language: Language::Vi,
            subscribers: 1,
            translated: false,
        }],
        "the Tagalog reader wants no texts and gets none"
    );
    let vi = Translation {
        language: Language::Vi,
        body: "Họp thôn lúc 10 giờ sáng mai tại nhà văn hóa.".into(),
    };
    let summary = desk
        .broadcast_preview(&op, notice(v, &both, vec![vi.clone()]))
        .await
        .unwrap();
    assert!(summary.languages[0].translated);
    let sent = desk
        .broadcast_send(&op, notice(v, &both, vec![vi.clone()]))
        .await
        .unwrap();
    let texts: Vec<(String, Option<String>)> = outbox(&desk, sent.id)
        .await
        .into_iter()
        .filter(|(c, ..)| c == "sms")
        .map(|(_, e, b)| (e, b))
        .collect();
    assert_eq!(
        texts,
        [
            ("+821041000001".into(), None),
            // Without the tone marks no Korean carrier carries.
            (
                "+821041000002".into(),
                Some("Hop thon luc 10 gio sang mai tai nha van hoa.".into())
            ),
            // Text-first: the voice broadcast's SMS, which they get although they want none.
            ("+821041000004".into(), None),
        ]
    );
    let calls_with_own_text: i64 = maeul_db::query_scalar(
        "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = $1 AND channel = 'voice' \
         AND body IS NOT NULL",
    )
    .bind(sent.id)
    .fetch_one(desk.db())
    .await
    .unwrap();
    assert_eq!(calls_with_own_text, 0, "calls play the Korean text");
    // The broadcast keeps its translations, for its history and a resend.
    let mut conn = desk.db().acquire().await.unwrap();
    assert_eq!(
        maeul_dispatch::store::translations_of(&mut conn, sent.id)
            .await
            .unwrap(),
        [vi]
    );
}

#[tokio::test]
async fn a_translation_that_cannot_go_is_refused_by_its_language() {
    let (desk, v, _) = village_of_four().await;
    let op = actor(Role::Operator, None);
    let cases = [
        (Language::Ko, "한국어", "translations.ko", "본문"),
        (
            Language::Vi,
            "Chào 😀",
            "translations.vi",
            "보낼 수 없는 글자",
        ),
        (Language::En, "   ", "translations.en", "비어"),
    ];
    for (language, body, field, says) in cases {
        let b = notice(
            v,
            &[Channel::Sms],
            vec![Translation {
                language,
                body: body.into(),
            }],
        );
        let e = desk.broadcast_send(&op, b).await.unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
        assert!(e.message.contains(says), "{}", e.message);
    }
    let twice = vec![
        Translation {
            language: Language::En,
            body: "Meeting".into(),
        },
        Translation {
            language: Language::En,
            body: "Meeting!".into(),
        },
    ];
    let e = desk
        .broadcast_send(&op, notice(v, &[Channel::Sms], twice))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("translations.en"), "{e:?}");
    let (n,): (i64,) = maeul_db::query_as("SELECT COUNT(*) FROM broadcasts")
        .fetch_one(desk.db())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing stored");
}
