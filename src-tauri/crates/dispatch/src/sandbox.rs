//! The built-in provider: no credentials, no network. Each message's fate follows from its
//! number (a fixed share fails or goes unanswered), so runs are repeatable; everything it
//! accepted is counted per idempotency key, which is how tests prove "none sent twice".

use std::collections::HashMap;
use std::sync::Mutex;

use crate::fanout::Channel;
use crate::keypad::Reply;
use crate::provider::{
    BoxFuture, Found, Lookup, MessageRef, Outgoing, Provider, ProviderError, Reason, Receipt,
    Submitted,
};

#[derive(Debug, Default)]
struct State {
    /// message id → (channel, to)
    messages: HashMap<String, (Channel, String)>,
    by_key: HashMap<String, String>,
    /// Accepted per key; above 1 is a duplicate.
    accepted: HashMap<String, u32>,
}

#[derive(Debug, Default)]
pub struct Sandbox {
    state: Mutex<State>,
}

/// The last digit of a number decides: 0 never answers a call and fails an SMS, 1 is busy,
/// 9 has no KakaoTalk; everything else is delivered (and a call listened to). So an SMS to
/// a number ending 0 fails and its KakaoTalk fallback arrives.
fn fate(channel: Channel, to: &str) -> Receipt {
    match (channel, to.chars().last()) {
        (Channel::Voice, Some('0')) => Receipt::Failed(Reason::NoAnswer.into()),
        (Channel::Voice, Some('1')) => Receipt::Failed(Reason::Busy.into()),
        (Channel::Voice, _) => Receipt::Listened,
        (Channel::Sms, Some('0')) => Receipt::Failed(Reason::ProviderError.into()),
        (Channel::Kakao, Some('9')) => Receipt::Failed(Reason::NotKakaoUser.into()),
        _ => Receipt::Delivered,
    }
}

/// What a resident answering a call presses: the number's second-to-last digit decides, so
/// about three in ten press nothing, and the rest spread over the answers offered.
fn reply(to: &str, range: u8) -> Reply {
    let digit = to
        .chars()
        .rev()
        .nth(1)
        .and_then(|c| c.to_digit(10))
        .unwrap_or(0) as u8;
    match digit {
        0..=2 => Reply::Nothing,
        d => Reply::Pressed(1 + d % range.max(1)),
    }
}

/// A sandbox id: `SB<serial>-<channel>-<to>`, and `/<range>` for a call with a keypad
/// question.
fn from_id(id: &str) -> Option<(Channel, String, u8)> {
    let mut parts = id.splitn(3, '-');
    let _serial = parts.next()?;
    let channel = Channel::parse(parts.next()?)?;
    let rest = parts.next()?;
    let (to, range) = match rest.split_once('/') {
        Some((to, range)) => (to, range.parse().ok()?),
        None => (rest, 0),
    };
    Some((channel, to.to_string(), range))
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox::default()
    }

    /// (keys accepted once, keys accepted more than once).
    pub fn stats(&self) -> (usize, usize) {
        let s = self.state.lock().expect("sandbox lock");
        let once = s.accepted.values().filter(|n| **n == 1).count();
        (once, s.accepted.len() - once)
    }
}

impl Provider for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn submit<'a>(
        &'a self,
        _group_id: Option<&'a str>,
        batch: &'a [Outgoing],
    ) -> BoxFuture<'a, Result<Vec<Submitted>, ProviderError>> {
        Box::pin(async move {
            let mut s = self.state.lock().expect("sandbox lock");
            let mut out = Vec::with_capacity(batch.len());
            for m in batch {
                if !m.to.starts_with("+82") {
                    out.push(Submitted::Rejected(Reason::BadNumber.into()));
                    continue;
                }
                *s.accepted.entry(m.idempotency_key.clone()).or_default() += 1;
                // The id carries what decides the fate, so a later process (another `maeul
                // sync`) can answer for messages an earlier one accepted.
                let mut id = format!(
                    "SB{:08}-{}-{}",
                    s.messages.len() + 1,
                    m.channel.as_str(),
                    m.to
                );
                if let Some(k) = &m.keypad {
                    id.push_str(&format!("/{}", k.range));
                }
                s.messages.insert(id.clone(), (m.channel, m.to.clone()));
                s.by_key.insert(m.idempotency_key.clone(), id.clone());
                out.push(Submitted::Accepted { message_id: id });
            }
            Ok(out)
        })
    }

    fn status<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Receipt>, ProviderError>> {
        Box::pin(async move {
            let s = self.state.lock().expect("sandbox lock");
            Ok(messages
                .iter()
                .map(|m| &m.message_id)
                .map(|id| match s.messages.get(id) {
                    Some((channel, to)) => fate(*channel, to),
                    None => from_id(id).map_or(
                        Receipt::Failed(Reason::ProviderError.into()),
                        |(c, to, _)| fate(c, &to),
                    ),
                })
                .collect())
        })
    }

    fn replies<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Reply>, ProviderError>> {
        Box::pin(async move {
            Ok(messages
                .iter()
                .map(|m| match from_id(&m.message_id) {
                    Some((Channel::Voice, to, range)) if range > 0 => reply(&to, range),
                    _ => Reply::Nothing,
                })
                .collect())
        })
    }

    fn find<'a>(
        &'a self,
        _group_id: Option<&'a str>,
        lookups: &'a [Lookup],
    ) -> BoxFuture<'a, Result<Vec<Found>, ProviderError>> {
        Box::pin(async move {
            let s = self.state.lock().expect("sandbox lock");
            Ok(lookups
                .iter()
                .map(|l| {
                    s.by_key
                        .get(&l.key)
                        .cloned()
                        .map_or(Found::Absent, Found::Sent)
                })
                .collect())
        })
    }
}
