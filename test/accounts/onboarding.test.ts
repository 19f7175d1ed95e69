import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { apiKeyHeaders, createTenantFixture, type Headers, type TenantFixture } from '../support/fixtures';
import { deliverDueEvents } from '../../src/platform/events';

// Asynchronous onboarding from the tenant CRM: synchronous format checks (422), 202 + stored request, processing
// through the outbox worker (COMPLETED / REJECTED with field errors), and the signed callback with retries,
// against a real HTTP server on loopback.
let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
let crm: Headers; // tenant A's CRM API key
let crmB: Headers;

interface Hit { headers: IncomingHttpHeaders; body: string }
let server: Server;
let base: string;
const hits: Hit[] = [];
let failNext = 0; // answer 500 to this many callbacks before accepting

beforeAll(async () => {
  t = await startTestPlatform();
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
  crm = (await apiKeyHeaders(t.platform, a.headers.tenantAdmin, { name: 'CRM', role: 'tenant_integration' })).headers;
  crmB = (await apiKeyHeaders(t.platform, b.headers.tenantAdmin, { name: 'CRM', role: 'tenant_integration' })).headers;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('busy');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await t?.close();
});

const post = (kind: string, payload: object, headers: Headers = crm) =>
  t.app.inject({ method: 'POST', url: `/api/v1/onboarding/${kind}`, headers, payload });
const request = async (id: string, headers: Headers = crm) => (await t.app.inject({ url: `/api/v1/onboarding/requests/${id}`, headers })).json();
/** Runs the outbox worker until nothing is due (retries at once: no backoff in tests). */
async function drain(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if ((await deliverDueEvents(t.platform.core.dbs, t.platform.core.bus, { maxAttempts: 5, backoff: () => 0 })) === 0) return;
  }
}
/** Submits, checks the 202, runs the worker and returns the processed request. */
async function onboard(kind: string, payload: object) {
  const res = await post(kind, payload);
  expect(res.statusCode).toBe(202);
  const accepted = res.json();
  expect(accepted).toEqual({ requestId: expect.any(String), status: 'PENDING', href: `/api/v1/onboarding/requests/${accepted.requestId}` });
  await drain();
  return request(accepted.requestId);
}
const requestCount = async () => Number((await sql<{ n: string }>`select count(*) as n from onboarding_requests`.execute(t.platform.core.dbs.db)).rows[0].n);

describe('the CRM integration key', () => {
  it('may onboard and read accounts but administers nothing', async () => {
    for (const [method, url] of [['GET', '/api/v1/users'], ['POST', '/api/v1/api-keys'], ['POST', '/api/v1/enterprises'], ['GET', '/api/v1/audit']] as const) {
      const res = await t.app.inject({ method, url, headers: crm, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await t.app.inject({ url: '/api/v1/enterprises', headers: crm })).statusCode).toBe(200);
  });
});

describe('synchronous validation', () => {
  it('refuses malformed requests of each kind with 422 and stores nothing', async () => {
    const before = await requestCount();
    const cases: [string, object, string[]][] = [
      ['enterprises', { name: 'No id' }, ['body.customerId']],
      ['enterprises', {
        customerId: 'C 1', name: 'X', phone: '12345', contacts: [{ role: 'boss', name: 'A', email: 'a@' }],
        addresses: [{ lines: ['x'], city: 'Y', country: 'Germany' }], callbackUrl: 'ftp://crm.example/cb',
      }, ['body.addresses.0.country', 'body.callbackUrl', 'body.contacts.0.email', 'body.contacts.0.role', 'body.customerId', 'body.phone']],
      ['enterprises', {
        customerId: 'C-1', name: 'X',
        billingProfiles: [{ billingAccountNumber: 'B-1', billCycleDay: 31, currency: 'EURO', timeZone: 'CET+1' }, { billingAccountNumber: 'B-1', billCycleDay: 1 }],
      }, ['body.billingProfiles.0.billCycleDay', 'body.billingProfiles.0.currency', 'body.billingProfiles.0.timeZone', 'body.billingProfiles.1.billingAccountNumber']],
      ['business-units', { customerId: 'C-1', name: 'No unit id' }, ['body.unitId']],
      ['business-units', { customerId: 'C-1', unitId: 'U-1', name: 'Self', parentUnitId: 'U-1' }, ['body.parentUnitId']],
      ['billing-profiles', { customerId: 'C-1', billingAccountNumber: 'B-9', billCycleDay: 0, paymentTermsDays: 400, creditLimit: '12,50' },
        ['body.billCycleDay', 'body.creditLimit', 'body.paymentTermsDays']],
      ['enterprise-updates', { customerId: 'C-1' }, ['body.address']],
      ['enterprise-updates', { customerId: 'C-1', primaryContact: { name: '', email: 'x' } }, ['body.primaryContact.email', 'body.primaryContact.name']],
    ];
    for (const [kind, payload, fields] of cases) {
      const res = await post(kind, payload);
      expect(res.statusCode, `${kind} ${JSON.stringify(payload)}`).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { field: string }) => e.field).sort(), kind).toEqual(fields);
    }
    expect(await requestCount()).toBe(before);
  });

  it('is for the CRM and tenant admins only', async () => {
    expect((await post('enterprises', { customerId: 'X', name: 'X' }, a.headers.enterpriseAdmin)).statusCode).toBe(403);
    expect((await post('enterprises', { customerId: 'X', name: 'X' }, a.headers.tenantCsr)).statusCode).toBe(403);
    expect((await post('enterprises', { customerId: 'X', name: 'X' }, {})).statusCode).toBe(401);
  });
});

