import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { Locale, LOCALES } from '../users/user.entity';

type Catalog = { [key: string]: string | Catalog };

const LOCALES_DIR = join(__dirname, 'locales');

function mergeInto(target: Catalog, source: Catalog, file: string, prefix = ''): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (typeof value === 'string' || typeof existing === 'string') {
      if (existing !== undefined) throw new Error(`${file}: the key ${prefix}${key} is defined twice`);
      target[key] = value;
    } else {
      target[key] = (existing as Catalog | undefined) ?? {};
      mergeInto(target[key] as Catalog, value, file, `${prefix}${key}.`);
    }
  }
}

/**
 * One catalog per locale, merged from `locales/<locale>/*.json`: each feature keeps its
 * strings in its own file (core.json, quizzes.json, …) and a key may be defined only once.
 */
function loadCatalog(locale: Locale): Catalog {
  const catalog: Catalog = {};
  const dir = join(LOCALES_DIR, locale);
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json')).sort()) {
    mergeInto(catalog, JSON.parse(readFileSync(join(dir, file), 'utf8')) as Catalog, `${locale}/${file}`);
  }
  return catalog;
}

const CATALOGS: Record<Locale, Catalog> = { en: loadCatalog('en'), ur: loadCatalog('ur') };
const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', ur: 'ur-PK' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Every key of a catalog, dotted: the i18n test compares the two catalogs with it. */
export function catalogKeys(catalog: Catalog, prefix = ''): string[] {
  return Object.entries(catalog).flatMap(([key, value]) =>
    typeof value === 'string' ? [prefix + key] : catalogKeys(value, `${prefix}${key}.`),
  );
}

function lookup(catalog: Catalog, key: string): string | undefined {
  let node: string | Catalog | undefined = catalog;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

@Injectable()
export class I18nService {
  readonly locales = LOCALES;
  // Making an Intl formatter costs far more than using one; a report page formats thousands of cells.
  private readonly numberFormats = new Map<string, Intl.NumberFormat>();
  private readonly dateFormats = new Map<Locale, Intl.DateTimeFormat>();

  direction(locale: Locale): 'ltr' | 'rtl' {
    return locale === 'ur' ? 'rtl' : 'ltr';
  }

  /**
   * Looks a key up in the locale's catalog. A missing key renders as the key itself in
   * brackets, which the i18n tests search pages for.
   */
  translate(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
    const template = lookup(CATALOGS[locale], key);
    if (template === undefined) return `[${key}]`;
    return template.replace(/\{(\w+)\}/g, (match, name: string) =>
      params[name] === undefined ? match : this.formatValue(locale, params[name]),
    );
  }

  has(locale: Locale, key: string): boolean {
    return lookup(CATALOGS[locale], key) !== undefined;
  }

  formatNumber(locale: Locale, value: number, options: Intl.NumberFormatOptions = {}): string {
    const key = `${locale}|${JSON.stringify(options)}`;
    let format = this.numberFormats.get(key);
    if (!format) this.numberFormats.set(key, (format = new Intl.NumberFormat(INTL_LOCALE[locale], options)));
    return format.format(value);
  }

  formatDate(locale: Locale, value: Date | string | null | undefined): string {
    if (!value) return '';
    const date = typeof value === 'string' ? new Date(value) : value;
    let format = this.dateFormats.get(locale);
    if (!format) this.dateFormats.set(locale, (format = new Intl.DateTimeFormat(INTL_LOCALE[locale], { dateStyle: 'medium', timeZone: 'Asia/Karachi' })));
    return format.format(date);
  }

  formatTime(locale: Locale, value: Date | string | null | undefined): string {
    if (!value) return '';
    const date = typeof value === 'string' ? new Date(value) : value;
    return new Intl.DateTimeFormat(INTL_LOCALE[locale], { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Karachi' }).format(date);
  }

  catalog(locale: Locale): Catalog {
    return CATALOGS[locale];
  }

  private formatValue(locale: Locale, value: unknown): string {
    return typeof value === 'number' ? this.formatNumber(locale, value) : String(value);
  }
}
