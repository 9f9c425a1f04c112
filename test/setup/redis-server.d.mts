/** A throwaway redis-server started for a test. */
export interface RedisServer {
  port: number;
  pid: number;
  url: string;
  stop(): Promise<void>;
}
/** Finds a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number>;
/** Starts redis-server on `port` (a free one by default) and resolves once it answers PING. */
export function startRedis(port?: number): Promise<RedisServer>;
