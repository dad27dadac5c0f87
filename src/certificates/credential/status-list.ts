import { gunzipSync, gzipSync } from 'node:zlib';
/** The VC 2.0 context, which defines the Bitstring Status List terms. */
const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';

/**
 * W3C Bitstring Status List v1.0: one bit per credential, bit 0 the left-most bit of the first
 * byte, GZIP-compressed and base64url-encoded with the multibase prefix 'u'. 131,072 bits (16 KB)
 * is the specification's minimum, so that one set bit does not single out a credential.
 */
export const STATUS_LIST_BITS = 131_072;
export const STATUS_PURPOSE = 'revocation';

export function statusListUrl(baseUrl: string, list: number): string {
  return `${baseUrl}/credentials/status/${list}`;
}

export interface StatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation';
  statusListIndex: string;
  statusListCredential: string;
}

export function statusListEntry(baseUrl: string, list: number, index: number): StatusListEntry {
  const url = statusListUrl(baseUrl, list);
  return { id: `${url}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: STATUS_PURPOSE, statusListIndex: String(index), statusListCredential: url };
}

export function encodeStatusList(setBits: Iterable<number>, bits = STATUS_LIST_BITS): string {
  const bytes = Buffer.alloc(bits / 8);
  for (const index of setBits) {
    if (!Number.isInteger(index) || index < 0 || index >= bits) throw new RangeError(`status list index ${index} out of range`);
    bytes[index >> 3] |= 0x80 >> (index & 7);
  }
  return `u${gzipSync(bytes).toString('base64url')}`;
}

export function decodeStatusList(encoded: string): Buffer {
  if (!encoded.startsWith('u')) throw new Error('an encoded status list starts with the multibase prefix "u"');
  return gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
}

export function statusBit(bitstring: Buffer, index: number): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= bitstring.length * 8) throw new RangeError(`status list index ${index} out of range`);
  return (bitstring[index >> 3] & (0x80 >> (index & 7))) !== 0;
}

/** The unsigned BitstringStatusListCredential for one list. */
export function buildStatusListCredential(options: { baseUrl: string; list: number; issuer: string; setBits: Iterable<number>; validFrom: string }) {
  const url = statusListUrl(options.baseUrl, options.list);
  return {
    '@context': [VC_CONTEXT],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: options.issuer,
    validFrom: options.validFrom,
    credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: STATUS_PURPOSE, encodedList: encodeStatusList(options.setBits) },
  };
}
