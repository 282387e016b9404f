//! G.711 μ-law and the 8 kHz WAV files the voice-call providers play.

use std::io::{self, Read, Write};

const BIAS: i32 = 0x84;
const CLIP: i32 = 32_635;

/// One 16-bit linear sample to μ-law (G.711, with the usual bias and sign inversion).
pub fn encode(sample: i16) -> u8 {
    let mut s = sample as i32;
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    s = s.min(CLIP) + BIAS;
    let exponent = (31 - (s as u32).leading_zeros()) as i32 - 7;
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) | mantissa) as u8
}

pub fn decode(code: u8) -> i16 {
    let u = !code as i32;
    let exponent = (u >> 4) & 0x07;
    let mantissa = u & 0x0F;
    let s = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    (if u & 0x80 != 0 { -s } else { s }) as i16
}

/// A float sample (full scale ±1.0) to μ-law, clipping at the code range.
pub fn encode_f32(x: f32) -> u8 {
    encode((x.clamp(-1.0, 1.0) * 32_767.0).round() as i16)
}

/// Writes a mono 8 kHz μ-law WAV (format tag 7, with the `fact` chunk non-PCM WAVs carry).
pub fn write_wav(mut w: impl Write, codes: &[u8]) -> io::Result<()> {
    let n = codes.len() as u32;
    let pad = (n % 2) as usize;
    w.write_all(b"RIFF")?;
    w.write_all(&(4 + 26 + 12 + 8 + n + pad as u32).to_le_bytes())?;
    w.write_all(b"WAVEfmt ")?;
    w.write_all(&18u32.to_le_bytes())?;
    w.write_all(&7u16.to_le_bytes())?; // WAVE_FORMAT_MULAW
    w.write_all(&1u16.to_le_bytes())?;
    w.write_all(&8_000u32.to_le_bytes())?;
    w.write_all(&8_000u32.to_le_bytes())?;
    w.write_all(&1u16.to_le_bytes())?;
    w.write_all(&8u16.to_le_bytes())?;
    w.write_all(&0u16.to_le_bytes())?;
    w.write_all(b"fact")?;
    w.write_all(&4u32.to_le_bytes())?;
    w.write_all(&n.to_le_bytes())?;
    w.write_all(b"data")?;
    w.write_all(&n.to_le_bytes())?;
    w.write_all(codes)?;
    if pad == 1 {
        w.write_all(&[0])?;
    }
    w.flush()
}

/// Reads a μ-law WAV back: (sample rate, codes). Refuses anything else by name.
pub fn read_wav(mut r: impl Read) -> io::Result<(u32, Vec<u8>)> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut all = Vec::new();
    r.read_to_end(&mut all)?;
    if all.len() < 12 || &all[0..4] != b"RIFF" || &all[8..12] != b"WAVE" {
        return Err(bad("RIFF/WAVE 파일이 아닙니다"));
    }
    let mut pos = 12;
    let mut rate = None;
    while pos + 8 <= all.len() {
        let id = &all[pos..pos + 4];
        let len = u32::from_le_bytes(all[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = all
            .get(pos + 8..pos + 8 + len)
            .ok_or_else(|| bad("잘린 WAV 파일입니다"))?;
        match id {
            b"fmt " => {
                let tag = u16::from_le_bytes([body[0], body[1]]);
                if tag != 7 {
                    return Err(bad("μ-law WAV가 아닙니다"));
                }
                rate = Some(u32::from_le_bytes(body[4..8].try_into().unwrap()));
            }
            b"data" => {
                let rate = rate.ok_or_else(|| bad("fmt 청크가 없습니다"))?;
                return Ok((rate, body.to_vec()));
            }
            _ => {}
        }
        pos += 8 + len + len % 2;
    }
    Err(bad("data 청크가 없습니다"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_error_is_within_half_a_step_for_every_sample() {
        for s in i16::MIN..=i16::MAX {
            let back = decode(encode(s)) as i32;
            let x = (s as i32).clamp(-CLIP, CLIP);
            // The step of segment e is 2^(e+3); the decoder returns the middle of it.
            let bound = (x.abs() + BIAS) / 32;
            assert!((back - x).abs() <= bound.max(4), "{s} → {back}");
        }
    }

    #[test]
    fn codes_are_symmetric_monotonic_and_standard() {
        assert_eq!(encode(0), 0xFF);
        assert_eq!(decode(0xFF), 0);
        assert_eq!(encode(i16::MAX), 0x80);
        assert_eq!(decode(0x80), 32_124);
        let mut last = i16::MIN;
        for s in i16::MIN..=i16::MAX {
            let d = decode(encode(s));
            assert!(d >= last, "not monotonic at {s}");
            last = d;
            if s > i16::MIN {
                assert_eq!(decode(encode(-s)), -decode(encode(s)), "asymmetric at {s}");
            }
        }
    }

    #[test]
    fn wav_round_trip() {
        let codes: Vec<u8> = (0..8_001u32)
            .map(|i| encode(((i as f32).sin() * 9000.0) as i16))
            .collect();
        let mut buf = Vec::new();
        write_wav(&mut buf, &codes).unwrap();
        assert_eq!(&buf[20..22], &7u16.to_le_bytes());
        let (rate, back) = read_wav(&buf[..]).unwrap();
        assert_eq!(rate, 8_000);
        assert_eq!(back, codes);
    }
}
