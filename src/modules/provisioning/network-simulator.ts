import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * A simulated network provisioning target (`cmp simulate-network`): an HLR/HSS-style subscriber API with
 * configurable latency and failure rate, plus a Cisco IoT Control Center–style device API. State is in memory.
 *
 *   PUT    /subscribers/:imsi   create or update (upsert) → 200 { imsi, subscriberKey, status, … }
 *   GET    /subscribers/:imsi   → 200 or 404
 *   DELETE /subscribers/:imsi   → 204 (also when missing: deletes are idempotent)
 *   GET    /subscribers          → { items: [...] } (reconciliation)
 *   POST   /orders { orderId, … }  → 201 { orderRef } (an order intake for account-level events)
 *   PUT    /rws/api/v1/devices/:iccid   { status, ratePlan } → 200 { iccid, status, ratePlan }
 *   GET    /rws/api/v1/devices/:iccid
 *   POST   /batch { operations: [{ method, path, body }] } → { results: [{ status, body }] } (one latency for all)
 *   POST   /_control { latencyMs?, failureRate?, failNext?, failStatus?, reset? }   GET /_log
 *
 * A failure answers `failStatus` (default 503, a retryable error). With a `token`, requests need
 * `Authorization: Bearer <token>` or Basic auth with it as the password.
 */
export interface SimulatorOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  failureRate?: number;
  token?: string;
  /** Random source (tests make failures deterministic). */
  random?: () => number;
}

export interface Subscriber {
  imsi: string;
  iccid: string | null;
  msisdn: string | null;
  status: string;
  profile: string | null;
  apnIds: unknown;
  imei: string | null;
  imeiLock: boolean;
  subscriberKey: string;
  updatedAt: string;
  updates: number;
}

