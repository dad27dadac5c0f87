import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

describe('loadConfig: certificates and queues', () => {
  let dataDir: string;
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(32), ...env });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'er-config-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('has working defaults: ExportReady as issuer, a generated key, no SMTP, four jobs at once', () => {
    const config = load({ BASE_URL: 'https://learn.example.pk' });
    expect(config).toMatchObject({ issuerName: 'ExportReady', issuerKey: null, smtpUrl: null, queuePrefix: 'exportready', workerConcurrency: 4, backgroundChunkSize: 500 });
    expect(config.mailFrom).toBe('ExportReady <no-reply@learn.example.pk>');
  });

  it('takes a private Ed25519 key as a JWK and refuses anything else, naming the variable', () => {
    const key = { kty: 'OKP', crv: 'Ed25519', x: 'abc', d: 'def' };
    expect(load({ ISSUER_KEY: JSON.stringify(key) }).issuerKey).toEqual(key);
    for (const bad of ['not json', JSON.stringify({ ...key, d: undefined }), JSON.stringify({ ...key, crv: 'P-256' })]) {
      expect(() => load({ ISSUER_KEY: bad })).toThrow(ConfigError);
      expect(() => load({ ISSUER_KEY: bad })).toThrow(/ISSUER_KEY/);
    }
  });

  it('validates SMTP_URL, QUEUE_PREFIX, WEB_CONCURRENCY, WORKER_CONCURRENCY and ISSUER_NAME', () => {
    expect(load({ SMTP_URL: 'smtps://user:pass@mail.example.pk:465' }).smtpUrl).toBe('smtps://user:pass@mail.example.pk:465');
    expect(() => load({ SMTP_URL: 'http://mail.example.pk' })).toThrow(/SMTP_URL/);
    expect(() => load({ QUEUE_PREFIX: 'has:colon' })).toThrow(/QUEUE_PREFIX/);
    expect(() => load({ QUEUE_PREFIX: '{half' })).toThrow(/QUEUE_PREFIX/);
    expect(load({ QUEUE_PREFIX: '{exportready}' }).queuePrefix).toBe('{exportready}');
    expect(() => load({ WEB_CONCURRENCY: '0' })).toThrow(/WEB_CONCURRENCY/);
    expect(load({ WEB_CONCURRENCY: '4' }).webConcurrency).toBe(4);
    expect(() => load({ WORKER_CONCURRENCY: '0' })).toThrow(/WORKER_CONCURRENCY/);
    expect(() => load({ BACKGROUND_CHUNK_SIZE: 'many' })).toThrow(/BACKGROUND_CHUNK_SIZE/);
    expect(() => load({ ISSUER_NAME: ' ' })).toThrow(/ISSUER_NAME/);
    expect(load({ ISSUER_NAME: 'TDAP E-Commerce Programme', WORKER_CONCURRENCY: '8', BACKGROUND_CHUNK_SIZE: '50' })).toMatchObject({ issuerName: 'TDAP E-Commerce Programme', workerConcurrency: 8, backgroundChunkSize: 50 });
  });

  it('turns xAPI on only with XAPI_ENDPOINT, and wants Basic credentials in pairs', () => {
    expect(load({}).xapi).toBeNull();
    expect(load({ XAPI_ENDPOINT: 'https://lrs.example.org/xapi', XAPI_USERNAME: 'key', XAPI_PASSWORD: 'secret' }).xapi).toEqual({
      endpoint: 'https://lrs.example.org/xapi/',
      username: 'key',
      password: 'secret',
      actorMbox: false,
      retryMaxMs: 300_000,
    });
    expect(load({ XAPI_ENDPOINT: 'https://lrs.example.org/', XAPI_ACTOR_MBOX: 'true' }).xapi).toMatchObject({ endpoint: 'https://lrs.example.org/', actorMbox: true, username: null });
    expect(() => load({ XAPI_ENDPOINT: 'lrs.example.org' })).toThrow(/XAPI_ENDPOINT/);
    expect(() => load({ XAPI_ENDPOINT: 'https://lrs.example.org/', XAPI_USERNAME: 'key' })).toThrow(/XAPI_PASSWORD/);
    expect(() => load({ XAPI_ENDPOINT: 'https://lrs.example.org/', XAPI_RETRY_MAX_SECONDS: '0' })).toThrow(/XAPI_RETRY_MAX_SECONDS/);
  });
});
