import request from 'supertest';
import { DataSource } from 'typeorm';
import { Certificate } from '../src/certificates/certificate.entity';
import { CertificatesService } from '../src/certificates/certificates.service';
import { newSerial } from '../src/certificates/serial';
import { completeEnrolments, waitFor } from './support/certificates';
import { startTestApp, TestApp } from './support/test-app';

const NEW_FORM = /^ER-\d{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/;

describe('certificate serials: unguessable, typo-proof, and lookups throttled per address', () => {
  let t: TestApp;
  let issued: Certificate;
  let legacy: Certificate;

  /** A visitor at one client address (the app trusts X-Forwarded-For from the loopback proxy). */
  const from = (address: string) => ({
    get: (path: string) => request(t.server).get(path).set('X-Forwarded-For', address),
  });
  const repository = () => t.app.get(DataSource).getRepository(Certificate);

  beforeAll(async () => {
    t = await startTestApp({ IMPORT_CONTENT_ON_START: 'false' });
    const courseId = await completeEnrolments(t, 2, 'serials');
    const [first, second] = await waitFor('two issued certificates', async () => {
      const rows = await repository().find({ where: { courseId, status: 'issued' }, order: { id: 'ASC' } });
      return rows.length === 2 && rows;
    });
    issued = first;
    // A certificate from before the change keeps its sequential serial: signed again under it, as it was issued then.
    await repository().update({ id: second.id }, { serial: 'ER-2025-000007', status: 'pending', credential: null, pdfPath: null, issuedAt: null });
    await expect(t.app.get(CertificatesService).issue(second.id)).resolves.toBe('issued');
    legacy = await repository().findOneByOrFail({ id: second.id });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('gives a new certificate a serial in the new form, which verifies', async () => {
    expect(issued.serial).toMatch(NEW_FORM);
    const page = await from('198.51.100.1').get(`/verify/${issued.serial}`).expect(200);
    expect(page.text).toContain('Valid certificate');
  });

  it('still verifies a certificate that keeps its old sequential serial', async () => {
    const page = await from('198.51.100.1').get('/verify/ER-2025-000007').expect(200);
    expect(page.text).toContain('Valid certificate');
    expect(page.text).toContain(legacy.holderName);
    await from('198.51.100.1').get('/verify/er-2025-000007').expect(301).expect('Location', '/verify/ER-2025-000007');
  });

  it('takes a serial typed in lower case, with spaces or without dashes, to its page', async () => {
    const typed = issued.serial.toLowerCase().replace(/-/g, ' ');
    await from('198.51.100.1').get(`/verify?serial=${encodeURIComponent(typed)}`).expect(303).expect('Location', `/verify/${issued.serial}`);
    await from('198.51.100.1').get(`/verify/${issued.serial.replace(/-/g, '').toLowerCase()}`).expect(301).expect('Location', `/verify/${issued.serial}`);
  });

  it('says a mistyped serial has a typo, without looking it up or counting it as a miss', async () => {
    const last = issued.serial.at(-1) as string;
    const typo = issued.serial.slice(0, -1) + (last === 'Z' ? 'Y' : 'Z');
    for (let i = 0; i < 15; i++) {
      const page = await from('198.51.100.2').get(`/verify/${typo}`).expect(404);
      expect(page.text).toContain('has a typing mistake');
    }
    const lookup = await from('198.51.100.2').get(`/verify?serial=${typo}`).expect(404);
    expect(lookup.text).toContain('has a typing mistake');
    await from('198.51.100.2').get(`/verify/${issued.serial}`).expect(200);
  });

  it('answers 429 after ten misses from one address, on the page, the lookup form and the JSON, but not from another', async () => {
    const guesser = from('203.0.113.7');
    for (let i = 0; i < 10; i++) {
      const miss = await guesser.get(`/verify/${newSerial('2026')}`).expect(404);
      expect(miss.text).toContain('Certificate not found');
    }
    const refused = await guesser.get(`/verify/${newSerial('2026')}`).expect(429);
    expect(refused.text).toContain('Too many certificate numbers were looked up from your network');
    expect(refused.text).toContain('<html');
    // Blocked for real ones too, or guessing would just go on between them.
    await guesser.get(`/verify/${issued.serial}`).expect(429);
    await guesser.get(`/verify/${issued.serial}.json`).set('Accept', 'application/json').expect(429);
    await guesser.get(`/verify?serial=${issued.serial}`).expect(303);
    await guesser.get('/verify/ER-2026-999999').expect(429);

    const buyer = from('203.0.113.8');
    await buyer.get(`/verify/${issued.serial}`).expect(200);
    await buyer.get(`/verify/${issued.serial}.json`).expect(200);
    await buyer.get(`/verify/${newSerial('2026')}`).expect(404);
  });

  it('counts misses of the signed credential too', async () => {
    const guesser = from('203.0.113.9');
    for (let i = 0; i < 10; i++) await guesser.get(`/verify/${newSerial('2026')}.json`).set('Accept', 'application/json').expect(404);
    const refused = await guesser.get(`/verify/${issued.serial}.json`).set('Accept', 'application/json').expect(429);
    expect(refused.body.message).toContain('Too many certificate numbers');
  });

  it('never blocks a buyer who keeps checking real certificates', async () => {
    const buyer = from('203.0.113.10');
    for (let i = 0; i < 30; i++) await buyer.get(`/verify/${issued.serial}`).expect(200);
  });

  it('limits lookups of the old sequential serials, which can be counted through without a miss', async () => {
    const counter = from('203.0.113.11');
    for (let i = 0; i < 20; i++) await counter.get('/verify/ER-2025-000007').expect(200);
    await counter.get('/verify/ER-2025-000007').expect(429);
    await counter.get(`/verify/${issued.serial}`).expect(200);
  });
});
