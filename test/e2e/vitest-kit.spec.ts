// jobcraft/testing for Vitest users: runs the Vitest spec (test/vitest/testing-kit.vitest.ts, NestJS 12 ESM) in a
// child process with the repository's vitest.config.mts, so `npm test` covers it. jest's own testMatch
// (test/**/*.spec.ts) never picks up the .vitest.ts file.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('jobcraft/testing under Vitest', () => {
  it('passes the Vitest spec: startTestRedis, drain, runPeriodicNow and QueueModule.forTest on NestJS 12', async () => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.config.mts', '--reporter', 'verbose'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    if (code !== 0) throw new Error(`vitest exited with ${code}:\n${output}`);
    expect(output).toMatch(/Tests\s+3 passed \(3\)/);
    expect(output).toContain('testing-kit.vitest.ts');
  }, 120_000);
});
