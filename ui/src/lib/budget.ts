// Pure helpers for the 예산카드 screens: amounts typed into cells, check marks by cell key,
// and the one-item-per-line text areas.
import type { CheckIssue, MoneyTable, Source } from './bindings';

export const SOURCES: Source[] = ['total', 'national', 'provincial', 'county', 'private', 'self_funded'];

/** A cell as typed: empty or "-" is none (null); otherwise a whole number of 백만원. */
export function parseAmount(text: string): number | null | 'invalid' {
  const t = text.trim().replace(/,/g, '');
  if (t === '' || t === '-') return null;
  if (!/^\d{1,7}$/.test(t)) return 'invalid';
  return Number(t);
}

export function showAmount(cell: number | null): string {
  return cell === null ? '' : String(cell);
}

/** The key the backend's checks use for a money cell: `plan.county.y2023`. */
export function cellKey(table: 'plan' | 'executed', source: Source, column: string): string {
  return `${table}.${source}.${column}`;
}

/** Check messages by cell key; several checks may fail on one cell. */
export function issuesByKey(issues: CheckIssue[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of issues) out.set(i.key, [...(out.get(i.key) ?? []), i.message]);
  return out;
}

export function toLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

export function fromLines(lines: string[]): string {
  return lines.join('\n');
}

/** Resizes every row of a money table to `years` year cells, keeping what fits. */
export function resizeYears(table: MoneyTable, years: number): void {
  for (const row of table.rows) {
    while (row.years.length < years) row.years.push(null);
    row.years.length = years;
  }
}

export function formatRate(rate: number | null): string {
  return rate === null ? '-' : `${rate.toFixed(1)}%`;
}
