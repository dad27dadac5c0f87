import { Controller, Get, Param, ParseIntPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { MEDIA_CONTENT_TYPES } from './video-files';
import { VideosService } from './videos.service';

/**
 * A video's files. Every name carries a random prefix (per transcode) or a hash (captions), so
 * the content behind a URL never changes: browsers and proxies keep it for a year. Range
 * requests are answered (seeking in the MP4, the player's partial reads).
 */
@Controller('media/videos')
export class MediaController {
  constructor(private readonly videos: VideosService) {}

  @Public()
  @Get(':videoId/:file')
  show(@Param('videoId', ParseIntPipe) videoId: number, @Param('file') file: string, @Res() res: Response) {
    const path = this.videos.files.mediaPath(videoId, file);
    if (!path) throw new NotFoundError();
    res.sendFile(
      path,
      {
        acceptRanges: true,
        lastModified: false,
        dotfiles: 'allow',
        headers: {
          'Content-Type': MEDIA_CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1)],
          'Cache-Control': 'public, max-age=31536000, immutable',
          'X-Content-Type-Options': 'nosniff',
        },
      },
      (error) => {
        if (!error || res.headersSent) return;
        res.status(404).type('text/plain').send('Not found');
      },
    );
  }
}
