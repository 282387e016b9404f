import { describe, expect, it } from 'vitest';
import { IdleTimer } from './idle';

describe('IdleTimer', () => {
  it('locks after the whole idle period and input starts it again', () => {
    let t = 0;
    const timer = new IdleTimer(15, () => t);
    t = 14 * 60_000 + 59_000;
    expect(timer.expired()).toBe(false);
    timer.touch();
    t += 14 * 60_000;
    expect(timer.expired()).toBe(false);
    t += 60_000;
    expect(timer.expired()).toBe(true);
  });

  it('never locks when the setting is 0', () => {
    let t = 0;
    const timer = new IdleTimer(0, () => t);
    t = 24 * 60 * 60_000;
    expect(timer.expired()).toBe(false);
    timer.setMinutes(5);
    expect(timer.expired()).toBe(true);
  });
});
