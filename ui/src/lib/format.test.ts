import { describe, expect, it } from 'vitest';
import { compileQuery, formatCount, visibleWindow } from './format';

const row = { name: '김영수', head_name: '김영수', address: '증평읍 연탄리 12', phone: '010-0012-3456' };

describe('compileQuery', () => {
  it('matches names, addresses and every word', () => {
    expect(compileQuery('영수')(row)).toBe(true);
    expect(compileQuery('연탄리 김')(row)).toBe(true);
    expect(compileQuery('연탄리 박')(row)).toBe(false);
  });
  it('matches phone digits with or without dashes', () => {
    expect(compileQuery('0012')(row)).toBe(true);
    expect(compileQuery('010-0012')(row)).toBe(true);
    expect(compileQuery('01000123456')(row)).toBe(true);
    expect(compileQuery('9999')(row)).toBe(false);
  });
  it('an empty query matches everything', () => {
    expect(compileQuery('   ')(row)).toBe(true);
  });
});

describe('visibleWindow', () => {
  it('covers the viewport plus overscan and pads the rest', () => {
    const w = visibleWindow(3200, 640, 32, 50_000, 8);
    expect(w.start).toBe(92);
    expect(w.end).toBe(128);
    expect(w.padTop + (w.end - w.start) * 32 + w.padBottom).toBe(50_000 * 32);
  });
  it('clamps at both ends', () => {
    expect(visibleWindow(0, 640, 32, 5).end).toBe(5);
    expect(visibleWindow(0, 640, 32, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(37000)).toBe('37,000');
  });
});
