// Pure helpers for the registry table: number formatting and the in-memory search.

export function formatCount(n: number, locale: 'ko' | 'en' = 'ko'): string {
  return n.toLocaleString(locale === 'ko' ? 'ko-KR' : 'en-US');
}

export interface Searchable {
  name: string;
  head_name: string;
  address: string;
  phone: string;
}

/**
 * Prepares a query once: lower-cased words, plus the digits alone so that `01012345678`
 * finds `010-1234-5678`. Every word must match somewhere in the row.
 */
export function compileQuery(query: string): (row: Searchable) => boolean {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  return (row) =>
    words.every((w) => {
      const digits = w.replace(/[^0-9]/g, '');
      if (digits.length >= 3 && digits.length === w.replace(/-/g, '').length) {
        return row.phone.replace(/[^0-9*]/g, '').includes(digits);
      }
      return (
        row.name.toLowerCase().includes(w) ||
        row.head_name.toLowerCase().includes(w) ||
        row.address.toLowerCase().includes(w)
      );
    });
}

export interface Window {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

/** Which rows of a fixed-height list are on screen (plus `overscan` either side). */
export function visibleWindow(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan = 8
): Window {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { start: first, end: last, padTop: first * rowHeight, padBottom: (total - last) * rowHeight };
}
