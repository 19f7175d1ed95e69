import { z } from 'zod';
import SftpClient from 'ssh2-sftp-client';
import type { SimState } from '../lifecycle';
import { classifyHttp, csvFile, pick, renderPath, renderTemplate, type HandlerResult } from './provisioning.fns';

/**
 * Adapters turn deliveries into calls on a target. Each gets a batch of work items (the current state of each
 * SIM, read when delivering, the target's profile for its offer and the external keys stored earlier) and
 * answers one HandlerResult per item. Credentials arrive opened from the secret store; never log them.
 */
export interface DeliveryWork {
  deliveryId: number;
  /** `payload` is the event's own (identifiers only: orderId, enterpriseId, …). */
  event: { id: string; type: string; sequence: number; occurredAt: string; payload: Record<string, unknown> };
  /** Null for account-level events (e.g. orders.order.placed): only a request named for that event type applies. */
  sim: {
    id: string; iccid: string; imsi: string; msisdn: string | null; state: SimState; pendingState: SimState | null;
    /** The state the SIM is in or moving to: what the target should hold. */
    effectiveState: SimState; planOfferId: string | null; apnIds: string[]; imei: string | null; imeiLock: boolean; enterpriseId: string | null;
  } | null;
  /** The target's state name for `effectiveState` (the target's stateMap). */
  status: string;
  profile: string | null;
  keys: Record<string, string>;
}

export interface Adapter {
  deliver(items: DeliveryWork[]): Promise<HandlerResult[]>;
  /** What the target holds for each SIM (reconciliation); null when there is no record. */
  readStates?(sims: { id: string; iccid: string; imsi: string; keys: Record<string, string> }[]): Promise<Map<string, string | null>>;
}

const STATES = ['WARM', 'READY', 'TEST_ACTIVE', 'ACTIVE', 'SUSPEND', 'TERMINATE'] as const;
const request = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().min(1).max(500),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const restConfig = z.object({
  baseUrl: z.string().url(),
  auth: z.object({ type: z.enum(['none', 'bearer', 'basic', 'header']).default('none'), username: z.string().optional(), headerName: z.string().optional() }).default({ type: 'none' }),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  concurrency: z.number().int().min(1).max(256).default(16),
  stateMap: z.partialRecord(z.enum(STATES), z.string()).default({}),
  /** Request per `state:<STATE>` (the SIM's effective state), per event type, or `*` — looked up in that order. */
  requests: z.record(z.string(), request).refine((r) => Object.keys(r).length > 0, 'needs at least one request'),
  success: z.object({
    statuses: z.array(z.number().int()).optional(),
    acceptedStatuses: z.array(z.number().int()).optional(),
    externalKeys: z.record(z.string(), z.string()).optional(),
    externalRefPath: z.string().optional(),
  }).default({}),
  retryStatuses: z.array(z.number().int()).optional(),
  /**
   * A batch endpoint taking many requests in one call: POST `path` with { operations: [{ method, path, body }] },
   * answered by { results: [{ status, body }] } in the same order. Each result is mapped like a single answer.
   */
  batch: z.object({ path: z.string().min(1), maxItems: z.number().int().min(1).max(10_000).default(500) }).optional(),
  /** Reconciliation: how to read a SIM's record and where its state is. */
  read: z.object({ path: z.string(), statePath: z.string() }).optional(),
});
export type RestConfig = z.infer<typeof restConfig>;

export const sftpConfig = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  auth: z.enum(['password', 'privateKey']).default('privateKey'),
  /** hex SHA-256 of the server's host key: when set, any other host key is refused. */
  hostKeySha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the host key').optional(),
  remoteDir: z.string().default('.'),
  filePrefix: z.string().regex(/^[\w.-]{1,40}$/).default('provisioning'),
  delimiter: z.string().min(1).max(1).default(','),
  stateMap: z.partialRecord(z.enum(STATES), z.string()).default({}),
  columns: z.array(z.object({ header: z.string().min(1), value: z.string() })).min(1).default([
    { header: 'EVENT_ID', value: '{{event.id}}' }, { header: 'EVENT', value: '{{event.type}}' }, { header: 'ICCID', value: '{{sim.iccid}}' },
    { header: 'IMSI', value: '{{sim.imsi}}' }, { header: 'MSISDN', value: '{{sim.msisdn}}' }, { header: 'STATUS', value: '{{status}}' },
    { header: 'PROFILE', value: '{{profile}}' },
  ]),
});
export type SftpConfig = z.infer<typeof sftpConfig>;

