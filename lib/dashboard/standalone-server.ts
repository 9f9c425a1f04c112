import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Inspector } from '../core/inspector.js';
import { DashboardApi } from './dashboard-api.js';
import { errorResponse, DashboardError } from './dashboard-error.js';
import { assetReply, renderPage, type StaticReply } from './dashboard-page.js';
import { API_ROUTES, PAGE_ROUTES, matchRoute } from './dashboard-routes.js';

/** Options of {@link startDashboardServer}. @internal */
export interface DashboardServerOptions {
  /** The namespace's Inspector (not closed by the server). */
  inspector: Inspector;
  /** TCP port (0 = any free one). */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Refuse every write and show no action. */
  readOnly?: boolean;
  /** `user:password` required with HTTP Basic auth. */
  basicAuth?: string;
}

/** A running standalone dashboard. @internal */
export interface DashboardServer {
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Largest request body read (bulk actions name at most 1,000 ids). */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * Serves the dashboard without Nest, at the root path, on Node's own HTTP server (the `jobcraft dashboard`
 * command): the same routes, JSON API and page as `QueueDashboardModule`.
 * @internal
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const api = new DashboardApi(options.inspector, options.readOnly === true);
  const expected = options.basicAuth === undefined ? undefined : Buffer.from(`Basic ${Buffer.from(options.basicAuth).toString('base64')}`);
  const server = createServer((req, res) => {
    if (expected && !authorized(req, expected)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jobcraft", charset="UTF-8"', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('authentication required');
      return;
    }
    serve(api, req, res).catch((err: unknown) => sendJson(res, errorResponse(err).status, errorResponse(err).body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => closeServer(server),
  };
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function serve(api: DashboardApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  for (const route of API_ROUTES) {
    const params = route.method === method ? matchRoute(route.path, path) : null;
    if (!params) continue;
    const body = route.method === 'POST' ? await readJson(req) : undefined;
    const reply = await api.handle(route.id, route.write, { params, query: Object.fromEntries(url.searchParams), body, contentType: req.headers['content-type'] });
    sendJson(res, reply.status, reply.body);
    return;
  }
  if (method === 'GET') {
    const asset = path.startsWith('assets/') ? assetReply(path.slice('assets/'.length)) : undefined;
    if (asset) return sendStatic(req, res, asset);
    if (PAGE_ROUTES.some((p) => matchRoute(p, path))) return sendStatic(req, res, renderPage('', api.readOnly));
  }
  sendJson(res, 404, errorResponse(new DashboardError(404, 'NOT_FOUND', `no route ${method ?? ''} /${path}`)).body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new DashboardError(413, 'BODY_TOO_LARGE', `the body must be at most ${MAX_BODY_BYTES} bytes`, 'body');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DashboardError(400, 'BAD_PARAMETER', 'the body must be JSON', 'body');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Compressed bodies of the assets (two strings, compressed once). */
const gzipped = new Map<string, Buffer>();

function sendStatic(req: IncomingMessage, res: ServerResponse, reply: StaticReply): void {
  const headers: Record<string, string> = { 'Content-Type': reply.contentType, 'Cache-Control': reply.cache, 'X-Content-Type-Options': 'nosniff' };
  let body: string | Buffer = reply.body;
  if (reply.body.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    let zipped = gzipped.get(reply.body);
    if (!zipped) gzipped.set(reply.body, (zipped = gzipSync(reply.body)));
    body = zipped;
    headers['Content-Encoding'] = 'gzip';
    headers.Vary = 'Accept-Encoding';
  }
  res.writeHead(reply.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
