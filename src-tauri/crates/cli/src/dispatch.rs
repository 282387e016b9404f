//! `maeul broadcast …`, `maeul sync`, `maeul settings set`: the dispatch use cases for
//! scripts and the crash tests, through the same `Desk` as the app.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;

use maeul_api::{Actor, ApiError, Desk};
use maeul_dispatch::broadcast::{Category, NewBroadcast, Targets, Translation};
use maeul_dispatch::fanout::Channel;
use maeul_dispatch::keypad::Poll;
use maeul_dispatch::providers::ProviderSettings;
use maeul_dispatch::secret::Secret;
use maeul_registry::Language;

#[derive(Subcommand)]
pub enum BroadcastCommand {
    /// Queue a broadcast; prints its id. The sync worker (`maeul sync`) sends it.
    Send {
        #[arg(long)]
        text: String,
        /// Defaults to the first line of the text.
        #[arg(long)]
        title: Option<String>,
        /// An audio file (WAV, MP3, OGG) for the voice calls: taken in as a recording
        /// (normalised, with its 8 kHz telephone rendition) and attached.
        #[arg(long, conflicts_with = "recording")]
        audio: Option<PathBuf>,
        /// A console recording (id from `maeul recording list`) for the voice calls.
        #[arg(long)]
        recording: Option<i64>,
        /// `all`, or village names / codes separated by commas ("사곡리" or "증평읍 사곡리").
        #[arg(long, required_unless_present = "groups", conflicts_with = "groups")]
        villages: Option<String>,
        /// Registry group names separated by commas (see `maeul group list`).
        #[arg(long)]
        groups: Option<String>,
        /// voice,sms,kakao
        #[arg(long, default_value = "sms")]
        channels: String,
        /// admin, village_news, emergency, education_event
        #[arg(long, default_value = "admin")]
        category: String,
        #[arg(long)]
        emergency: bool,
        /// When to send: "2026-11-27 09:00" (Seoul) or RFC 3339.
        #[arg(long)]
        at: Option<String>,
        /// A question the voice calls ask, answered by keypad: "질문|답1|답2[|…]" (2–5
        /// answers; answer n is key n). Without it calls ask to press 1 once heard.
        #[arg(long)]
        poll: Option<String>,
        /// The text in another language, sent instead of the Korean one to subscribers who
        /// read it: "vi=Thông báo…" (vi, en, tl); repeat for more languages.
        #[arg(long = "translation", value_name = "LANG=TEXT")]
        translations: Vec<String>,
    },
    /// What residents pressed: households that confirmed, and a poll's tallies per village.
    Replies {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Counts per channel and state; `--csv FILE` writes one line per delivery, `--pdf FILE`
    /// the printable report with the households not reached.
    Report {
        id: i64,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        csv: Option<PathBuf>,
        #[arg(long)]
        pdf: Option<PathBuf>,
    },
    /// The broadcast as a CAP 1.2 alert (Korean profile) for the county's 통합경보 system.
    Cap {
        id: i64,
        #[arg(long)]
        out: PathBuf,
    },
    /// The history, newest first.
    List,
}

fn parse_channels(s: &str) -> Result<Vec<Channel>, ApiError> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| match c {
            "voice" => Ok(Channel::Voice),
            "sms" | "lms" => Ok(Channel::Sms),
            "kakao" => Ok(Channel::Kakao),
            other => Err(ApiError::invalid(
                "channels",
                format!("모르는 발송 수단입니다: {other} (voice, sms, kakao)"),
            )),
        })
        .collect()
}

async fn parse_groups(desk: &Desk, actor: &Actor, s: &str) -> Result<Targets, ApiError> {
    let mut ids = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        ids.push(crate::groups::group_named(desk, actor, name).await?.id);
    }
    Ok(Targets::Groups(ids))
}

async fn parse_villages(desk: &Desk, actor: &Actor, s: &str) -> Result<Targets, ApiError> {
    if s.trim() == "all" {
        return Ok(Targets::All);
    }
    let ids = desk
        .villages_named(actor, s)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    Ok(Targets::Villages(ids))
}

