// 현황판's figures as the charts and tables want them: pure functions over the desk's
// Dashboard, so that sorting and percentages are tested without a window.
import type { CategoryMonth, Dashboard, VillageStatus } from './bindings';

export type VillageSort = 'rate' | 'name' | 'households' | 'not_reached';

/** 0..1 as a whole percentage ("37%"); a village without households reads 0. */
export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

/** The villages in the order the sign-up chart shows them: lowest rate first by default. */
export function sortVillages(villages: VillageStatus[], by: VillageSort): VillageStatus[] {
  const out = villages.filter((v) => v.households > 0);
  const name = (a: VillageStatus, b: VillageStatus) => `${a.town} ${a.village}`.localeCompare(`${b.town} ${b.village}`, 'ko');
  switch (by) {
    case 'rate':
      return out.sort((a, b) => a.rate - b.rate || b.households - a.households || name(a, b));
    case 'name':
      return out.sort(name);
    case 'households':
      return out.sort((a, b) => b.households - a.households || name(a, b));
    case 'not_reached':
      return out.sort((a, b) => b.not_reached_90 - a.not_reached_90 || name(a, b));
  }
}

/** "2026-07" → "7월" (January shows its year: "2026년 1월"). */
export function monthLabel(m: string, locale: 'ko' | 'en' = 'ko'): string {
  const [y, mo] = m.split('-').map(Number);
  if (locale === 'en') return new Date(Date.UTC(y, mo - 1, 1)).toLocaleDateString('en', { month: 'short', year: mo === 1 ? 'numeric' : undefined, timeZone: 'UTC' });
  return mo === 1 ? `${y}년 1월` : `${mo}월`;
}

/** Households reached each month as a share of the households in view. */
export function reachShare(d: Dashboard): { month: string; reached: number; confirmed: number; share: number }[] {
  return d.reach.map((r) => ({ month: r.month, reached: r.reached, confirmed: r.confirmed, share: percent(r.reached, d.households) }));
}

/** The sign-up line over the months shown (earlier months fold into the first). */
export function signupsInView(d: Dashboard): { month: string; total: number; share: number }[] {
  return d.months.map((m) => {
    const upTo = d.signups.filter((s) => s.month <= m);
    const total = upTo.length ? upTo[upTo.length - 1].total : 0;
    return { month: m, total, share: percent(total, d.households) };
  });
}

export const categories = ['emergency', 'admin', 'village_news', 'education_event'] as const;

export function categoryCount(m: CategoryMonth, c: (typeof categories)[number]): number {
  return m[c];
}
