import { Injectable } from '@nestjs/common';

/** A block of the learner's dashboard: the partial that draws it and the data it is drawn with. */
export interface DashboardSection {
  partial: string;
  data: unknown;
}

/** Gives a user's section, or null when there is nothing to show them. */
export type DashboardSectionProvider = (userId: number) => Promise<DashboardSection | null>;

/**
 * The dashboard page belongs to enrollments. A higher module that wants a block on it (the
 * certificates module: "my certificates") registers a provider here at start-up, so enrollments
 * imports nothing of it and no middleware slips data into the page behind the controller's back.
 * Sections are shown above the courses, in the order they were registered.
 */
@Injectable()
export class DashboardSections {
  private readonly providers: DashboardSectionProvider[] = [];

  register(provider: DashboardSectionProvider): void {
    this.providers.push(provider);
  }

  async forUser(userId: number): Promise<DashboardSection[]> {
    const sections = await Promise.all(this.providers.map((provider) => provider(userId)));
    return sections.filter((section): section is DashboardSection => section !== null);
  }
}
