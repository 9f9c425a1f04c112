// @nestjs/terminus is an optional peer: only the jobcraft/terminus entry may load it. Follows the relative imports
// of each entry point's source (static imports, re-exports and dynamic imports) and lists the packages they reach.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPECIFIER = /(?:^|[\s;}])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/** The packages (bare specifiers) an entry's source reaches through its relative imports. */
function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const ts = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (existsSync(ts)) visit(ts);
    }
  };
  visit(join(root, entry));
  return packages;
}

describe('jobcraft/terminus is the only entry that loads @nestjs/terminus', () => {
  it.each(['lib/index.ts', 'lib/core/index.ts'])('%s does not reach @nestjs/terminus', (entry) => {
    const reached = [...packagesReached(entry)];
    expect(reached).toContain(entry === 'lib/index.ts' ? '@nestjs/common' : 'ioredis'); // the walk does follow imports
    expect(reached.filter((p) => p.startsWith('@nestjs/terminus'))).toEqual([]);
  });

  it('lib/terminus/index.ts does', () => {
    expect(packagesReached('lib/terminus/index.ts')).toContain('@nestjs/terminus');
  });
});
