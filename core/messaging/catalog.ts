import { en } from './catalog-en.ts';
import { vi } from './catalog-vi.ts';

/**
 * The one place user-facing copy lives. Vietnamese first; the English catalog must have the
 * same keys (checked by the type below), so switching a person's locale never shows a key.
 */
export type MessageKey = keyof typeof vi;
export type Locale = 'vi' | 'en';
/** A parameter is a value, another catalog text (rendered in the same language) or a list of them. */
export type ParamValue = string | number | { key: MessageKey; params?: Params } | ParamValue[];
export type Params = { [name: string]: ParamValue };

const catalogs: Record<Locale, Record<MessageKey, string>> = { vi, en };

export function isLocale(value: string): value is Locale {
  return value === 'vi' || value === 'en';
}

/** Renders a message; `{name}` placeholders take params, unknown ones are left visible. */
export function t(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = catalogs[locale][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : renderParam(locale, value);
  });
}

function renderParam(locale: Locale, value: ParamValue): string {
  if (Array.isArray(value)) {
    return value.map((v) => renderParam(locale, v)).join(', ');
  }
  if (typeof value === 'object') {
    return t(locale, value.key, value.params);
  }
  return String(value);
}