/** The HLR/HSS-style target of the network simulator, as a generic REST configuration (`batch`: use its batch endpoint). */
export function hlrPreset(baseUrl: string, opts: { batch?: boolean } = {}): RestConfig {
  return restConfig.parse({
    baseUrl,
    ...(opts.batch ? { batch: { path: '/batch', maxItems: 500 } } : {}),
    auth: { type: 'bearer' },
    concurrency: 32,
    stateMap: { WARM: 'INACTIVE', READY: 'INACTIVE', TEST_ACTIVE: 'TEST', ACTIVE: 'ACTIVE', SUSPEND: 'SUSPENDED', TERMINATE: 'DELETED' },
    requests: {
      'state:TERMINATE': { method: 'DELETE', path: '/subscribers/{{sim.imsi}}' },
      '*': {
        method: 'PUT', path: '/subscribers/{{sim.imsi}}',
        body: { iccid: '{{sim.iccid}}', msisdn: '{{sim.msisdn}}', status: '{{status}}', profile: '{{profile}}', apnIds: '{{sim.apnIds}}',
          imei: '{{sim.imei}}', imeiLock: '{{sim.imeiLock}}', subscriberKey: '{{keys.subscriberKey}}' },
      },
    },
    success: { externalKeys: { subscriberKey: 'subscriberKey' } },
    read: { path: '/subscribers/{{sim.imsi}}', statePath: 'status' },
  });
}

/**
 * Cisco IoT Control Center as a target, a worked example of a commercial CMP: its REST API v1 edits a device
 * by ICCID (`PUT /rws/api/v1/devices/{iccid}` with `status` and `ratePlan`), Basic auth with user name and API
 * key. SIM states map to Control Center statuses; the offer's mapped profile is the rate plan name; a terminated
 * SIM is RETIRED, never deleted.
 */
export function ciscoControlCenterPreset(input: { baseUrl: string; username: string }): RestConfig {
  return restConfig.parse({
    baseUrl: input.baseUrl,
    auth: { type: 'basic', username: input.username },
    concurrency: 8,
    stateMap: { WARM: 'INVENTORY', READY: 'ACTIVATION_READY', TEST_ACTIVE: 'TEST_READY', ACTIVE: 'ACTIVATED', SUSPEND: 'DEACTIVATED', TERMINATE: 'RETIRED' },
    requests: { '*': { method: 'PUT', path: '/rws/api/v1/devices/{{sim.iccid}}', body: { status: '{{status}}', ratePlan: '{{profile}}' } } },
    success: {},
    read: { path: '/rws/api/v1/devices/{{sim.iccid}}', statePath: 'status' },
  });
}

async function pool<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

function authHeaders(cfg: RestConfig, secret: string | null): Record<string, string> {
  if (!secret || cfg.auth.type === 'none') return {};
  if (cfg.auth.type === 'bearer') return { authorization: `Bearer ${secret}` };
  if (cfg.auth.type === 'basic') return { authorization: `Basic ${Buffer.from(`${cfg.auth.username ?? ''}:${secret}`).toString('base64')}` };
  return { [cfg.auth.headerName ?? 'x-api-key']: secret };
}

