// Reads Redis's own accounting (INFO memory / cpu / commandstats / server) on a connection of its own, and
// does the between-scenario housekeeping (FLUSHALL on a throwaway Redis, SCAN+UNLINK on a shared one).
import { Redis } from 'ioredis';

/** One reading of the server's counters. */
export interface RedisSnapshot {
  /** `used_memory`: bytes the allocator holds for data, clients and overhead. */
  usedMemory: number;
  /** `used_cpu_sys + used_cpu_user`: CPU seconds the server process used since it started. */
  cpuSeconds: number;
  /** `cmdstat_<command>` → `calls`, commands run since start (commands run inside Lua scripts included). */
  commands: Map<string, number>;
  /** INFO calls this reader had made before this one (its own calls are not counted against the libraries). */
  ownInfoCalls: number;
}

/** Differences between two snapshots. */
export interface RedisDelta {
  /** Commands run in between, excluding this reader's own INFO calls. */
  totalCommands: number;
  /** The same, per command, most frequent first. */
  byCommand: { command: string; calls: number }[];
  /** Server CPU seconds used in between. */
  cpuSeconds: number;
  /** Change of used_memory in bytes. */
  memoryBytes: number;
}

/** Parses `key:value` lines of an INFO reply (section headers and blank lines skipped). */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

/** Parses the `cmdstat_*` entries (`calls=12,usec=34,…`) into command → calls. */
export function parseCommandStats(info: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of info) {
    if (!key.startsWith('cmdstat_')) continue;
    const calls = /(?:^|,)calls=(\d+)/.exec(value);
    if (calls) out.set(key.slice('cmdstat_'.length), Number(calls[1]));
  }
  return out;
}

/** Subtracts `before` from `after`; this reader's own INFO calls in between are taken out. */
export function diffSnapshots(before: RedisSnapshot, after: RedisSnapshot): RedisDelta {
  const byCommand: { command: string; calls: number }[] = [];
  for (const [command, calls] of after.commands) {
    let delta = calls - (before.commands.get(command) ?? 0);
    if (command === 'info') delta -= after.ownInfoCalls - before.ownInfoCalls;
    if (delta > 0) byCommand.push({ command, calls: delta });
  }
  byCommand.sort((a, b) => b.calls - a.calls || a.command.localeCompare(b.command));
  return {
    totalCommands: byCommand.reduce((sum, c) => sum + c.calls, 0),
    byCommand,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    memoryBytes: after.usedMemory - before.usedMemory,
  };
}

/** A connection that reads server statistics and cleans up between scenarios. */
export class RedisStats {
  private readonly client: Redis;
  private infoCalls = 0;

  constructor(url: string) {
    this.client = new Redis(url, { connectionName: 'bench:stats', maxRetriesPerRequest: 1 });
    this.client.on('error', () => {}); // failures surface on the calls themselves
  }

  private async info(...sections: string[]): Promise<Map<string, string>> {
    this.infoCalls++;
    return parseInfo(await this.client.info(...sections));
  }

  /** Reads memory, CPU and command counters in a single INFO call. */
  async snapshot(): Promise<RedisSnapshot> {
    const ownInfoCalls = this.infoCalls;
    const info = await this.info('memory', 'cpu', 'commandstats');
    return {
      usedMemory: Number(info.get('used_memory')),
      cpuSeconds: Number(info.get('used_cpu_sys')) + Number(info.get('used_cpu_user')),
      commands: parseCommandStats(info),
      ownInfoCalls,
    };
  }

  /** The server's version (`redis_version`) and pid (`process_id`). */
  async server(): Promise<{ version: string; pid: number }> {
    const info = await this.info('server');
    return { version: info.get('redis_version') ?? 'unknown', pid: Number(info.get('process_id')) };
  }

  /**
   * Empties every database. Only for the benchmark's own throwaway Redis: refuses unless the server's pid is
   * `ownPid` (another redis-server could have taken the port if ours died, or won the race for it).
   */
  async flushAll(ownPid: number): Promise<void> {
    const { pid } = await this.server();
    if (pid !== ownPid) throw new Error(`refusing to FLUSHALL: the Redis on this port is pid ${pid}, not ours (${ownPid})`);
    await this.client.flushall('SYNC');
  }

  /** Deletes every key matching `pattern` (cleanup on a shared Redis). Returns how many were deleted. */
  async deleteKeys(pattern: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await this.client.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  async close(): Promise<void> {
    await this.client.quit();
  }
}
