// The built CommonJS package in a NestJS 11 app: `require('jobcraft')` with every `@nestjs/*` resolved from
// compat/nest11 (as in a Nest 11 CJS project), then an application context with QueueModule and a decorated
// provider boots (discovery runs; `workers: false`, so no Redis is needed) and closes.
// Run by scripts/smoke-package.mjs after `npm ci --prefix compat/nest11`.
const Module = require('node:module');
const path = require('node:path');

const nest11 = path.join(__dirname, '..', 'compat', 'nest11', 'node_modules');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (/^(@nestjs\/(common|core|testing)|reflect-metadata|rxjs)(\/|$)/.test(request)) {
    return resolve.call(this, request, { ...parent, paths: [nest11] }, ...rest);
  }
  return resolve.call(this, request, parent, ...rest);
};

require('reflect-metadata');
const { Injectable, Module: NestModule } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const jobcraft = require('jobcraft');

const major = Number(require('@nestjs/core/package.json').version.split('.')[0]);
if (major !== 11) throw new Error(`expected NestJS 11 from compat/nest11, got ${major}`);
if (!require.resolve('jobcraft').includes(`${path.sep}dist${path.sep}cjs${path.sep}`)) throw new Error('jobcraft did not resolve to dist/cjs');

class Jobs {
  food(job) {
    return job.args;
  }
}
jobcraft.JobHandler('food')(Jobs.prototype, 'food', Object.getOwnPropertyDescriptor(Jobs.prototype, 'food'));
Injectable()(Jobs);
class AppModule {}
NestModule({ imports: [jobcraft.QueueModule.forRoot({ workers: false, scheduler: false })], providers: [Jobs] })(AppModule);

(async () => {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  if (!(app.get(jobcraft.Enqueuer) instanceof jobcraft.Enqueuer)) throw new Error('Enqueuer not injectable');
  await app.close();
  console.log(`NestJS ${major} (CommonJS): require('jobcraft') boots QueueModule ok`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
