import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ko } from './ko';

describe('catalogues', () => {
  it('Korean and English have the same keys and no empty Korean text', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ko).sort());
    for (const [k, v] of Object.entries(ko)) {
      if (k !== 'common.count_suffix') expect(v.length, k).toBeGreaterThan(0);
    }
  });
});
