import { en } from './en';
import { ko, type MessageKey } from './ko';

export type Locale = 'ko' | 'en';
const catalogues: Record<Locale, Record<MessageKey, string>> = { ko, en };
const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('maeul.locale') : null;

export const i18n = $state<{ locale: Locale }>({ locale: stored === 'en' ? 'en' : 'ko' });

/** The message for `key` in the current language (Korean when a key is missing). */
export function t(key: MessageKey): string {
  return catalogues[i18n.locale][key] ?? ko[key];
}

/** `t(key)` with `{name}` placeholders filled from `params`. */
export function tf(key: MessageKey, params: Record<string, string | number>): string {
  return t(key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Each language's name in its own language, for the language switch. */
export const LANGUAGE_NAMES: Record<Locale, string> = { ko: '한국어', en: 'English' };

export function setLocale(locale: Locale) {
  i18n.locale = locale;
  localStorage.setItem('maeul.locale', locale);
  document.documentElement.lang = locale;
}

export type { MessageKey };