export interface NetworkSimulator {
  url: string;
  port: number;
  subscribers: Map<string, Subscriber>;
  devices: Map<string, { iccid: string; status: string; ratePlan: string | null; updates: number }>;
  /** Orders received on POST /orders. */
  orders: Record<string, unknown>[];
  /** Every request in arrival order: method, path and body (ordering tests). */
  log: { method: string; path: string; body: unknown; status: number }[];
  set(opts: { latencyMs?: number; failureRate?: number; failNext?: number; failStatus?: number }): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startNetworkSimulator(opts: SimulatorOptions = {}): Promise<NetworkSimulator> {
  const subscribers = new Map<string, Subscriber>();
  const devices = new Map<string, { iccid: string; status: string; ratePlan: string | null; updates: number }>();
  const log: NetworkSimulator['log'] = [];
  const orders: Record<string, unknown>[] = [];
  const random = opts.random ?? Math.random;
  let latencyMs = opts.latencyMs ?? 0;
  let failureRate = opts.failureRate ?? 0;
  let failNext = 0;
  let failStatus = 503;

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    if (body === undefined) { res.writeHead(status).end(); return; }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  };
  const readBody = (req: IncomingMessage) => new Promise<unknown>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (!raw) return resolve(null);
      try { resolve(JSON.parse(raw)); } catch { resolve(Symbol.for('bad-json')); }
    });
  });
  const authorised = (req: IncomingMessage) => {
    if (!opts.token) return true;
    const h = req.headers.authorization ?? '';
    if (h === `Bearer ${opts.token}`) return true;
    if (h.startsWith('Basic ')) return Buffer.from(h.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':') === opts.token;
    return false;
  };

  /** One provisioning operation; failures and latency are applied by the caller (per request or per batch item). */
  function route(method: string, path: string, b: Record<string, unknown>): { status: number; body?: unknown } {
    let m = /^\/subscribers\/([^/]+)$/.exec(path);
    if (m) {
      const imsi = decodeURIComponent(m[1]);
      if (!/^\d{6,15}$/.test(imsi)) return { status: 400, body: { error: `bad IMSI ${imsi}` } };
      if (method === 'GET') { const s = subscribers.get(imsi); return s ? { status: 200, body: s } : { status: 404, body: { error: 'no such subscriber' } }; }
      if (method === 'DELETE') { subscribers.delete(imsi); return { status: 204 }; }
      if (method === 'PUT' || method === 'PATCH') {
        const prev = subscribers.get(imsi);
        const status = String(b.status ?? prev?.status ?? 'ACTIVE');
        if (!['ACTIVE', 'SUSPENDED', 'TEST', 'INACTIVE'].includes(status)) return { status: 400, body: { error: `unknown status ${status}` } };
        const s: Subscriber = {
          imsi, iccid: (b.iccid as string) ?? prev?.iccid ?? null, msisdn: (b.msisdn as string) ?? prev?.msisdn ?? null, status,
          profile: (b.profile as string) ?? prev?.profile ?? null, apnIds: b.apnIds ?? prev?.apnIds ?? [], imei: (b.imei as string) ?? prev?.imei ?? null,
          imeiLock: Boolean(b.imeiLock ?? prev?.imeiLock ?? false),
          // The key is the network's: generated once, kept for the life of the record.
          subscriberKey: prev?.subscriberKey ?? `SUB-${randomUUID()}`, updatedAt: new Date().toISOString(), updates: (prev?.updates ?? 0) + 1,
        };
        subscribers.set(imsi, s);
        return { status: 200, body: s };
      }
    }
    if (path === '/subscribers' && method === 'GET') return { status: 200, body: { items: [...subscribers.values()] } };
    // The tenant IT system's order intake (physical SIM orders to fulfil).
    if (path === '/orders' && method === 'POST') {
      if (!b.orderId) return { status: 400, body: { error: 'orderId is required' } };
      orders.push(b);
      return { status: 201, body: { orderRef: `ORD-${orders.length}` } };
    }
    m = /^\/rws\/api\/v1\/devices\/([^/]+)$/.exec(path);
    if (m) {
      const iccid = decodeURIComponent(m[1]);
      const d = devices.get(iccid);
      if (method === 'GET') return d ? { status: 200, body: d } : { status: 404, body: { errorMessage: 'Resource not found', errorCode: '10000003' } };
      if (method === 'PUT') {
        const status = String(b.status ?? d?.status ?? 'ACTIVATION_READY');
        if (!['TEST_READY', 'ACTIVATION_READY', 'ACTIVATED', 'DEACTIVATED', 'INVENTORY', 'RETIRED'].includes(status)) return { status: 400, body: { errorMessage: `invalid status ${status}`, errorCode: '10000024' } };
        devices.set(iccid, { iccid, status, ratePlan: (b.ratePlan as string) ?? d?.ratePlan ?? null, updates: (d?.updates ?? 0) + 1 });
        return { status: 200, body: { iccid } };
      }
    }
    return { status: 404, body: { error: `no route ${method} ${path}` } };
  }

  const shouldFail = () => {
    if (failNext > 0) { failNext--; return true; }
    return failureRate > 0 && random() < failureRate;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const answer = (status: number, out?: unknown) => {
      if (!path.startsWith('/_') && path !== '/batch') log.push({ method, path, body, status });
      send(res, status, out);
    };
    if (path === '/_control' && method === 'POST') {
      const b = (body ?? {}) as { latencyMs?: number; failureRate?: number; failNext?: number; failStatus?: number; reset?: boolean };
      if (b.reset) sim.reset();
      sim.set(b);
      return send(res, 200, { latencyMs, failureRate, failNext, failStatus });
    }
    if (path === '/_log' && method === 'GET') return send(res, 200, { items: log });
    if (!authorised(req)) return answer(401, { error: 'unauthorised' });
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (body === Symbol.for('bad-json')) return answer(400, { error: 'body is not JSON' });
    // A batch of operations in one call (one latency): each succeeds or fails on its own, results in order.
    if (path === '/batch' && method === 'POST') {
      const ops = (body as { operations?: { method: string; path: string; body?: unknown }[] } | null)?.operations;
      if (!Array.isArray(ops)) return answer(400, { error: 'operations must be an array' });
      const results = ops.map((op) => {
        const r = shouldFail() ? { status: failStatus, body: { error: 'simulated network failure' } } : route(String(op.method).toUpperCase(), String(op.path), (op.body ?? {}) as Record<string, unknown>);
        log.push({ method: String(op.method).toUpperCase(), path: String(op.path), body: op.body ?? null, status: r.status });
        return r;
      });
      return send(res, 200, { results });
    }
    if (shouldFail()) return answer(failStatus, { error: 'simulated network failure' });
    const r = route(method, path, (body ?? {}) as Record<string, unknown>);
    return answer(r.status, r.body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { error: String(err) }));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const sim: NetworkSimulator = {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`, port, subscribers, devices, orders, log,
    set(o) {
      if (o.latencyMs !== undefined) latencyMs = o.latencyMs;
      if (o.failureRate !== undefined) failureRate = o.failureRate;
      if (o.failNext !== undefined) failNext = o.failNext;
      if (o.failStatus !== undefined) failStatus = o.failStatus;
    },
    reset() { subscribers.clear(); devices.clear(); log.length = 0; failNext = 0; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  return sim;
}
