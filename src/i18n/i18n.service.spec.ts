import { catalogKeys, I18nService } from './i18n.service';

describe(I18nService.name, () => {
  const i18n = new I18nService();

  it('has the same keys in the English and the Urdu catalog', () => {
    const en = catalogKeys(i18n.catalog('en')).sort();
    const ur = catalogKeys(i18n.catalog('ur')).sort();
    expect(en.filter((key) => !ur.includes(key))).toEqual([]);
    expect(ur.filter((key) => !en.includes(key))).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of catalogKeys(i18n.catalog('en'))) {
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect({ key, names: names(i18n.translate('ur', key)) }).toEqual({ key, names: names(i18n.translate('en', key)) });
    }
  });

  it('writes placeholders in single braces, the only form translate fills', () => {
    for (const locale of i18n.locales) {
      const doubled = catalogKeys(i18n.catalog(locale)).filter((key) => /\{\{|\}\}/.test(i18n.translate(locale, key)));
      expect({ locale, doubled }).toEqual({ locale, doubled: [] });
    }
  });

  it('fills placeholders and formats numbers per locale', () => {
    expect(i18n.translate('en', 'home.all_courses', { count: 1200 })).toBe('See all 1,200 courses');
    expect(i18n.translate('ur', 'home.all_courses', { count: 7 })).toContain('7');
  });

  it('shows a missing key as the key in brackets, which the page tests look for', () => {
    expect(i18n.translate('ur', 'no.such.key')).toBe('[no.such.key]');
  });

  it('writes Urdu pages right to left', () => {
    expect(i18n.direction('ur')).toBe('rtl');
    expect(i18n.direction('en')).toBe('ltr');
  });
});
