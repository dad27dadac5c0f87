import type { CourseLevel } from './course.entity';

/** A whole course as the content/ importer (and later the authoring area) hands it over. */
export interface CourseDefinition {
  slug: string;
  title: string;
  summary: string;
  language: string;
  level: CourseLevel;
  estimatedMinutes: number;
  outcomes: string[];
  /** A stored image's name; absent or null for a course without a cover. */
  coverImage?: string | null;
  modules: ModuleDefinition[];
}

export interface ModuleDefinition {
  slug: string;
  title: string;
  minutes: number;
  required: boolean;
  bodyMarkdown: string;
}
