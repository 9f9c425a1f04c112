// Checks the built package the way users load it: `import` (ESM, Nest 12 apps) and `require` (CJS, Nest 11
// apps) of both entry points, through the package's own `exports` map (self-reference by name).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const core = ['Enqueuer', 'WorkerPool', 'Scheduler', 'NonRetryableError', 'InvalidJobError'];
const expectedBy = { jobcraft: [...core, 'QueueModule', 'JobHandler', 'Middleware', 'Periodic'], 'jobcraft/core': core };
let failures = 0;
for (const [entry, expected] of Object.entries(expectedBy)) {
  const esm = await import(entry);
  const cjs = require(entry);
  for (const [kind, mod] of [['import', esm], ['require', cjs]]) {
    const missing = expected.filter((name) => typeof mod[name] !== 'function');
    if (missing.length) {
      failures++;
      console.error(`${kind}('${entry}') is missing ${missing.join(', ')}`);
    } else {
      console.log(`${kind}('${entry}') ok`);
    }
  }
  if (esm.Enqueuer === cjs.Enqueuer) console.log(`  (${entry}: one shared copy)`);
}
const resolved = require.resolve('jobcraft/core');
if (!resolved.includes('/dist/cjs/')) {
  failures++;
  console.error(`require('jobcraft/core') resolved to ${resolved}, expected dist/cjs`);
}
// the CommonJS build in a NestJS 11 app (needs compat/nest11 installed: `npm ci --prefix compat/nest11`)
const { spawnSync } = await import('node:child_process');
const nest11 = spawnSync(process.execPath, [new URL('./smoke-nest11-cjs.cjs', import.meta.url).pathname], { stdio: 'inherit' });
if (nest11.status !== 0) {
  failures++;
  console.error('the CommonJS build failed to boot in a NestJS 11 app');
}
process.exit(failures ? 1 : 0);
