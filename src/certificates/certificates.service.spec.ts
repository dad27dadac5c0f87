import { EntityManager } from 'typeorm';
import { FormInvalidError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { Enrollment } from '../enrollments/enrollment.entity';
import { CourseCompletionListener, EnrollmentsService } from '../enrollments/enrollments.service';
import { I18nService } from '../i18n/i18n.service';
import { FileStorage } from '../storage/file-storage';
import { UsersService } from '../users/users.service';
import { CertificateOutbox } from './certificate-outbox.entity';
import { Certificate } from './certificate.entity';
import { CertificateNotFoundError } from './certificate-errors';
import { CertificateMailer } from './certificate-mailer';
import { SharedCacheService } from '../cache/shared-cache.service';
import { CertificatesService, OUTBOX_WRITTEN, serialYear } from './certificates.service';
import { IssuerKeysService } from './credential/issuer-keys.service';
import { StatusListService } from './credential/status-list.service';
import { renderCertificatePdf } from './pdf/certificate-pdf';

jest.mock('./pdf/certificate-pdf', () => ({ renderCertificatePdf: jest.fn(async () => Buffer.from('%PDF')) }));

const config = { baseUrl: 'https://exportready.example', issuerName: 'ExportReady' } as AppConfig;
const course = { id: 7, slug: 'pricing', title: 'Pricing for export', summary: 'Price in Incoterms.', language: 'en', outcomes: ['Quote FOB'], estimatedMinutes: 150 };
const user = { id: 3, name: 'Ayesha', certificateName: 'Ayesha Khan', email: 'ayesha@example.pk', locale: 'en' };

function pendingCertificate(overrides: Partial<Certificate> = {}): Certificate {
  return {
    id: 42,
    serial: 'ER-2026-000042',
    enrollmentId: 9,
    userId: 3,
    courseId: 7,
    status: 'pending',
    holderName: 'Ayesha Khan',
    courseTitle: 'Pricing for export',
    studyMinutes: 150,
    completedAt: new Date('2026-05-12T10:00:00Z'),
    issuedAt: null,
    pdfPath: null,
    credential: null,
    credentialLd: null,
    statusList: null,
    statusIndex: null,
    lastError: null,
    attempts: 0,
    revokedAt: null,
    revokedReason: null,
    replacedBy: null,
    notifiedAt: null,
    createdAt: new Date('2026-05-12T10:00:00Z'),
    updatedAt: new Date('2026-05-12T10:00:00Z'),
    ...overrides,
  };
}

describe(CertificatesService.name, () => {
  let repository: { findOneBy: jest.Mock; find: jest.Mock; create: jest.Mock; save: jest.Mock; update: jest.Mock; createQueryBuilder: jest.Mock };
  let outbox: { insert: jest.Mock };
  let updateResult: { affected: number };
  let updateSet: jest.Mock;
  let manager: EntityManager;
  let storage: jest.Mocked<FileStorage>;
  let issuerKeys: { signBoth: jest.Mock; did: string };
  let statusLists: { positionFor: jest.Mock };
  let enrollments: { onCourseCompleted: jest.Mock };
  let changes: jest.Mock;
  let service: CertificatesService;

  beforeEach(() => {
    repository = {
      findOneBy: jest.fn(),
      find: jest.fn(),
      create: jest.fn((value) => value),
      save: jest.fn(async (value) => ({ ...value, id: 42 })),
      update: jest.fn(async () => ({ affected: 1 })),
      // The scoped look-up (id and scope in SQL) answers what findOneBy is set to answer.
      createQueryBuilder: jest.fn(() => {
        const scoped: Record<string, jest.Mock> = {};
        scoped.where = jest.fn(() => scoped);
        scoped.andWhere = jest.fn(() => scoped);
        scoped.getOne = jest.fn(() => repository.findOneBy());
        return scoped;
      }),
    };
    outbox = { insert: jest.fn(async () => undefined) };
    updateResult = { affected: 1 };
    updateSet = jest.fn();
    const queryBuilder: Record<string, jest.Mock> = {
      update: jest.fn(() => queryBuilder),
      set: jest.fn((values) => {
        updateSet(values);
        return queryBuilder;
      }),
      where: jest.fn(() => queryBuilder),
      execute: jest.fn(async () => updateResult),
    };
    manager = {
      getRepository: jest.fn((entity) => (entity === CertificateOutbox ? outbox : repository)),
      createQueryBuilder: jest.fn(() => queryBuilder),
      queryRunner: { data: {} },
    } as unknown as EntityManager;
    storage = { put: jest.fn(async (_key: string, _data: Buffer) => undefined), get: jest.fn(), exists: jest.fn() } as Partial<jest.Mocked<FileStorage>> as jest.Mocked<FileStorage>;
    issuerKeys = { signBoth: jest.fn(async () => ({ jws: 'signed.jws.value', dataIntegrity: { proof: { type: 'DataIntegrityProof' } }, kid: 'k1' })), did: 'did:web:exportready.example' };
    statusLists = { positionFor: jest.fn(async () => ({ list: 1, index: 4711 })) };
    enrollments = { onCourseCompleted: jest.fn() };
    changes = jest.fn(async () => undefined);
    service = new CertificatesService(
      { getRepository: () => repository } as never,
      { run: jest.fn((work: (m: EntityManager) => Promise<unknown>) => work(manager)) } as unknown as TransactionRunner,
      enrollments as unknown as EnrollmentsService,
      { findById: jest.fn(async () => user) } as unknown as UsersService,
      { findCoursesByIds: jest.fn(async () => [course]), findCourseById: jest.fn(async () => course) } as unknown as CoursesService,
      issuerKeys as unknown as IssuerKeysService,
      statusLists as unknown as StatusListService,
      { enabled: false } as unknown as CertificateMailer,
      new I18nService(),
      storage,
      config,
      { create: () => ({ get: (_key: string, load: () => unknown) => load() }), forget: jest.fn() } as unknown as SharedCacheService,
    );
    service.onCertificateChanged(changes);
  });

  it('writes a pending certificate and its outbox row inside the completion transaction', async () => {
    service.onModuleInit();
    const listener = enrollments.onCourseCompleted.mock.calls[0][0] as CourseCompletionListener;
    await listener(manager, { id: 9, userId: 3, courseId: 7, completedAt: new Date('2026-05-12T10:00:00.789Z') } as Enrollment);
    expect(repository.save).toHaveBeenCalledWith(expect.objectContaining({ enrollmentId: 9, userId: 3, courseId: 7, status: 'pending', holderName: 'Ayesha Khan', courseTitle: 'Pricing for export', studyMinutes: 150, completedAt: new Date('2026-05-12T10:00:00Z') }));
    const { serial } = repository.save.mock.calls[0][0] as Certificate;
    expect(serial).toMatch(/^ER-2026-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(repository.findOneBy).toHaveBeenCalledWith({ serial });
    expect(outbox.insert).toHaveBeenCalledWith(expect.objectContaining({ certificateId: 42, jobId: `certificate-42-${serial}`, sentAt: null }));
    expect(manager.queryRunner?.data[OUTBOX_WRITTEN]).toBe(true);
  });

  it('issues a pending certificate: signs, stores the PDF under its serial, marks it issued', async () => {
    repository.findOneBy.mockResolvedValue(pendingCertificate());
    await expect(service.issue(42)).resolves.toBe('issued');
    expect(issuerKeys.signBoth).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'https://exportready.example/verify/ER-2026-000042',
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        issuer: expect.objectContaining({ id: 'did:web:exportready.example' }),
        credentialStatus: expect.objectContaining({ type: 'BitstringStatusListEntry', statusListIndex: '4711', statusListCredential: 'https://exportready.example/credentials/status/1' }),
      }),
    );
    expect(statusLists.positionFor).toHaveBeenCalledWith(42);
    expect(renderCertificatePdf).toHaveBeenCalledWith(expect.objectContaining({ holderName: 'Ayesha Khan', details: expect.stringContaining('2.5 hours'), verifyUrl: 'https://exportready.example/verify/ER-2026-000042' }));
    expect(storage.put).toHaveBeenCalledWith('certificates/ER-2026-000042.pdf', Buffer.from('%PDF'));
    expect(updateSet).toHaveBeenCalledWith(expect.objectContaining({ status: 'issued', pdfPath: 'certificates/ER-2026-000042.pdf', credential: 'signed.jws.value', credentialLd: JSON.stringify({ proof: { type: 'DataIntegrityProof' } }), lastError: null }));
    // Listeners (the programme dashboards' "certified") hear of it in the same transaction.
    expect(changes).toHaveBeenCalledWith(manager, { kind: 'issued', certificateId: 42, enrollmentId: 9 });
  });

  it('does nothing for a certificate already issued, revoked or gone: a repeated job is harmless', async () => {
    for (const [found, outcome] of [
      [pendingCertificate({ status: 'issued' }), 'already-issued'],
      [pendingCertificate({ status: 'revoked' }), 'not-pending'],
      [null, 'missing'],
    ] as const) {
      repository.findOneBy.mockResolvedValue(found);
      await expect(service.issue(42)).resolves.toBe(outcome);
    }
    expect(storage.put).not.toHaveBeenCalled();
    expect(issuerKeys.signBoth).not.toHaveBeenCalled();
  });

  it('reports a lost race to issue the same certificate as not pending', async () => {
    repository.findOneBy.mockResolvedValue(pendingCertificate());
    updateResult.affected = 0;
    await expect(service.issue(42)).resolves.toBe('not-pending');
    expect(changes).not.toHaveBeenCalled();
  });

  it('keeps the error of a failed try and marks the certificate failed only after the last one', async () => {
    await service.recordFailure(42, new Error('disk full'), false);
    expect(updateSet).toHaveBeenLastCalledWith(expect.not.objectContaining({ status: 'failed' }));
    expect(updateSet).toHaveBeenLastCalledWith(expect.objectContaining({ lastError: 'Error: disk full' }));
    await service.recordFailure(42, new Error('disk full'), true);
    expect(updateSet).toHaveBeenLastCalledWith(expect.objectContaining({ status: 'failed' }));
  });

  it('will not revoke without a reason, nor re-issue without a name', async () => {
    await expect(service.revoke(42, '  ', 'all')).rejects.toBeInstanceOf(FormInvalidError);
    await expect(service.reissue(42, '', '', 'all')).rejects.toBeInstanceOf(FormInvalidError);
    expect(repository.update).not.toHaveBeenCalled();
  });

  it('re-issues by revoking the old certificate and handing its enrolment to a new one', async () => {
    repository.findOneBy.mockResolvedValueOnce(pendingCertificate({ status: 'issued', id: 41 }));
    const replacement = await service.reissue(41, 'Ayesha Khan Malik', 'Name corrected', 'all');
    expect(repository.update).toHaveBeenNthCalledWith(1, { id: 41 }, expect.objectContaining({ status: 'revoked', enrollmentId: null, revokedReason: 'Name corrected' }));
    expect(repository.save).toHaveBeenCalledWith(expect.objectContaining({ enrollmentId: 9, holderName: 'Ayesha Khan Malik', status: 'pending' }));
    expect(replacement.serial).toMatch(/^ER-2026-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(repository.update).toHaveBeenLastCalledWith({ id: 41 }, { replacedBy: 42 });
    expect(changes).toHaveBeenCalledWith(manager, { kind: 'reissued', certificateId: 41, enrollmentId: 9 });
  });

  it('tells the programme dashboards about a revocation in its own transaction', async () => {
    repository.findOneBy.mockResolvedValue(pendingCertificate({ status: 'issued' }));
    await service.revoke(42, 'Issued by mistake', 'all');
    expect(repository.update).toHaveBeenCalledWith({ id: 42 }, expect.objectContaining({ status: 'revoked' }));
    expect(changes).toHaveBeenCalledWith(manager, { kind: 'revoked', certificateId: 42, enrollmentId: 9 });
  });

  it('refuses to revoke or re-issue a certificate outside the caller\'s scope, and changes nothing', async () => {
    repository.findOneBy.mockResolvedValue(null);
    await expect(service.revoke(42, 'Issued by mistake', 'none')).rejects.toBeInstanceOf(CertificateNotFoundError);
    await expect(service.reissue(42, 'Ayesha Khan', '', 'none')).rejects.toBeInstanceOf(CertificateNotFoundError);
    expect(repository.update).not.toHaveBeenCalled();
    expect(changes).not.toHaveBeenCalled();
  });

  it('lets admins see every certificate and managers only what the registered scope gives them', async () => {
    await expect(service.scopeFor({ id: 1, role: 'admin' })).resolves.toBe('all');
    await expect(service.scopeFor({ id: 2, role: 'manager' })).resolves.toBe('none');
    const mine = { sql: 'SELECT 1', params: {} };
    service.useManagerScope(async (viewer) => (viewer.id === 2 ? mine : 'none'));
    await expect(service.scopeFor({ id: 2, role: 'manager' })).resolves.toBe(mine);
    await expect(service.scopeFor({ id: 3, role: 'learner' })).resolves.toBe('none');
  });
});

describe('serialYear', () => {
  it('is the year of completion in Pakistan', () => {
    expect(serialYear(new Date('2026-06-01T00:00:00Z'))).toBe('2026');
    expect(serialYear(new Date('2026-12-31T20:00:00Z'))).toBe('2027');
  });
});
