//! 방송 콘솔 — the broadcast console: the local mixer, its recordings and the telephone
//! rendition.
//!
//! Microphone → gain → 80 Hz high-pass → noise gate → bus (with chimes, clips) → limiter at
//! -1 dBFS → line-out to the village loudspeaker transmitter (zone tones first), monitor, and
//! the recorder: an Ogg Opus archive written as it happens, finished to -23 LUFS, and an
//! 8 kHz μ-law rendition at -19 dBm0 for voice calls. The live [`engine`] and the offline
//! [`render`] run the same [`graph`].

pub mod chime;
pub mod clip;
pub mod device;
pub mod dsp;
pub mod dtmf;
pub mod engine;
mod error;
pub mod finish;
pub mod graph;
pub mod loudness;
pub mod mulaw;
pub mod opus_ogg;
pub mod rate;
pub mod recorder;
pub mod recordings;
pub mod render;
pub mod resample;
pub mod speech;

pub use error::MixerError;
