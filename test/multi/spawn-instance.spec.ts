// The spawn helper itself: a child that never becomes ready must not outlive the failed spawn. Left running, it
// went on firing ticks or claiming jobs under the rest of the run, and its IPC channel kept jest from exiting
// (seen in a stress run: one periodic spec's child was late, and jest hung after printing its summary).
import { spawnInstance } from '../helpers/spawn-instance.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('spawnInstance', () => {
  it('kills a child that sends no ready message before rejecting', async () => {
    const failure = await spawnInstance('never-ready.ts', {}, 1000).then(
      () => { throw new Error('spawnInstance resolved for a child that never became ready'); },
      (err: Error) => err,
    );
    expect(failure.message).toMatch(/Timed out .* never-ready\.ts \(pid \d+\)/);
    const pid = Number(/\(pid (\d+)\)/.exec(failure.message)![1]);
    const stillAlive = alive(pid);
    if (stillAlive) process.kill(pid, 'SIGKILL'); // so a failure here leaves nothing running
    expect(stillAlive).toBe(false);
  });
});
