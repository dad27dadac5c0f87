import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet } from 'jose';
import { DataSource } from 'typeorm';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { LtiPlatform } from './entities/lti-platform.entity';

export type PlatformForm = Record<string, string | undefined>;
type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

const URL_FIELDS = ['authLoginUrl', 'tokenUrl', 'jwksUrl'] as const;

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** Deployment ids as typed: one per line or separated by commas, blanks dropped, duplicates once. */
export function parseDeploymentIds(text: string): string[] {
  return [...new Set(text.split(/[\n,]/).map((id) => id.trim()).filter(Boolean))];
}

/**
 * Platform registrations, made by administrators on /admin/lti, and each platform's public
 * keys. Key sets are fetched on first use and cached per process by jose (refetched when a
 * token names an unknown kid, at most every 30 seconds).
 */
@Injectable()
export class LtiPlatformsService {
  private readonly keySets = new Map<string, RemoteKeySet>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  list(): Promise<LtiPlatform[]> {
    return this.dataSource.getRepository(LtiPlatform).find({ order: { id: 'ASC' } });
  }

  findById(id: number): Promise<LtiPlatform | null> {
    return this.dataSource.getRepository(LtiPlatform).findOneBy({ id });
  }

  /** The platform an OIDC login or id_token names. Without a client id, only if the issuer has one registration. */
  async findByIssuer(issuer: string, clientId?: string): Promise<LtiPlatform | null> {
    if (typeof issuer !== 'string' || !issuer) return null;
    const found = await this.dataSource.getRepository(LtiPlatform).findBy(clientId ? { issuer, clientId } : { issuer });
    return found.length === 1 ? found[0] : null;
  }

  keySetOf(platform: LtiPlatform): RemoteKeySet {
    let keySet = this.keySets.get(platform.jwksUrl);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(platform.jwksUrl), { timeoutDuration: 5000 });
      this.keySets.set(platform.jwksUrl, keySet);
    }
    return keySet;
  }

  async register(form: PlatformForm): Promise<LtiPlatform> {
    const input = this.validate(form);
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(LtiPlatform);
      if (await repository.existsBy({ issuer: input.issuer, clientId: input.clientId })) {
        throw new FormInvalidError({ clientId: 'lti.admin.errors.duplicate' });
      }
      return repository.save(repository.create({ ...input, createdAt: new Date() }));
    });
  }

  async remove(id: number): Promise<void> {
    const result = await this.transactions.run((manager) => manager.getRepository(LtiPlatform).delete({ id }));
    if (!result.affected) throw new NotFoundError();
  }

  private validate(form: PlatformForm): Omit<LtiPlatform, 'id' | 'createdAt'> {
    const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
    const errors: Record<string, string> = {};
    const name = text('name');
    if (!name || name.length > 120) errors.name = 'lti.admin.errors.name';
    const issuer = text('issuer');
    if (!isWebUrl(issuer) || issuer.length > 191) errors.issuer = 'lti.admin.errors.issuer';
    const clientId = text('clientId');
    if (!clientId || clientId.length > 191) errors.clientId = 'lti.admin.errors.client_id';
    const deploymentIds = parseDeploymentIds(text('deploymentIds'));
    if (deploymentIds.length === 0 || deploymentIds.some((id) => id.length > 191)) errors.deploymentIds = 'lti.admin.errors.deployment_ids';
    const urls = Object.fromEntries(URL_FIELDS.map((field) => [field, text(field)])) as Record<(typeof URL_FIELDS)[number], string>;
    for (const field of URL_FIELDS) {
      if (!isWebUrl(urls[field]) || urls[field].length > 500) errors[field] = 'lti.admin.errors.url';
    }
    if (Object.keys(errors).length > 0) throw new FormInvalidError(errors);
    return { name, issuer, clientId, deploymentIds, ...urls };
  }
}
