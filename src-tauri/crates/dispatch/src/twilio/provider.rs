//! Twilio as a [`Provider`]: submit, look up after a crash, fetch receipts.

use std::collections::HashSet;

use futures_util::future::join_all;

use super::*;

impl Provider for Twilio {
    fn name(&self) -> &'static str {
        "twilio"
    }

    /// Twilio has no KakaoTalk.
    fn carries(&self, channel: Channel) -> bool {
        channel != Channel::Kakao
    }

    fn check(&self) -> BoxFuture<'_, Result<String, ProviderError>> {
        Box::pin(async move {
            let url = format!(
                "{}/2010-04-01/Accounts/{}.json",
                self.cfg.base_url.trim_end_matches('/'),
                self.cfg.account_sid
            );
            match self.send(self.http.get(url)).await? {
                Answer::Ok(a) => Ok(format!(
                    "Twilio 계정 {} ({})",
                    a["friendly_name"].as_str().unwrap_or("?"),
                    a["status"].as_str().unwrap_or("?")
                )),
                Answer::Refused(code) => Err(ProviderError::Refused(format!(
                    "계정을 찾을 수 없습니다 ({code})"
                ))),
            }
        })
    }

    /// The mark a restart recognises this batch by: when it began, on Twilio's clock (the
    /// last `Date` seen; a minute earlier, for a clock learned a while ago).
    fn open_group(&self) -> BoxFuture<'_, Result<Option<String>, ProviderError>> {
        Box::pin(async move {
            let start = self.now() - SignedDuration::from_secs(60);
            Ok(Some(format!("{MARK}{}", start.as_second())))
        })
    }

    fn submit<'a>(
        &'a self,
        _group_id: Option<&'a str>,
        batch: &'a [Outgoing],
    ) -> BoxFuture<'a, Result<Vec<Submitted>, ProviderError>> {
        Box::pin(async move {
            let mut answers: Vec<Submitted> = Vec::with_capacity(batch.len());
            let mut stopped: Option<ProviderError> = None;
            for chunk in batch.chunks(IN_FLIGHT) {
                // Once Twilio cannot be reached, asks us to slow down or refuses the login,
                // the rest of the batch is not tried this pass. (A 5xx or a cut answer
                // leaves that one message to be looked up; the others go on.)
                if let Some(e) = &stopped {
                    answers.extend(chunk.iter().map(|_| Submitted::NotSent(e.clone())));
                    continue;
                }
                let got = join_all(chunk.iter().map(|m| self.submit_one(m))).await;
                stopped = got.iter().find_map(|a| match a {
                    Submitted::NotSent(e) => Some(e.clone()),
                    _ => None,
                });
                answers.extend(got);
            }
            // Credentials refused: say so once for the batch instead of per row.
            if let Some(e @ ProviderError::Refused(_)) = &stopped
                && answers.iter().all(|a| matches!(a, Submitted::NotSent(_)))
            {
                return Err(e.clone());
            }
            Ok(answers)
        })
    }

    fn status<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Receipt>, ProviderError>> {
        Box::pin(async move {
            // Many at once: list what our number sent since the oldest batch began, a
            // thousand a page, instead of one request per message.
            if messages.len() > FETCH_ONE_BY_ONE {
                let since = messages
                    .iter()
                    .filter_map(|m| mark(m.group_id.as_deref()))
                    .min()
                    .unwrap_or_else(|| self.now() - SignedDuration::from_hours(24));
                let mut known = std::collections::HashMap::new();
                // As for single fetches: the provider is down only when no listing answered.
                let mut failure = None;
                let mut listed = false;
                for channel in [Channel::Sms, Channel::Voice] {
                    if messages
                        .iter()
                        .any(|m| channel_of(&m.message_id) == channel)
                    {
                        match self.listed_since(channel, since).await {
                            Ok(l) => {
                                listed = true;
                                known.extend(l);
                            }
                            Err(e) => failure = Some(e),
                        }
                    }
                }
                if let (false, Some(e)) = (listed, failure) {
                    return Err(e);
                }
                return Ok(messages
                    .iter()
                    .map(|m| match known.get(&m.message_id) {
                        Some((status, code)) => receipt(channel_of(&m.message_id), status, *code),
                        None => Receipt::InProgress,
                    })
                    .collect());
            }
            let mut answers = Vec::with_capacity(messages.len());
            for chunk in messages.chunks(IN_FLIGHT) {
                answers.extend(join_all(chunk.iter().map(|m| self.status_one(m))).await);
            }
            // Like Solapi's: only when nothing answered is the provider reported down; the
            // rest stay in progress and are asked again next pass.
            if answers.iter().all(Result::is_err)
                && let Some(Err(e)) = answers.first()
            {
                return Err(e.clone());
            }
            Ok(answers
                .into_iter()
                .map(|a| a.unwrap_or(Receipt::InProgress))
                .collect())
        })
    }

    fn replies<'a>(
        &'a self,
        messages: &'a [MessageRef],
    ) -> BoxFuture<'a, Result<Vec<Reply>, ProviderError>> {
        Box::pin(async move {
            let mut answers = Vec::with_capacity(messages.len());
            for chunk in messages.chunks(IN_FLIGHT) {
                answers.extend(join_all(chunk.iter().map(|m| self.reply_one(m))).await);
            }
            if answers.iter().all(Result::is_err)
                && let Some(Err(e)) = answers.first()
            {
                return Err(e.clone());
            }
            Ok(answers
                .into_iter()
                .map(|a| a.unwrap_or(Reply::NotYet))
                .collect())
        })
    }

    fn find<'a>(
        &'a self,
        group_id: Option<&'a str>,
        lookups: &'a [Lookup],
    ) -> BoxFuture<'a, Result<Vec<Found>, ProviderError>> {
        Box::pin(async move {
            let Some(since) = mark(group_id) else {
                return Ok(vec![Found::Absent; lookups.len()]);
            };
            // Two rows of one batch to the same number and channel (two broadcasts) each
            // claim a different message, oldest first.
            let mut claimed = HashSet::new();
            let mut found = Vec::with_capacity(lookups.len());
            let mut stopped: Option<ProviderError> = None;
            for l in lookups {
                if stopped.is_some() {
                    found.push(Found::Unknown);
                    continue;
                }
                let mut sent = match self.sent_to(&l.to, l.channel).await {
                    Ok(sent) => sent,
                    // This number is asked again next pass; the others go on unless Twilio
                    // is down, slowing us or refusing the login.
                    Err(f) => {
                        if f.before_sending
                            || matches!(
                                f.error,
                                ProviderError::RateLimited { .. } | ProviderError::Refused(_)
                            )
                        {
                            stopped = Some(f.error);
                        }
                        found.push(Found::Unknown);
                        continue;
                    }
                };
                sent.sort_by_key(|(_, at)| *at);
                // A retry is looked for after its previous attempt, which is never it.
                let after = l
                    .previous
                    .as_ref()
                    .and_then(|p| sent.iter().find(|(sid, _)| sid == p))
                    .map_or(since, |(_, at)| since.max(*at));
                let hit = sent.into_iter().find(|(sid, at)| {
                    *at >= after && !claimed.contains(sid) && Some(sid) != l.previous.as_ref()
                });
                found.push(match hit {
                    Some((sid, _)) => {
                        claimed.insert(sid.clone());
                        Found::Sent(sid)
                    }
                    None => Found::Absent,
                });
            }
            match stopped {
                Some(e) if found.iter().all(|f| *f == Found::Unknown) => Err(e),
                _ => Ok(found),
            }
        })
    }
}
