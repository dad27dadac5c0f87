import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticAssets } from './static-assets';

function publicDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'public-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const SCRIPT = `(function () {
  'use strict';
  // A comment nobody downloads.
  var somethingLong = document.querySelector('[data-player]');
  if (somethingLong) somethingLong.hidden = false;
})();
`;

describe('static assets', () => {
  it('serves scripts minified, under a URL hashed from what is served', () => {
    const assets = staticAssets(publicDir({ 'player.js': SCRIPT, 'app.css': 'a{color:red}', 'vendor/x.js': 'var a = 1;' }));
    const served = assets.scripts.get('player.js')!.toString();
    expect(served.length).toBeLessThan(SCRIPT.length * 0.7);
    expect(served).not.toContain('somethingLong');
    expect(served).not.toContain('comment');
    expect(served).toContain("document.querySelector(\"[data-player]\")");
    expect(assets.urls['player.js']).toMatch(/^\/static\/player\.js\?v=[0-9a-f]{12}$/);
    expect(assets.urls['app.css']).toMatch(/^\/static\/app\.css\?v=[0-9a-f]{12}$/);
    expect(assets.scripts.has('app.css')).toBe(false);
    expect(assets.scripts.has('vendor/x.js')).toBe(true);
  });

  it('gives a changed script a new URL', () => {
    const before = staticAssets(publicDir({ 'player.js': SCRIPT })).urls['player.js'];
    const after = staticAssets(publicDir({ 'player.js': SCRIPT.replace('false', 'true') })).urls['player.js'];
    expect(after.split('?')[0]).toBe(before.split('?')[0]);
    expect(after).not.toBe(before);
  });

  it('refuses to start with a script that does not parse', () => {
    expect(() => staticAssets(publicDir({ 'broken.js': 'function (' }))).toThrow(/public\/broken\.js does not parse/);
  });
});
