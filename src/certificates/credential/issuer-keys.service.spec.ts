import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../database/transaction-runner';
import { IssuerKey } from './issuer-key.entity';
import { IssuerKeysService } from './issuer-keys.service';
import { ed25519Multibase } from './linked-data';

const BASE_URL = 'https://exportready.example';
const DID = 'did:web:exportready.example';

async function database(): Promise<DataSource> {
  return new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [IssuerKey], synchronize: true }).initialize();
}

async function serviceFor(dataSource: DataSource, dataDir: string, issuerKey: AppConfig['issuerKey'] = null): Promise<IssuerKeysService> {
  const service = new IssuerKeysService(dataSource, new TransactionRunner(dataSource), { dataDir, issuerKey, baseUrl: BASE_URL } as AppConfig);
  await service.onModuleInit();
  return service;
}

function tamperPayload(jws: string, change: (json: string) => string): string {
  const [header, payload, signature] = jws.split('.');
  return [header, Buffer.from(change(Buffer.from(payload, 'base64url').toString('utf8'))).toString('base64url'), signature].join('.');
}

const CREDENTIAL = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: DID,
  validFrom: '2026-05-12T09:30:04Z',
  credentialSubject: { id: 'https://exportready.example/verify/ER-2026-000123', name: 'Ayesha Khan' },
};

