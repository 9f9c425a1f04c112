// Starts and stops throwaway redis-server processes for tests (and the multi-process specs that need
// a Redis of their own to restart). Plain JS so jest's globalSetup can load it without a transform.
// Its twin for users is startTestRedis in lib/testing/test-redis.ts (same algorithm; specs dogfood that one). This
// copy stays plain .mjs because global setup, bench/ and scripts/check-package.mjs load it with no build step.
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';

/** Finds a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The process id of the redis-server answering on `port`, or undefined if none answers. */
function serverPid(port) {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(500, () => { sock.destroy(); resolve(undefined); });
    sock.on('error', () => resolve(undefined));
    sock.on('connect', () => sock.write('INFO server\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      const m = /process_id:(\d+)/.exec(buf);
      if (m || buf.startsWith('-')) { sock.destroy(); resolve(m ? Number(m[1]) : undefined); }
    });
  });
}

/**
 * Starts `redis-server` on `port` (a free one by default) and resolves once it answers PING.
 * @returns {Promise<{ port: number, pid: number, url: string, stop: () => Promise<void> }>}
 */
export async function startRedis(port) {
  if (port === undefined) {
    // a free port can be taken by someone else before redis-server binds it: retry on another one
    for (let attempt = 1; ; attempt++) {
      try {
        return await startRedisOn(await freePort());
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
  }
  return startRedisOn(port);
}

async function startRedisOn(port) {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.unref(); // never keeps the test runner alive; stop() or the teardown kills it
  const deadline = Date.now() + 10000;
  // wait until *our* server answers (another process may hold the port)
  while ((await serverPid(port)) !== child.pid) {
    if (exited) throw new Error(`redis-server exited before answering on port ${port} (port taken?)`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`redis-server did not answer on port ${port} within 10 s`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    pid: child.pid,
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      if (exited) return resolve();
      child.ref(); // keep the caller alive until the server is reaped
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}
