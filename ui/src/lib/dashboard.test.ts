import { describe, expect, it } from 'vitest';
import type { Dashboard, VillageStatus } from './bindings';
import { monthLabel, percent, reachShare, signupsInView, sortVillages } from './dashboard';

function village(id: number, name: string, households: number, signed: number, notReached: number): VillageStatus {
  return {
    village_id: id, town: '증평읍', village: name, households, signed_up: signed, rate: households ? signed / households : 0,
    voice: 0, sms: 0, kakao: 0, pending: 0, reached_30: 0, reached_90: households - notReached, confirmed_90: 0, not_reached_90: notReached,
  };
}

describe('dashboard figures', () => {
  const villages = [village(1, '창동1리', 100, 90, 5), village(2, '송산리', 200, 40, 150), village(3, '빈마을', 0, 0, 0), village(4, '남하리', 50, 20, 10)];

  it('sorts villages furthest behind first, and leaves out those without households', () => {
    expect(sortVillages(villages, 'rate').map((v) => v.village)).toEqual(['송산리', '남하리', '창동1리']);
    expect(sortVillages(villages, 'households').map((v) => v.village)).toEqual(['송산리', '창동1리', '남하리']);
    expect(sortVillages(villages, 'not_reached').map((v) => v.village)).toEqual(['송산리', '남하리', '창동1리']);
    expect(sortVillages(villages, 'name').map((v) => v.village)).toEqual(['남하리', '송산리', '창동1리']);
  });

  it('rounds shares to one decimal and never divides by zero', () => {
    expect(percent(1, 3)).toBe(33.3);
    expect(percent(5, 0)).toBe(0);
  });

  it('names months the Korean way, with the year at January', () => {
    expect(monthLabel('2026-07')).toBe('7월');
    expect(monthLabel('2027-01')).toBe('2027년 1월');
  });

  it('carries sign-ups made before the period into its first month', () => {
    const d = {
      months: ['2026-10', '2026-11', '2026-12'], households: 200, signed_up: 0, reached_90: 0, not_reached_90: 0, pending: 0,
      reach: [{ month: '2026-10', reached: 50, confirmed: 10 }, { month: '2026-11', reached: 0, confirmed: 0 }, { month: '2026-12', reached: 100, confirmed: 5 }],
      signups: [{ month: '2023-06', new: 80, total: 80 }, { month: '2026-11', new: 20, total: 100 }],
      villages: [], training: [], broadcasts: [],
    } satisfies Dashboard;
    expect(signupsInView(d).map((s) => s.total)).toEqual([80, 100, 100]);
    expect(reachShare(d).map((r) => r.share)).toEqual([25, 0, 50]);
  });
});
