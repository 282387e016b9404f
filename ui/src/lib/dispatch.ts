// Compose-screen helpers. The byte count mirrors dispatch::text (EUC-KR: ASCII 1 byte,
// Hangul and other KS X 1001 characters 2); the desk checks again in Rust, which also names
// characters EUC-KR cannot carry.

export const SMS_MAX = 90;
export const LMS_MAX = 2000;

export function eucKrBytes(text: string): number {
  let n = 0;
  for (const ch of text) n += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return n;
}

export type TextKind = 'sms' | 'lms' | 'too_long';

export function textKind(bytes: number): TextKind {
  if (bytes <= SMS_MAX) return 'sms';
  if (bytes <= LMS_MAX) return 'lms';
  return 'too_long';
}

/** Characters outside the Basic Multilingual Plane (emoji) never fit EUC-KR. */
export function obviousUnsendable(text: string): string[] {
  const out: string[] = [];
  for (const ch of text) if (ch.codePointAt(0)! > 0xffff && !out.includes(ch)) out.push(ch);
  return out;
}

/**
 * A translation as it will go (mirrors dispatch::text::fold): Latin letters lose the accents
 * no Korean carrier carries, đ becomes d; Hangul, ASCII and everything else stay.
 */
export function foldLatin(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === 'đ' || ch === 'Đ') {
      out += ch === 'đ' ? 'd' : 'D';
      continue;
    }
    const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
    out += ch.codePointAt(0)! >= 0x80 && base && /^[\x20-\x7e]+$/.test(base) ? base : ch;
  }
  return out;
}

export type Counts = { queued: number; sent: number; delivered: number; failed: number; cancelled: number };

/** Percent of a channel's deliveries in each part, for a stacked bar (sums to 100 or 0). */
export function shares(c: Counts): Counts {
  const total = c.queued + c.sent + c.delivered + c.failed + c.cancelled;
  if (total === 0) return { queued: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0 };
  const p = (n: number) => (100 * n) / total;
  return { queued: p(c.queued), sent: p(c.sent), delivered: p(c.delivered), failed: p(c.failed), cancelled: p(c.cancelled) };
}

/** Village rows whose town and name contain every word of the search ("증평 사곡"). */
export function filterVillages<T extends { name: string; town_name: string }>(list: T[], q: string): T[] {
  const words = q.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return list;
  return list.filter((v) => words.every((w) => (v.town_name + v.name).includes(w)));
}

/** Fills `{name}` placeholders of a catalogue text. */
export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}
