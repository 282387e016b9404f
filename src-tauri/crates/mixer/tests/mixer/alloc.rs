//! The live path allocates nothing per block: the graph through every phase of a broadcast,
//! and the device callbacks, counted with a counting global allocator.

use std::sync::Arc;

use maeul_mixer::device::{StreamCounters, capture, play};
use maeul_mixer::dsp::BLOCK;
use maeul_mixer::graph::{Body, ChainSettings, Graph, Phase};
use maeul_mixer::render::program;
use maeul_mixer::speech::SpeechLike;

#[test]
fn the_graph_allocates_nothing_per_block_through_a_whole_broadcast() {
    let (prog, _) = program(Body::Mic, true, &["101".into()], None).unwrap();
    let clip: Arc<[f32]> = maeul_mixer::speech::speech_like(4, 1.0, 0.1).into();
    let mut graph = Graph::new(ChainSettings::default());
    let mut mic = SpeechLike::new(9, 0.1);
    let mut block = [0f32; BLOCK];
    graph.set_preview(true);
    graph.play_on_monitor(Some(clip.clone()));
    graph.start(prog);
    let mut phases = Vec::new();
    let info = allocation_counter::measure(|| {
        for n in 0..3_000 {
            mic.fill(&mut block);
            if n == 800 {
                graph.stop();
            }
            let out = graph.process(&block);
            if phases.last() != Some(&out.phase) && phases.len() < phases.capacity() {
                phases.push(out.phase);
            }
            if n % 3 == 0 {
                std::hint::black_box(graph.read_meters());
            }
        }
    });
    assert_eq!(
        info.count_total, 0,
        "the graph allocated {} times",
        info.count_total
    );
    let _ = phases;
    assert_eq!(graph.phase(), Phase::Idle, "the broadcast ran to its end");
}

#[test]
fn the_device_callbacks_allocate_nothing() {
    let (mut prod, mut cons) = rtrb::RingBuffer::<f32>::new(1 << 14);
    let (mut out_prod, mut out_cons) = rtrb::RingBuffer::<f32>::new(1 << 14);
    let counters = StreamCounters::default();
    let stereo_in = vec![0.25f32; 2 * 512];
    let mut device_out = vec![0i16; 2 * 512];
    let mut engine_block = vec![0f32; 512];
    let info = allocation_counter::measure(|| {
        for _ in 0..1_000 {
            capture(&stereo_in, 2, &mut prod, &counters);
            let got = cons.read_chunk(512).unwrap();
            let (a, b) = got.as_slices();
            engine_block[..a.len()].copy_from_slice(a);
            engine_block[a.len()..a.len() + b.len()].copy_from_slice(b);
            got.commit_all();
            let mut w = out_prod.write_chunk(512).unwrap();
            let (a, b) = w.as_mut_slices();
            let n = a.len();
            a.copy_from_slice(&engine_block[..n]);
            b.copy_from_slice(&engine_block[n..]);
            w.commit_all();
            play(&mut device_out, 2, &mut out_cons, &counters);
        }
    });
    assert_eq!(
        info.count_total, 0,
        "the callbacks allocated {} times",
        info.count_total
    );
    assert!(
        device_out.iter().all(|s| *s == 8_192),
        "0.25 reaches both channels as i16"
    );
    assert_eq!(counters.xruns.load(std::sync::atomic::Ordering::Relaxed), 0);
}
