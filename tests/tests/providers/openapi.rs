//! The requests the Twilio client sends, as the fake received them, checked against Twilio's
//! published OpenAPI description of `Calls.json` and `Messages.json` (the two operations,
//! transcribed in `tests/fixtures/twilio_api_v2010_create.json`): path and account SID,
//! method, content type, Basic auth, every parameter declared with its type, format, enum and
//! pattern, the required ones present, and the one-of rules.

use std::collections::HashMap;

use maeul_dispatch::fanout::Channel;
use maeul_dispatch::provider::{Outgoing, Provider, Submitted};
use maeul_dispatch::secret::Secret;
use maeul_dispatch::twilio::{Twilio, TwilioConfig};
use maeul_fake_provider::{Config, TWILIO_SID};
use serde_json::Value;

use crate::common::start;

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/twilio_api_v2010_create.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// One request as sent: method, path, content type, auth scheme, form pairs.
struct Request {
    method: String,
    path: String,
    content_type: String,
    auth: String,
    form: Vec<(String, String)>,
}

impl Request {
    fn from_json(v: &Value) -> Request {
        Request {
            method: v["method"].as_str().unwrap().into(),
            path: v["path"].as_str().unwrap().into(),
            content_type: v["content_type"].as_str().unwrap().into(),
            auth: v["authorization"].as_str().unwrap().into(),
            form: v["form"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
        }
    }
}

fn e164(v: &str) -> bool {
    v.strip_prefix('+').is_some_and(|d| {
        (2..=15).contains(&d.len()) && !d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Tags open and close in order (enough to catch a broken TwiML; the fake checks the rest).
fn balanced_xml(s: &str) -> bool {
    let mut stack = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            return false;
        };
        let tag = &rest[start + 1..start + end];
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop() != Some(name.to_string()) {
                return false;
            }
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        rest = &rest[start + end + 1..];
    }
    stack.is_empty()
}

fn check_value(name: &str, schema: &Value, v: &str, errors: &mut Vec<String>) {
    let mut fail = |why: &str| errors.push(format!("{name}={v:?}: {why}"));
    match schema["type"].as_str().unwrap_or("string") {
        "integer" if v.parse::<i64>().is_err() => fail("not an integer"),
        "number" if v.parse::<f64>().is_err() => fail("not a number"),
        "boolean" if v != "true" && v != "false" => fail("not a boolean"),
        _ => {}
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.iter().any(|e| e.as_str() == Some(v))
    {
        fail("not one of the enum");
    }
    let chars = v.chars().count() as u64;
    if schema["minLength"].as_u64().is_some_and(|m| chars < m)
        || schema["maxLength"].as_u64().is_some_and(|m| chars > m)
    {
        fail("length out of bounds");
    }
    if let Some(p) = schema["pattern"].as_str()
        && !regex::Regex::new(p).unwrap().is_match(v)
    {
        fail("does not match the pattern");
    }
    match schema["format"].as_str() {
        Some("phone-number") if !e164(v) => fail("not an E.164 phone number"),
        Some("endpoint") if !(e164(v) || v.starts_with("client:") || v.starts_with("sip:")) => {
            fail("not a phone number, client or SIP address");
        }
        Some("uri") if reqwest::Url::parse(v).is_err() => fail("not a URI"),
        Some("date-time") if v.parse::<jiff::Timestamp>().is_err() => fail("not a date-time"),
        Some("twiml") if !(v.starts_with("<Response>") && balanced_xml(v)) => {
            fail("not a TwiML document");
        }
        _ => {}
    }
}

fn snake_to_pascal(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Every way the request departs from the description; empty when it conforms.
fn violations(spec: &Value, r: &Request) -> Vec<String> {
    let mut errors = Vec::new();
    let Some((template, item)) = spec["paths"].as_object().unwrap().iter().find(|(t, _)| {
        let (a, b): (Vec<&str>, Vec<&str>) = (t.split('/').collect(), r.path.split('/').collect());
        a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.starts_with('{') || x == y)
    }) else {
        return vec![format!("no such path: {}", r.path)];
    };
    for (t, actual) in template.split('/').zip(r.path.split('/')) {
        if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            check_value(
                name,
                &spec["x-maeul-path-parameters"][name],
                actual,
                &mut errors,
            );
        }
    }
    let Some(op) = item.get(r.method.to_lowercase()) else {
        return vec![format!("{} is not an operation of {template}", r.method)];
    };
    let content = op["requestBody"]["content"].as_object().unwrap();
    let (media, body) = content.iter().next().unwrap();
    if !r.content_type.starts_with(media.as_str()) {
        errors.push(format!("content type {} is not {media}", r.content_type));
    }
    let scheme = op["security"][0]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap();
    if spec["components"]["securitySchemes"][scheme]["scheme"] == "basic" && r.auth != "Basic" {
        errors.push(format!("authorization {:?} is not Basic", r.auth));
    }
    let schema = &body["schema"];
    let props = schema["properties"].as_object().unwrap();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (k, v) in &r.form {
        *seen.entry(k).or_default() += 1;
        let Some(p) = props.get(k) else {
            errors.push(format!("{k} is not a parameter of {}", op["operationId"]));
            continue;
        };
        if p["type"] == "array" {
            check_value(k, &p["items"], v, &mut errors);
        } else {
            check_value(k, p, v, &mut errors);
        }
        if let Some(max) = spec["x-maeul-limits"][k.as_str()]["maxLength"].as_u64()
            && v.chars().count() as u64 > max
        {
            errors.push(format!("{k} is longer than {max} characters"));
        }
    }
    for (k, n) in &seen {
        if *n > 1 && props.get(*k).is_some_and(|p| p["type"] != "array") {
            errors.push(format!("{k} is given {n} times"));
        }
    }
    for req in schema["required"].as_array().unwrap() {
        if !seen.contains_key(req.as_str().unwrap()) {
            errors.push(format!("required {req} is missing"));
        }
    }
    let mut groups: Vec<Vec<String>> = Vec::new();
    for g in op["x-twilio"]["conditional"]
        .as_array()
        .into_iter()
        .flatten()
    {
        groups.push(
            g.as_array()
                .unwrap()
                .iter()
                .map(|n| snake_to_pascal(n.as_str().unwrap()))
                .collect(),
        );
    }
    for g in op["x-maeul-documented"]["one_of"]
        .as_array()
        .into_iter()
        .flatten()
    {
        groups.push(
            g.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
                .collect(),
        );
    }
    for g in groups {
        if !g.iter().any(|n| seen.contains_key(n.as_str())) {
            errors.push(format!("one of {g:?} is required"));
        }
    }
    errors
}

fn outgoing(id: i64, channel: Channel, text: &str, recording: Option<&str>) -> Outgoing {
    Outgoing {
        delivery_id: id,
        channel,
        to: format!("+8210123400{id:02}"),
        subject: "마을 방송".into(),
        text: text.into(),
        recording: recording.map(str::to_string),
        idempotency_key: format!("k{id}"),
        keypad: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_requests_match_the_published_openapi_description() {
    let base = start(Config::default()).await;
    let twilio = Twilio::new(TwilioConfig {
        base_url: base.clone(),
        account_sid: TWILIO_SID.into(),
        auth_token: Secret::new("twilio-token"),
        from: "043-835-3233".into(),
        media_base_url: Some("https://media.example.kr/maeul".into()),
        requests_per_second: None,
    })
    .unwrap();
    let long = "가".repeat(600);
    let batch = vec![
        outgoing(1, Channel::Sms, "내일 오전 7시 <대청소> & 방역", None),
        outgoing(2, Channel::Sms, &long, None),
        outgoing(3, Channel::Voice, "들으세요 \"긴급\" 'A&B'", None),
        outgoing(
            4,
            Channel::Voice,
            "녹음 방송",
            Some("/data/recordings/b42-8k.wav"),
        ),
    ];
    let answers = twilio.submit(None, &batch).await.unwrap();
    assert!(
        answers
            .iter()
            .all(|a| matches!(a, Submitted::Accepted { .. })),
        "{answers:?}"
    );
    let sent: Value = reqwest::get(format!("{base}/__twilio/requests"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent: Vec<Request> = sent
        .as_array()
        .unwrap()
        .iter()
        .map(Request::from_json)
        .collect();
    assert_eq!(sent.len(), 4);
    let spec = spec();
    for r in &sent {
        let v = violations(&spec, r);
        assert!(v.is_empty(), "{} {:?}: {v:?}", r.path, r.form);
    }
    let twiml = |to: &str| {
        let r = sent
            .iter()
            .find(|r| r.form.contains(&("To".to_string(), to.to_string())))
            .unwrap();
        r.form.iter().find(|(k, _)| k == "Twiml").unwrap().1.clone()
    };
    assert!(
        twiml("+821012340004").contains("<Play>https://media.example.kr/maeul/b42-8k.wav</Play>")
    );
    assert!(twiml("+821012340003").contains("&quot;긴급&quot;"));
}

#[test]
fn the_check_refuses_what_twilio_would() {
    let spec = spec();
    let path = |r: &str| format!("/2010-04-01/Accounts/{TWILIO_SID}/{r}");
    let good = || Request {
        method: "POST".into(),
        path: path("Calls.json"),
        content_type: "application/x-www-form-urlencoded".into(),
        auth: "Basic".into(),
        form: vec![
            ("To".into(), "+821012345678".into()),
            ("From".into(), "+82438353233".into()),
            (
                "Twiml".into(),
                "<Response><Say>안녕</Say></Response>".into(),
            ),
        ],
    };
    assert_eq!(violations(&spec, &good()), Vec::<String>::new());
    type Break<'a> = Box<dyn Fn(&mut Request) + 'a>;
    let broken: Vec<(&str, Break<'_>)> = vec![
        (
            "unknown parameter",
            Box::new(|r| r.form.push(("Foo".into(), "1".into()))),
        ),
        (
            "missing To",
            Box::new(|r| r.form.retain(|(k, _)| k != "To")),
        ),
        (
            "national number",
            Box::new(|r| r.form[0].1 = "010-1234-5678".into()),
        ),
        (
            "no TwiML or Url",
            Box::new(|r| r.form.retain(|(k, _)| k != "Twiml")),
        ),
        (
            "broken TwiML",
            Box::new(|r| r.form[2].1 = "<Response><Say>x</Response>".into()),
        ),
        (
            "JSON body",
            Box::new(|r| r.content_type = "application/json".into()),
        ),
        ("bearer auth", Box::new(|r| r.auth = "Bearer".into())),
        (
            "bad account",
            Box::new(|r| r.path = "/2010-04-01/Accounts/XY1/Calls.json".into()),
        ),
        (
            "wrong method enum",
            Box::new(|r| r.form.push(("Method".into(), "PUT".into()))),
        ),
        (
            "integer",
            Box::new(|r| r.form.push(("Timeout".into(), "soon".into()))),
        ),
        (
            "no body",
            Box::new(|r| {
                r.path = path("Messages.json");
                r.form.retain(|(k, _)| k != "Twiml");
            }),
        ),
    ];
    for (what, f) in broken {
        let mut r = good();
        f(&mut r);
        assert!(!violations(&spec, &r).is_empty(), "{what} passed the check");
    }
}
