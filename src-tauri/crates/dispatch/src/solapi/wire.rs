//! The JSON of the Solapi requests and answers the client sends and reads, as typed
//! structs: a county-wide send writes and reads tens of thousands of these a minute, and
//! building each as a `serde_json::Value` (a map per object) was most of the client's work.
//! Fields the client does not read are skipped by serde without being kept.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// One message of an "add messages" request.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message<'a> {
    pub to: String,
    pub from: &'a str,
    /// A call's text carries its keypad question after the message.
    pub text: Cow<'a, str>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub custom_fields: CustomFields<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_options: Option<VoiceOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kakao_options: Option<KakaoOptions<'a>>,
}

#[derive(Serialize)]
pub struct CustomFields<'a> {
    /// [`super::KEY_FIELD`]: the idempotency key, found again after a crash.
    #[serde(rename = "maeulKey")]
    pub key: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceOptions {
    pub voice_type: &'static str,
    /// The digits (1 to this) the call accepts after the text: what it reports back as
    /// `voiceReplied`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_range: Option<u8>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KakaoOptions<'a> {
    pub pf_id: &'a str,
    pub template_id: &'a str,
    pub disable_sms: bool,
    pub variables: KakaoVariables<'a>,
}

#[derive(Serialize)]
pub struct KakaoVariables<'a> {
    #[serde(rename = "#{제목}")]
    pub title: &'a str,
    #[serde(rename = "#{내용}")]
    pub body: &'a str,
}

#[derive(Serialize)]
pub struct AddMessages<'a> {
    pub messages: Vec<&'a Message<'a>>,
}

/// The answer to "add messages": one result per message, in order.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Added {
    #[serde(default)]
    pub result_list: Vec<AddedMessage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddedMessage {
    #[serde(default)]
    pub status_code: Option<String>,
    #[serde(default)]
    pub message_id: Option<String>,
}

/// One page of the message list.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    #[serde(default)]
    pub next_key: Option<String>,
    #[serde(default)]
    pub message_list: HashMap<String, Listed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub status_code: Option<String>,
    #[serde(default)]
    pub custom_fields: Option<ListedFields>,
    /// Whether the resident pressed a digit in `replyRange`: a boolean, or 0/1 (Solapi's SDKs
    /// read both).
    #[serde(default)]
    pub voice_replied: Option<serde_json::Value>,
    /// Which digit. Not in Solapi's published message schema: the name is the one a public
    /// integration reads; without it a reply counts as confirmed, its answer unknown (0).
    #[serde(default)]
    pub reply_key: Option<serde_json::Value>,
}

#[derive(Deserialize)]
pub struct ListedFields {
    #[serde(rename = "maeulKey", default)]
    pub key: Option<String>,
}

/// `{}`: the body of "create group" and "send group".
#[derive(Serialize)]
pub struct Empty {}
