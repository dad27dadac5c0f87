import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TransactionRunner } from '../../database/transaction-runner';
import { Certificate } from '../certificate.entity';
import { IssuerKeysService } from './issuer-keys.service';
import { isoSeconds } from './open-badge';
import { buildStatusListCredential, STATUS_LIST_BITS } from './status-list';

/** Random draws in one list before a crowded list gives way to the next. */
const DRAWS_PER_LIST = 8;
const MAX_DRAWS = 64;

/** A duplicate key, as SQLite and MariaDB report it. */
function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; errno?: number } }).driverError ?? {};
  return driverError.code === 'ER_DUP_ENTRY' || driverError.errno === 1062 || /^SQLITE_CONSTRAINT(_UNIQUE)?$/.test(driverError.code ?? '');
}

export interface StatusPosition {
  list: number;
  index: number;
}

/**
 * The certificates' revocation bits, as W3C Bitstring Status Lists served at
 * /credentials/status/<list>. Each certificate gets its position once, at random (so a position
 * says nothing about when or to whom it was issued), kept in the certificates table; a unique
 * index makes a position impossible to give twice. A list's bits are read from the
 * certificates' status, so revoking (or re-issuing, which revokes) sets the bit by itself.
 */
@Injectable()
export class StatusListService {
  private readonly certificates: Repository<Certificate>;
  /** Signed lists by number, kept until the set bits or the signing key change (signing costs ~30 ms). */
  private readonly signed = new Map<number, { key: string; credential: Promise<Record<string, unknown>> }>();

  constructor(
    dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly issuerKeys: IssuerKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.certificates = dataSource.getRepository(Certificate);
  }

  /** The certificate's position, drawn now if it has none (a retried job keeps the one it got). */
  async positionFor(certificateId: number): Promise<StatusPosition> {
    let list = (await this.highestList()) ?? 1;
    for (let draw = 1; draw <= MAX_DRAWS; draw++) {
      const index = randomInt(STATUS_LIST_BITS);
      try {
        await this.transactions.run((manager) =>
          manager
            .createQueryBuilder()
            .update(Certificate)
            .set({ statusList: list, statusIndex: index })
            .where('id = :id AND status_index IS NULL', { id: certificateId })
            .execute(),
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Taken by another certificate: draw again.
        if (draw % DRAWS_PER_LIST === 0) list += 1;
        continue;
      }
      const row = await this.certificates.findOne({ where: { id: certificateId }, select: { id: true, statusList: true, statusIndex: true } });
      if (!row || row.statusList === null || row.statusIndex === null) throw new Error(`certificate ${certificateId} got no status list position`);
      return { list: row.statusList, index: row.statusIndex };
    }
    throw new Error(`no free status list position after ${MAX_DRAWS} draws`);
  }

  private async highestList(): Promise<number | null> {
    const row = await this.certificates.createQueryBuilder('c').select('MAX(c.status_list)', 'list').getRawOne<{ list: number | string | null }>();
    return row?.list === null || row?.list === undefined ? null : Number(row.list);
  }

  /** The revoked positions of one list, for its bits. */
  async revokedIndices(list: number): Promise<number[]> {
    const rows = await this.certificates.find({ where: { statusList: list, status: 'revoked' }, select: { id: true, statusIndex: true }, order: { statusIndex: 'ASC' } });
    return rows.map((row) => Number(row.statusIndex));
  }

  /** Whether the list exists: list 1 always (it is named before the first certificate), the others once used. */
  async exists(list: number): Promise<boolean> {
    if (!Number.isInteger(list) || list < 1) return false;
    return list === 1 || list <= ((await this.highestList()) ?? 1);
  }

  /**
   * The BitstringStatusListCredential of one list, with a Data Integrity proof. Signed again only
   * when a bit or the signing key changed; the read of the revoked positions is what every
   * request costs.
   */
  async signedList(list: number): Promise<Record<string, unknown> | null> {
    if (!(await this.exists(list))) return null;
    const revoked = await this.revokedIndices(list);
    const kid = await this.issuerKeys.signingKid();
    const key = `${kid}:${revoked.join(',')}`;
    const cached = this.signed.get(list);
    if (cached?.key === key) return cached.credential;
    const credential = this.issuerKeys.signDataIntegrity(
      buildStatusListCredential({ baseUrl: this.config.baseUrl, list, issuer: this.issuerKeys.did, setBits: revoked, validFrom: isoSeconds(new Date()) }),
    );
    this.signed.set(list, { key, credential });
    credential.catch(() => this.signed.delete(list));
    return credential;
  }
}
