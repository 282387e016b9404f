//! The archive format: Opus in Ogg (RFC 7845), 48 kHz mono, 20 ms frames.
//!
//! The writer ends a page every second and hands it to the file at once, so a crash or an
//! unplugged device leaves a file that plays up to the last second. [`repair`] cuts a file
//! that stopped mid-page back to its last whole page.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use ogg::{PacketReader, PacketWriteEndInfo, PacketWriter};

use crate::MixerError;
use crate::dsp::RATE;

/// 20 ms at 48 kHz.
pub const FRAME: usize = 960;
/// Pages end every 50 packets: one second of audio at most is at risk.
const PACKETS_PER_PAGE: u32 = 50;
const SERIAL: u32 = 0x4D41_4555; // "MAEU"

#[derive(Debug, Clone, Copy)]
pub struct OpusSettings {
    pub bitrate: i32,
    pub complexity: i32,
    /// Bits of real resolution in the input: 16 for the spool (the encoder then treats what
    /// lies under the last bit as silence, as opusenc does for 16-bit files), 24 for the bus.
    pub lsb_depth: i32,
}

impl Default for OpusSettings {
    /// 32 kbit/s voice: transparent for announcements, a minute in 240 KB.
    fn default() -> OpusSettings {
        OpusSettings {
            bitrate: 32_000,
            complexity: 10,
            lsb_depth: 24,
        }
    }
}

pub struct OggOpusWriter<W: Write> {
    enc: opus::Encoder,
    pages: PacketWriter<'static, W>,
    pre_skip: u16,
    frame: [f32; FRAME],
    filled: usize,
    packets: u64,
    in_page: u32,
    samples: u64,
    out: Vec<u8>,
    pending: Option<Vec<u8>>,
}

fn enc_err(e: opus::Error) -> MixerError {
    MixerError::Encode(e.to_string())
}

impl<W: Write> OggOpusWriter<W> {
    pub fn new(w: W, settings: OpusSettings, tags: &[(&str, &str)]) -> Result<Self, MixerError> {
        let mut enc = opus::Encoder::new(RATE, opus::Channels::Mono, opus::Application::Voip)
            .map_err(enc_err)?;
        enc.set_bitrate(opus::Bitrate::Bits(settings.bitrate))
            .map_err(enc_err)?;
        enc.set_complexity(settings.complexity).map_err(enc_err)?;
        enc.set_signal(opus::Signal::Voice).map_err(enc_err)?;
        enc.set_lsb_depth(settings.lsb_depth).map_err(enc_err)?;
        enc.set_vbr(true).map_err(enc_err)?;
        let pre_skip = enc.get_lookahead().map_err(enc_err)? as u16;
        let mut pages = PacketWriter::new(w);
        let mut head = Vec::with_capacity(19);
        head.extend_from_slice(b"OpusHead");
        head.push(1);
        head.push(1);
        head.extend_from_slice(&pre_skip.to_le_bytes());
        head.extend_from_slice(&RATE.to_le_bytes());
        head.extend_from_slice(&0i16.to_le_bytes());
        head.push(0);
        pages.write_packet(head, SERIAL, PacketWriteEndInfo::EndPage, 0)?;
        let vendor = format!("maeul-desk (libopus {})", opus::version());
        let mut t = Vec::new();
        t.extend_from_slice(b"OpusTags");
        t.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        t.extend_from_slice(vendor.as_bytes());
        t.extend_from_slice(&(tags.len() as u32).to_le_bytes());
        for (k, v) in tags {
            let c = format!("{k}={v}");
            t.extend_from_slice(&(c.len() as u32).to_le_bytes());
            t.extend_from_slice(c.as_bytes());
        }
        pages.write_packet(t, SERIAL, PacketWriteEndInfo::EndPage, 0)?;
        pages.inner_mut().flush()?;
        Ok(OggOpusWriter {
            enc,
            pages,
            pre_skip,
            frame: [0.0; FRAME],
            filled: 0,
            packets: 0,
            in_page: 0,
            samples: 0,
            out: vec![0; 4_000],
            pending: None,
        })
    }

    /// Samples written so far (48 kHz).
    pub fn samples(&self) -> u64 {
        self.samples
    }

    pub fn write(&mut self, mut x: &[f32]) -> Result<(), MixerError> {
        self.samples += x.len() as u64;
        while !x.is_empty() {
            let take = (FRAME - self.filled).min(x.len());
            self.frame[self.filled..self.filled + take].copy_from_slice(&x[..take]);
            self.filled += take;
            x = &x[take..];
            if self.filled == FRAME {
                self.encode_frame(false)?;
            }
        }
        Ok(())
    }

