//! A broadcast's deliveries: one per (channel, E.164 number), whoever in the targeted villages
//! holds the number. Opted-out and unconsented subscribers get nothing; each subscriber's
//! channel preferences are honoured; landlines and 070 numbers take voice calls only.
//! A subscriber marked 문자로 받기 우선 (hard of hearing) gets every voice broadcast also as
//! an SMS, and a text goes in the language of the people at its number when they share one.

use std::collections::HashMap;

use maeul_registry::Language;
use maeul_registry::phone::PhoneKind;
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Voice,
    Sms,
    Kakao,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Voice, Channel::Sms, Channel::Kakao];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Sms => "sms",
            Channel::Kakao => "kakao",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// How the printed reports name it.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Voice => "음성전화",
            Channel::Sms => "문자",
            Channel::Kakao => "카카오톡",
        }
    }
}

/// A subscriber as fan-out needs them.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub subscriber_id: i64,
    pub village_id: i64,
    pub e164: String,
    pub kind: PhoneKind,
    pub consented: bool,
    pub opted_out: bool,
    pub voice: bool,
    pub sms: bool,
    pub kakao: bool,
    /// Voice broadcasts reach them as a text too.
    pub text_first: bool,
    pub language: Language,
}

/// One message to send: the channel, the number, and every subscriber it reaches (a number
/// shared by two household members is called once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub channel: Channel,
    pub e164: String,
    /// The village of the first subscriber it reaches: where the report counts it.
    pub village_id: i64,
    pub subscriber_ids: Vec<i64>,
    /// The language its text goes in: the one everybody at the number reads, Korean when
    /// they differ (and always for calls, which play the Korean recording).
    pub language: Language,
}

/// Why a subscriber gets nothing on a channel that was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    OptedOut,
    NoConsent,
    /// They chose not to receive this channel.
    NotWanted,
    /// A landline or 070 number cannot take texts.
    VoiceOnlyNumber,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub deliveries: Vec<Planned>,
    pub skipped: Vec<(i64, Channel, Skip)>,
    /// Subscribers sent an SMS only because they take voice broadcasts as text.
    pub text_first: Vec<i64>,
}

fn wants(r: &Recipient, channel: Channel) -> bool {
    match channel {
        Channel::Voice => r.voice,
        Channel::Sms => r.sms,
        Channel::Kakao => r.kakao,
    }
}

/// Plans the deliveries of `channels` to `recipients`, deduplicated by (channel, number) and
/// in a stable order (channel, then number).
pub fn plan<'a>(recipients: impl IntoIterator<Item = &'a Recipient>, channels: &[Channel]) -> Plan {
    // A hash index and one sort at the end: a BTreeMap of a county's 86,000 keys was a tenth
    // of the fan-out.
    let mut index: HashMap<(Channel, &str), usize> = HashMap::new();
    let mut planned: Vec<Slot<'_>> = Vec::new();
    let mut skipped = Vec::new();
    let mut text_first = Vec::new();
    let voice = channels.contains(&Channel::Voice);
    for r in recipients {
        let mut texted = false;
        for &channel in channels {
            match skip(r, channel) {
                Some(why) => skipped.push((r.subscriber_id, channel, why)),
                None => {
                    texted |= channel != Channel::Voice;
                    add(&mut index, &mut planned, channel, r);
                }
            }
        }
        // 문자로 받기 우선: a voice broadcast that gives them no text adds an SMS, whatever
        // their SMS preference (consent and number rules still hold).
        if voice
            && r.text_first
            && !texted
            && skip(r, Channel::Sms).is_none_or(|s| s == Skip::NotWanted)
        {
            add(&mut index, &mut planned, Channel::Sms, r);
            text_first.push(r.subscriber_id);
        }
    }
    planned.sort_unstable_by(|a, b| (a.channel, a.e164).cmp(&(b.channel, b.e164)));
    Plan {
        deliveries: planned
            .into_iter()
            .map(|s| Planned {
                channel: s.channel,
                e164: s.e164.to_string(),
                village_id: s.village_id,
                subscriber_ids: s.subscriber_ids,
                language: if s.channel == Channel::Voice {
                    Language::Ko
                } else {
                    s.language
                },
            })
            .collect(),
        skipped,
        text_first,
    }
}

/// A delivery being planned, borrowing its number from the recipient list.
struct Slot<'a> {
    channel: Channel,
    e164: &'a str,
    village_id: i64,
    subscriber_ids: Vec<i64>,
    language: Language,
}

/// Why `r` gets nothing on `channel`, if they don't.
fn skip(r: &Recipient, channel: Channel) -> Option<Skip> {
    if r.opted_out {
        Some(Skip::OptedOut)
    } else if !r.consented {
        Some(Skip::NoConsent)
    } else if channel != Channel::Voice && r.kind != PhoneKind::Mobile {
        Some(Skip::VoiceOnlyNumber)
    } else if !wants(r, channel) {
        Some(Skip::NotWanted)
    } else {
        None
    }
}

/// Adds `r` to the delivery of `channel` at their number, making it if it is the first.
fn add<'a>(
    index: &mut HashMap<(Channel, &'a str), usize>,
    planned: &mut Vec<Slot<'a>>,
    channel: Channel,
    r: &'a Recipient,
) {
    let at = *index.entry((channel, r.e164.as_str())).or_insert_with(|| {
        planned.push(Slot {
            channel,
            e164: r.e164.as_str(),
            village_id: r.village_id,
            subscriber_ids: Vec::new(),
            language: r.language,
        });
        planned.len() - 1
    });
    let slot = &mut planned[at];
    if !slot.subscriber_ids.contains(&r.subscriber_id) {
        slot.subscriber_ids.push(r.subscriber_id);
        if slot.language != r.language {
            slot.language = Language::Ko;
        }
    }
}
