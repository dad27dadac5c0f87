import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative, sep } from 'node:path';

/**
 * Dependencies between feature modules point one way (docs/DESIGN.md, "Modules"). A feature
 * depends on another when its code imports that feature's code at run time, or when its SQL
 * reads or writes a table whose entity that feature declares. This test reads src/ and fails on
 * any cycle between features, naming the files that make each edge.
 *
 * Not counted: `import type` (erased at build, no run-time dependency), the *.spec.ts files, and
 * the shared leaves every module may use, which sit under all features: common, config,
 * database (it lists every entity and migration), i18n, auth (guards, roles decorator, CSRF),
 * queues and storage. `bench/` is tooling, not a module.
 */
const SRC = __dirname;
const SHARED = new Set(['common', 'config', 'database', 'i18n', 'auth', 'queues', 'storage', 'bench']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

function featureOf(path: string): string | null {
  const [top, ...rest] = relative(SRC, path).split(sep);
  return rest.length > 0 ? top : null;
}

/** feature -> feature -> the files (and what) that make the edge. */
type Graph = Map<string, Map<string, Set<string>>>;

export function dependencyGraph(): { graph: Graph; features: string[] } {
  const features = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory() && !SHARED.has(name));
  const files = features.flatMap((feature) => sourceFiles(join(SRC, feature)));
  const tableOwner = new Map<string, string>();
  for (const file of files) {
    for (const [, table] of readFileSync(file, 'utf8').matchAll(/@Entity\(\s*'(\w+)'/g)) tableOwner.set(table, featureOf(file) as string);
  }
  const graph: Graph = new Map(features.map((f) => [f, new Map()]));
  const addEdge = (from: string, to: string, why: string) => {
    if (from === to || !graph.has(to)) return;
    const edges = graph.get(from) as Map<string, Set<string>>;
    edges.set(to, (edges.get(to) ?? new Set()).add(why));
  };
  for (const file of files) {
    const from = featureOf(file) as string;
    const text = readFileSync(file, 'utf8');
    const where = relative(SRC, file);
    for (const [, typeOnly, target] of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?\sfrom\s+'(\.[^']+)'/gms)) {
      if (typeOnly) continue;
      const to = featureOf(normalize(join(file, '..', target)));
      if (to) addEdge(from, to, `${where} imports ${target}`);
    }
    const tables = [
      ...text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+`?(\w+)/g),
      ...text.matchAll(/\.(?:from|innerJoin|leftJoin|innerJoinAndSelect|leftJoinAndSelect|into|update|hasTable)\(\s*'(\w+)'/g),
    ];
    for (const [, table] of tables) {
      const owner = tableOwner.get(table);
      if (owner) addEdge(from, owner, `${where} uses table ${table}`);
    }
  }
  return { graph, features };
}

/** Every cycle, each once, as the list of features around it. */
export function cycles(graph: Graph): string[][] {
  const found = new Map<string, string[]>();
  const walk = (path: string[]) => {
    for (const next of (graph.get(path[path.length - 1]) ?? new Map()).keys()) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const cycle = path.slice(at);
        const start = cycle.indexOf([...cycle].sort()[0]);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        found.set(canonical.join(' -> '), canonical);
      } else {
        walk([...path, next]);
      }
    }
  };
  for (const feature of graph.keys()) walk([feature]);
  return [...found.values()];
}

describe('module edges', () => {
  const { graph, features } = dependencyGraph();

  it('finds the features and the edges the design names', () => {
    expect(features).toEqual(expect.arrayContaining(['certificates', 'courses', 'enrollments', 'manage', 'programmes', 'quizzes', 'users']));
    expect(graph.get('certificates')?.has('enrollments')).toBe(true);
    expect(graph.get('enrollments')?.has('courses')).toBe(true);
  });

  it('has no cycle between feature modules: every dependency points one way', () => {
    const described = cycles(graph).map((cycle) =>
      [...cycle, cycle[0]]
        .slice(0, -1)
        .map((from, i) => `${from} -> ${cycle[(i + 1) % cycle.length]} (${[...(graph.get(from)?.get(cycle[(i + 1) % cycle.length]) ?? [])].join('; ')})`)
        .join('\n  '),
    );
    expect(described).toEqual([]);
  });

  it('keeps programmes above certificates: programmes listens, certificates imports nothing of it', () => {
    expect(graph.get('programmes')?.has('certificates')).toBe(true);
    expect(graph.get('certificates')?.has('programmes')).toBe(false);
  });

  it('keeps lti on top: it calls enrollments, courses and users; no feature imports it (added with src/lti)', () => {
    expect(graph.get('lti')?.has('enrollments')).toBe(true);
    expect(features.filter((feature) => graph.get(feature)?.has('lti'))).toEqual([]);
  });

  it('keeps xapi on top: it listens to enrollments and certificates, no feature imports it', () => {
    expect(graph.get('xapi')?.has('enrollments')).toBe(true);
    expect(graph.get('xapi')?.has('certificates')).toBe(true);
    expect(features.filter((feature) => graph.get(feature)?.has('xapi'))).toEqual([]);
  });
});
