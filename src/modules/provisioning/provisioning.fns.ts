/**
 * Pure pieces of provisioning: retry backoff and what a handler result does to a delivery, request templates,
 * HTTP status classification, CSV file rows, webhook signatures, subscriptions and reconciliation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type DeliveryStatus = 'PENDING' | 'IN_PROGRESS' | 'SUCCEEDED' | 'DEAD' | 'SKIPPED' | 'DISCARDED';

/** What a handler says about one delivery (provisioning.md §1.2), plus ACCEPTED for targets that answer later. */
export type HandlerResult =
  | { kind: 'OK'; externalKeys?: Record<string, string>; externalRef?: string | null; code?: string | null }
  | { kind: 'ACCEPTED'; externalRef: string; code?: string | null }
  | { kind: 'RETRYABLE'; error: string; code?: string | null }
  | { kind: 'PERMANENT'; error: string; code?: string | null }
  | { kind: 'SKIP'; reason: string };

/** Exponential backoff with jitter: 5 s doubling to 15 min (jitter ±20 %, `rand` in [0, 1)). */
export function backoffMs(attempt: number, rand: number, baseMs = 5_000, capMs = 900_000): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * rand));
}

export interface DeliveryUpdate {
  status: DeliveryStatus;
  nextAttemptAt: Date;
  lastError: string | null;
  lastResultCode: string | null;
  externalRef: string | null;
  finished: boolean;
}

/** How a result moves a delivery that has just made attempt number `attempts`. */
export function applyResult(r: HandlerResult, attempts: number, maxAttempts: number, now: Date, rand: number,
  opts: { callbackTimeoutMs?: number; baseMs?: number } = {}): DeliveryUpdate {
  const at = (ms: number) => new Date(now.getTime() + ms);
  switch (r.kind) {
    case 'OK':
      return { status: 'SUCCEEDED', nextAttemptAt: now, lastError: null, lastResultCode: r.code ?? null, externalRef: r.externalRef ?? null, finished: true };
    case 'SKIP':
      return { status: 'SKIPPED', nextAttemptAt: now, lastError: r.reason, lastResultCode: null, externalRef: null, finished: true };
    case 'ACCEPTED':
      // The target answers by callback; if it never does, the delivery is tried again after the timeout.
      return { status: 'IN_PROGRESS', nextAttemptAt: at(opts.callbackTimeoutMs ?? 600_000), lastError: null, lastResultCode: r.code ?? null, externalRef: r.externalRef, finished: false };
    case 'PERMANENT':
      return { status: 'DEAD', nextAttemptAt: now, lastError: r.error, lastResultCode: r.code ?? null, externalRef: null, finished: true };
    case 'RETRYABLE': {
      const dead = attempts >= maxAttempts;
      return {
        status: dead ? 'DEAD' : 'PENDING', nextAttemptAt: dead ? now : at(backoffMs(attempts, rand, opts.baseMs)),
        lastError: dead ? `${r.error} (gave up after ${attempts} attempts)` : r.error, lastResultCode: r.code ?? null, externalRef: null, finished: dead,
      };
    }
  }
}

