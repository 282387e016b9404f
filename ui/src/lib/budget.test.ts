import { describe, expect, it } from 'vitest';
import { cellKey, formatRate, issuesByKey, parseAmount, resizeYears, toLines } from './budget';
import type { CheckIssue, MoneyTable } from './bindings';

describe('parseAmount', () => {
  it('reads whole 백만원, with or without thousands separators', () => {
    expect(parseAmount('230')).toBe(230);
    expect(parseAmount(' 1,200 ')).toBe(1200);
  });
  it('treats empty and "-" as none, as the card prints it', () => {
    expect(parseAmount('')).toBeNull();
    expect(parseAmount('-')).toBeNull();
  });
  it('refuses anything else rather than guessing', () => {
    expect(parseAmount('12.5')).toBe('invalid');
    expect(parseAmount('-3')).toBe('invalid');
    expect(parseAmount('삼십')).toBe('invalid');
  });
});

describe('issuesByKey', () => {
  it('gathers every message of a cell under its key', () => {
    const issue = (key: string, message: string): CheckIssue => ({
      rule: 'subtotal', table: 'plan', source: 'county', column: { kind: 'subtotal' }, key, message
    });
    const map = issuesByKey([issue('plan.county.subtotal', 'a'), issue('plan.county.subtotal', 'b'), issue('plan.total.y2023', 'c')]);
    expect(map.get(cellKey('plan', 'county', 'subtotal'))).toEqual(['a', 'b']);
    expect(map.get('plan.total.y2023')).toEqual(['c']);
  });
});

describe('resizeYears', () => {
  it('keeps the years that still fit and pads new ones with none', () => {
    const table: MoneyTable = {
      rows: [{ source: 'total', total: 1, prior: null, subtotal: 1, years: [1, 2, 3], after: null }]
    };
    resizeYears(table, 2);
    expect(table.rows[0].years).toEqual([1, 2]);
    resizeYears(table, 4);
    expect(table.rows[0].years).toEqual([1, 2, null, null]);
  });
});

describe('lines and rates', () => {
  it('drops blank lines and trims', () => {
    expect(toLines(' a \n\n b')).toEqual(['a', 'b']);
  });
  it('formats the execution rate', () => {
    expect(formatRate(62.972)).toBe('63.0%');
    expect(formatRate(null)).toBe('-');
  });
});