    fn encode_frame(&mut self, last: bool) -> Result<(), MixerError> {
        let n = self
            .enc
            .encode_float(&self.frame, &mut self.out)
            .map_err(enc_err)?;
        self.filled = 0;
        self.packets += 1;
        // Each packet is written one step late, so the final one can carry the end of stream.
        if let Some(prev) = self.pending.replace(self.out[..n].to_vec()) {
            self.emit(prev, false, (self.packets - 1) * FRAME as u64)?;
        }
        if last {
            let final_granule = self.pre_skip as u64 + self.samples;
            let p = self.pending.take().expect("just stored");
            self.emit(p, true, final_granule)?;
        }
        Ok(())
    }

    fn emit(&mut self, packet: Vec<u8>, end: bool, granule: u64) -> Result<(), MixerError> {
        self.in_page += 1;
        let info = if end {
            PacketWriteEndInfo::EndStream
        } else if self.in_page >= PACKETS_PER_PAGE {
            PacketWriteEndInfo::EndPage
        } else {
            PacketWriteEndInfo::NormalPacket
        };
        self.pages.write_packet(packet, SERIAL, info, granule)?;
        if info != PacketWriteEndInfo::NormalPacket {
            self.in_page = 0;
            self.pages.inner_mut().flush()?;
        }
        Ok(())
    }

    /// The underlying writer, e.g. to `sync_data` a file between pages.
    pub fn get_mut(&mut self) -> &mut W {
        self.pages.inner_mut()
    }

    /// Pads the last frame and the encoder's look-ahead with silence, ends the stream with the
    /// exact sample count in the last granule position.
    pub fn finish(mut self) -> Result<W, MixerError> {
        let needed = self.pre_skip as u64 + self.samples;
        loop {
            let covered = (self.packets + 1) * FRAME as u64;
            self.frame[self.filled..].fill(0.0);
            self.filled = FRAME;
            let last = covered >= needed;
            self.encode_frame(last)?;
            if last {
                break;
            }
        }
        let mut w = self.pages.into_inner();
        w.flush()?;
        Ok(w)
    }
}

/// A decoded archive.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub samples: Vec<f32>,
    /// The stream's end was written (false for a recording cut off by a crash).
    pub complete: bool,
    pub tags: Vec<String>,
}

/// Decodes an Ogg Opus file (ours, or any mono/stereo one) to 48 kHz mono; stops quietly at a
/// cut-off end.
pub fn decode_file(path: &Path) -> Result<Decoded, MixerError> {
    let file = File::open(path).map_err(|e| MixerError::io(path, e))?;
    decode(BufReader::new(file), path)
}

pub fn decode<R: Read + Seek>(r: R, path: &Path) -> Result<Decoded, MixerError> {
    let bad = |m: &str| MixerError::Decode {
        file: path.display().to_string(),
        reason: m.to_string(),
    };
    let mut packets = PacketReader::new(r);
    let head = packets
        .read_packet()
        .ok()
        .flatten()
        .ok_or_else(|| bad("Ogg 페이지가 없습니다"))?;
    if head.data.len() < 19 || &head.data[..8] != b"OpusHead" {
        return Err(bad("Opus 스트림이 아닙니다"));
    }
    let channels = head.data[9];
    let pre_skip = u16::from_le_bytes([head.data[10], head.data[11]]) as usize;
    let gain_q8 = i16::from_le_bytes([head.data[16], head.data[17]]);
    let ch = if channels == 2 {
        opus::Channels::Stereo
    } else {
        opus::Channels::Mono
    };
    let mut dec = opus::Decoder::new(RATE, ch).map_err(|e| bad(&e.to_string()))?;
    let mut tags = Vec::new();
    if let Ok(Some(t)) = packets.read_packet() {
        tags = parse_tags(&t.data);
    }
    let mut pcm = vec![0f32; 5_760 * channels.max(1) as usize];
    let mut out = Vec::new();
    let mut complete = false;
    let mut last_granule = 0u64;
    loop {
        let p = match packets.read_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            // A page cut off by a crash: what came before it stands.
            Err(_) => break,
        };
        let n = dec
            .decode_float(&p.data, &mut pcm, false)
            .map_err(|e| bad(&e.to_string()))?;
        if channels == 2 {
            out.extend(pcm[..2 * n].chunks(2).map(|f| 0.5 * (f[0] + f[1])));
        } else {
            out.extend_from_slice(&pcm[..n]);
        }
        if p.last_in_page() {
            last_granule = p.absgp_page();
        }
        if p.last_in_stream() {
            complete = true;
            break;
        }
    }
    let mut samples = out.split_off(pre_skip.min(out.len()));
    if complete {
        let exact = last_granule.saturating_sub(pre_skip as u64) as usize;
        samples.truncate(exact);
    }
    if gain_q8 != 0 {
        let g = crate::dsp::db_to_lin(gain_q8 as f32 / 256.0);
        samples.iter_mut().for_each(|s| *s *= g);
    }
    Ok(Decoded {
        samples,
        complete,
        tags,
    })
}