describe(IssuerKeysService.name, () => {
  let dataDir: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'er-keys-'));
    dataSource = await database();
  });

  afterEach(async () => {
    await dataSource.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adopts the key of the single-key days (the data dir file) as the first key, and keeps it across restarts', async () => {
    const first = await serviceFor(dataSource, dataDir);
    const file = join(dataDir, 'issuer-key.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const jwk = JSON.parse(readFileSync(file, 'utf8'));
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    const again = await serviceFor(dataSource, dataDir);
    expect(await again.signingKid()).toBe(await first.signingKid());
    const rows = await dataSource.getRepository(IssuerKey).find();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].publicJwk)).toEqual({ kty: 'OKP', crv: 'Ed25519', x: jwk.x });
  });

  it('takes ISSUER_KEY as the first key on a new site, keeps its private half out of the database, and still verifies credentials signed before did:web', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const configured = { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x as string, d: jwk.d as string };
    const keys = await serviceFor(dataSource, dataDir, configured);
    const rows = await dataSource.getRepository(IssuerKey).find();
    expect(rows).toEqual([expect.objectContaining({ kid: await keys.signingKid(), privateJwk: null, retiredAt: null })]);
    expect(existsSync(join(dataDir, 'issuer-key.json'))).toBe(false);
    // A credential from the single-key days: its key id was a URL of the site, not the DID.
    const old = await new CompactSign(Buffer.from(JSON.stringify({ name: 'Ayesha Khan' })))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', cty: 'vc', kid: `${BASE_URL}/issuer/keys.json#${await keys.signingKid()}` })
      .sign(privateKey);
    await expect(keys.verify(old)).resolves.toMatchObject({ valid: true, credential: { name: 'Ayesha Khan' } });
    // Without ISSUER_KEY, a process can publish and verify with that key but not sign.
    const withoutKey = await serviceFor(dataSource, dataDir);
    await expect(withoutKey.verify(old)).resolves.toMatchObject({ valid: true });
    await expect(withoutKey.sign({ a: 1 })).rejects.toThrow(/ISSUER_KEY/);
  });

  it('gives processes starting together on one data dir and database the same single key', async () => {
    const services = await Promise.all([serviceFor(dataSource, dataDir), serviceFor(dataSource, dataDir), serviceFor(dataSource, dataDir)]);
    expect(new Set(await Promise.all(services.map((s) => s.signingKid()))).size).toBe(1);
    expect(await dataSource.getRepository(IssuerKey).count()).toBe(1);
  });

  it('publishes only public halves: a JWK set and a did:web document with Multikey entries', async () => {
    const keys = await serviceFor(dataSource, dataDir);
    const kid = await keys.signingKid();
    const [published] = (await keys.publicKeySet()).keys;
    expect(published).not.toHaveProperty('d');
    expect(published).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: `${DID}#${kid}` });
    const did = await keys.didDocument();
    expect(did).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: DID,
      verificationMethod: [{ id: `${DID}#${kid}`, type: 'Multikey', controller: DID, publicKeyMultibase: ed25519Multibase(published.x as string) }],
      assertionMethod: [`${DID}#${kid}`],
    });
    expect(JSON.stringify(did)).not.toContain('"d"');
  });

  it('verifies what it signed (JWS and Data Integrity) and refuses it once a single character is changed', async () => {
    const keys = await serviceFor(dataSource, dataDir);
    const { jws, dataIntegrity, kid } = await keys.signBoth(CREDENTIAL);
    await expect(keys.verify(jws)).resolves.toEqual({ valid: true, credential: CREDENTIAL, kid });
    await expect(keys.verify(tamperPayload(jws, (json) => json.replace('Ayesha', 'Ayasha')))).resolves.toEqual({ valid: false, reason: 'bad_signature' });
    await expect(keys.verify(jws.slice(0, -2) + (jws.endsWith('AA') ? 'BB' : 'AA'))).resolves.toEqual({ valid: false, reason: 'bad_signature' });
    await expect(keys.verify('not.a.jws')).resolves.toEqual({ valid: false, reason: 'malformed' });
    expect(dataIntegrity.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod', verificationMethod: `${DID}#${kid}` });
    await expect(keys.verifyDataIntegrity(dataIntegrity)).resolves.toMatchObject({ valid: true, kid });
    const forged = JSON.parse(JSON.stringify(dataIntegrity).replace('Ayesha', 'Ayasha'));
    await expect(keys.verifyDataIntegrity(forged)).resolves.toEqual({ valid: false, reason: 'bad_signature' });
  });

  it('after a rotation signs with the new key and still verifies what the old key signed', async () => {
    const keys = await serviceFor(dataSource, dataDir);
    const other = await serviceFor(dataSource, dataDir);
    const before = await keys.signBoth(CREDENTIAL);
    await expect(other.verify(before.jws)).resolves.toMatchObject({ valid: true, kid: before.kid });
    const { kid, retired } = await keys.rotate();
    expect(retired).toEqual([before.kid]);
    expect(kid).not.toBe(before.kid);
    const after = await keys.signBoth(CREDENTIAL);
    expect(after.kid).toBe(kid);
    // Another process, which read the key list before the rotation, learns the new key on first sight of it.
    for (const service of [keys, other]) {
      await expect(service.verify(before.jws)).resolves.toMatchObject({ valid: true, kid: before.kid });
      await expect(service.verify(after.jws)).resolves.toMatchObject({ valid: true, kid });
      await expect(service.verifyDataIntegrity(before.dataIntegrity)).resolves.toMatchObject({ valid: true, kid: before.kid });
      await expect(service.verifyDataIntegrity(after.dataIntegrity)).resolves.toMatchObject({ valid: true, kid });
    }
    expect((await keys.didDocument()).assertionMethod).toEqual([`${DID}#${before.kid}`, `${DID}#${kid}`]);
  });

  it('refuses a credential signed by another issuer, and signs with a key given in ISSUER_KEY', async () => {
    const ours = await serviceFor(dataSource, dataDir);
    const otherDir = mkdtempSync(join(tmpdir(), 'er-keys-'));
    const otherDatabase = await database();
    try {
      const theirs = await serviceFor(otherDatabase, otherDir);
      await expect(ours.verify(await theirs.sign({ a: 1 }))).resolves.toEqual({ valid: false, reason: 'unknown_key' });
      await expect(ours.verifyDataIntegrity(await theirs.signDataIntegrity(CREDENTIAL))).resolves.toEqual({ valid: false, reason: 'unknown_key' });
      // ISSUER_KEY on a site that already has a key: the configured key signs from now on, its private half is not stored.
      const configured = await serviceFor(dataSource, dataDir, JSON.parse(readFileSync(join(otherDir, 'issuer-key.json'), 'utf8')));
      expect(await configured.signingKid()).toBe(await theirs.signingKid());
      const row = await dataSource.getRepository(IssuerKey).findOneByOrFail({ kid: await theirs.signingKid() });
      expect(row.privateJwk).toBeNull();
    } finally {
      await otherDatabase.destroy();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
