/**
 * The one HTTP client of the console: typed JSON fetch against /api/v1, the session token, the host admin's
 * working tenant (X-Tenant-Id) and RFC 9457 problem+json errors turned into ApiError with per-field reasons.
 */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Query parameters every list endpoint takes, plus its own filters. */
export interface ListParams {
  limit?: number;
  cursor?: string | null;
  sort?: string;
  [filter: string]: string | number | boolean | null | undefined;
}

export interface FieldError {
  field: string;
  reason: string;
}

/** A failed request: the server's problem+json, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly requestId?: string;

  constructor(problem: { status: number; type?: string; title?: string; detail?: string; errors?: FieldError[]; requestId?: string }) {
    super(problem.detail || problem.title || `request failed (${problem.status})`);
    this.status = problem.status;
    this.type = problem.type ?? 'about:blank';
    this.title = problem.title ?? 'Error';
    this.detail = problem.detail ?? problem.title ?? `request failed (${problem.status})`;
    this.errors = problem.errors ?? [];
    this.requestId = problem.requestId;
  }

  /**
   * Field reasons keyed by form field: `body.name` → `name`, `body.billing.currency` → `billing.currency`,
   * `query.limit` → `limit`. The first reason per field wins.
   */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const key = e.field.replace(/^(body|query|params|querystring|header)\./, '');
      if (!(key in out)) out[key] = e.reason;
    }
    return out;
  }
}

const TOKEN_KEY = 'cmp.token';
const TENANT_KEY = 'cmp.tenant';

// The session lives in sessionStorage: it ends with the tab, and is not shared with other tabs or sites.
// (Guarded so tests can import the page registry outside a browser.)
const store: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = typeof sessionStorage !== 'undefined'
  ? sessionStorage : { getItem: () => null, setItem: () => {}, removeItem: () => {} };
let token: string | null = store.getItem(TOKEN_KEY);
let tenantOverride: string | null = store.getItem(TENANT_KEY);
const unauthorizedListeners = new Set<() => void>();

export const session = {
  get token() { return token; },
  setToken(value: string | null) {
    token = value;
    if (value) store.setItem(TOKEN_KEY, value);
    else store.removeItem(TOKEN_KEY);
  },
  /** The tenant a host admin works in (sent as X-Tenant-Id); null for everyone else. */
  get tenantId() { return tenantOverride; },
  setTenantId(value: string | null) {
    tenantOverride = value;
    if (value) store.setItem(TENANT_KEY, value);
    else store.removeItem(TENANT_KEY);
  },
  /** Called when the server answers 401 to an authenticated call: the session expired or was revoked. */
  onUnauthorized(fn: () => void) {
    unauthorizedListeners.add(fn);
    return () => { unauthorizedListeners.delete(fn); };
  },
};

/** A random Idempotency-Key (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The Idempotency-Key of one form's submit: the form's random key plus a hash of the body. A double submit or a
 * retry of the same body replays the first answer; a corrected body is a new request with its own key.
 */
export function idempotencyKeyFor(formKey: string, body: unknown): string {
  let h = 0x811c9dc5; // FNV-1a, 32 bits: enough to tell one form's bodies apart
  for (const ch of JSON.stringify(body ?? null)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${formKey}-${h.toString(16).padStart(8, '0')}`;
}

export function queryString(params: Record<string, unknown> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, v instanceof Date ? v.toISOString() : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  query?: Record<string, unknown>;
  body?: unknown;
  /** Sent as Idempotency-Key so a retried submit never creates twice. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Extra headers, e.g. X-Tenant-Id for one call. */
  headers?: Record<string, string>;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (tenantOverride) headers['x-tenant-id'] = tenantOverride;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  Object.assign(headers, opts.headers);

  const url = (path.startsWith('/') ? path : `/api/v1/${path}`) + queryString(opts.query);
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError({ status: 0, title: 'Network error', detail: 'the server could not be reached; check your connection and retry' });
  }
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try { body = JSON.parse(text); } catch { body = text; }
  }
  if (!res.ok) {
    const p = (typeof body === 'object' && body ? body : {}) as Record<string, unknown>;
    const error = new ApiError({
      status: res.status,
      type: p.type as string | undefined,
      title: (p.title as string | undefined) ?? res.statusText,
      detail: (p.detail as string | undefined) ?? (typeof body === 'string' ? body : undefined),
      errors: Array.isArray(p.errors) ? (p.errors as FieldError[]) : [],
      requestId: (p.requestId as string | undefined) ?? res.headers.get('x-request-id') ?? undefined,
    });
    if (res.status === 401 && token) unauthorizedListeners.forEach((fn) => fn());
    throw error;
  }
  return body as T;
}

/** `api.get('enterprises')` is GET /api/v1/enterprises; a path starting with / is taken as is. */
export const api = {
  get: <T>(path: string, query?: Record<string, unknown>, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  list: <T>(path: string, params: ListParams = {}, signal?: AbortSignal) => request<Page<T>>('GET', path, { query: params, signal }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) => request<T>('POST', path, { ...opts, body: body ?? {} }),
  put: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) => request<T>('PUT', path, { ...opts, body: body ?? {} }),
  patch: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) => request<T>('PATCH', path, { ...opts, body: body ?? {} }),
  delete: <T = void>(path: string, opts: Omit<RequestOptions, 'body'> = {}) => request<T>('DELETE', path, opts),
};
