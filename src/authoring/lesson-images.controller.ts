import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { LessonImagesService } from './lesson-images.service';

/**
 * Lesson images. A name is the hash of the file, so the content behind a URL never changes:
 * browsers and proxies may keep it for a year without asking again.
 */
@Controller('files/lessons')
export class LessonImagesController {
  constructor(private readonly images: LessonImagesService) {}

  @Public()
  @Get(':name')
  async show(@Param('name') name: string, @Res() res: Response) {
    const image = await this.images.read(name);
    if (!image) throw new NotFoundError();
    res.set({
      'Content-Type': image.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'",
      ETag: `"${name.slice(0, 32)}"`,
    });
    res.send(image.data);
  }
}
