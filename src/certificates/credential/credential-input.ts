import { readSerial } from '../serial';

/**
 * What someone pasted or uploaded into the "check a credential" form, sorted out: our own
 * credentials arrive as a VC-JOSE compact JWS, bare or wrapped in the VC 2.0
 * EnvelopedVerifiableCredential JSON that /verify/<serial>.json serves, or as JSON-LD with a
 * Data Integrity proof (/verify/<serial>/credential.json).
 */
export type CredentialInput =
  | { kind: 'jws'; jws: string }
  | { kind: 'data-integrity'; credential: Record<string, unknown> }
  | { kind: 'serial'; serial: string }
  | { kind: 'unsigned' }
  | { kind: 'unreadable' };

export const ENVELOPE_PREFIX = 'data:application/vc+jwt,';
const JWS_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The VC 2.0 envelope for a credential secured with JOSE. */
export function envelope(jws: string) {
  return { '@context': 'https://www.w3.org/ns/credentials/v2', id: `${ENVELOPE_PREFIX}${jws}`, type: 'EnvelopedVerifiableCredential' };
}

export function readCredentialInput(raw: string): CredentialInput {
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (!text) return { kind: 'unreadable' };
  if (JWS_PATTERN.test(text)) return { kind: 'jws', jws: text };
  // A serial number or a verification link typed or pasted on its own.
  const typed = readSerial(/\/verify\/([^/?#]+?)(?:\.json|\/credential\.(?:json|jwt))?\/?$/i.exec(text)?.[1] ?? text);
  if (typed.kind === 'serial') return typed;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unreadable' };
  }
  const object = (json ?? {}) as Record<string, unknown>;
  const types = ([] as unknown[]).concat(object.type ?? []);
  if (types.includes('EnvelopedVerifiableCredential') && typeof object.id === 'string' && object.id.startsWith(ENVELOPE_PREFIX)) {
    const jws = object.id.slice(ENVELOPE_PREFIX.length).trim();
    return JWS_PATTERN.test(jws) ? { kind: 'jws', jws } : { kind: 'unreadable' };
  }
  // A credential's JSON without its signature proves nothing, however real it looks.
  if (types.includes('VerifiableCredential')) {
    const proof = object.proof;
    return proof && typeof proof === 'object' && !Array.isArray(proof) ? { kind: 'data-integrity', credential: object } : { kind: 'unsigned' };
  }
  return { kind: 'unreadable' };
}
