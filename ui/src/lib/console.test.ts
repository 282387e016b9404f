import { describe, expect, it } from 'vitest';
import { clock, db, deviceOptions, meterFraction, meterZone, PeakHold } from './console';

describe('console helpers', () => {
  it('maps levels onto the meter and its colour bands', () => {
    expect(meterFraction(0)).toBe(1);
    expect(meterFraction(-30)).toBeCloseTo(0.5);
    expect(meterFraction(-80)).toBe(0);
    expect(meterFraction(-200)).toBe(0);
    expect(meterFraction(3)).toBe(1);
    expect([meterZone(-30), meterZone(-12), meterZone(-3)]).toEqual(['ok', 'warn', 'hot']);
  });

  it('holds a peak, then lets it fall', () => {
    const p = new PeakHold(1000, 20);
    expect(p.update(-6, 0)).toBe(-6);
    expect(p.update(-30, 500)).toBe(-6);
    expect(p.update(-30, 1500)).toBeCloseTo(-16);
    expect(p.update(-30, 5000)).toBe(-30);
    expect(p.update(-3, 5100)).toBe(-3);
  });

  it('formats elapsed time', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(125_400)).toBe('02:05');
    expect(clock(3_725_000)).toBe('1:02:05');
  });

  it('lists devices with the defaults and keeps an unplugged choice visible', () => {
    const labels = { default: '기본', none: '없음', test: '시험', missing: '없음(빠짐)' };
    const opts = deviceOptions([{ id: 'alsa:hw:1,0', name: 'USB Mic', is_default: false }], 'alsa:hw:2,0', labels);
    expect(opts.map((o) => o.id)).toEqual(['default', 'alsa:hw:1,0', 'none', 'test:speech', 'alsa:hw:2,0']);
    expect(opts[1].label).toBe('USB Mic (alsa:hw:1,0)');
    expect(opts[4].label).toContain('빠짐');
    expect(deviceOptions([], 'none', { default: 'd', none: 'n', missing: 'm' }).map((o) => o.id)).toEqual(['default', 'none']);
  });

  it('shows decibels, or a dash for silence', () => {
    expect(db(-23.04, 'LUFS')).toBe('-23.0 LUFS');
    expect(db(-200)).toBe('–');
    expect(db(null)).toBe('–');
  });
});
