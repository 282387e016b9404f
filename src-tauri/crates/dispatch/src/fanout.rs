//! A broadcast's deliveries: one per (channel, E.164 number), whoever in the targeted villages
//! holds the number. Opted-out and unconsented subscribers get nothing; each subscriber's
//! channel preferences are honoured; landlines and 070 numbers take voice calls only.

use std::collections::HashMap;

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
    let mut planned: Vec<(Channel, &str, i64, Vec<i64>)> = Vec::new();
    let mut skipped = Vec::new();
    for r in recipients {
        for &channel in channels {
            let skip = if r.opted_out {
                Some(Skip::OptedOut)
            } else if !r.consented {
                Some(Skip::NoConsent)
            } else if channel != Channel::Voice && r.kind != PhoneKind::Mobile {
                Some(Skip::VoiceOnlyNumber)
            } else if !wants(r, channel) {
                Some(Skip::NotWanted)
            } else {
                None
            };
            match skip {
                Some(why) => skipped.push((r.subscriber_id, channel, why)),
                None => {
                    let at = *index.entry((channel, r.e164.as_str())).or_insert_with(|| {
                        planned.push((channel, r.e164.as_str(), r.village_id, Vec::new()));
                        planned.len() - 1
                    });
                    let ids = &mut planned[at].3;
                    if !ids.contains(&r.subscriber_id) {
                        ids.push(r.subscriber_id);
                    }
                }
            }
        }
    }
    planned.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    Plan {
        deliveries: planned
            .into_iter()
            .map(|(channel, e164, village_id, subscriber_ids)| Planned {
                channel,
                e164: e164.to_string(),
                village_id,
                subscriber_ids,
            })
            .collect(),
        skipped,
    }
}
