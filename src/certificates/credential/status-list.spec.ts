import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { buildStatusListCredential, decodeStatusList, encodeStatusList, STATUS_LIST_BITS, statusBit } from './status-list';
import { didWebFor, ed25519Multibase } from './linked-data';

describe('Bitstring Status List', () => {
  it('encodes 131,072 bits, GZIP-compressed, base64url with the multibase prefix u, bit 0 left-most', () => {
    const encoded = encodeStatusList([0, 9, STATUS_LIST_BITS - 1]);
    expect(encoded.startsWith('u')).toBe(true);
    expect(encoded.slice(1)).toMatch(/^[A-Za-z0-9_-]+$/);
    const bytes = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
    expect(bytes.length).toBe(16_384);
    expect(bytes[0]).toBe(0b1000_0000);
    expect(bytes[1]).toBe(0b0100_0000);
    expect(bytes[16_383]).toBe(0b0000_0001);
    const decoded = decodeStatusList(encoded);
    expect([0, 1, 8, 9, 10, STATUS_LIST_BITS - 2, STATUS_LIST_BITS - 1].map((i) => statusBit(decoded, i))).toEqual([true, false, false, true, false, false, true]);
  });

  it('refuses positions outside the list and lists without the multibase prefix', () => {
    expect(() => encodeStatusList([STATUS_LIST_BITS])).toThrow(RangeError);
    expect(() => encodeStatusList([-1])).toThrow(RangeError);
    expect(() => statusBit(decodeStatusList(encodeStatusList([])), STATUS_LIST_BITS)).toThrow(RangeError);
    expect(() => decodeStatusList('H4sI')).toThrow(/multibase/);
  });

  it('builds the status list credential at its stable URL', () => {
    const credential = buildStatusListCredential({ baseUrl: 'https://exportready.example', list: 1, issuer: 'did:web:exportready.example', setBits: [5], validFrom: '2026-12-04T10:00:00Z' });
    expect(credential).toMatchObject({
      id: 'https://exportready.example/credentials/status/1',
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: 'did:web:exportready.example',
      credentialSubject: { id: 'https://exportready.example/credentials/status/1#list', type: 'BitstringStatusList', statusPurpose: 'revocation' },
    });
    expect(statusBit(decodeStatusList(credential.credentialSubject.encodedList), 5)).toBe(true);
  });
});

describe('did:web and Multikey', () => {
  it('names the site by host, with a port percent-encoded and a path as segments', () => {
    expect(didWebFor('https://exportready.pk')).toBe('did:web:exportready.pk');
    expect(didWebFor('http://localhost:3000')).toBe('did:web:localhost%3A3000');
    expect(didWebFor('https://example.org/academy/')).toBe('did:web:example.org:academy');
  });

  it('writes an Ed25519 key as publicKeyMultibase (z, base58btc, 0xed01 prefix) as the Multikey library does', async () => {
    const multikey = await import('@digitalbazaar/ed25519-multikey');
    for (const raw of [Buffer.alloc(32), Buffer.alloc(32, 0xff), randomBytes(32), randomBytes(32)]) {
      const x = raw.toString('base64url');
      const expected = (await multikey.fromJwk({ jwk: { kty: 'OKP', crv: 'Ed25519', x } })).publicKeyMultibase;
      expect(ed25519Multibase(x)).toBe(expected);
      expect(expected).toMatch(/^z6Mk/);
    }
    expect(() => ed25519Multibase(Buffer.alloc(31).toString('base64url'))).toThrow();
  });
});
