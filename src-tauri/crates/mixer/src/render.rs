//! The offline path: the same graph as the console, driven from a file as fast as the CPU
//! goes. `maeul mixer render`, the tests and the benchmark use it; no sound card is needed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::MixerError;
use crate::chime::{self, Chimes};
use crate::dsp::BLOCK;
use crate::dtmf::{self, DtmfTiming};
use crate::finish::{Rendition, finish};
use crate::graph::{Body, ChainSettings, Graph, Phase, Program};
use crate::recorder::{Recorder, RecordingPaths};

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub chain: ChainSettings,
    /// Chimes before and after (the built-in ones unless replaced).
    pub chime: bool,
    /// DTMF zone codes to put on the line-out before the chime (one per village).
    pub zones: Vec<String>,
    /// Also write what the transmitter would get (48 kHz 16-bit WAV), zone tones included.
    pub line_out: Option<PathBuf>,
    /// Replacements for the built-in chimes.
    pub chimes: Option<Chimes>,
}

/// What a render measured on the way.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub rendition: Rendition,
    pub blocks: u64,
    /// DTMF sequence that was played to the line-out.
    pub zone_sequence: String,
}

/// The running order for `zones` and the chime setting.
pub fn program(
    body: Body,
    chime: bool,
    zones: &[String],
    chimes: Option<Chimes>,
) -> Result<(Program, String), MixerError> {
    let mut sequence = String::new();
    for z in zones {
        let z = z.trim();
        if z.is_empty() {
            continue;
        }
        dtmf::check_code(z).map_err(|c| {
            MixerError::invalid(
                "zone",
                format!("구역 코드 '{z}'에 쓸 수 없는 문자 '{c}'가 있습니다 (0-9, *, #, A-D)"),
            )
        })?;
        // Each village's code is framed as *code# so the transmitter can tell them apart.
        sequence.push('*');
        sequence.push_str(z);
        sequence.push('#');
    }
    let zone_tones =
        (!sequence.is_empty()).then(|| Arc::from(dtmf::render(&sequence, DtmfTiming::default())));
    let (before, after) = match chime.then(|| chimes.unwrap_or_else(chime::builtin)) {
        Some(c) => (Some(c.before), Some(c.after)),
        None => (None, None),
    };
    Ok((
        Program {
            line_out: true,
            zone_tones,
            chime_before: before,
            body,
            chime_after: after,
        },
        sequence,
    ))
}

/// Renders `input` (48 kHz mono, as if spoken into the microphone) into finished files.
pub fn render(
    input: &[f32],
    opts: &RenderOptions,
    paths: RecordingPaths,
) -> Result<Rendered, MixerError> {
    let mut fed = 0usize;
    render_from(
        |block| {
            let n = (input.len() - fed).min(block.len());
            block[..n].copy_from_slice(&input[fed..fed + n]);
            fed += n;
            Ok((n, fed == input.len()))
        },
        opts,
        paths,
    )
}

/// Renders what `next` supplies (48 kHz mono; it fills up to a block and says how much, and
/// whether that was the last of it), so that an hour need not sit in memory.
pub fn render_from(
    mut next: impl FnMut(&mut [f32]) -> Result<(usize, bool), MixerError>,
    opts: &RenderOptions,
    paths: RecordingPaths,
) -> Result<Rendered, MixerError> {
    let (prog, zone_sequence) = program(Body::Mic, opts.chime, &opts.zones, opts.chimes.clone())?;
    let mut graph = Graph::new(opts.chain);
    graph.set_metering(false);
    graph.start(prog);
    let mut rec = Recorder::create(paths, false, &[])?;
    let mut line: Option<Vec<f32>> = opts.line_out.as_ref().map(|_| Vec::new());
    let mut block = [0f32; BLOCK];
    let mut ended = false;
    let mut blocks = 0u64;
    // Zone tones and the opening chime play while the speaker waits: the input starts when
    // the body does, as it would at the desk.
    loop {
        block.fill(0.0);
        if graph.phase() == Phase::Body {
            let last = ended || next(&mut block)?.1;
            if last {
                // The last of the input: the closing chime follows this block.
                ended = true;
                graph.stop();
            }
        }
        let out = graph.process(&block);
        blocks += 1;
        let voice = out.voice.start.saturating_sub(out.record.start)
            ..out.voice.end.saturating_sub(out.record.start);
        rec.write(&out.bus[out.record.clone()], voice)?;
        if let Some(l) = &mut line {
            l.extend_from_slice(out.line);
        }
        if out.phase == Phase::Done {
            break;
        }
    }
    if let (Some(path), Some(l)) = (&opts.line_out, &line) {
        crate::clip::write_wav16(path, l, crate::dsp::RATE)?;
    }
    let rendition = finish(&rec.close()?)?;
    Ok(Rendered {
        rendition,
        blocks,
        zone_sequence,
    })
}

/// Renders a file (WAV, MP3, OGG).
pub fn render_file(
    input: &Path,
    opts: &RenderOptions,
    paths: RecordingPaths,
) -> Result<Rendered, MixerError> {
    let x = crate::clip::decode_to_bus(input)?;
    render(&x, opts, paths)
}