describe('asynchronous processing', () => {
  it('completes a valid enterprise with its billing profile, then units and more profiles under it', async () => {
    const res = await post('enterprises', {
      customerId: 'CRM-1', name: 'Orbital Shipping', phone: '+4940111222',
      contacts: [{ role: 'primary', name: 'Olga', email: 'olga@orbital.example' }, { role: 'technical', name: 'Tom' }],
      addresses: [{ lines: ['Kai 3'], city: 'Bremen', postcode: '28195', country: 'DE' }],
      billingProfiles: [{ billingAccountNumber: 'BAN-1', billCycleDay: 1, currency: 'EUR', timeZone: 'Europe/Berlin', creditLimit: '10000.00' }],
    });
    expect(res.statusCode).toBe(202);
    const { requestId } = res.json();
    // Nothing is applied before the worker runs.
    expect(await request(requestId)).toMatchObject({ status: 'PENDING', result: null, errors: null, callback: null });
    await drain();
    const done = await request(requestId);
    expect(done).toMatchObject({ status: 'COMPLETED', kind: 'enterprise', errors: null, result: { customerId: 'CRM-1', billingProfileIds: [expect.any(String)] } });
    const ent = (await t.app.inject({ url: `/api/v1/enterprises/${done.result.enterpriseId}`, headers: a.headers.tenantAdmin })).json();
    expect(ent).toMatchObject({ name: 'Orbital Shipping', phone: '+4940111222', contacts: [{ name: 'Olga' }, { name: 'Tom' }], addresses: [{ city: 'Bremen' }] });
    const bp = (await t.app.inject({ url: `/api/v1/billing-profiles/${done.result.billingProfileIds[0]}`, headers: a.headers.tenantAdmin })).json();
    expect(bp).toMatchObject({ billingAccountNumber: 'BAN-1', creditLimit: '10000.00', enterpriseId: ent.id });

    // The changes are audited as the CRM's API key, and the domain events were recorded.
    const audit = await sql<{ actor_type: string; action: string }>`select actor_type, action from audit_log where entity_id = ${ent.id}`.execute(t.platform.core.dbs.db);
    expect(audit.rows).toEqual([{ actor_type: 'api_key', action: 'create' }]);
    const types = await sql<{ type: string }>`select type from outbox_events where aggregate_id in (${ent.id}, ${requestId}) order by id`.execute(t.platform.core.dbs.db);
    expect(types.rows.map((r) => r.type)).toEqual(['accounts.onboarding.requested', 'accounts.enterprise.created', 'accounts.onboarding.completed']);

    const unit = await onboard('business-units', { customerId: 'CRM-1', unitId: 'CRM-1-U1', name: 'Reefers' });
    expect(unit).toMatchObject({ status: 'COMPLETED', result: { unitId: 'CRM-1-U1', enterpriseId: ent.id } });
    const child = await onboard('business-units', { customerId: 'CRM-1', unitId: 'CRM-1-U2', name: 'Reefers North', parentUnitId: 'CRM-1-U1' });
    expect(child.status).toBe('COMPLETED');
    const childView = (await t.app.inject({ url: `/api/v1/business-units/${child.result.businessUnitId}`, headers: a.headers.tenantAdmin })).json();
    expect(childView.parentId).toBe(unit.result.businessUnitId);

    const profile = await onboard('billing-profiles', { customerId: 'CRM-1', unitId: 'CRM-1-U2', billingAccountNumber: 'BAN-2', billCycleDay: 20, paymentTermsDays: 45 });
    expect(profile).toMatchObject({ status: 'COMPLETED', result: { billingAccountNumber: 'BAN-2', businessUnitId: child.result.businessUnitId } });
  });

  it('rejects duplicates and unknown parents with field errors, and applies nothing of a rejected request', async () => {
    const base = await onboard('enterprises', { customerId: 'CRM-2', name: 'Base', billingProfiles: [{ billingAccountNumber: 'BAN-20', billCycleDay: 5 }] });
    expect(base.status).toBe('COMPLETED');
    await onboard('business-units', { customerId: 'CRM-2', unitId: 'CRM-2-U1', name: 'Unit' });
    const other = await onboard('enterprises', { customerId: 'CRM-3', name: 'Other' });
    await onboard('business-units', { customerId: 'CRM-3', unitId: 'CRM-3-U1', name: 'Other unit' });

    const dupCustomer = await onboard('enterprises', { customerId: 'CRM-2', name: 'Again', billingProfiles: [{ billingAccountNumber: 'BAN-20', billCycleDay: 5 }, { billingAccountNumber: 'BAN-21', billCycleDay: 5 }] });
    expect(dupCustomer).toMatchObject({ status: 'REJECTED', result: null });
    expect(dupCustomer.errors).toEqual([
      { field: 'customerId', reason: 'is already used by another enterprise' },
      { field: 'billingProfiles.0.billingAccountNumber', reason: 'is already used by another billing profile' },
    ]);
    const dupUnit = await onboard('business-units', { customerId: 'CRM-2', unitId: 'CRM-2-U1', name: 'Again' });
    expect(dupUnit.errors).toEqual([{ field: 'unitId', reason: 'is already used by another business unit' }]);
    const dupBan = await onboard('billing-profiles', { customerId: 'CRM-2', billingAccountNumber: 'BAN-20', billCycleDay: 1 });
    expect(dupBan.errors).toEqual([{ field: 'billingAccountNumber', reason: 'is already used by another billing profile' }]);
    const unknownEnterprise = await onboard('business-units', { customerId: 'NOPE', unitId: 'NOPE-U', name: 'Orphan' });
    expect(unknownEnterprise.errors).toEqual([{ field: 'customerId', reason: 'no enterprise has this customer id' }]);
    const unknownParent = await onboard('business-units', { customerId: 'CRM-2', unitId: 'CRM-2-U9', name: 'Orphan', parentUnitId: 'CRM-2-NOPE' });
    expect(unknownParent.errors).toEqual([{ field: 'parentUnitId', reason: 'no business unit has this unit id' }]);
    const foreignParent = await onboard('business-units', { customerId: 'CRM-2', unitId: 'CRM-2-U8', name: 'Wrong', parentUnitId: 'CRM-3-U1' });
    expect(foreignParent.errors).toEqual([{ field: 'parentUnitId', reason: 'belongs to another enterprise' }]);
    const unknownUnit = await onboard('billing-profiles', { customerId: 'CRM-2', unitId: 'CRM-3-U1', billingAccountNumber: 'BAN-29', billCycleDay: 1 });
    expect(unknownUnit.errors).toEqual([{ field: 'unitId', reason: 'belongs to another enterprise' }]);
    const updateUnknown = await onboard('enterprise-updates', { customerId: 'NOPE', phone: '+4930000000' });
    expect(updateUnknown.errors).toEqual([{ field: 'customerId', reason: 'no enterprise has this customer id' }]);

    // Nothing of the rejected requests exists.
    const db = t.platform.core.dbs.db;
    expect((await sql`select 1 from billing_profiles where billing_account_number in ('BAN-21', 'BAN-29')`.execute(db)).rows).toHaveLength(0);
    expect((await sql`select 1 from business_units where unit_id in ('NOPE-U', 'CRM-2-U9', 'CRM-2-U8')`.execute(db)).rows).toHaveLength(0);
    expect((await sql`select 1 from enterprises where name = 'Again'`.execute(db)).rows).toHaveLength(0);
    expect(other.status).toBe('COMPLETED');

    const rejected = (await t.app.inject({ url: '/api/v1/onboarding/requests?status=REJECTED&limit=100', headers: crm })).json();
    expect(rejected.items.length).toBe(8);
    // Newest first, page by page, every request exactly once.
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: { id: string; createdAt: string }[]; nextCursor: string | null } = (await t.app.inject({
        url: `/api/v1/onboarding/requests?limit=3${cursor ? `&cursor=${cursor}` : ''}`, headers: crm })).json();
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(Number((await sql<{ n: string }>`select count(*) as n from onboarding_requests where tenant_id = ${a.tenantId}`.execute(t.platform.core.dbs.db)).rows[0].n));
    expect(seen[0]).toBe(updateUnknown.id); // the latest submitted
  });

  it('updates an enterprise\'s address, primary contact and phone, keeping the rest', async () => {
    const created = await onboard('enterprises', {
      customerId: 'CRM-4', name: 'Upd', phone: '+4930111111',
      contacts: [{ role: 'primary', name: 'Old', email: 'old@upd.example' }, { role: 'billing', name: 'Bill' }],
      addresses: [{ kind: 'main', lines: ['Old St 1'], city: 'Berlin', country: 'DE' }, { kind: 'billing', lines: ['PO 1'], city: 'Berlin', country: 'DE' }],
    });
    const upd = await onboard('enterprise-updates', {
      customerId: 'CRM-4', phone: '+4930222222',
      address: { lines: ['New Rd 9'], city: 'Potsdam', postcode: '14467', country: 'DE' },
      primaryContact: { name: 'New', email: 'new@upd.example', phone: '+4915112345678' },
    });
    expect(upd).toMatchObject({ status: 'COMPLETED', result: { enterpriseId: created.result.enterpriseId } });
    const ent = (await t.app.inject({ url: `/api/v1/enterprises/${created.result.enterpriseId}`, headers: a.headers.tenantAdmin })).json();
    expect(ent.phone).toBe('+4930222222');
    expect(ent.contacts).toEqual([
      { role: 'primary', name: 'New', email: 'new@upd.example', phone: '+4915112345678' },
      { role: 'billing', name: 'Bill', email: null, phone: null },
    ]);
    expect(ent.addresses).toEqual([
      { kind: 'billing', lines: ['PO 1'], city: 'Berlin', postcode: null, region: null, country: 'DE' },
      { kind: 'main', lines: ['New Rd 9'], city: 'Potsdam', postcode: '14467', region: null, country: 'DE' },
    ]);
    const types = await sql<{ type: string }>`select type from outbox_events where aggregate_id = ${ent.id} order by id`.execute(t.platform.core.dbs.db);
    expect(types.rows.map((r) => r.type)).toEqual(['accounts.enterprise.created', 'accounts.enterprise.updated']);
  });

  it('processes a request once even when its event is delivered twice', async () => {
    const res = await post('enterprises', { customerId: 'CRM-5', name: 'Once' });
    const { requestId } = res.json();
    await drain();
    const ev = await sql<{ id: number }>`select id from outbox_events where aggregate_id = ${requestId} and type = 'accounts.onboarding.requested'`.execute(t.platform.core.dbs.db);
    // Simulate an at-least-once redelivery of the same event.
    await sql`update outbox_deliveries set status = 'PENDING', next_attempt_at = now() where event_id = ${ev.rows[0].id}`.execute(t.platform.core.dbs.db);
    await drain();
    expect((await request(requestId)).status).toBe('COMPLETED');
    expect((await sql`select 1 from enterprises where customer_id = 'CRM-5'`.execute(t.platform.core.dbs.db)).rows).toHaveLength(1);
    expect((await sql`select 1 from outbox_events where aggregate_id = ${requestId} and type = 'accounts.onboarding.completed'`.execute(t.platform.core.dbs.db)).rows).toHaveLength(1);
  });

  it('returns the same requestId for a retried POST with the same Idempotency-Key', async () => {
    const before = await requestCount();
    const payload = { customerId: 'CRM-6', name: 'Idem' };
    const first = await post('enterprises', payload, { ...crm, 'idempotency-key': 'crm-msg-6' });
    const again = await post('enterprises', payload, { ...crm, 'idempotency-key': 'crm-msg-6' });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().requestId).toBe(first.json().requestId);
    expect(await requestCount()).toBe(before + 1);
  });

  it('keeps each tenant\'s requests to itself', async () => {
    const res = await post('enterprises', { customerId: 'CRM-1', name: 'Same CRM id in tenant B' }, crmB);
    const mine = await request(res.json().requestId, crmB);
    expect(mine.status).toBe('PENDING');
    expect((await t.app.inject({ url: `/api/v1/onboarding/requests/${mine.id}`, headers: crm })).statusCode).toBe(404);
    await drain();
    // CRM-1 exists in tenant A, yet is new in tenant B.
    expect((await request(mine.id, crmB)).status).toBe('COMPLETED');
    const listB = (await t.app.inject({ url: '/api/v1/onboarding/requests?limit=500', headers: crmB })).json();
    expect(listB.items.map((r: { id: string }) => r.id)).toEqual([mine.id]);
  });
});

