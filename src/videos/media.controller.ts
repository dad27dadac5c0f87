import { Controller, Get, Inject, Param, ParseIntPipe, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { FILE_STORAGE, FileStorage } from '../storage/file-storage';
import { sendStoredFile } from '../storage/send-stored-file';
import { MEDIA_CONTENT_TYPES } from './video-files';
import { VideosService } from './videos.service';

/**
 * A video's files, streamed from the file storage. Every name carries a random prefix (per
 * transcode) or a hash (captions), so the content behind a URL never changes: browsers and
 * proxies keep it for a year. Range requests are answered (seeking in the MP4, the player's
 * partial reads).
 */
@Controller('media/videos')
export class MediaController {
  constructor(
    private readonly videos: VideosService,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
  ) {}

  @Public()
  @Get(':videoId/:file')
  async show(@Param('videoId', ParseIntPipe) videoId: number, @Param('file') file: string, @Req() req: Request, @Res() res: Response) {
    const key = this.videos.files.mediaKey(videoId, file);
    const sent =
      key !== null &&
      (await sendStoredFile(req, res, this.storage, key, {
        'Content-Type': MEDIA_CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1)],
        'Cache-Control': 'public, max-age=31536000, immutable',
        'X-Content-Type-Options': 'nosniff',
      }));
    if (!sent) throw new NotFoundError();
  }
}