fn parse_tags(d: &[u8]) -> Vec<String> {
    let u32_at = |i: usize| {
        d.get(i..i + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize)
    };
    let mut out = Vec::new();
    if d.len() < 16 || &d[..8] != b"OpusTags" {
        return out;
    }
    let Some(vlen) = u32_at(8) else { return out };
    let mut pos = 12 + vlen;
    let Some(count) = u32_at(pos) else { return out };
    pos += 4;
    for _ in 0..count {
        let Some(len) = u32_at(pos) else { break };
        if let Some(s) = d.get(pos + 4..pos + 4 + len) {
            out.push(String::from_utf8_lossy(s).into_owned());
        }
        pos += 4 + len;
    }
    out
}

/// Ogg's CRC-32 (polynomial 0x04C11DB7, unreflected, no final xor).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0u32;
    for &b in data {
        crc ^= (b as u32) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// What [`repair`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repaired {
    /// Bytes cut from the end (a page the crash left half-written).
    pub cut: u64,
    /// Whole pages kept.
    pub pages: u64,
    /// Audio samples (48 kHz) the kept pages hold, after pre-skip.
    pub samples: u64,
}

/// Cuts a file back to its last whole, checksummed page; a file with no whole audio page is
/// refused.
pub fn repair(path: &Path) -> Result<Repaired, MixerError> {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| MixerError::io(path, e))?;
    let mut all = Vec::new();
    f.read_to_end(&mut all)
        .map_err(|e| MixerError::io(path, e))?;
    let mut pos = 0usize;
    let mut good_end = 0usize;
    let mut pages = 0u64;
    let mut granule = 0u64;
    let mut pre_skip = 0u64;
    while pos + 27 <= all.len() && &all[pos..pos + 4] == b"OggS" {
        let nseg = all[pos + 26] as usize;
        let Some(lacing) = all.get(pos + 27..pos + 27 + nseg) else {
            break;
        };
        let body: usize = lacing.iter().map(|l| *l as usize).sum();
        let end = pos + 27 + nseg + body;
        if end > all.len() {
            break;
        }
        let mut page = all[pos..end].to_vec();
        let stored = u32::from_le_bytes(page[22..26].try_into().unwrap());
        page[22..26].fill(0);
        if crc32(&page) != stored {
            break;
        }
        if pages == 0 && body >= 19 && &all[pos + 27 + nseg..pos + 27 + nseg + 8] == b"OpusHead" {
            let h = pos + 27 + nseg;
            pre_skip = u16::from_le_bytes([all[h + 10], all[h + 11]]) as u64;
        }
        granule = u64::from_le_bytes(all[pos + 6..pos + 14].try_into().unwrap()).max(granule);
        pages += 1;
        good_end = end;
        pos = end;
    }
    if pages < 3 {
        return Err(MixerError::Decode {
            file: path.display().to_string(),
            reason: "저장된 음성 페이지가 없습니다".into(),
        });
    }
    let cut = (all.len() - good_end) as u64;
    if cut > 0 {
        f.set_len(good_end as u64)
            .map_err(|e| MixerError::io(path, e))?;
        f.seek(SeekFrom::End(0))
            .map_err(|e| MixerError::io(path, e))?;
    }
    Ok(Repaired {
        cut,
        pages,
        samples: granule.saturating_sub(pre_skip),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::testsig::sine;

    fn encode(x: &[f32]) -> Vec<u8> {
        let mut w =
            OggOpusWriter::new(Vec::new(), OpusSettings::default(), &[("TITLE", "시험")]).unwrap();
        for c in x.chunks(480) {
            w.write(c).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn our_decoder_returns_exactly_the_samples_written() {
        let x = sine(440.0, 0.5, 1.234);
        let bytes = encode(&x);
        let d = decode(std::io::Cursor::new(bytes), Path::new("t.ogg")).unwrap();
        assert!(d.complete);
        assert_eq!(d.samples.len(), x.len());
        assert!(d.tags.iter().any(|t| t == "TITLE=시험"));
        // Lossy, but the tone is there at its level.
        let r = crate::dsp::testsig::rms(&d.samples[4_800..]);
        assert!((r / (0.5 / 2f32.sqrt()) - 1.0).abs() < 0.1, "rms {r}");
    }

    #[test]
    fn crc_matches_the_pages_the_ogg_crate_writes() {
        let bytes = encode(&sine(440.0, 0.5, 0.1));
        let nseg = bytes[26] as usize;
        let body: usize = bytes[27..27 + nseg].iter().map(|b| *b as usize).sum();
        let mut page = bytes[..27 + nseg + body].to_vec();
        let stored = u32::from_le_bytes(page[22..26].try_into().unwrap());
        page[22..26].fill(0);
        assert_eq!(crc32(&page), stored);
    }
}