describe('callback to the CRM', () => {
  const verify = (secret: string, hit: Hit) => {
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(hit.body).digest('hex')}`);
    const given = Buffer.from(String(hit.headers['x-cmp-signature']));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  it('POSTs the signed outcome, retrying through the outbox after the CRM first fails', async () => {
    const { secret } = (await t.app.inject({ url: '/api/v1/onboarding/callback-secret', headers: crm })).json();
    const secretB = (await t.app.inject({ url: '/api/v1/onboarding/callback-secret', headers: crmB })).json().secret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(secretB).not.toBe(secret);

    hits.length = 0;
    failNext = 1;
    const res = await post('enterprises', { customerId: 'CRM-CB', name: 'Callback Co', callbackUrl: `${base}/crm/onboarding?token=abc` });
    const { requestId } = res.json();
    expect((await request(requestId)).callback).toMatchObject({ status: 'PENDING', attempts: 0 });
    await drain();

    expect(hits).toHaveLength(2); // 500 first, then accepted on the retry
    expect(hits[0].body).toBe(hits[1].body);
    const body = JSON.parse(hits[1].body);
    expect(body).toMatchObject({ requestId, kind: 'enterprise', status: 'COMPLETED', result: { customerId: 'CRM-CB' }, errors: null });
    expect(hits[1].headers['content-type']).toBe('application/json');
    expect(verify(secret, hits[1])).toBe(true);
    expect(verify(secretB, hits[1])).toBe(false);
    expect(verify(secret, { ...hits[1], body: hits[1].body.replace('COMPLETED', 'REJECTED') })).toBe(false);

    const view = await request(requestId);
    expect(view.callback).toMatchObject({ status: 'DELIVERED', attempts: 2, lastError: null, url: `${base}/crm/onboarding?token=abc` });
    expect(view.callback.deliveredAt).not.toBeNull();
    const deliveries = await sql<{ subscriber: string; status: string; attempts: number }>`
      select d.subscriber, d.status, d.attempts from outbox_deliveries d join outbox_events e on e.id = d.event_id
       where e.aggregate_id = ${requestId} and e.type = 'accounts.onboarding.completed'`.execute(t.platform.core.dbs.db);
    expect(deliveries.rows).toEqual([{ subscriber: 'accounts.onboarding-callback.completed', status: 'DONE', attempts: 2 }]);
  });

  it('tells the CRM about a rejection too, and parks the callback as a dead delivery when the CRM stays down', async () => {
    hits.length = 0;
    failNext = 100;
    const res = await post('business-units', { customerId: 'NOPE', unitId: 'X-1', name: 'X', callbackUrl: `${base}/cb` });
    await drain();
    expect(hits).toHaveLength(5); // maxAttempts
    expect(JSON.parse(hits[0].body)).toMatchObject({ status: 'REJECTED', errors: [{ field: 'customerId', reason: 'no enterprise has this customer id' }] });
    const view = await request(res.json().requestId);
    expect(view.status).toBe('REJECTED');
    expect(view.callback).toMatchObject({ status: 'PENDING', attempts: 5, lastError: 'the callback answered HTTP 500' });
    const dead = (await t.app.inject({ url: '/api/v1/events/deliveries?status=DEAD', headers: a.headers.tenantAdmin })).json();
    expect(dead.items.map((d: { subscriber: string }) => d.subscriber)).toContain('accounts.onboarding-callback.rejected');
    failNext = 0;
  });
});
