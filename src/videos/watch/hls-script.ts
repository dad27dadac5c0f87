import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_JSON = require.resolve('hls.js/package.json');
const VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

/** The light build (no subtitles/alt-audio parsing in MSE; captions are native <track>s here). */
export const HLS_SCRIPT_FILE = join(dirname(PACKAGE_JSON), 'dist', 'hls.light.min.js');
/** Under /static/ so it needs no session; versioned so it never changes under one URL. */
export const HLS_SCRIPT_PATH = `/static/vendor/hls-${VERSION}.light.min.js`;
