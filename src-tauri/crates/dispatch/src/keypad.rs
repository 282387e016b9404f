//! Answers by keypad: every voice call asks the resident to press 1 once they have heard it,
//! and a broadcast may carry a poll instead (2–5 answers, "참석은 1번, 불참은 2번"). What
//! the call says, what the provider is told (Solapi's `replyRange`, Twilio's `<Gather>`), and
//! what a provider can answer about a call afterwards.

use serde::{Deserialize, Serialize};

use crate::DispatchError;

pub const ANSWERS_MIN: usize = 2;
pub const ANSWERS_MAX: usize = 5;
pub const QUESTION_MAX: usize = 100;
pub const ANSWER_MAX: usize = 20;

/// What the call says when the broadcast carries no poll.
pub const CONFIRM_PROMPT: &str = "들으셨으면 1번을 눌러 주세요.";

/// A question residents answer by keypad: answer *n* is digit *n*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Poll {
    pub question: String,
    pub answers: Vec<String>,
}

impl Poll {
    /// The poll as staff meant it (trimmed), or the field that is wrong.
    pub fn checked(&self) -> Result<Poll, DispatchError> {
        let question = self.question.trim();
        if question.is_empty() {
            return Err(DispatchError::invalid(
                "poll.question",
                "설문 질문을 적어 주세요",
            ));
        }
        if question.chars().count() > QUESTION_MAX {
            return Err(DispatchError::invalid(
                "poll.question",
                format!("설문 질문은 {QUESTION_MAX}자까지입니다"),
            ));
        }
        let answers: Vec<String> = self.answers.iter().map(|a| a.trim().to_string()).collect();
        if !(ANSWERS_MIN..=ANSWERS_MAX).contains(&answers.len()) {
            return Err(DispatchError::invalid(
                "poll.answers",
                format!("설문 답은 {ANSWERS_MIN}~{ANSWERS_MAX}개입니다"),
            ));
        }
        for (i, a) in answers.iter().enumerate() {
            let field = format!("poll.answers[{}]", i + 1);
            if a.is_empty() {
                return Err(DispatchError::invalid(
                    &field,
                    format!("{}번 답을 적어 주세요", i + 1),
                ));
            }
            if a.chars().count() > ANSWER_MAX {
                return Err(DispatchError::invalid(
                    &field,
                    format!("{}번 답은 {ANSWER_MAX}자까지입니다", i + 1),
                ));
            }
            if answers[..i].contains(a) {
                return Err(DispatchError::invalid(
                    &field,
                    format!("{}번 답이 앞의 답과 같습니다: {a}", i + 1),
                ));
            }
        }
        Ok(Poll {
            question: question.to_string(),
            answers,
        })
    }

    /// What the call says after the message: "모임에 오시나요? 참석은 1번, 불참은 2번을 눌러
    /// 주세요."
    pub fn prompt(&self) -> String {
        let choices: Vec<String> = self
            .answers
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{a}{} {}번", topic_particle(a), i + 1))
            .collect();
        format!("{} {}을 눌러 주세요.", self.question, choices.join(", "))
    }
}

/// 은 after a final consonant, 는 after a vowel (and after anything not Hangul).
fn topic_particle(word: &str) -> &'static str {
    match word.chars().last() {
        Some(c @ '가'..='힣') if !(c as u32 - '가' as u32).is_multiple_of(28) => "은",
        _ => "는",
    }
}

/// The keypad question a voice call carries: the digits it accepts (1 to `range`) and the
/// words that ask for them, said after the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keypad {
    pub range: u8,
    pub prompt: String,
}

impl Keypad {
    pub fn for_poll(poll: Option<&Poll>) -> Keypad {
        match poll {
            Some(p) => Keypad {
                range: p.answers.len() as u8,
                prompt: p.prompt(),
            },
            None => Keypad {
                range: 1,
                prompt: CONFIRM_PROMPT.to_string(),
            },
        }
    }
}

/// What a provider knows of an answered call's keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// The resident pressed this digit (0: a key in range, the provider did not say which).
    Pressed(u8),
    /// The call is over and nothing was pressed.
    Nothing,
    /// Not known yet (Twilio keeps a call's requests only from some minutes after it ends):
    /// ask again later.
    NotYet,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(q: &str, answers: &[&str]) -> Poll {
        Poll {
            question: q.into(),
            answers: answers.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn a_poll_says_each_answer_with_its_digit_and_particle() {
        let p = poll(" 마을 총회에 오시나요? ", &["참석", "불참", "모름"])
            .checked()
            .unwrap();
        assert_eq!(
            p.prompt(),
            "마을 총회에 오시나요? 참석은 1번, 불참은 2번, 모름은 3번을 눌러 주세요."
        );
        assert_eq!(
            poll("오실 건가요?", &["네", "아니요"]).prompt(),
            "오실 건가요? 네는 1번, 아니요는 2번을 눌러 주세요."
        );
        let k = Keypad::for_poll(Some(&p));
        assert_eq!(k.range, 3);
        assert_eq!(Keypad::for_poll(None).range, 1);
        assert_eq!(Keypad::for_poll(None).prompt, CONFIRM_PROMPT);
    }

    #[test]
    fn a_bad_poll_names_the_field() {
        let field = |p: Poll| match p.checked() {
            Err(DispatchError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(poll(" ", &["a", "b"])), "poll.question");
        assert_eq!(field(poll("q", &["a"])), "poll.answers");
        assert_eq!(
            field(poll("q", &["a", "b", "c", "d", "e", "f"])),
            "poll.answers"
        );
        assert_eq!(field(poll("q", &["a", " "])), "poll.answers[2]");
        assert_eq!(field(poll("q", &["참석", "참석 "])), "poll.answers[2]");
        assert_eq!(
            field(poll("q", &["a", &"가".repeat(21)])),
            "poll.answers[2]"
        );
    }
}
