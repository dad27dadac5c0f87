import { Injectable } from '@nestjs/common';
import { PROFILE_FIELDS, ProfileField } from '../programmes/profile-fields';
import { ProgrammesService, Viewer } from '../programmes/programmes.service';
import { ReportsService } from '../programmes/reports.service';
import { Cohort } from '../programmes/entities/cohort.entity';
import { Programme } from '../programmes/entities/programme.entity';
import { AppConfig } from '../config/app-config';

/** What the overview and the settings pages show, gathered in one call per page. */
@Injectable()
export class SettingsPagesService {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly reports: ReportsService,
  ) {}

  requiredFieldOptions(chosen: readonly string[]) {
    return PROFILE_FIELDS.map((field) => ({ field, labelKey: `profile.fields.${field}`, checked: chosen.includes(field) }));
  }

  async overview(viewer: Viewer) {
    const { programmes, cohorts } = await this.programmes.overviewFor(viewer);
    const headlines = await this.reports.headlines(programmes.map((p) => p.id));
    return {
      programmes: programmes.map((programme) => {
        const counts = headlines.get(programme.id);
        const enrolled = counts?.enrolled ?? 0;
        const completed = counts?.completed ?? 0;
        return { ...programme, enrolled, completed, rate: enrolled ? Math.round((completed * 1000) / enrolled) / 10 : null };
      }),
      cohorts,
      requiredFieldOptions: this.requiredFieldOptions([]),
    };
  }

  /** `cohortValues`: a refused new-cohort form, whose ticked courses stay ticked. */
  async programmeSettings(viewer: Viewer, programmeId: number, values?: Record<string, unknown>, cohortValues?: Record<string, unknown>) {
    const programme = await this.programmes.programmeFor(viewer, programmeId);
    const ticked = new Set(([] as unknown[]).concat(cohortValues?.courseIds ?? []).map(String));
    const cohorts = await this.programmes.cohortsOf(programmeId);
    const taught = await this.programmes.coursesOfCohorts(cohorts.map((c) => c.id));
    const chosen = values ? ([] as string[]).concat((values.requiredFields as string[] | string | undefined) ?? []) : programme.requiredFields;
    return {
      programme,
      values: values ?? { name: programme.name, description: programme.description ?? '' },
      requiredFieldOptions: this.requiredFieldOptions(chosen as ProfileField[]),
      managers: (await this.programmes.programmeManagers(programmeId)).map((u) => ({ id: u.id, name: u.name, email: u.email })),
      cohorts: cohorts.map((c) => ({ ...c, courses: (taught.get(c.id) ?? []).map((course) => course.title) })),
      courses: (await this.programmes.listPublishedCourses()).map((c) => ({ id: c.id, title: c.title, language: c.language, checked: ticked.has(String(c.id)) })),
    };
  }

  async cohortSettings(viewer: Viewer, cohortId: number, config: Pick<AppConfig, 'baseUrl'>, values?: Record<string, unknown>) {
    const { cohort, programme, managesProgramme } = await this.programmes.cohortFor(viewer, cohortId);
    const courses = await this.programmes.cohortCourses(cohortId);
    const taught = new Set(courses.map((c) => c.id));
    return {
      cohort,
      programme,
      managesProgramme,
      values: values ?? { name: cohort.name, startsOn: cohort.startsOn, endsOn: cohort.endsOn ?? '' },
      joinUrl: cohort.enrolCode ? `${config.baseUrl}/join/${cohort.enrolCode}` : null,
      courses: courses.map((c) => ({ id: c.id, title: c.title })),
      otherCourses: (await this.programmes.listPublishedCourses()).filter((c) => !taught.has(c.id)),
      managers: (await this.programmes.cohortManagers(cohortId)).map((u) => ({ id: u.id, name: u.name, email: u.email })),
    };
  }

  /** The learner's drill-down, checked against the viewer's cohorts. */
  async learner(viewer: Viewer, cohortId: number, userId: number): Promise<{ cohort: Cohort; programme: Programme; detail: Awaited<ReturnType<ReportsService['learnerDetail']>> }> {
    const { cohort, programme } = await this.programmes.cohortFor(viewer, cohortId);
    return { cohort, programme, detail: await this.reports.learnerDetail(cohort, userId) };
  }
}
