import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM build script without types
import { render } from '../../scripts/build-lua.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('house rules', () => {
  it('lib/core never imports @nestjs (it must stay framework-agnostic)', () => {
    const offenders = filesUnder(join(root, 'lib/core'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from\s+['"]@nestjs\/|import\(\s*['"]@nestjs\/|require\(\s*['"]@nestjs\//.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('lib/nest imports Nest only from its public entry points (deep imports break across Nest 11 and 12)', () => {
    const offenders = filesUnder(join(root, 'lib/nest'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from\s+['"]@nestjs\/(common|core)\/[^'"]+['"]/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the committed lua.generated.ts matches the .lua sources', () => {
    const committed = readFileSync(join(root, 'lib/core/redis/lua.generated.ts'), 'utf8');
    expect(committed === (render as () => string)()).toBe(true);
  });
});
