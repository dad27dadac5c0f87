import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { FormInvalidError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { I18nService } from '../i18n/i18n.service';
import { LearnerProfile } from './entities/learner-profile.entity';
import { CHOICES, EMPTY_PROFILE, missingFields, parseProfile, ProfileField, ProfileInput, ProfileValues } from './profile-fields';
import { ProgrammeStatsService } from './stats/programme-stats.service';

export function profileValues(profile: LearnerProfile | null | undefined): ProfileValues {
  if (!profile) return { ...EMPTY_PROFILE, marketplaces: [] };
  return {
    businessName: profile.businessName,
    sector: profile.sector,
    city: profile.city,
    province: profile.province,
    gender: profile.gender,
    businessSize: profile.businessSize,
    marketplaces: profile.marketplaces ?? [],
    exportStage: profile.exportStage,
  };
}

@Injectable()
export class ProfilesService {
  private labelMaps?: Partial<Record<keyof typeof CHOICES, Map<string, string>>>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly stats: ProgrammeStatsService,
    private readonly i18n: I18nService,
  ) {}

  async find(userId: number, manager: EntityManager = this.dataSource.manager): Promise<ProfileValues> {
    return profileValues(await manager.getRepository(LearnerProfile).findOneBy({ userId }));
  }

  async findMany(userIds: number[]): Promise<Map<number, ProfileValues>> {
    const rows = userIds.length ? await this.dataSource.getRepository(LearnerProfile).findBy({ userId: In(userIds) }) : [];
    return new Map(rows.map((row) => [row.userId, profileValues(row)]));
  }

  /**
   * Checks a profile form. Every field is optional unless listed in `required` (what the
   * programmes the learner is in ask for); all problems are reported at once.
   */
  check(input: ProfileInput, required: readonly ProfileField[] = []): ProfileValues {
    const { values, errors } = parseProfile(input, this.choiceLabels());
    for (const field of missingFields(values, required)) errors[field] ??= 'validation.required';
    if (Object.keys(errors).length > 0) throw new FormInvalidError(errors as Record<string, string>);
    return values;
  }

  /** The learner's own form: saved, and the programme counters moved to the new breakdowns. */
  async update(userId: number, input: ProfileInput, required: readonly ProfileField[] = []): Promise<ProfileValues> {
    const values = this.check(input, required);
    await this.transactions.run((manager) => this.saveWithin(manager, userId, values));
    return values;
  }

  /** The first profile of an account made in this transaction: nothing is counted for it yet. */
  async createWithin(manager: EntityManager, userId: number, values: ProfileValues): Promise<LearnerProfile> {
    const profile = manager.getRepository(LearnerProfile).create({ userId, ...values, updatedAt: new Date() });
    await manager.getRepository(LearnerProfile).insert(profile);
    return profile;
  }

  /** Writes a profile inside the caller's transaction (joining a cohort, a bulk enrolment). */
  async saveWithin(manager: EntityManager, userId: number, values: ProfileValues): Promise<void> {
    await manager.getRepository(LearnerProfile).save({ userId, ...values, updatedAt: new Date() });
    await this.stats.refreshUser(manager, userId);
  }

  /**
   * Lower-cased labels in both languages → codes, so a CSV may say "Textiles and apparel",
   * "Khyber Pakhtunkhwa" or the code itself.
   */
  choiceLabels(): Partial<Record<keyof typeof CHOICES, Map<string, string>>> {
    if (this.labelMaps) return this.labelMaps;
    const maps: Partial<Record<keyof typeof CHOICES, Map<string, string>>> = {};
    for (const [field, codes] of Object.entries(CHOICES) as [keyof typeof CHOICES, readonly string[]][]) {
      const map = new Map<string, string>();
      for (const code of codes) {
        for (const locale of this.i18n.locales) map.set(this.i18n.translate(locale, `profile.options.${field}.${code}`).toLowerCase(), code);
      }
      maps[field] = map;
    }
    this.labelMaps = maps;
    return maps;
  }
}
