import { missingFields, normalizeCity, parseProfile } from './profile-fields';

describe(parseProfile.name, () => {
  const labels = { sector: new Map([['textiles and apparel', 'textiles_apparel']]) };

  it('accepts codes or labels, in any case, and keeps blanks as "not given"', () => {
    const { values, errors } = parseProfile({ sector: 'Textiles and Apparel', province: 'PUNJAB', gender: '', city: '  multan ', marketplaces: 'alibaba; Etsy|alibaba' }, labels);
    expect(errors).toEqual({});
    expect(values).toEqual({
      businessName: null,
      sector: 'textiles_apparel',
      city: 'Multan',
      province: 'punjab',
      gender: null,
      businessSize: null,
      marketplaces: ['alibaba', 'etsy'],
      exportStage: null,
    });
  });

  it('names every field that holds something not on its list', () => {
    const { errors } = parseProfile({ sector: 'fishing', gender: 'unknown', marketplaces: ['ebay'], businessName: 'x'.repeat(161) });
    expect(errors).toEqual({ sector: 'profile.invalid_choice', gender: 'profile.invalid_choice', marketplaces: 'profile.invalid_choice', businessName: 'validation.too_long' });
  });

  it('lists the required fields still empty', () => {
    const { values } = parseProfile({ sector: 'leather' });
    expect(missingFields(values, ['sector', 'province', 'marketplaces'])).toEqual(['province', 'marketplaces']);
  });
});

describe(normalizeCity.name, () => {
  it('groups one city written several ways', () => {
    expect(new Set(['lahore', ' LAHORE ', 'Lahore'].map(normalizeCity))).toEqual(new Set(['Lahore']));
    expect(normalizeCity('dera  ghazi   khan')).toBe('Dera Ghazi Khan');
    expect(normalizeCity('mirpur-khas')).toBe('Mirpur-Khas');
  });
});
