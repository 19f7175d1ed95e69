import { describe, expect, it } from 'vitest';
import { applyResult, backoffMs, classifyHttp, csvFile, reconcile, renderPath, renderTemplate, signBody, subscribed, verifySignature } from './provisioning.fns';

const now = new Date('2026-01-01T00:00:00Z');

describe('retries', () => {
  it('backs off exponentially from 5 s to a 15 min cap, with ±20 % jitter', () => {
    expect(backoffMs(1, 0.5)).toBe(5_000);
    expect(backoffMs(2, 0.5)).toBe(10_000);
    expect(backoffMs(4, 0.5)).toBe(40_000);
    expect(backoffMs(30, 0.5)).toBe(900_000);
    expect(backoffMs(1, 0)).toBe(4_000);
    expect(backoffMs(1, 0.999999)).toBe(6_000);
  });
  it('retries a retryable error until maxAttempts, then it is DEAD; a permanent one is DEAD at once', () => {
    expect(applyResult({ kind: 'RETRYABLE', error: 'HTTP 503' }, 1, 3, now, 0.5)).toMatchObject({ status: 'PENDING', nextAttemptAt: new Date(now.getTime() + 5000), finished: false });
    expect(applyResult({ kind: 'RETRYABLE', error: 'HTTP 503' }, 3, 3, now, 0.5)).toMatchObject({ status: 'DEAD', lastError: 'HTTP 503 (gave up after 3 attempts)', finished: true });
    expect(applyResult({ kind: 'PERMANENT', error: 'HTTP 400', code: '400' }, 1, 3, now, 0.5)).toMatchObject({ status: 'DEAD', lastResultCode: '400', finished: true });
    expect(applyResult({ kind: 'OK', externalRef: 'j1' }, 1, 3, now, 0.5)).toMatchObject({ status: 'SUCCEEDED', externalRef: 'j1', finished: true });
    expect(applyResult({ kind: 'SKIP', reason: 'no service' }, 1, 3, now, 0.5)).toMatchObject({ status: 'SKIPPED', lastError: 'no service', finished: true });
    expect(applyResult({ kind: 'ACCEPTED', externalRef: 'job-9' }, 1, 3, now, 0.5, { callbackTimeoutMs: 1000 }))
      .toMatchObject({ status: 'IN_PROGRESS', externalRef: 'job-9', nextAttemptAt: new Date(now.getTime() + 1000), finished: false });
  });
});

describe('templates', () => {
  const ctx = { sim: { imsi: '001010000000001', apnIds: ['a', 'b'], msisdn: null }, status: 'ACTIVE', keys: { k: 'x/y' } };
  it('keeps the JSON type of a whole placeholder and interpolates inside strings', () => {
    expect(renderTemplate({ imsi: '{{sim.imsi}}', apns: '{{ sim.apnIds }}', msisdn: '{{sim.msisdn}}', text: 'sub {{sim.imsi}} is {{status}}', n: 3 }, ctx))
      .toEqual({ imsi: '001010000000001', apns: ['a', 'b'], msisdn: null, text: 'sub 001010000000001 is ACTIVE', n: 3 });
    expect(renderPath('/subscribers/{{keys.k}}', ctx)).toBe('/subscribers/x%2Fy');
    expect(renderTemplate('{{missing.path}}', ctx)).toBeNull();
  });
});

describe('HTTP answers', () => {
  it('maps 2xx to OK with external keys, 5xx/429 to retryable, 4xx to permanent, 404 on DELETE to OK', () => {
    expect(classifyHttp(200, { subscriberKey: 'S-1', job: 'j' }, { externalKeys: { subscriberKey: 'subscriberKey' }, externalRefPath: 'job' }))
      .toEqual({ kind: 'OK', externalKeys: { subscriberKey: 'S-1' }, externalRef: 'j', code: '200' });
    expect(classifyHttp(503, { error: 'busy' }, {})).toEqual({ kind: 'RETRYABLE', error: 'HTTP 503: busy', code: '503' });
    expect(classifyHttp(429, null, {}).kind).toBe('RETRYABLE');
    expect(classifyHttp(400, { message: 'bad imsi' }, {})).toEqual({ kind: 'PERMANENT', error: 'HTTP 400: bad imsi', code: '400' });
    expect(classifyHttp(404, null, { method: 'DELETE' }).kind).toBe('OK');
    expect(classifyHttp(404, null, { method: 'PUT' }).kind).toBe('PERMANENT');
    expect(classifyHttp(202, { ref: 'r1' }, { acceptedStatuses: [202], externalRefPath: 'ref' })).toEqual({ kind: 'ACCEPTED', externalRef: 'r1', code: '202' });
  });
});

describe('files, signatures, subscriptions, reconciliation', () => {
  it('writes a CSV in the configured layout', () => {
    const cols = [{ header: 'ICCID', value: '{{sim.iccid}}' }, { header: 'ACTION', value: '{{event.type}}' }, { header: 'NOTE', value: 'a;b {{x}}' }];
    expect(csvFile(cols, [{ sim: { iccid: '89' }, event: { type: 'act' }, x: 'q"' }], ';')).toBe('ICCID;ACTION;NOTE\r\n89;act;"a;b q"""\r\n');
  });
  it('signs and verifies webhook bodies', () => {
    const sig = signBody('s3cret', '{"a":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', '{"a":1}', sig)).toBe(true);
    expect(verifySignature('s3cret', '{"a":2}', sig)).toBe(false);
    expect(verifySignature('other', '{"a":1}', sig)).toBe(false);
    expect(verifySignature('s3cret', '{"a":1}', undefined)).toBe(false);
  });
  it('matches subscriptions', () => {
    expect(subscribed(['lifecycle.sim.*'], 'lifecycle.sim.activated')).toBe(true);
    expect(subscribed(['lifecycle.sim.activated'], 'lifecycle.sim.suspended')).toBe(false);
    expect(subscribed(['*'], 'orders.order.placed')).toBe(true);
  });
  it('reports differences between platform and target', () => {
    const r = reconcile([
      { simId: '1', iccid: 'a', platformState: 'ACTIVE', expected: 'ACTIVE', actual: 'ACTIVE' },
      { simId: '2', iccid: 'b', platformState: 'ACTIVE', expected: 'ACTIVE', actual: null },
      { simId: '3', iccid: 'c', platformState: 'SUSPEND', expected: 'SUSPENDED', actual: 'ACTIVE' },
    ]);
    expect(r.checked).toBe(3);
    expect(r.matching).toBe(1);
    expect(r.differences.map((d) => d.problem)).toEqual(['missing in target', 'target shows ACTIVE, expected SUSPENDED']);
  });
});
