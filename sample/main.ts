// The jobcraft sample: a Nest app whose instances share background jobs and a periodic job through Redis.
//   npm start                          # http://localhost:3000
//   PORT=3001 npm start                # a second instance, in another terminal
// Env: PORT (default 3000), REDIS_URL (default: 127.0.0.1:6379, or a throwaway redis-server), SAMPLE_NAMESPACE
// (default "bowl"). Ctrl-C lets running jobs finish (up to 10 s), hands the rest back to the queue, and exits.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { hostname } from 'node:os';
import { AppModule } from './app.module.js';
import { resolveRedisUrl } from './redis-url.js';
import { SampleConfig } from './sample-config.js';

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
const namespace = process.env.SAMPLE_NAMESPACE ?? 'bowl';
const redis = await resolveRedisUrl();
const config = new SampleConfig(redis, namespace, `${hostname()}:${port}`, port);

const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config));
// on SIGINT/SIGTERM: stop firing ticks, drain the workers, close Redis; then exit (which also stops a throwaway Redis)
app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
try {
  await app.listen(port);
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
  console.error(`Port ${port} is taken (another instance?). Start this one on another port: PORT=${port + 1} npm start`);
  await app.close();
  process.exit(1);
}

const url = `http://localhost:${port}`;
const sameRedis = process.env.REDIS_URL || redis !== 'redis://127.0.0.1:6379' ? ` REDIS_URL=${redis}` : '';
const sameNamespace = process.env.SAMPLE_NAMESPACE ? ` SAMPLE_NAMESPACE=${namespace}` : '';
console.log(`
jobcraft sample: instance ${config.instanceId} on ${url} (Redis ${redis}, namespace "${namespace}")

1. A file analysis that outlives the request (202 at once; poll GET with the id, from any instance).
   Files up to 1 MiB; one of ~0.8 MB takes a few seconds:
     node -e "for(let i=0;i<2e4;i++)console.log(i,Math.random().toString(36).slice(2),'the quick brown fox')" > big.txt
     curl -s -F file=@big.txt ${url}/analyses
     curl -s ${url}/analyses/<id>
     curl -s -H 'Content-Type: text/plain' --data-binary @README.md ${url}/analyses
2. The food job, through the findTask and log middlewares:
     curl -s -H 'Content-Type: application/json' -d '{"task":1,"food":"GalbiTang"}' ${url}/food
     curl -s ${url}/food/<id>
3. A periodic job logs one [tick] line every 1.5 s. Start a second instance in another terminal,
   and the two together still log one line per tick:
     PORT=${port === 3001 ? 3002 : 3001}${sameRedis}${sameNamespace} npm start

Ctrl-C stops this instance: running jobs get 10 s to finish, the rest go back to the queue.
`);
process.send?.({ type: 'ready', port, pid: process.pid }); // when forked by the e2e test
