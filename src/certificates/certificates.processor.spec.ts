import { Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { CertificatesProcessor } from './certificates.processor';
import { IssueCertificateJob } from './certificates.queue';
import { CertificatesService } from './certificates.service';

function job(attemptsMade: number, attempts = 8, name = 'issue-certificate'): Job<IssueCertificateJob> {
  return { name, data: { certificateId: 42 }, attemptsMade, opts: { attempts } } as Job<IssueCertificateJob>;
}

describe(CertificatesProcessor.name, () => {
  let certificates: { issue: jest.Mock; recordFailure: jest.Mock };
  let processor: CertificatesProcessor;

  beforeEach(() => {
    certificates = { issue: jest.fn(), recordFailure: jest.fn(async () => undefined) };
    processor = new CertificatesProcessor(certificates as unknown as CertificatesService, { workerConcurrency: 2 } as AppConfig);
  });

  it('hands the job to the service and returns its outcome', async () => {
    certificates.issue.mockResolvedValue('issued');
    await expect(processor.process(job(0))).resolves.toBe('issued');
    expect(certificates.issue).toHaveBeenCalledWith(42);
  });

  it('records a failure for admins and rethrows it, so BullMQ retries with backoff', async () => {
    certificates.issue.mockRejectedValue(new Error('disk full'));
    await expect(processor.process(job(2))).rejects.toThrow('disk full');
    expect(certificates.recordFailure).toHaveBeenCalledWith(42, expect.any(Error), false);
  });

  it('marks the certificate failed on the last try', async () => {
    certificates.issue.mockRejectedValue(new Error('disk full'));
    await expect(processor.process(job(7))).rejects.toThrow('disk full');
    expect(certificates.recordFailure).toHaveBeenCalledWith(42, expect.any(Error), true);
  });

  it('refuses a job it does not know, without retries', async () => {
    await expect(processor.process(job(0, 8, 'something-else'))).rejects.toBeInstanceOf(UnrecoverableError);
    expect(certificates.issue).not.toHaveBeenCalled();
  });
});
