import { describe, expect, it } from 'vitest';
import { en } from './i18n/en';
import { ko, type MessageKey } from './i18n/ko';
import { errorText, fieldText } from './errors';
import type { ApiError } from './bindings';

const tEn = (k: MessageKey) => en[k];
const tKo = (k: MessageKey) => ko[k];
const phone: ApiError = { code: 'invalid', message: '3행 전화번호: 010으로 시작해야 합니다', field: 'phone' };

describe('backend errors on screen', () => {
  it('Korean shows the backend detail, which names the row and field', () => {
    expect(errorText(phone, 'ko', tKo)).toBe('3행 전화번호: 010으로 시작해야 합니다');
  });

  it('English leads with the catalogue headline for the code and names the field', () => {
    const text = errorText(phone, 'en', tEn);
    expect(text.startsWith('Check the value you entered (field: phone)')).toBe(true);
    expect(text).toContain('3행');
  });

  it('every code the backend can return has a headline in both languages', () => {
    const codes: ApiError['code'][] = [
      'forbidden', 'out_of_scope', 'bad_credentials', 'locked_out', 'not_signed_in', 'setup_required',
      'already_set_up', 'invalid', 'duplicate', 'not_found', 'conflict', 'io', 'device', 'database', 'internal'
    ];
    for (const code of codes) {
      const e: ApiError = { code, message: '', field: null };
      expect(errorText(e, 'en', tEn)).toBe(en[`error.${code}`]);
      expect(errorText(e, 'ko', tKo)).toBe(ko[`error.${code}`]);
    }
  });

  it('a field message in English is English first', () => {
    expect(fieldText(phone, 'en', tEn).startsWith('Check the value')).toBe(true);
    expect(fieldText(phone, 'ko', tKo)).toBe(phone.message);
  });
});
