import { buildOpenBadgeCredential, CredentialFacts, summarizeCredential } from './open-badge';

const facts: CredentialFacts = {
  baseUrl: 'https://exportready.example',
  issuerId: 'did:web:exportready.example',
  issuerName: 'TDAP Export Academy',
  serial: 'ER-2026-000123',
  holderName: 'عائشہ خان',
  course: { slug: 'alibaba-first-30-days', title: 'Selling on Alibaba.com', summary: 'Open a supplier store.', language: 'en', outcomes: ['Set up a store', 'Answer RFQs'] },
  criteria: 'Completed every required lesson.',
  completedAt: new Date('2026-05-12T09:30:00.000Z'),
  issuedAt: new Date('2026-05-12T09:30:04.567Z'),
  status: { list: 2, index: 70000 },
};

describe('buildOpenBadgeCredential', () => {
  const credential = buildOpenBadgeCredential(facts);

  it('is an Open Badges 3.0 OpenBadgeCredential in the VC 2.0 shape', () => {
    expect(credential['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.id).toBe('https://exportready.example/verify/ER-2026-000123');
    expect(credential.issuer).toEqual({ id: 'did:web:exportready.example', type: ['Profile'], name: 'TDAP Export Academy', url: 'https://exportready.example/' });
    expect(credential.validFrom).toBe('2026-05-12T09:30:04Z');
    expect(credential.credentialStatus).toEqual({
      id: 'https://exportready.example/credentials/status/2#70000',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '70000',
      statusListCredential: 'https://exportready.example/credentials/status/2',
    });
  });

  it('names the holder with a plain-text name identity and describes the course as the achievement', () => {
    expect(credential.credentialSubject.identifier).toEqual([{ type: 'IdentityObject', identityHash: 'عائشہ خان', identityType: 'name', hashed: false }]);
    expect(credential.credentialSubject.achievement).toMatchObject({
      id: 'https://exportready.example/courses/alibaba-first-30-days',
      achievementType: 'Certificate',
      name: 'Selling on Alibaba.com',
      criteria: { narrative: 'Completed every required lesson.' },
    });
    expect(credential.credentialSubject.achievement.alignment?.map((a) => a.targetName)).toEqual(['Set up a store', 'Answer RFQs']);
  });

  it('reads back what the verification page shows', () => {
    expect(summarizeCredential(credential)).toEqual({
      id: 'https://exportready.example/verify/ER-2026-000123',
      holderName: 'عائشہ خان',
      courseTitle: 'Selling on Alibaba.com',
      courseLanguage: 'en',
      courseDirection: 'ltr',
      courseDescription: 'Open a supplier store.',
      outcomes: ['Set up a store', 'Answer RFQs'],
      criteria: 'Completed every required lesson.',
      issuerName: 'TDAP Export Academy',
      issuerId: 'did:web:exportready.example',
      completedAt: new Date('2026-05-12T09:30:00Z'),
      validFrom: new Date('2026-05-12T09:30:04Z'),
    });
  });

  it('takes the direction of the course texts from their language, not from their first letter', () => {
    const urdu = buildOpenBadgeCredential({ ...facts, course: { ...facts.course, title: 'Alibaba.com پر فروخت', language: 'ur' } });
    expect(summarizeCredential(urdu)).toMatchObject({ courseTitle: 'Alibaba.com پر فروخت', courseLanguage: 'ur', courseDirection: 'rtl' });
    const withLanguage = (inLanguage: unknown) => summarizeCredential({ credentialSubject: { achievement: { name: 'x', inLanguage } } });
    expect(withLanguage('ar-EG')).toMatchObject({ courseLanguage: 'ar-EG', courseDirection: 'rtl' });
    expect(withLanguage('de')).toMatchObject({ courseLanguage: 'de', courseDirection: 'ltr' });
    // Not a language tag (it would go into an attribute): unknown, and the browser judges by the text.
    expect(withLanguage('"><script>')).toMatchObject({ courseLanguage: '', courseDirection: 'auto' });
    expect(withLanguage(undefined)).toMatchObject({ courseLanguage: '', courseDirection: 'auto' });
  });

  it('reads a stranger credential without failing', () => {
    expect(summarizeCredential({ issuer: 'did:example:1', credentialSubject: [{}] })).toMatchObject({ holderName: '', issuerId: 'did:example:1', outcomes: [], completedAt: null });
    expect(summarizeCredential(null).holderName).toBe('');
  });
});
