import { describe, expect, it } from 'vitest';
import { eucKrBytes, filterVillages, foldLatin, obviousUnsendable, shares, textKind } from './dispatch';

describe('message length', () => {
  it('counts Hangul as 2 bytes and ASCII as 1', () => {
    expect(eucKrBytes('마을 대청소 7시')).toBe(6 * 2 + 3); // six syllables, two spaces and a digit
    expect(eucKrBytes('')).toBe(0);
  });
  it('goes SMS up to 90 bytes, LMS up to 2000, refused beyond', () => {
    expect(textKind(eucKrBytes('가'.repeat(45)))).toBe('sms');
    expect(textKind(eucKrBytes('가'.repeat(46)))).toBe('lms');
    expect(textKind(eucKrBytes('가'.repeat(1000)))).toBe('lms');
    expect(textKind(eucKrBytes('가'.repeat(1001)))).toBe('too_long');
  });
  it('folds a Vietnamese translation the way the desk sends it', () => {
    expect(foldLatin('Thông báo: họp thôn ở Đà Nẵng')).toBe('Thong bao: hop thon o Da Nang');
    expect(foldLatin('마을회관 10:00')).toBe('마을회관 10:00');
    expect(eucKrBytes(foldLatin('Họp'))).toBe(3);
  });
  it('names emoji once each', () => {
    expect(obviousUnsendable('행사 🎉🎉 안내 📢')).toEqual(['🎉', '📢']);
  });
});

describe('progress', () => {
  it('splits a channel into shares that add up to 100', () => {
    const s = shares({ queued: 1, sent: 1, delivered: 6, failed: 2, cancelled: 0 });
    expect(s.delivered).toBe(60);
    expect(s.queued + s.sent + s.delivered + s.failed + s.cancelled).toBeCloseTo(100);
    expect(shares({ queued: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0 }).delivered).toBe(0);
  });
  it('finds villages by every word of the search', () => {
    const v = [{ name: '창동1리', town_name: '증평읍' }, { name: '사곡리', town_name: '증평읍' }, { name: '도안리', town_name: '도안면' }];
    expect(filterVillages(v, '증평 사곡').map((x) => x.name)).toEqual(['사곡리']);
    expect(filterVillages(v, '').length).toBe(3);
  });
});
