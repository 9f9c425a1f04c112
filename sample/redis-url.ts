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

/**
 * The Redis the sample uses: REDIS_URL if set, else 127.0.0.1:6379 if a server answers there, else a
 * throwaway `redis-server` from PATH on a free port (stopped when the sample exits).
 */
export async function resolveRedisUrl(log: (line: string) => void = console.log): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  if (await answers(6379)) return 'redis://127.0.0.1:6379';
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  child.on('error', (err) => {
    log(`No Redis at 127.0.0.1:6379 and redis-server could not start (${err.message}). Set REDIS_URL.`);
    process.exit(1);
  });
  process.on('exit', () => child.kill('SIGKILL'));
  for (let i = 0; i < 100 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 50));
  log(`No Redis at 127.0.0.1:6379: started a throwaway redis-server on port ${port} (it stops with the sample).`);
  return `redis://127.0.0.1:${port}`;
}
