// Date arithmetic for the calendar, on civil dates ("YYYY-MM-DD") so that the PC's time
// zone never moves an event to another day.

export function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function iso(y: number, m: number, d: number): string {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return `${dt.getUTCFullYear()}-${pad(dt.getUTCMonth() + 1)}-${pad(dt.getUTCDate())}`;
}

export function parts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y, m, d];
}

export function addDays(date: string, n: number): string {
  const [y, m, d] = parts(date);
  return iso(y, m, d + n);
}

/** 0 = Monday … 6 = Sunday. */
export function weekday(date: string): number {
  const [y, m, d] = parts(date);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** The Monday-first weeks covering the month of `date`: 4 to 6 rows of 7 dates. */
export function monthGrid(date: string): string[][] {
  const [y, m] = parts(date);
  const first = iso(y, m, 1);
  let cursor = addDays(first, -weekday(first));
  const weeks: string[][] = [];
  do {
    const week: string[] = [];
    for (let i = 0; i < 7; i++) {
      week.push(cursor);
      cursor = addDays(cursor, 1);
    }
    weeks.push(week);
  } while (parts(cursor)[1] === m && parts(cursor)[0] === y);
  return weeks;
}

export function weekOf(date: string): string[] {
  const monday = addDays(date, -weekday(date));
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** Events whose civil interval touches the day. */
export function onDay<T extends { starts_at: string; ends_at: string }>(events: T[], day: string): T[] {
  return events.filter((e) => e.starts_at.slice(0, 10) <= day && e.ends_at.slice(0, 10) >= day);
}

/** The next attendance mark when a cell is clicked. */
export const attendanceCycle = ['present', 'late', 'absent', 'excused', null] as const;
export type Mark = (typeof attendanceCycle)[number];
export function nextMark(m: Mark): Mark {
  return attendanceCycle[(attendanceCycle.indexOf(m) + 1) % attendanceCycle.length];
}

/** Check-in search: by name or village, ignoring spaces; unchecked people first. */
export function searchRoster<T extends { name: string; village_name: string | null; checked_in_at: string | null }>(
  roster: T[],
  query: string
): T[] {
  const q = query.replace(/\s+/g, '');
  const hit = (a: T) => !q || a.name.replace(/\s+/g, '').includes(q) || (a.village_name ?? '').replace(/\s+/g, '').includes(q);
  const found = roster.filter(hit);
  return [...found.filter((a) => !a.checked_in_at), ...found.filter((a) => a.checked_in_at)];
}

/** Local "2024-06-19T09:30" for a datetime-local input and back. */
export function timeOf(civil: string): string {
  return civil.slice(11, 16);
}
