import { ReadThroughCache } from './read-through-cache';

describe(ReadThroughCache.name, () => {
  let trusted: boolean;
  const make = (options: Partial<ConstructorParameters<typeof ReadThroughCache<string>>[2]> = {}) =>
    new ReadThroughCache<string>('course-structure', () => trusted, { ttlMs: 1000, maxEntries: 10, ...options });

  beforeEach(() => {
    trusted = true;
  });

  it('loads once and then answers from memory until the entry expires', async () => {
    const cache = make();
    const load = jest.fn(async () => 'outline');
    await expect(cache.get('a', load, 0)).resolves.toBe('outline');
    await expect(cache.get('a', load, 999)).resolves.toBe('outline');
    expect(load).toHaveBeenCalledTimes(1);
    await cache.get('a', load, 1000);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps nothing while invalidations from other processes cannot reach it', async () => {
    trusted = false;
    const cache = make();
    const load = jest.fn(async () => 'outline');
    await cache.get('a', load);
    await cache.get('a', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('forgets one key and keeps the others; a load of that key under way is not stored', async () => {
    const cache = make();
    await cache.get('a', async () => 'session a');
    await cache.get('b', async () => 'session b');
    let finish: (value: string) => void = () => undefined;
    const slow = cache.get('c', () => new Promise<string>((resolve) => (finish = resolve)));
    cache.delete('a');
    finish('session c, read before the change');
    await slow;
    await expect(cache.get('a', async () => 'session a, rewritten')).resolves.toBe('session a, rewritten');
    await expect(cache.get('b', async () => 'reloaded')).resolves.toBe('session b');
    await expect(cache.get('c', async () => 'session c, read again')).resolves.toBe('session c, read again');
  });

  it('never stores a value whose load began before a change was announced', async () => {
    const cache = make();
    let finish: (value: string) => void = () => undefined;
    const slow = cache.get('a', () => new Promise<string>((resolve) => (finish = resolve)));
    cache.clear(); // a publish lands while the old rows are being read
    finish('old version');
    await expect(slow).resolves.toBe('old version');
    await expect(cache.get('a', async () => 'new version')).resolves.toBe('new version');
  });

  it('loads only the missing keys of a batch, in one call', async () => {
    const cache = make();
    await cache.get('1', async () => 'one');
    const loadMissing = jest.fn(async (keys: string[]) => new Map(keys.map((key) => [key, `course ${key}`])));
    const found = await cache.getMany(['1', '2', '3', '2'], loadMissing);
    expect(loadMissing).toHaveBeenCalledTimes(1);
    expect(loadMissing).toHaveBeenCalledWith(['2', '3']);
    expect([...found.entries()].sort()).toEqual([['1', 'one'], ['2', 'course 2'], ['3', 'course 3']]);
  });

  it('drops the least recently used entries beyond its count and byte limits', async () => {
    const cache = make({ maxEntries: 2, maxBytes: 10, sizeOf: (value: string) => value.length });
    await cache.get('a', async () => 'aaaa');
    await cache.get('b', async () => 'bbbb');
    await cache.get('a', async () => 'reloaded'); // a is now the most recent
    await cache.get('c', async () => 'cccc');
    expect(cache.size).toBe(2);
    await expect(cache.get('a', async () => 'reloaded')).resolves.toBe('aaaa');
    await expect(cache.get('b', async () => 'BBBB')).resolves.toBe('BBBB');
    await cache.get('huge', async () => 'x'.repeat(11));
    expect(cache.size).toBe(2);
  });
});
