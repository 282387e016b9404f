//! Escalation: per broadcast category, a ladder the office sets. A voice broadcast whose
//! households have not confirmed (pressed a key) after so many minutes goes on to a text
//! (SMS or KakaoTalk) to those households, then to each village chief's call list with the
//! households still unconfirmed. The steps are planned with the broadcast, shown as a
//! timeline on its progress, and staff can stop the rest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DispatchError;
use crate::broadcast::Category;

mod run;
pub use run::{Step, StepState, plan, run, stop, timeline};

/// The setting holding every category's ladder, as JSON.
pub const SETTING: &str = "dispatch.escalation";
pub const STEPS_MAX: usize = 4;
/// A day: a ladder is for the hours after a broadcast, not for next week.
pub const AFTER_MAX: u32 = 24 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A text to the unconfirmed households' numbers.
    Sms,
    /// A KakaoTalk message to them (a text where KakaoTalk does not reach).
    Kakao,
    /// Each village chief gets the list of their unconfirmed households, to call.
    Chief,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Sms => "sms",
            Action::Kakao => "kakao",
            Action::Chief => "chief",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        [Action::Sms, Action::Kakao, Action::Chief]
            .into_iter()
            .find(|a| a.as_str() == s)
    }

    pub fn label_ko(self) -> &'static str {
        match self {
            Action::Sms => "문자",
            Action::Kakao => "카카오톡",
            Action::Chief => "이장님 전화 명단",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Rung {
    /// Minutes after the broadcast starts sending.
    pub after_mins: u32,
    pub action: Action,
}

/// Every category's ladder; a category without one does not escalate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Ladders(pub BTreeMap<String, Vec<Rung>>);

impl Ladders {
    /// The ladders as stored, checked; a value that does not read is an error naming the
    /// setting, never an empty ladder.
    pub fn parse(json: &str) -> Result<Ladders, DispatchError> {
        let l: Ladders = serde_json::from_str(json).map_err(|e| {
            DispatchError::invalid(SETTING, format!("단계 설정을 읽을 수 없습니다: {e}"))
        })?;
        l.checked()
    }

    /// Each ladder: known categories, at most [`STEPS_MAX`] steps, each later than the one
    /// before and within [`AFTER_MAX`] minutes; empty ladders dropped.
    pub fn checked(self) -> Result<Ladders, DispatchError> {
        let mut out = BTreeMap::new();
        for (category, rungs) in self.0 {
            let Some(c) = Category::parse(&category) else {
                return Err(DispatchError::invalid(
                    SETTING,
                    format!("모르는 분류입니다: {category}"),
                ));
            };
            let field = |i: usize| format!("{SETTING}.{}[{}]", c.as_str(), i + 1);
            if rungs.len() > STEPS_MAX {
                return Err(DispatchError::invalid(
                    format!("{SETTING}.{}", c.as_str()),
                    format!("{}: 단계는 {STEPS_MAX}개까지입니다", c.label()),
                ));
            }
            for (i, r) in rungs.iter().enumerate() {
                if r.after_mins == 0 || r.after_mins > AFTER_MAX {
                    return Err(DispatchError::invalid(
                        field(i),
                        format!(
                            "{} {}단계: 1분부터 {AFTER_MAX}분 사이로 적어 주세요",
                            c.label(),
                            i + 1
                        ),
                    ));
                }
                if i > 0 && r.after_mins <= rungs[i - 1].after_mins {
                    return Err(DispatchError::invalid(
                        field(i),
                        format!(
                            "{} {}단계: 앞 단계({}분)보다 늦어야 합니다",
                            c.label(),
                            i + 1,
                            rungs[i - 1].after_mins
                        ),
                    ));
                }
            }
            if !rungs.is_empty() {
                out.insert(c.as_str().to_string(), rungs);
            }
        }
        Ok(Ladders(out))
    }

    pub fn of(&self, category: Category) -> &[Rung] {
        self.0.get(category.as_str()).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(json: &str) -> String {
        match Ladders::parse(json) {
            Err(DispatchError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ladders_read_back_and_bad_steps_name_their_place() {
        let l = Ladders::parse(
            r#"{"emergency":[{"after_mins":10,"action":"sms"},{"after_mins":30,"action":"chief"}],
                "admin":[]}"#,
        )
        .unwrap();
        assert_eq!(l.of(Category::Emergency).len(), 2);
        assert!(l.of(Category::Admin).is_empty());
        assert!(!l.0.contains_key("admin"), "empty ladders are dropped");
        assert_eq!(
            field(
                r#"{"emergency":[{"after_mins":10,"action":"sms"},{"after_mins":10,"action":"chief"}]}"#
            ),
            "dispatch.escalation.emergency[2]"
        );
        assert_eq!(
            field(r#"{"emergency":[{"after_mins":0,"action":"sms"}]}"#),
            "dispatch.escalation.emergency[1]"
        );
        assert_eq!(field(r#"{"weather":[]}"#), "dispatch.escalation");
        assert_eq!(
            field(r#"{"emergency":[{"after_mins":5,"action":"fax"}]}"#),
            "dispatch.escalation"
        );
        assert_eq!(field("[1, 2"), "dispatch.escalation");
    }
}
