import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { apiKeyHeaders, createTenantFixture, type TenantFixture } from '../support/fixtures';
import { systemContext } from '../../src/platform/auth';

let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
beforeAll(async () => {
  t = await startTestPlatform();
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ url, headers });

describe('API keys', () => {
  it('shows the secret once, stores only its hash, and authenticates with X-API-Key or Bearer', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: a.headers.tenantAdmin, payload: { name: 'CRM sync', role: 'tenant_csr' } });
    expect(res.statusCode).toBe(201);
    const key = res.json();
    expect(key).toMatchObject({ name: 'CRM sync', role: 'tenant_csr', tenantId: a.tenantId, enterpriseId: null, lastUsedAt: null, revokedAt: null });
    expect(key.secret).toMatch(new RegExp(`^cmpk_${key.id}_[A-Za-z0-9_-]{43}$`));

    const listed = (await get('/api/v1/api-keys', a.headers.tenantAdmin)).json().items.find((k: { id: string }) => k.id === key.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('secret');
    expect(JSON.stringify((await get('/api/v1/api-keys', a.headers.tenantAdmin)).json())).not.toContain(key.secret);
    const stored = await t.platform.core.dbs.system((tx) => sql<Record<string, unknown>>`select * from api_keys where id = ${key.id}`.execute(tx));
    expect(JSON.stringify(stored.rows[0])).not.toContain(key.secret.split('_').at(-1));

    const viaHeader = await get('/api/v1/auth/me', { 'x-api-key': key.secret });
    expect(viaHeader.json()).toMatchObject({ kind: 'api_key', user: { id: key.id, role: 'tenant_csr', tenantId: a.tenantId } });
    expect((await get('/api/v1/users', { authorization: `Bearer ${key.secret}` })).statusCode).toBe(200);
    const used = await t.platform.core.dbs.system((tx) => sql<{ last_used_at: Date | null }>`select last_used_at from api_keys where id = ${key.id}`.execute(tx));
    expect(used.rows[0].last_used_at).toBeInstanceOf(Date);

    // A tampered secret is refused.
    expect((await get('/api/v1/auth/me', { 'x-api-key': `${key.secret.slice(0, -1)}${key.secret.endsWith('A') ? 'B' : 'A'}` })).statusCode).toBe(401);
  });

  it('acts with its role: permissions and scope apply as for users', async () => {
    const key = await apiKeyHeaders(t.platform, a.headers.tenantAdmin, { role: 'enterprise_user', enterpriseId: a.enterpriseId });
    const denied = await get('/api/v1/users', key.headers);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toBe('your role (enterprise_user) lacks the permission users:read');
    const admin = await apiKeyHeaders(t.platform, a.headers.enterpriseAdmin, { role: 'enterprise_admin' });
    const users = (await get('/api/v1/users?limit=500', admin.headers)).json().items as { enterpriseId: string }[];
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((u) => u.enterpriseId === a.enterpriseId)).toBe(true);
  });

  it('stops working at once when revoked', async () => {
    const key = await apiKeyHeaders(t.platform, a.headers.tenantAdmin, { role: 'tenant_finance' });
    expect((await get('/api/v1/auth/me', key.headers)).statusCode).toBe(200);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: a.headers.tenantAdmin });
    expect(del.statusCode).toBe(204);
    const after = await get('/api/v1/auth/me', key.headers);
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toBe('the credentials are invalid, expired or revoked');
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: a.headers.tenantAdmin })).statusCode).toBe(404);
    const listed = (await get('/api/v1/api-keys?includeRevoked=true', a.headers.tenantAdmin)).json().items.find((k: { id: string }) => k.id === key.id);
    expect(listed.revokedAt).not.toBeNull();
    expect((await get('/api/v1/api-keys', a.headers.tenantAdmin)).json().items.some((k: { id: string }) => k.id === key.id)).toBe(false);
  });

  it('keeps keys inside their tenant and enterprise, and grants no role above the creator\'s', async () => {
    const tenantKey = await apiKeyHeaders(t.platform, a.headers.tenantAdmin, { role: 'tenant_csr' });
    // Other tenant: invisible and not revocable.
    expect((await get('/api/v1/api-keys?limit=500', b.headers.tenantAdmin)).json().items.some((k: { id: string }) => k.id === tenantKey.id)).toBe(false);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${tenantKey.id}`, headers: b.headers.tenantAdmin })).statusCode).toBe(404);
    // Enterprise admins see only their enterprise's keys.
    const entKeys = (await get('/api/v1/api-keys?limit=500', a.headers.enterpriseAdmin)).json().items as { enterpriseId: string }[];
    expect(entKeys.every((k) => k.enterpriseId === a.enterpriseId)).toBe(true);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${tenantKey.id}`, headers: a.headers.enterpriseAdmin })).statusCode).toBe(404);

    const up = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: a.headers.enterpriseAdmin, payload: { name: 'x', role: 'tenant_admin' } });
    expect(up.statusCode).toBe(403);
    expect(up.json().detail).toBe('a enterprise_admin cannot grant the role tenant_admin');
    const host = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: a.headers.hostAdmin, payload: { name: 'x', role: 'host_admin' } });
    expect(host.statusCode).toBe(422);
    expect(host.json().errors[0].field).toBe('role');
  });

  it('does not keep the secret for Idempotency-Key replays', async () => {
    const headers = { ...a.headers.tenantAdmin, 'idempotency-key': 'key-create-1' };
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers, payload: { name: 'idem', role: 'tenant_csr' } });
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers, payload: { name: 'idem', role: 'tenant_csr' } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toMatchObject({ id: first.json().id, secret: '[redacted]' });
    const stored = await t.platform.core.dbs.system((tx) => sql<{ response: unknown }>`select response from idempotency_keys where key = 'key-create-1'`.execute(tx));
    expect(JSON.stringify(stored.rows[0].response)).not.toContain(first.json().secret);
  });

  it('expires keys with an expiry', async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    const key = await t.platform.modules.identity.apiKeys.create(systemContext(a.tenantId), { name: 'short-lived', role: 'tenant_csr', expiresAt });
    expect((await get('/api/v1/auth/me', { 'x-api-key': key.secret })).statusCode).toBe(200);
    await t.platform.core.dbs.system((tx) => sql`update api_keys set expires_at = now() - interval '1 second' where id = ${key.id}`.execute(tx));
    expect((await get('/api/v1/auth/me', { 'x-api-key': key.secret })).statusCode).toBe(401);
  });
});

describe('rate limiting per API key', () => {
  let low: TestPlatform;
  beforeAll(async () => { low = await startTestPlatform({ RATE_LIMIT_PER_MINUTE: '5' }); });
  afterAll(async () => low.close());

  it('answers 429 problem+json after RATE_LIMIT_PER_MINUTE requests of one key, while another key goes on', async () => {
    const tenantId = await low.platform.core.dbs.system(async (tx) =>
      (await sql<{ id: string }>`insert into tenants (code, name) values ('rate-limited', 'Rate') returning id`.execute(tx)).rows[0].id);
    const ctx = systemContext(tenantId);
    const k1 = await low.platform.modules.identity.apiKeys.create(ctx, { name: 'busy', role: 'tenant_csr' });
    const k2 = await low.platform.modules.identity.apiKeys.create(ctx, { name: 'quiet', role: 'tenant_csr' });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await low.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': k1.secret } })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await low.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': k1.secret } });
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, type: 'https://opencmp.dev/problems/too-many-requests' });
    expect(limited.json().detail).toMatch(/rate limit of 5 requests per minute exceeded/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await low.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': k2.secret } })).statusCode).toBe(200);
  });
});
