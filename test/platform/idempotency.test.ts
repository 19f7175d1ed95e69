import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import pino from 'pino';
import { openTestDatabase } from '../support/db';
import { loadConfig } from '../../src/platform/config';
import { createHttpServer, ValidationError, type App } from '../../src/platform/http';
import { createMetrics } from '../../src/platform/metrics/metrics';
import type { Principal } from '../../src/platform/auth';

// The platform's HTTP mechanisms on their own: Idempotency-Key, permissions and problem+json validation,
// with a stand-in authenticator (the identity module's tests cover real users and API keys).
let app: App;
let close: () => Promise<void>;
let created = 0;
const alice: Principal = { kind: 'user', id: 'a1', name: 'Alice', role: 'tenant_admin', tenantId: '11111111-1111-4111-8111-111111111111', enterpriseId: null };
const viewer: Principal = { ...alice, id: 'v1', name: 'Viewer', role: 'enterprise_user', enterpriseId: '33333333-3333-4333-8333-333333333333' };

beforeAll(async () => {
  const db = await openTestDatabase();
  app = await createHttpServer({
    config: loadConfig({ LOG_LEVEL: 'silent' }), dbs: db.dbs, log: pino({ level: 'silent' }), metrics: createMetrics(),
    authenticate: () => async ({ bearer }) => (bearer === 'alice' ? alice : bearer === 'viewer' ? viewer : null),
  });
  app.post('/api/v1/things', {
    config: { permission: 'accounts:write' },
    schema: { body: z.object({ name: z.string().min(2), size: z.number().int().positive().optional() }) },
  }, async (req, reply) => {
    if (req.body.name === 'taken') throw new ValidationError('name: is taken', [{ field: 'body.name', reason: 'is taken' }]);
    created += 1;
    return reply.code(201).send({ id: created, name: req.body.name });
  });
  await app.ready();
  close = async () => { await app.close(); await db.close(); };
});
afterAll(async () => close());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/things', payload: body as object, headers: { authorization: 'Bearer alice', ...headers } });

describe('Idempotency-Key', () => {
  it('replays the first response to a retried request instead of doing the work again', async () => {
    const first = await post({ name: 'one' }, { 'idempotency-key': 'k-1' });
    const again = await post({ name: 'one' }, { 'idempotency-key': 'k-1' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(created).toBe(1);
  });

  it('refuses the same key with a different request', async () => {
    await post({ name: 'two' }, { 'idempotency-key': 'k-2' });
    const other = await post({ name: 'three' }, { 'idempotency-key': 'k-2' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ type: 'https://opencmp.dev/problems/idempotency-key-reused' });
  });

  it('keeps keys per caller and works without a key', async () => {
    const before = created;
    await post({ name: 'four' });
    await post({ name: 'four' });
    expect(created).toBe(before + 2);
  });
});

describe('request validation and permissions', () => {
  it('answers schema violations with 422 naming each field', async () => {
    const res = await post({ name: 'x', size: -1 });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = res.json().errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['body.name', 'body.size']);
  });

  it('passes service validation errors through with their fields', async () => {
    const res = await post({ name: 'taken' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'body.name', reason: 'is taken' }]);
  });

  it('refuses a role without the permission, and unknown credentials', async () => {
    const res = await post({ name: 'nope' }, { authorization: 'Bearer viewer' });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('accounts:write');
    expect((await post({ name: 'nope' }, { authorization: 'Bearer forged' })).statusCode).toBe(401);
  });

  it('refuses to start with a route that names no permission', async () => {
    const db = await openTestDatabase();
    const bare = await createHttpServer({
      config: loadConfig({ LOG_LEVEL: 'silent' }), dbs: db.dbs, log: pino({ level: 'silent' }), metrics: createMetrics(),
      authenticate: () => async () => null,
    });
    expect(() => bare.get('/api/v1/open', async () => ({}))).toThrow(/neither a permission nor public/);
    await bare.close();
    await db.close();
  });
});
