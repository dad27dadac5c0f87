import { DataSource } from 'typeorm';
import { waitFor } from './certificates';
import { Browser, csrfFrom, setRole, TestApp } from './test-app';

export const PASSWORD = 'a long enough passphrase';

/** Signs up and gives the account a role, as an admin would on /admin/users. */
export async function userWithRole(t: TestApp, name: string, email: string, role: 'learner' | 'trainer' | 'manager' | 'admin'): Promise<Browser> {
  const browser = new Browser(t.server);
  await browser.register(name, email);
  if (role !== 'learner') await setRole(t, email, role);
  return browser;
}

export async function courseIds(t: TestApp, slugs: string[]): Promise<number[]> {
  const rows: { id: number; slug: string }[] = await t.app.get(DataSource).query(`SELECT id, slug FROM courses WHERE slug IN (${slugs.map(() => '?').join(', ')})`, slugs);
  return slugs.map((slug) => Number(rows.find((r) => r.slug === slug)?.id));
}

export async function createProgramme(manager: Browser, name: string, requiredFields: string[] = []): Promise<number> {
  const page = await manager.get('/manage');
  const response = await manager.agent.post('/manage/programmes').type('form').send({ _csrf: csrfFrom(page.text), name, description: '', requiredFields });
  if (response.status !== 303) throw new Error(`creating a programme failed with ${response.status}: ${response.text.slice(0, 400)}`);
  return Number(/\/manage\/programmes\/(\d+)\/settings/.exec(response.headers.location as string)?.[1]);
}

export async function createCohort(manager: Browser, programmeId: number, name: string, courseIdList: number[], startsOn = '2026-01-05'): Promise<number> {
  const page = await manager.get(`/manage/programmes/${programmeId}/settings`);
  const response = await manager.agent
    .post(`/manage/programmes/${programmeId}/cohorts`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), name, startsOn, endsOn: '', courseIds: courseIdList.map(String) });
  if (response.status !== 303) throw new Error(`creating a cohort failed with ${response.status}: ${response.text.slice(0, 400)}`);
  return Number(/\/manage\/cohorts\/(\d+)\/settings/.exec(response.headers.location as string)?.[1]);
}

/** Posts the upload form as a browser would: token and options first, then the file. */
export async function uploadCsv(manager: Browser, programmeId: number, file: Buffer | string, defaultCohortId?: number) {
  const page = await manager.get(`/manage/programmes/${programmeId}/import`);
  return manager.agent
    .post(`/manage/programmes/${programmeId}/import`)
    .field('_csrf', csrfFrom(page.text))
    .field('defaultCohortId', defaultCohortId ? String(defaultCohortId) : '')
    .attach('file', Buffer.isBuffer(file) ? file : Buffer.from(file, 'utf8'), { filename: 'learners.csv', contentType: 'text/csv' });
}

export interface ImportRowSeen {
  line: number;
  outcome: string;
  email: string;
  reason: string;
}

/** The rows of an import report page. */
export function importRows(html: string): ImportRowSeen[] {
  return [...html.matchAll(/<tr(?: class="flagged")? data-outcome="(\w+)">\s*<th scope="row">(\d+)<\/th>\s*<td[^>]*>[^<]*<\/td>\s*<td>([^<]*)<\/td>\s*<td[^>]*>[^<]*<\/td>\s*<td>(?:<strong>)?[^<]*(?:<\/strong>)?<\/td>\s*<td[^>]*>([^<]*)<\/td>/g)].map((m) => ({
    outcome: m[1],
    line: Number(m[2]),
    email: m[3],
    reason: unescapeHtml(m[4]),
  }));
}

export function unescapeHtml(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A CSV download parsed into objects keyed by header (the files start with a BOM). */
export function parseCsvDownload(text: string): Record<string, string>[] {
  const lines = text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
  const split = (line: string) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else cell += c;
    }
    cells.push(cell);
    return cells;
  };
  const [header, ...rows] = lines.map(split);
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

/**
 * Waits until the worker has finished applying a CSV import (it runs in the background after
 * "apply"); takes the report page's path or the import id.
 */
export async function importApplied(t: TestApp, reportPathOrId: string | number): Promise<void> {
  const id = typeof reportPathOrId === 'number' ? reportPathOrId : Number(/imports\/(\d+)/.exec(reportPathOrId)?.[1]);
  await waitFor(`import ${id} to be applied`, async () => {
    const [row] = await t.app.get(DataSource).query('SELECT status FROM enrolment_imports WHERE id = ?', [id]);
    return row && ['applied', 'failed'].includes(row.status);
  });
}
