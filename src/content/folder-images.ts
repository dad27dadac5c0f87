import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  IMAGE_EXTENSIONS,
  IMAGE_MAX_BYTES,
  imageHash,
  imageMatchesName,
  readImageInfo,
  STORED_IMAGE_NAME,
  STORED_IMAGE_PATH,
} from '../common/image-info';
import type { ContentProblem } from './content-loader';

// Pictures a trainer keeps in a course folder's images/ and points at by a relative path
// (`![A carton](images/carton.jpg)`, `cover: images/cover.jpg`). The site stores every picture
// under a name made of its content (`<hash>-<w>x<h>.<ext>`), so the loader rewrites those paths
// to the stored names: the course definition then says exactly which bytes it shows, and a
// changed picture is a changed course. Pictures added as files are stored as they are (the
// browser's upload is what resizes); content:check only keeps out what the upload would refuse.

/** A picture of the folder and the name it is stored under. */
export interface FolderImage {
  /** `images/<name>`, relative to the course folder. */
  file: string;
  storedName: string;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/;
/** `](images/<name>)` or `](images/<name> "title")` in Markdown: an image or a link to one. */
const RELATIVE_REFERENCE = /\]\((?:\.\/)?images\/([^)\s]+)(\s+"[^"]*")?\)/g;

export class FolderImages {
  private readonly resolved = new Map<string, string | null>();

  constructor(
    private readonly folder: string,
    private readonly relFolder: string,
    private readonly problems: ContentProblem[],
  ) {}

  /** Every picture resolved so far, for the importer to store. */
  list(): FolderImage[] {
    return [...this.resolved.entries()].flatMap(([name, storedName]) => (storedName ? [{ file: `images/${name}`, storedName }] : []));
  }

  /**
   * The stored name of `images/<name>`, or null with a problem at `file:line` when it is missing,
   * not a PNG, JPEG or WebP picture, too large, or named like a stored picture it is not.
   */
  resolve(name: string, file: string, line: number): string | null {
    if (this.resolved.has(name)) return this.resolved.get(name) ?? null;
    const storedName = this.check(name, file, line);
    this.resolved.set(name, storedName);
    return storedName;
  }

  private check(name: string, file: string, line: number): string | null {
    const problem = (message: string) => {
      this.problems.push({ file, line, message });
      return null;
    };
    const path = join(this.folder, 'images', name);
    if (!FILE_NAME.test(name)) return problem(`images/${name}: use letters, digits, dots, hyphens and underscores in picture names`);
    if (!existsSync(path) || !statSync(path).isFile()) return problem(`the file images/${name} does not exist in ${this.relFolder}`);
    if (statSync(path).size > IMAGE_MAX_BYTES) return problem(`images/${name} is larger than ${IMAGE_MAX_BYTES / 1024 / 1024} MB`);
    const data = readFileSync(path);
    if (STORED_IMAGE_NAME.test(name)) {
      return imageMatchesName(name, data) ? name : problem(`images/${name} is not the image its name describes (changed after export?)`);
    }
    const info = readImageInfo(data);
    if (!info) return problem(`images/${name} is not a PNG, JPEG or WebP picture`);
    return `${imageHash(data)}-${info.width}x${info.height}.${IMAGE_EXTENSIONS[info.type]}`;
  }

  /**
   * A lesson's Markdown with every `images/<name>` reference pointing at the stored picture.
   * `firstLine` is the file line of the Markdown's first line, for the problems' line numbers.
   */
  rewriteLesson(markdown: string, file: string, firstLine: number): string {
    return markdown.replace(RELATIVE_REFERENCE, (whole, name: string, title: string | undefined, offset: number) => {
      const line = firstLine + markdown.slice(0, offset).split('\n').length - 1;
      const storedName = this.resolve(name, file, line);
      return storedName ? `](${STORED_IMAGE_PATH}${storedName}${title ?? ''})` : whole;
    });
  }
}
