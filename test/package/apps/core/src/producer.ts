// A core-only producer (no Nest installed): enqueues one `analyze` job, reads it back by id once finished, and
// prints it as `RESULT <json>`.
import { Enqueuer } from 'jobcraft/core';

type Jobs = { analyze: { text: string } };

async function main(): Promise<void> {
  const enqueuer = new Enqueuer<Jobs>({ redis: process.env.REDIS_URL, namespace: process.env.JOBCRAFT_NAMESPACE });
  try {
    // @ts-expect-error the typed job map refuses a name it does not declare
    void (() => enqueuer.enqueue('unknown', {}));
    const job = await enqueuer.enqueue('analyze', { text: 'what users install must work' });
    await enqueuer.waitFor(job.id, { timeout: '20s' });
    const info = await enqueuer.getJob(job.id);
    console.log(`RESULT ${JSON.stringify({ ...info, producerPid: process.pid })}`);
  } finally {
    await enqueuer.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
