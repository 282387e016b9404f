//! The CAP 1.2 elements the desk writes and reads, in the schema's order (the serializer
//! writes fields in declaration order, and CAP's XML schema is a sequence). Elements the
//! desk has no use for (polygons, resources, parameters …) are skipped when read.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "alert")]
pub struct Alert {
    #[serde(rename = "@xmlns", default)]
    pub xmlns: String,
    #[serde(default)]
    pub identifier: String,
    #[serde(default)]
    pub sender: String,
    /// `YYYY-MM-DDThh:mm:ss+09:00` (CAP forbids "Z").
    #[serde(default)]
    pub sent: String,
    #[serde(default)]
    pub status: String,
    #[serde(rename = "msgType", default)]
    pub msg_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub scope: String,
    #[serde(rename = "code", default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Earlier alerts this one updates or cancels: "sender,identifier,sent" separated by
    /// spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<String>,
    #[serde(rename = "info", default, skip_serializing_if = "Vec::is_empty")]
    pub infos: Vec<Info>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(rename = "category", default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub certainty: String,
    #[serde(rename = "eventCode", default, skip_serializing_if = "Vec::is_empty")]
    pub event_codes: Vec<ValuePair>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(
        rename = "senderName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sender_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    #[serde(rename = "area", default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
}

impl Info {
    /// The first event code the Korean profile names (HRA, EQK …).
    pub fn event_code(&self) -> Option<&str> {
        self.event_codes
            .iter()
            .find(|c| c.value_name == super::EVENT_CODE_NAME)
            .map(|c| c.value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    #[serde(rename = "areaDesc", default)]
    pub area_desc: String,
    #[serde(rename = "geocode", default, skip_serializing_if = "Vec::is_empty")]
    pub geocodes: Vec<ValuePair>,
}

/// CAP's `<valueName>`/`<value>` pair (eventCode, geocode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuePair {
    #[serde(rename = "valueName", default)]
    pub value_name: String,
    #[serde(default)]
    pub value: String,
}

impl ValuePair {
    pub fn new(value_name: &str, value: impl Into<String>) -> ValuePair {
        ValuePair {
            value_name: value_name.into(),
            value: value.into(),
        }
    }
}
