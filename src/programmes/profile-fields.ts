/**
 * The learner profile that programme reports break down by. Every field is optional unless a
 * programme requires it. Choice fields store a stable code; labels live in the catalogs under
 * `profile.<field>_options.<code>`.
 */
export const SECTORS = [
  'textiles_apparel',
  'leather',
  'sports_goods',
  'surgical_instruments',
  'rice_food',
  'handicrafts',
  'furniture',
  'it_services',
  'other',
] as const;

export const PROVINCES = ['punjab', 'sindh', 'kpk', 'balochistan', 'islamabad', 'gilgit_baltistan', 'ajk'] as const;

export const GENDERS = ['female', 'male', 'transgender', 'prefer_not_to_say'] as const;

export const BUSINESS_SIZES = ['solo', 'micro', 'small', 'medium', 'large'] as const;

export const MARKETPLACES = ['alibaba', 'amazon', 'etsy', 'daraz', 'own_website', 'other'] as const;

export const EXPORT_STAGES = ['exploring', 'preparing', 'listed', 'first_order', 'regular'] as const;

export type Sector = (typeof SECTORS)[number];
export type Province = (typeof PROVINCES)[number];
export type Gender = (typeof GENDERS)[number];
export type BusinessSize = (typeof BUSINESS_SIZES)[number];
export type Marketplace = (typeof MARKETPLACES)[number];
export type ExportStage = (typeof EXPORT_STAGES)[number];

/** The fields a programme may require, in form order. */
export const PROFILE_FIELDS = ['businessName', 'sector', 'city', 'province', 'gender', 'businessSize', 'marketplaces', 'exportStage'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const CHOICES: Record<Exclude<ProfileField, 'businessName' | 'city'>, readonly string[]> = {
  sector: SECTORS,
  province: PROVINCES,
  gender: GENDERS,
  businessSize: BUSINESS_SIZES,
  marketplaces: MARKETPLACES,
  exportStage: EXPORT_STAGES,
};

export interface ProfileValues {
  businessName: string | null;
  sector: Sector | null;
  city: string | null;
  province: Province | null;
  gender: Gender | null;
  businessSize: BusinessSize | null;
  marketplaces: Marketplace[];
  exportStage: ExportStage | null;
}

export const EMPTY_PROFILE: ProfileValues = {
  businessName: null,
  sector: null,
  city: null,
  province: null,
  gender: null,
  businessSize: null,
  marketplaces: [],
  exportStage: null,
};

/** What a form or a CSV row gives: text per field, several codes for marketplaces. */
export type ProfileInput = Partial<Record<Exclude<ProfileField, 'marketplaces'>, string>> & { marketplaces?: string[] | string };

export const BUSINESS_NAME_MAX = 160;
export const CITY_MAX = 80;

/**
 * City names are free text; reports group them case- and space-insensitively, so
 * "  lahore " and "Lahore" are one city.
 */
export function normalizeCity(raw: string): string {
  return raw
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .replace(/(^|[\s-])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
}

function isFilled(values: ProfileValues, field: ProfileField): boolean {
  return field === 'marketplaces' ? values.marketplaces.length > 0 : values[field] !== null;
}

export function missingFields(values: ProfileValues, required: readonly ProfileField[]): ProfileField[] {
  return required.filter((field) => !isFilled(values, field));
}

/**
 * Checks and normalises profile input. Choice fields accept the code; `labels` (lower-cased
 * label → code, per field) lets a CSV say "Textiles and apparel" as well. Blank means not given.
 * Returns the values and field errors (translation keys).
 */
export function parseProfile(
  input: ProfileInput,
  labels: Partial<Record<keyof typeof CHOICES, Map<string, string>>> = {},
): { values: ProfileValues; errors: Partial<Record<ProfileField, string>> } {
  const errors: Partial<Record<ProfileField, string>> = {};
  const text = (value: unknown) => (typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : '');
  const choice = (field: keyof typeof CHOICES, raw: unknown): string | null => {
    const value = text(raw);
    if (!value) return null;
    const lower = value.toLowerCase();
    const code = CHOICES[field].includes(lower) ? lower : labels[field]?.get(lower);
    if (!code) errors[field] = 'profile.invalid_choice';
    return code ?? null;
  };

  const businessName = text(input.businessName);
  if (businessName.length > BUSINESS_NAME_MAX) errors.businessName = 'validation.too_long';
  const city = text(input.city);
  if (city.length > CITY_MAX) errors.city = 'validation.too_long';

  const rawMarketplaces = Array.isArray(input.marketplaces) ? input.marketplaces : text(input.marketplaces).split(/[;,|]/);
  const marketplaces: Marketplace[] = [];
  for (const raw of rawMarketplaces) {
    if (!text(raw)) continue;
    const code = choice('marketplaces', raw) as Marketplace | null;
    if (code && !marketplaces.includes(code)) marketplaces.push(code);
  }

  const values: ProfileValues = {
    businessName: businessName && businessName.length <= BUSINESS_NAME_MAX ? businessName : null,
    sector: choice('sector', input.sector) as Sector | null,
    city: city && city.length <= CITY_MAX ? normalizeCity(city) : null,
    province: choice('province', input.province) as Province | null,
    gender: choice('gender', input.gender) as Gender | null,
    businessSize: choice('businessSize', input.businessSize) as BusinessSize | null,
    marketplaces: MARKETPLACES.filter((m) => marketplaces.includes(m)),
    exportStage: choice('exportStage', input.exportStage) as ExportStage | null,
  };
  return { values, errors };
}

export function isProfileField(value: string): value is ProfileField {
  return (PROFILE_FIELDS as readonly string[]).includes(value);
}
