import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform';

let t: TestPlatform;
beforeAll(async () => { t = await startTestPlatform(); });
afterAll(async () => t.close());

describe('HTTP conventions', () => {
  it('answers health, readiness and metrics', async () => {
    expect((await t.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ database: 'ok', migrations: 'ok' });
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('cmp_http_request_duration_seconds');
    expect(metrics.body).toContain('cmp_outbox_lag_seconds');
  });

  it('serves OpenAPI 3.1', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/audit');
  });

  it('answers unknown routes and missing credentials with problem+json and a request id', async () => {
    const res = await t.app.inject({ url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ type: 'https://opencmp.dev/problems/not-found', status: 404, requestId: res.headers['x-request-id'] });
    const unauth = await t.app.inject({ url: '/api/v1/audit', headers: { 'x-request-id': 'req-abc' } });
    expect(unauth.statusCode).toBe(401);
    expect(unauth.json()).toMatchObject({ status: 401, requestId: 'req-abc' });
  });
});
