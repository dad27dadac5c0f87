import express from 'express';
import { join } from 'node:path';
import { LocalFileStorage } from '../storage/local-file-storage';
import { sendStoredFile } from '../storage/send-stored-file';

/**
 * The media bench's server: the same stored files answered two ways on one Express app — by
 * Express's own `res.sendFile` (how /media/videos answered before the file storage) and by
 * `sendStoredFile` over the file storage (how it answers now). MEDIA_ROOT is the storage root.
 */
const root = process.env.MEDIA_ROOT!;
const storage = new LocalFileStorage(root);
const headers = { 'Content-Type': 'video/iso.segment', 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' };
const app = express();
app.disable('x-powered-by');

app.get('/send/:name', (req, res) => {
  res.sendFile(join(root, 'videos', '1', req.params.name), { acceptRanges: true, lastModified: false, headers }, (error) => {
    if (error && !res.headersSent) res.status(404).end();
  });
});

app.get('/storage/:name', (req, res, next) => {
  sendStoredFile(req, res, storage, `videos/1/${req.params.name}`, headers).then((sent) => {
    if (!sent) res.status(404).end();
  }, next);
});

app.listen(Number(process.env.PORT), '127.0.0.1');
