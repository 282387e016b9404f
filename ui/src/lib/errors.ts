// How a backend error reads on screen. The UI branches on `code` and takes the headline from
// its own catalogue, so the English UI says it in English; the backend's message (Korean,
// naming the row and the field, e.g. "3행 전화번호: …") is the detail. The Korean UI shows
// that detail alone: it already says what went wrong, more precisely than any headline.
import type { ApiError } from './bindings';
import type { Locale, MessageKey } from './i18n/index.svelte';

export function errorHeadline(code: ApiError['code'], t: (key: MessageKey) => string): string {
  return t(`error.${code}`);
}

export function errorText(e: ApiError, locale: Locale, t: (key: MessageKey) => string): string {
  const headline = errorHeadline(e.code, t);
  if (locale === 'ko') return e.message.trim() || headline;
  const where = e.field ? ` (${t('error.field')}: ${e.field})` : '';
  const detail = e.message.trim() && e.message.trim() !== headline ? ` — ${e.message.trim()}` : '';
  return `${headline}${where}${detail}`;
}

/** The text under a form field: the backend's words in Korean, the catalogue's in English. */
export function fieldText(e: ApiError, locale: Locale, t: (key: MessageKey) => string): string {
  if (locale === 'ko') return e.message.trim() || errorHeadline(e.code, t);
  const detail = e.message.trim();
  return detail ? `${errorHeadline(e.code, t)} — ${detail}` : errorHeadline(e.code, t);
}
