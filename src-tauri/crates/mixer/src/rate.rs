//! Bridging a device that does not run at 48 kHz: rubato's synchronous FFT resampler, with
//! buffers allocated up front so the engine's block stays allocation-free.

use audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};

use crate::dsp::{BLOCK, RATE};

/// Device rate → 48 kHz, producing exactly one block per call.
pub struct ToBus {
    fft: Option<Fft<f32>>,
    input: Vec<f32>,
}

impl ToBus {
    pub fn new(device_rate: u32) -> ToBus {
        let fft = (device_rate != RATE).then(|| {
            Fft::<f32>::new_custom(
                device_rate as usize,
                RATE as usize,
                BLOCK,
                1,
                1,
                WindowFunction::BlackmanHarris2,
                FixedSync::Output,
            )
            .expect("valid device rate")
        });
        let cap = fft.as_ref().map(|f| f.input_frames_max()).unwrap_or(BLOCK);
        ToBus {
            fft,
            input: vec![0.0; cap],
        }
    }

    /// Device samples needed for the next block.
    pub fn needed(&self) -> usize {
        self.fft
            .as_ref()
            .map(|f| f.input_frames_next())
            .unwrap_or(BLOCK)
    }

    /// The scratch buffer to fill with `needed()` device samples.
    pub fn input_mut(&mut self) -> &mut [f32] {
        let n = self.needed();
        &mut self.input[..n]
    }

    pub fn convert(&mut self, out: &mut [f32; BLOCK]) {
        let n = self.needed();
        match &mut self.fft {
            None => out.copy_from_slice(&self.input[..BLOCK]),
            Some(f) => {
                let i = InterleavedSlice::new(&self.input[..n], 1, n).expect("mono");
                let mut o = InterleavedSlice::new_mut(&mut out[..], 1, BLOCK).expect("mono");
                let _ = f.process_into_buffer(&i, &mut o, None);
            }
        }
    }
}

/// 48 kHz → device rate, one block in, a varying number of samples out.
pub struct FromBus {
    fft: Option<Fft<f32>>,
    out: Vec<f32>,
}

impl FromBus {
    pub fn new(device_rate: u32) -> FromBus {
        let fft = (device_rate != RATE).then(|| {
            Fft::<f32>::new_custom(
                RATE as usize,
                device_rate as usize,
                BLOCK,
                1,
                1,
                WindowFunction::BlackmanHarris2,
                FixedSync::Input,
            )
            .expect("valid device rate")
        });
        let cap = fft.as_ref().map(|f| f.output_frames_max()).unwrap_or(BLOCK);
        FromBus {
            fft,
            out: vec![0.0; cap],
        }
    }

    pub fn convert<'a>(&'a mut self, block: &'a [f32; BLOCK]) -> &'a [f32] {
        match &mut self.fft {
            None => &block[..],
            Some(f) => {
                let i = InterleavedSlice::new(&block[..], 1, BLOCK).expect("mono");
                let cap = self.out.len();
                let mut o = InterleavedSlice::new_mut(&mut self.out[..], 1, cap).expect("mono");
                let n = f
                    .process_into_buffer(&i, &mut o, None)
                    .map(|(_, n)| n)
                    .unwrap_or(0);
                &self.out[..n]
            }
        }
    }
}
