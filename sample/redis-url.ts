import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';

function answers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, host);
    sock.setTimeout(300, () => { sock.destroy(); resolve(false); });
    sock.on('error', () => resolve(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => { sock.destroy(); resolve(d.toString().startsWith('+PONG')); });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` on `port`; resolves true once it answers, false if it exited (port taken). */
async function startRedis(port: number, log: (line: string) => void): Promise<boolean> {
  // its own process group: Ctrl-C in the terminal stops the sample, which drains its jobs, then stops this server
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
    detached: true,
  });
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.on('error', (err) => {
    log(`No Redis at 127.0.0.1:6379, and redis-server could not be started (${err.message}). Start one, or set REDIS_URL.`);
    process.exit(1);
  });
  for (let i = 0; i < 200 && !exited; i++) {
    if (await answers(port)) {
      process.on('exit', () => child.kill('SIGKILL'));
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  return false;
}

/**
 * The Redis the sample uses: REDIS_URL if set, else 127.0.0.1:6379 if a server answers there, else a throwaway
 * `redis-server` from PATH, stopped when this process exits. The throwaway listens on 6379 if it can, so that a
 * second instance (`PORT=3001 npm start`) finds it there and shares it.
 * @param log - where to say which Redis is used
 * @returns the Redis URL
 */
export async function resolveRedisUrl(log: (line: string) => void = console.log): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  if (await answers(6379)) return 'redis://127.0.0.1:6379';
  for (const port of [6379, await freePort()]) {
    if (await startRedis(port, log)) {
      log(`No Redis at 127.0.0.1:6379: started a throwaway redis-server on port ${port}; it stops when this instance exits.`);
      return `redis://127.0.0.1:${port}`;
    }
  }
  log('No Redis at 127.0.0.1:6379, and a throwaway redis-server did not start. Start one, or set REDIS_URL.');
  process.exit(1);
}