pub async fn broadcast(
    desk: &Desk,
    actor: &Actor,
    command: BroadcastCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        BroadcastCommand::Send {
            text,
            title,
            audio,
            recording,
            villages,
            groups,
            channels,
            category,
            emergency,
            at,
            poll,
            translations,
        } => {
            let category = Category::parse(&category).ok_or_else(|| {
                ApiError::invalid(
                    "category",
                    format!("모르는 분류입니다: {category} (admin, village_news, emergency, education_event)"),
                )
            })?;
            if let Some(a) = &audio
                && !a.is_file()
            {
                return Err(ApiError::invalid(
                    "audio",
                    format!("파일이 없습니다: {}", a.display()),
                ));
            }
            let title = title
                .unwrap_or_else(|| text.lines().next().unwrap_or("").chars().take(40).collect());
            let recording_id = match &audio {
                Some(file) => {
                    let r = desk.recording_import(actor, file, &title).await?;
                    eprintln!(
                        "녹음 {}: {:.1} 초, {:.1} LUFS, 전화용 {:.1} dBm0",
                        r.id,
                        r.duration_ms.unwrap_or(0) as f64 / 1000.0,
                        r.archive_lufs.unwrap_or(f64::NAN),
                        r.telephony_dbm0.unwrap_or(f64::NAN)
                    );
                    Some(r.id)
                }
                None => recording,
            };
            let b = NewBroadcast {
                title,
                category,
                body: text,
                recording_id,
                targets: match (&villages, &groups) {
                    (_, Some(g)) => parse_groups(desk, actor, g).await?,
                    (Some(v), None) => parse_villages(desk, actor, v).await?,
                    // clap requires one of the two.
                    (None, None) => Targets::Villages(Vec::new()),
                },
                channels: parse_channels(&channels)?,
                emergency,
                send_at: at,
                poll: poll.as_deref().map(parse_poll),
                translations: translations
                    .iter()
                    .map(|t| parse_translation(t))
                    .collect::<Result<_, _>>()?,
            };
            let created = desk.broadcast_send(actor, b).await?;
            let s = &created.summary;
            eprintln!(
                "마을 {} · 세대 {} · 수신자 {} · {}",
                s.villages,
                s.households,
                s.subscribers,
                s.per_channel
                    .iter()
                    .map(|c| format!("{:?} {}", c.channel, c.deliveries))
                    .collect::<Vec<_>>()
                    .join(" · ")
            );
            if s.text_first > 0 {
                eprintln!("문자로 받기 우선 {}명: 문자로도 보냄", s.text_first);
            }
            for l in &s.languages {
                eprintln!(
                    "{} {}명: {}",
                    l.language.korean(),
                    l.subscribers,
                    if l.translated {
                        "번역문"
                    } else {
                        "번역 없음, 한국어"
                    }
                );
            }
            println!("{}", created.id);
            Ok(ExitCode::SUCCESS)
        }
        BroadcastCommand::Cap { id, out } => {
            let xml = desk.broadcast_cap(actor, id).await?;
            maeul_api::save_file(&out, xml.as_bytes()).await?;
            println!("CAP → {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        BroadcastCommand::Report { id, json, csv, pdf } => {
            if let Some(path) = pdf {
                let (bytes, pages) = desk.broadcast_pdf(actor, id).await?;
                maeul_api::save_file(&path, &bytes).await?;
                println!("{pages} 쪽 → {}", path.display());
                return Ok(ExitCode::SUCCESS);
            }
            if let Some(path) = csv {
                let (bytes, lines) = desk.broadcast_csv(actor, id).await?;
                maeul_api::save_file(&path, &bytes).await?;
                println!("{lines} 건 → {}", path.display());
                return Ok(ExitCode::SUCCESS);
            }
            let counts = desk.broadcast_report(actor, id).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&counts).unwrap_or_default()
                );
            } else {
                // The provider's own code and its meaning last, where there is one.
                for c in counts {
                    let code = match c.code {
                        Some(code) => {
                            format!("\t{code}\t{}", c.explanation.unwrap_or_default())
                        }
                        None => String::new(),
                    };
                    println!(
                        "{:?}\t{}\t{}\t{}{code}",
                        c.channel,
                        c.state.as_str(),
                        c.reason.unwrap_or_default(),
                        c.count
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        BroadcastCommand::Replies { id, json } => {
            let r = desk.broadcast_detail(actor, id).await?.replies;
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
                return Ok(ExitCode::SUCCESS);
            }
            let c = &r.confirmation;
            println!(
                "전화 받은 세대 {}\t확인 {}\t받았으나 확인 안 함 {}\t확인 중 {}",
                c.answered, c.confirmed, c.unconfirmed, c.waiting
            );
            if let Some(p) = &r.poll {
                println!("설문: {}", p.question);
                for a in &p.answers {
                    println!("{}\t{}\t{}", a.digit, a.label, a.count);
                }
                println!("번호 모름\t{}", p.unknown);
                for v in &p.villages {
                    let counts: Vec<String> = v.counts.iter().map(u32::to_string).collect();
                    println!(
                        "{} {}\t{}\t{}",
                        v.town,
                        v.village,
                        counts.join("\t"),
                        v.unknown
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        BroadcastCommand::List => {
            for b in desk.broadcast_list(actor, true).await? {
                println!(
                    "{}\t{}\t{}\t{}/{} 도달\t실패 {}\t남음 {}{}",
                    b.id,
                    b.created_at,
                    b.title,
                    b.reached,
                    b.deliveries,
                    b.failed,
                    b.open,
                    if b.practice { "\t[연습]" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Subcommand)]
pub enum ProviderCommand {
    /// Choose the provider. The API key and secret are read from the environment variables
    /// named (never from the command line); the secret goes to the OS keyring.
    Set {
        /// sandbox, solapi, twilio
        name: String,
        #[arg(long, default_value = "https://api.solapi.com")]
        base_url: String,
        #[arg(long)]
        key_env: Option<String>,
        #[arg(long)]
        secret_env: Option<String>,
        /// The registered sender number (발신번호).
        #[arg(long, default_value = "043-835-3233")]
        sender: String,
        #[arg(long)]
        kakao_pf: Option<String>,
        #[arg(long)]
        kakao_template: Option<String>,
        /// Twilio: where recordings are published for <Play>.
        #[arg(long)]
        media_base_url: Option<String>,
        /// Requests per second the desk allows itself (0: no limit).
        #[arg(long)]
        rate: Option<u32>,
    },
    /// The provider in use (never its secret).
    Show,
    /// One harmless call to the provider: address, credentials and clock.
    Test,
}

pub(crate) fn from_env(var: &Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    match var {
        None => Ok(None),
        Some(v) => std::env::var(v)
            .map(Some)
            .map_err(|_| ApiError::invalid(field, format!("환경 변수 {v}이(가) 없습니다"))),
    }
}

pub async fn provider(
    desk: &Desk,
    actor: &Actor,
    command: ProviderCommand,
) -> Result<ExitCode, ApiError> {
    match command {
        ProviderCommand::Set {
            name,
            base_url,
            key_env,
            secret_env,
            sender,
            kakao_pf,
            kakao_template,
            media_base_url,
            rate,
        } => {
            let settings = ProviderSettings {
                name: name.clone(),
                base_url,
                api_key: from_env(&key_env, "api_key")?.unwrap_or_default(),
                sender,
                kakao_pf_id: kakao_pf,
                kakao_template_id: kakao_template,
                media_base_url,
                requests_per_second: rate,
            };
            let secret = from_env(&secret_env, "secret")?.map(Secret::new);
            desk.provider_set(actor, settings, secret).await?;
            println!("발송 서비스: {name}");
            Ok(ExitCode::SUCCESS)
        }
        ProviderCommand::Test => {
            println!("{}", desk.provider_test(actor).await?);
            Ok(ExitCode::SUCCESS)
        }
        ProviderCommand::Show => {
            let (settings, has_secret) = desk.provider_settings(actor).await?;
            match settings {
                None => println!("sandbox (기본, 실제로 보내지 않음)"),
                Some(s) => println!(
                    "{} {} 키 {} 발신 {} 비밀키 {}",
                    s.name,
                    s.base_url,
                    s.api_key,
                    s.sender,
                    if has_secret {
                        "키링에 있음"
                    } else {
                        "없음"
                    }
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `maeul sync`: one pass, or passes until every delivery is terminal (exit 1 if some are
/// still open when the timeout passes).
pub async fn sync(desk: &Desk, once: bool, timeout: u64) -> Result<ExitCode, ApiError> {
    if let maeul_api::SendRole::QueueOnly(why) = desk.send_role().await? {
        eprintln!("{why}");
        return Ok(ExitCode::from(1));
    }
    let provider = desk.provider().await?;
    if let Some(why) = desk.outbox_paused().await? {
        eprintln!(
            "발송이 멈춰 있습니다 ({why}): 보낼 내용을 확인한 뒤 `maeul sync --resume`으로 재개하세요"
        );
        return Ok(ExitCode::from(1));
    }
    let purged = desk.purge_expired(jiff::Timestamp::now()).await?;
    if purged > 0 {
        eprintln!("보유 기간이 지난 발송 {purged}건의 번호와 문구를 지웠습니다");
    }
    if once {
        let r = desk.sync_once(provider.as_ref()).await?;
        println!(
            "보냄 {} · 결과 {} · 재시도 {} · 실패 {} · 대체 {}{}",
            r.submitted,
            r.settled,
            r.retries,
            r.failed,
            r.fallbacks,
            if r.interrupted() {
                " · 발송 서버 응답 없음"
            } else {
                ""
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    // A line per pass on stderr, so a person (or a script) sees the drain move; stdout keeps
    // the one summary line.
    let pass = std::sync::atomic::AtomicU32::new(0);
    let d = desk
        .sync_drain(
            provider.as_ref(),
            Duration::from_secs(timeout),
            &|r, open| {
                let n = pass.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                // Not eprintln!: it panics when nobody reads stderr any more (a closed pipe,
                // a detached console), and the sending must not stop for that.
                let _ = writeln!(
                    std::io::stderr(),
                    "{n} 회: 보냄 {} · 결과 {} · 재시도 {} · 실패 {}{}{}",
                    r.submitted,
                    r.settled,
                    r.retries,
                    r.failed,
                    if r.interrupted() {
                        " · 발송 서버 응답 없음"
                    } else {
                        ""
                    },
                    if open == 0 { " · 모두 끝남" } else { "" }
                );
            },
        )
        .await?;
    println!(
        "{} 회: 보냄 {} · 결과 {} · 재시도 {} · 실패 {} · 대체 {} · 중단 {} · 남음 {}",
        d.passes, d.submitted, d.settled, d.retries, d.failed, d.fallbacks, d.interruptions, d.open
    );
    Ok(if d.open == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// "vi=Thông báo": a language code (or its Korean name) and the translated text.
fn parse_translation(s: &str) -> Result<Translation, ApiError> {
    let (code, body) = s.split_once('=').ok_or_else(|| {
        ApiError::invalid(
            "translation",
            format!("언어=내용 형식으로 적어 주세요 (예: vi=Thông báo): {s}"),
        )
    })?;
    let language = Language::parse(code)
        .filter(|l| *l != Language::Ko)
        .ok_or_else(|| {
            ApiError::invalid(
                "translation",
                format!("번역할 수 있는 언어가 아닙니다: {code} (vi, en, tl)"),
            )
        })?;
    Ok(Translation {
        language,
        body: body.to_string(),
    })
}

/// "질문|답1|답2": the question, then the answers in key order (checked with the broadcast).
fn parse_poll(s: &str) -> Poll {
    let mut parts = s.split('|').map(str::to_string);
    Poll {
        question: parts.next().unwrap_or_default(),
        answers: parts.collect(),
    }
}
