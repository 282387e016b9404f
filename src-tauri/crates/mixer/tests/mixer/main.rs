//! The console's chain end to end, without a sound card: one binary (see ripgrep's
//! tests/tests.rs).

// Rendering files: loudness targets of both renditions, zone tones on the line-out only.
mod render;
// The archive read back by an independent decoder (symphonia's Ogg demuxer + libopus).
mod archive;
// The live graph and the device callbacks allocate nothing per block.
mod alloc;

use std::path::Path;

use maeul_mixer::recorder::RecordingPaths;

pub fn paths(dir: &Path, stem: &str) -> RecordingPaths {
    RecordingPaths::in_dir(dir, stem)
}

/// Integrated loudness and true peak as ebur128 measures them (the independent check).
pub fn ebu(x: &[f32]) -> (f64, f64) {
    let mut e =
        ebur128::EbuR128::new(1, 48_000, ebur128::Mode::I | ebur128::Mode::TRUE_PEAK).unwrap();
    e.add_frames_f32(x).unwrap();
    (
        e.loudness_global().unwrap(),
        20.0 * e.true_peak(0).unwrap().log10(),
    )
}
