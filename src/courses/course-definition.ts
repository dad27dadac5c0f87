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
  modules: ModuleDefinition[];
}

export interface ModuleDefinition {
  slug: string;
  title: string;
  minutes: number;
  required: boolean;
  bodyMarkdown: string;
}