/** The generic REST adapter: a request template per event (or state), success/failure mapping, N calls in flight. */
export function restAdapter(cfg: RestConfig, secret: string | null): Adapter {
  const base = cfg.baseUrl.replace(/\/$/, '');
  const auth = authHeaders(cfg, secret);
  async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(base + path, {
      method, signal: AbortSignal.timeout(cfg.timeoutMs),
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...auth, ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* keep text */ }
    return { status: res.status, body: parsed };
  }
  const requestOf = (w: DeliveryWork) => w.sim
    ? cfg.requests[`state:${w.sim.effectiveState}`] ?? cfg.requests[w.event.type] ?? cfg.requests['*']
    : cfg.requests[w.event.type];
  const classify = (status: number, body: unknown, method: string) => classifyHttp(status, body, {
    successStatuses: cfg.success.statuses, acceptedStatuses: cfg.success.acceptedStatuses, retryStatuses: cfg.retryStatuses,
    externalKeys: cfg.success.externalKeys, externalRefPath: cfg.success.externalRefPath, method,
  });
  // Timeouts, refused connections, resets: the network may be back later.
  const networkError = (err: unknown): HandlerResult => ({ kind: 'RETRYABLE', error: `request failed: ${(err as Error).message}`, code: 'NETWORK' });

  async function deliverBatch(items: DeliveryWork[], batch: NonNullable<RestConfig['batch']>): Promise<HandlerResult[]> {
    const out: HandlerResult[] = new Array(items.length);
    const ops: { i: number; method: string; path: string; body: unknown }[] = [];
    items.forEach((w, i) => {
      const req = requestOf(w);
      if (!req) out[i] = { kind: 'SKIP', reason: `no request is configured for ${w.event.type}` };
      else ops.push({ i, method: req.method, path: renderPath(req.path, w), body: req.body === undefined ? undefined : renderTemplate(req.body, w) });
    });
    const chunks: (typeof ops)[] = [];
    for (let k = 0; k < ops.length; k += batch.maxItems) chunks.push(ops.slice(k, k + batch.maxItems));
    await pool(chunks, cfg.concurrency, async (chunk) => {
      try {
        const r = await call('POST', batch.path, { operations: chunk.map(({ method, path, body }) => ({ method, path, body })) });
        const results = (r.body as { results?: { status: number; body?: unknown }[] } | null)?.results;
        if (r.status >= 300 || !Array.isArray(results) || results.length !== chunk.length) {
          const whole = classify(r.status >= 300 ? r.status : 502, r.body, 'POST');
          chunk.forEach((op) => { out[op.i] = whole.kind === 'OK' ? { kind: 'RETRYABLE', error: 'the batch answer does not match the request', code: String(r.status) } : whole; });
          return;
        }
        chunk.forEach((op, k) => { out[op.i] = classify(results[k].status, results[k].body ?? null, op.method); });
      } catch (err) {
        chunk.forEach((op) => { out[op.i] = networkError(err); });
      }
    });
    return out;
  }

  return {
    async deliver(items) {
      if (cfg.batch) return deliverBatch(items, cfg.batch);
      return pool(items, cfg.concurrency, async (w): Promise<HandlerResult> => {
        const req = requestOf(w);
        if (!req) return { kind: 'SKIP', reason: `no request is configured for ${w.event.type}` };
        try {
          const r = await call(req.method, renderPath(req.path, w), req.body === undefined ? undefined : renderTemplate(req.body, w), req.headers);
          return classify(r.status, r.body, req.method);
        } catch (err) {
          return networkError(err);
        }
      });
    },
    readStates: cfg.read ? async (sims) => {
      const out = new Map<string, string | null>();
      await pool(sims, cfg.concurrency, async (s) => {
        const r = await call('GET', renderPath(cfg.read!.path, { sim: s, keys: s.keys }), undefined);
        out.set(s.id, r.status === 404 ? null : r.status < 300 ? String(pick(r.body, cfg.read!.statePath) ?? '') : `HTTP ${r.status}`);
      });
      return out;
    } : undefined,
  };
}

/** The SFTP file adapter: one CSV file per batch, written as .part and renamed, so the reader never sees half a file. */
export function sftpAdapter(cfg: SftpConfig, secret: string | null, clock: () => Date): Adapter {
  return {
    async deliver(all) {
      // Files carry SIM lines; account-level events have no line in this layout.
      const items = all.filter((w) => w.sim);
      const skipped = (): HandlerResult => ({ kind: 'SKIP', reason: 'the file layout has SIM lines only' });
      if (items.length === 0) return all.map(skipped);
      const name = `${cfg.filePrefix}-${clock().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${items[0].deliveryId}.csv`;
      const dir = cfg.remoteDir.replace(/\/$/, '') || '.';
      const client = new SftpClient();
      try {
        await client.connect({
          host: cfg.host, port: cfg.port, username: cfg.username, readyTimeout: 10_000,
          ...(cfg.hostKeySha256 ? { hostHash: 'sha256', hostVerifier: (hash: string) => hash.toLowerCase() === cfg.hostKeySha256!.toLowerCase() } : {}),
          ...(cfg.auth === 'password' ? { password: secret ?? '' } : { privateKey: secret ?? '' }),
        });
        const body = Buffer.from(csvFile(cfg.columns, items, cfg.delimiter), 'utf8');
        await client.put(body, `${dir}/${name}.part`);
        await client.rename(`${dir}/${name}.part`, `${dir}/${name}`);
        return all.map((w): HandlerResult => (w.sim ? { kind: 'OK', externalRef: name } : skipped()));
      } catch (err) {
        return all.map((w): HandlerResult => (w.sim ? { kind: 'RETRYABLE', error: `SFTP upload failed: ${(err as Error).message}`, code: 'SFTP' } : skipped()));
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
