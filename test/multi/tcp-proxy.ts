// A TCP proxy in front of a real redis-server, for network faults that Redis itself cannot stage on cue:
// drop chosen connections, and hold a reconnecting client's ready-check reply until that client hangs up.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** One client connection through the proxy. */
export interface ProxiedConnection {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Everything the client sent so far (RESP as latin1 text). */
  sent: string;
  /** Whether replies to this client are being held. */
  holding: boolean;
}

export class TcpProxy {
  private readonly connections = new Set<ProxiedConnection>();
  private readonly heldListeners = new Set<(c: ProxiedConnection) => void>();
  /**
   * When set, a connection that sent this text (e.g. its connection name) and then INFO (ioredis's ready
   * check) gets the replies from that point on held back until the client ends its side; they are then
   * delivered, so they reach a client that has already started closing.
   */
  holdReadyCheckOf?: string;

  private constructor(private readonly server: Server, readonly port: number) {}

  /** Starts a proxy on a free port in front of 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy!: TcpProxy;
    const server = createServer({ allowHalfOpen: true }, (client) => proxy.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** `redis://` URL of the proxy. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Open connections whose client sent `text` (e.g. a connection name). */
  named(text: string): ProxiedConnection[] {
    return [...this.connections].filter((c) => c.sent.includes(text));
  }

  /** Cuts the connections whose client sent `text`, as a network failure would; returns how many. */
  drop(text: string): number {
    const victims = this.named(text);
    for (const c of victims) {
      c.client.destroy();
      c.upstream.destroy();
    }
    return victims.length;
  }

  /** Resolves with the next connection whose ready-check reply gets held. */
  nextHeld(): Promise<ProxiedConnection> {
    return new Promise((resolve) => {
      const l = (c: ProxiedConnection) => {
        this.heldListeners.delete(l);
        resolve(c);
      };
      this.heldListeners.add(l);
    });
  }

  /** Cuts every connection and stops listening. */
  async close(): Promise<void> {
    for (const c of this.connections) {
      c.client.destroy();
      c.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    const c: ProxiedConnection = { client, upstream, sent: '', holding: false };
    const held: Buffer[] = [];
    this.connections.add(c);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('close', () => {
      upstream.destroy();
      this.connections.delete(c);
    });
    upstream.on('close', () => {
      if (!c.holding) client.destroy();
    });
    client.on('data', (d: Buffer) => {
      c.sent += d.toString('latin1');
      upstream.write(d);
      if (!c.holding && this.holdReadyCheckOf && c.sent.includes(this.holdReadyCheckOf) && /\r\ninfo\r\n/i.test(c.sent)) {
        c.holding = true;
        this.heldListeners.forEach((l) => l(c));
      }
    });
    let clientEnded = false;
    // once the client has hung up its side and the held reply has started to come, deliver it, then pass the
    // hang-up on to Redis; the rest of the reply and Redis's own hang-up follow in order
    const release = () => {
      if (!clientEnded || (c.holding && held.length === 0)) return;
      for (const d of held.splice(0)) client.write(d);
      c.holding = false;
      upstream.end();
    };
    upstream.on('data', (d: Buffer) => {
      if (!c.holding) client.write(d);
      else {
        held.push(d);
        release();
      }
    });
    client.on('end', () => {
      clientEnded = true;
      release();
    });
    upstream.on('end', () => {
      if (!c.holding) client.end();
    });
  }
}
