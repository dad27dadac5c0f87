import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config';
import { IssuerKeysService } from './issuer-keys.service';

function serviceFor(dataDir: string, issuerKey: AppConfig['issuerKey'] = null): IssuerKeysService {
  return new IssuerKeysService({ dataDir, issuerKey, baseUrl: 'https://exportready.example' } as AppConfig);
}

function tamperPayload(jws: string, change: (json: string) => string): string {
  const [header, payload, signature] = jws.split('.');
  return [header, Buffer.from(change(Buffer.from(payload, 'base64url').toString('utf8'))).toString('base64url'), signature].join('.');
}

describe(IssuerKeysService.name, () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'er-keys-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates the key once into the data dir, readable by the owner only, and keeps it across restarts', async () => {
    const first = serviceFor(dataDir);
    await first.onModuleInit();
    const file = join(dataDir, 'issuer-key.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    const again = serviceFor(dataDir);
    await again.onModuleInit();
    expect(again.keyId).toBe(first.keyId);
  });

  it('gives two processes starting together on one data dir the same key', async () => {
    const services = [serviceFor(dataDir), serviceFor(dataDir), serviceFor(dataDir)];
    await Promise.all(services.map((s) => s.onModuleInit()));
    expect(new Set(services.map((s) => s.keyId)).size).toBe(1);
  });

  it('publishes only the public half, with a key id naming the key set and the thumbprint', async () => {
    const keys = serviceFor(dataDir);
    await keys.onModuleInit();
    const [published] = keys.publicKeySet().keys;
    expect(published).not.toHaveProperty('d');
    expect(published.kid).toMatch(/^https:\/\/exportready\.example\/issuer\/keys\.json#[A-Za-z0-9_-]{43}$/);
    expect(published).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
  });

  it('verifies what it signed and refuses it once a single character is changed', async () => {
    const keys = serviceFor(dataDir);
    await keys.onModuleInit();
    const jws = await keys.sign({ name: 'Ayesha Khan', course: 'Pricing' });
    await expect(keys.verify(jws)).resolves.toEqual({ valid: true, credential: { name: 'Ayesha Khan', course: 'Pricing' } });
    await expect(keys.verify(tamperPayload(jws, (json) => json.replace('Ayesha', 'Ayasha')))).resolves.toEqual({ valid: false, reason: 'bad_signature' });
    await expect(keys.verify(jws.slice(0, -2) + (jws.endsWith('AA') ? 'BB' : 'AA'))).resolves.toEqual({ valid: false, reason: 'bad_signature' });
    await expect(keys.verify('not.a.jws')).resolves.toEqual({ valid: false, reason: 'malformed' });
  });

  it('refuses a credential signed by another key, and uses a key given in the configuration', async () => {
    const ours = serviceFor(dataDir);
    await ours.onModuleInit();
    const otherDir = mkdtempSync(join(tmpdir(), 'er-keys-'));
    try {
      const theirs = serviceFor(otherDir);
      await theirs.onModuleInit();
      await expect(ours.verify(await theirs.sign({ a: 1 }))).resolves.toEqual({ valid: false, reason: 'unknown_key' });
      const configured = serviceFor(mkdtempSync(join(tmpdir(), 'er-keys-')), JSON.parse(readFileSync(join(otherDir, 'issuer-key.json'), 'utf8')));
      await configured.onModuleInit();
      expect(configured.keyId).toBe(theirs.keyId);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