/** Does a target subscribed to `patterns` want events of `type`? Patterns: exact, prefix ending in `.*`, or `*`. */
export function subscribed(patterns: string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

function lookup(ctx: unknown, path: string): unknown {
  let v: unknown = ctx;
  for (const part of path.split('.')) {
    if (v === null || v === undefined || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const WHOLE = /^\{\{\s*([\w.]+)\s*\}\}$/;
const PART = /\{\{\s*([\w.]+)\s*\}\}/g;

/**
 * Renders a request template: in strings, `{{sim.imsi}}` is replaced by the value; a string that is only a
 * placeholder keeps the value's JSON type (number, array, null). Objects and arrays are rendered deeply.
 */
export function renderTemplate(tpl: unknown, ctx: unknown, encode?: (s: string) => string): unknown {
  if (typeof tpl === 'string') {
    const whole = WHOLE.exec(tpl);
    if (whole && !encode) return lookup(ctx, whole[1]) ?? null;
    return tpl.replace(PART, (_, p: string) => {
      const v = lookup(ctx, p);
      const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return encode ? encode(s) : s;
    });
  }
  if (Array.isArray(tpl)) return tpl.map((x) => renderTemplate(x, ctx, encode));
  if (tpl && typeof tpl === 'object') return Object.fromEntries(Object.entries(tpl).map(([k, v]) => [k, renderTemplate(v, ctx, encode)]));
  return tpl;
}

/** A URL path template with every value URL-encoded. */
export function renderPath(tpl: string, ctx: unknown): string {
  return renderTemplate(tpl, ctx, encodeURIComponent) as string;
}

/** Reads `a.b.c` out of a parsed response body. */
export function pick(body: unknown, path: string): unknown {
  return lookup(body, path);
}

const DEFAULT_RETRY = (s: number) => s === 408 || s === 425 || s === 429 || s >= 500;

/** Maps an HTTP answer to a handler result. */
export function classifyHttp(status: number, body: unknown, cfg: {
  successStatuses?: number[]; acceptedStatuses?: number[]; retryStatuses?: number[]; notFoundOk?: boolean; method?: string;
  externalKeys?: Record<string, string>; externalRefPath?: string;
}): HandlerResult {
  const ok = cfg.successStatuses ? cfg.successStatuses.includes(status) : status >= 200 && status < 300;
  const code = String(status);
  const message = (): string => {
    const m = pick(body, 'error') ?? pick(body, 'message') ?? pick(body, 'detail') ?? (typeof body === 'string' ? body : null);
    return `HTTP ${status}${m ? `: ${String(typeof m === 'object' ? JSON.stringify(m) : m).slice(0, 300)}` : ''}`;
  };
  const ref = cfg.externalRefPath ? pick(body, cfg.externalRefPath) : undefined;
  if (cfg.acceptedStatuses?.includes(status) && ref !== undefined && ref !== null) return { kind: 'ACCEPTED', externalRef: String(ref), code };
  if (ok) {
    const keys: Record<string, string> = {};
    for (const [name, path] of Object.entries(cfg.externalKeys ?? {})) {
      const v = pick(body, path);
      if (v !== undefined && v !== null && v !== '') keys[name] = String(v);
    }
    return { kind: 'OK', externalKeys: keys, externalRef: ref === undefined || ref === null ? null : String(ref), code };
  }
  // Deleting what is not there is success: deletes are idempotent.
  if (status === 404 && (cfg.method ?? '').toUpperCase() === 'DELETE' && cfg.notFoundOk !== false) return { kind: 'OK', code };
  const retry = cfg.retryStatuses ? cfg.retryStatuses.includes(status) : DEFAULT_RETRY(status);
  return retry ? { kind: 'RETRYABLE', error: message(), code } : { kind: 'PERMANENT', error: message(), code };
}

function csvCell(v: unknown, delimiter: string): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.includes(delimiter) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV file for a batch of deliveries, in the target's column layout. */
export function csvFile(columns: { header: string; value: string }[], rows: unknown[], delimiter = ','): string {
  const head = columns.map((c) => csvCell(c.header, delimiter)).join(delimiter);
  const lines = rows.map((ctx) => columns.map((c) => csvCell(renderTemplate(c.value, ctx), delimiter)).join(delimiter));
  return [head, ...lines].join('\r\n') + '\r\n';
}

/** The webhook signature: `sha256=` + hex HMAC-SHA256 of the raw body. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export function verifySignature(secret: string, body: string, given: string | undefined): boolean {
  if (!given) return false;
  const want = Buffer.from(signBody(secret, body));
  const got = Buffer.from(given.trim());
  return want.length === got.length && timingSafeEqual(want, got);
}

export interface ReconcileRow {
  simId: string;
  iccid: string;
  platformState: string;
  /** What the target should show for this SIM (null: no record expected). */
  expected: string | null;
  /** What the target showed (null: no record). */
  actual: string | null;
}

/** The differences between what the target should hold and what it holds. */
export function reconcile(rows: ReconcileRow[]): { checked: number; matching: number; differences: (ReconcileRow & { problem: string })[] } {
  const differences = rows.filter((r) => r.expected !== r.actual).map((r) => ({
    ...r,
    problem: r.actual === null ? 'missing in target' : r.expected === null ? 'present in target, expected absent' : `target shows ${r.actual}, expected ${r.expected}`,
  }));
  return { checked: rows.length, matching: rows.length - differences.length, differences };
}
