import { CHOICES, PROFILE_FIELDS, ProfileField, ProfileInput, ProfileValues } from './profile-fields';

/** Cities offered as suggestions (the field stays free text). */
export const CITY_SUGGESTIONS = [
  'Karachi', 'Lahore', 'Faisalabad', 'Rawalpindi', 'Gujranwala', 'Peshawar', 'Multan', 'Hyderabad', 'Islamabad', 'Quetta',
  'Sialkot', 'Bahawalpur', 'Sargodha', 'Sukkur', 'Larkana', 'Gujrat', 'Mardan', 'Abbottabad', 'Kasur', 'Sahiwal',
  'Wazirabad', 'Muzaffarabad', 'Gilgit', 'Mirpur', 'Okara',
];

export interface ProfileFormField {
  name: ProfileField;
  labelKey: string;
  required: boolean;
  error?: string;
  isText: boolean;
  isSelect: boolean;
  isCheckboxes: boolean;
  value?: string;
  options?: { value: string; labelKey: string; selected: boolean }[];
  suggestions?: string[];
  maxLength?: number;
}

/** What the form shows: stored values, or what was typed when it comes back with errors. */
export function profileInputOf(values: ProfileValues): ProfileInput {
  return {
    businessName: values.businessName ?? '',
    sector: values.sector ?? '',
    city: values.city ?? '',
    province: values.province ?? '',
    gender: values.gender ?? '',
    businessSize: values.businessSize ?? '',
    marketplaces: values.marketplaces,
    exportStage: values.exportStage ?? '',
  };
}

/** Reads the profile fields of a submitted form (one checkbox ticked arrives as a string). */
export function profileInputFromBody(body: Record<string, unknown>): ProfileInput {
  const input: ProfileInput = {};
  for (const field of PROFILE_FIELDS) {
    const raw = body[field];
    if (field === 'marketplaces') input.marketplaces = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' && raw ? [raw] : [];
    else if (typeof raw === 'string') input[field] = raw;
  }
  return input;
}

/** The profile fields in form order, ready for the profile-fields partial. */
export function profileFormFields(input: ProfileInput, required: readonly ProfileField[], errors: Record<string, string> = {}): ProfileFormField[] {
  return PROFILE_FIELDS.map((name) => {
    const common = { name, labelKey: `profile.fields.${name}`, required: required.includes(name), error: errors[name], isText: false, isSelect: false, isCheckboxes: false };
    if (name === 'businessName' || name === 'city') {
      return {
        ...common,
        isText: true,
        value: String(input[name] ?? ''),
        maxLength: name === 'city' ? 80 : 160,
        suggestions: name === 'city' ? CITY_SUGGESTIONS : undefined,
      };
    }
    const chosen = name === 'marketplaces' ? (Array.isArray(input.marketplaces) ? input.marketplaces : []) : [String(input[name] ?? '')];
    return {
      ...common,
      isSelect: name !== 'marketplaces',
      isCheckboxes: name === 'marketplaces',
      options: CHOICES[name].map((code) => ({ value: code, labelKey: `profile.options.${name}.${code}`, selected: chosen.includes(code) })),
    };
  });
}
