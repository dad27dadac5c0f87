import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { FormInvalidError } from '../common/domain-error';
import type { ExportedFile } from '../content/content-exporter';
import type { FolderImage } from '../content/folder-images';
import { FILE_STORAGE, FileStorage } from '../storage/file-storage';
import { IMAGE_CONTENT_TYPES, IMAGE_MAX_BYTES, imageHash, ImageInfo, imageMatchesName, ImageType, readImageInfo, STORED_IMAGE_NAME, STORED_IMAGE_PATH } from '../common/image-info';
import { COVER_SIZE, prepareCoverImage, prepareLessonImage, ProcessedImage, UnreadableImageError } from './image-processing';

const MAX_SIDE = 10_000;
const KEY_PREFIX = 'lesson-images/';

const REFERENCE = /\/files\/lessons\/([0-9a-f]{32}-\d{1,5}x\d{1,5}\.(?:png|jpg|webp))/g;

const TYPE_BY_EXTENSION: Record<string, ImageType> = { png: 'png', jpg: 'jpeg', webp: 'webp' };

export interface StoredImage {
  name: string;
  url: string;
  width: number;
  height: number;
}

/**
 * Lesson images and course covers: checked from their bytes, resized and re-encoded for phones
 * (image-processing.ts), then stored content-addressed through the file storage.
 */
@Injectable()
export class LessonImagesService {
  constructor(@Inject(FILE_STORAGE) private readonly storage: FileStorage) {}

  /**
   * Stores an uploaded lesson image as it will be served; a form error on `image` if it is empty,
   * too large, not a PNG, JPEG or WebP, or cannot be decoded.
   */
  async store(data: Buffer): Promise<StoredImage> {
    const info = this.check(data, 'image');
    return this.save(await this.process('image', () => prepareLessonImage(data, info.type)));
  }

  /** Stores an uploaded course cover, cropped to COVER_SIZE; the same checks, on the `cover` field. */
  async storeCover(data: Buffer): Promise<StoredImage> {
    const info = this.check(data, 'cover');
    // Enlarging a small picture to the cover size would only show its blur on every catalog card.
    if (info.width < COVER_SIZE.width / 2 || info.height < COVER_SIZE.height / 2)
      throw new FormInvalidError({ cover: 'author.cover_too_small' });
    return this.save(await this.process('cover', () => prepareCoverImage(data)));
  }

  private check(data: Buffer, field: string): ImageInfo {
    if (data.length === 0) throw new FormInvalidError({ [field]: 'author.image_missing' });
    if (data.length > IMAGE_MAX_BYTES) throw new FormInvalidError({ [field]: 'author.image_too_large' });
    const info = readImageInfo(data);
    if (!info) throw new FormInvalidError({ [field]: 'author.image_not_image' });
    if (info.width > MAX_SIDE || info.height > MAX_SIDE) throw new FormInvalidError({ [field]: 'author.image_too_wide' });
    return info;
  }

  private async process(field: string, prepare: () => Promise<ProcessedImage>): Promise<ProcessedImage> {
    try {
      return await prepare();
    } catch (error) {
      if (error instanceof UnreadableImageError) throw new FormInvalidError({ [field]: 'author.image_unreadable' });
      throw error;
    }
  }

  private async save(image: ProcessedImage): Promise<StoredImage> {
    const name = `${imageHash(image.data)}-${image.width}x${image.height}.webp`;
    if (!(await this.storage.exists(KEY_PREFIX + name))) await this.storage.put(KEY_PREFIX + name, image.data);
    return { name, url: STORED_IMAGE_PATH + name, width: image.width, height: image.height };
  }

  /** An image by its name with its content type; null for a name that is not one of ours or a missing file. */
  async read(name: string): Promise<{ data: Buffer; contentType: string } | null> {
    const match = STORED_IMAGE_NAME.exec(name);
    if (!match) return null;
    const data = await this.storage.get(KEY_PREFIX + name);
    return data ? { data, contentType: IMAGE_CONTENT_TYPES[TYPE_BY_EXTENSION[match[4]]] } : null;
  }

  /** The images a course's lessons show, and its cover: exported next to the lessons (`images/<name>`). */
  async filesFor(markdown: string[], cover: string | null = null): Promise<ExportedFile[]> {
    const names = new Set(markdown.flatMap((text) => [...text.matchAll(REFERENCE)].map((m) => m[1])));
    if (cover) names.add(cover);
    const files: ExportedFile[] = [];
    for (const name of [...names].sort()) {
      const data = await this.storage.get(KEY_PREFIX + name);
      if (data) files.push({ path: `images/${name}`, data });
    }
    return files;
  }

  /**
   * Stores the pictures of an imported course folder that this site does not have yet: those
   * under images/ named as stored pictures (what content:export writes) and those the folder's
   * lessons and cover point at by a relative path (`FolderImage`, named by the loader). A file is
   * taken only if its bytes match the name it is stored under (hash, type and size), so a folder
   * cannot plant anything else under a picture's name.
   */
  async importFolder(courseFolder: string, referenced: FolderImage[] = []): Promise<number> {
    const dir = join(courseFolder, 'images');
    if (!existsSync(dir)) return 0;
    const files = [
      ...readdirSync(dir).filter((name) => STORED_IMAGE_NAME.test(name)).map((name) => ({ file: `images/${name}`, storedName: name })),
      ...referenced,
    ];
    let stored = 0;
    for (const { file, storedName } of files) {
      if (await this.storage.exists(KEY_PREFIX + storedName)) continue;
      const data = readFileSync(join(courseFolder, file));
      if (!imageMatchesName(storedName, data)) continue;
      await this.storage.put(KEY_PREFIX + storedName, data);
      stored += 1;
    }
    return stored;
  }
}
