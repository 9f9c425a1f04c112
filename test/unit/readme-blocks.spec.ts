import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractReadmeBlocks } from '../../scripts/readme-blocks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('README TypeScript blocks (what the package check compiles)', () => {
  it('finds ts and typescript blocks with their first code line, skips other languages, and lists blocks marked partial', () => {
    const md = [
      '# title', //                 1
      '```ts', //                   2
      'const a = 1;', //            3
      '```', //                     4
      '```sh', //                   5
      'npm test', //                6
      '```', //                     7
      '```typescript', //           8
      'const b = 2;', //            9
      'const c = 3;', //           10
      '```', //                    11
      '```ts partial', //          12
      'useUndeclared();', //       13
      '```', //                    14
      '````md', //                 15
      '```ts', //                  16 (inside a longer fence: not a block)
      'nope', //                   17
      '```', //                    18
      '````', //                   19
    ].join('\n');
    expect(extractReadmeBlocks(md)).toEqual({
      blocks: [
        { line: 3, code: 'const a = 1;' },
        { line: 9, code: 'const b = 2;\nconst c = 3;' },
      ],
      partial: [12],
    });
  });

  it('finds the Nest, core and scheduler examples in README.md', () => {
    const { blocks } = extractReadmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
    const code = blocks.map((b) => b.code).join('\n');
    for (const used of ['QueueModule.forRoot(', 'new Enqueuer(', 'new WorkerPool(', 'new Scheduler(']) expect(code).toContain(used);
  });
});
