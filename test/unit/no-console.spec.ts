// No `console` use in lib/: jobcraft writes through its Logger (in a Nest app, Nest's Logger, so the app's logger
// config applies), and the CLI through process.stdout/stderr. Parsed with the TypeScript compiler, so comments (TSDoc
// examples) and strings do not count. The generated dashboard bundle is browser code and is left out.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXCLUDED = new Set(['lib/dashboard/ui-assets.generated.ts']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** `file:line: code` for every reference to `console` (`console.x`, `console['x']`, `globalThis.console`, a bare `console`). */
function consoleUses(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const isConsole =
      (ts.isIdentifier(node) && node.text === 'console' && !isMemberName(node)) ||
      (ts.isPropertyAccessExpression(node) && node.name.text === 'console' && ts.isIdentifier(node.expression) && node.expression.text === 'globalThis');
    if (isConsole) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${relative(root, path)}:${line + 1}: ${node.parent.getText(source)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Whether an identifier names a member (`x.console`, `{ console: 1 }`) rather than referring to a variable. */
function isMemberName(node: ts.Identifier): boolean {
  const p = node.parent;
  return (
    (ts.isPropertyAccessExpression(p) && p.name === node) ||
    (ts.isPropertyAssignment(p) && p.name === node) ||
    ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) && p.name === node)
  );
}

describe('no console in lib/', () => {
  it('no source file under lib/ calls console (comments and the generated dashboard bundle aside)', () => {
    const offenders = filesUnder(join(root, 'lib'))
      .filter((f) => /\.[cm]?tsx?$/.test(f) && !EXCLUDED.has(relative(root, f).split('\\').join('/')))
      .flatMap((f) => consoleUses(f, readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check finds calls and skips comments and strings', () => {
    const text = [
      '/** @example console.log(1) */',
      '// console.warn("x")',
      'const s = "console.error(2)";',
      'console.error("real");',
      "globalThis.console['log']('real too');",
      'const o = { console: 1 }; o.console;',
    ].join('\n');
    expect(consoleUses(join(root, 'lib/x.ts'), text)).toEqual([
      'lib/x.ts:4: console.error',
      "lib/x.ts:5: globalThis.console['log']",
    ]);
  });
});
