import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type Headers, type TenantFixture } from '../support/fixtures';

// The accounts API end to end: host tenant administration, tenant-side CRUD of enterprises, units and billing
// profiles, permissions per role, and isolation between tenants and between enterprises of one tenant.
let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;

beforeAll(async () => {
  t = await startTestPlatform();
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Headers, payload?: object) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

describe('tenants (host admin)', () => {
  it('onboards, lists, reads and changes a tenant', async () => {
    const host = { authorization: a.headers.hostAdmin.authorization }; // no X-Tenant-Id: host level
    const created = await call('POST', '/api/v1/tenants', host, { code: 'nordic-iot', name: 'Nordic IoT', plmns: ['24001', '310260'], currency: 'SEK', timeZone: 'Europe/Stockholm' });
    expect(created.statusCode).toBe(201);
    const tenant = created.json();
    expect(created.headers.location).toBe(`/api/v1/tenants/${tenant.id}`);
    expect(tenant).toMatchObject({ code: 'nordic-iot', plmns: ['24001', '310260'], currency: 'SEK', timeZone: 'Europe/Stockholm', status: 'ACTIVE' });

    const list = await call('GET', '/api/v1/tenants?q=nordic-iot', host);
    expect(list.json().items.map((x: { id: string }) => x.id)).toEqual([tenant.id]);
    const patched = await call('PATCH', `/api/v1/tenants/${tenant.id}`, host, { status: 'SUSPENDED', plmns: ['24001'] });
    expect(patched.json()).toMatchObject({ status: 'SUSPENDED', plmns: ['24001'] });
    expect((await call('GET', `/api/v1/tenants/${tenant.id}`, host)).json().status).toBe('SUSPENDED');

    const bad = await call('POST', '/api/v1/tenants', host, { code: 'X', name: '', plmns: ['1234'], currency: 'EURO', timeZone: 'Nowhere/City' });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.code', 'body.currency', 'body.name', 'body.plmns.0', 'body.timeZone']);
    expect((await call('POST', '/api/v1/tenants', host, { code: 'nordic-iot', name: 'Again' })).statusCode).toBe(409);
  });

  it('is described in the OpenAPI document', async () => {
    const paths = Object.keys((await t.app.inject({ url: '/openapi.json' })).json().paths);
    for (const p of ['/api/v1/tenants', '/api/v1/enterprises/{id}', '/api/v1/enterprises/{id}/business-units', '/api/v1/billing-profiles/{id}',
      '/api/v1/onboarding/enterprises', '/api/v1/onboarding/requests/{id}']) expect(paths).toContain(p);
  });

  it('is closed to tenant roles', async () => {
    expect((await call('GET', '/api/v1/tenants', a.headers.tenantAdmin)).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/tenants/${a.tenantId}`, a.headers.tenantAdmin)).statusCode).toBe(403);
    expect((await call('PATCH', `/api/v1/tenants/${a.tenantId}`, a.headers.tenantAdmin, { name: 'Mine' })).statusCode).toBe(403);
  });
});

describe('enterprises, business units and billing profiles (tenant side)', () => {
  it('creates an enterprise with contacts and addresses, and changes it', async () => {
    const res = await call('POST', '/api/v1/enterprises', a.headers.tenantCsr, {
      customerId: 'CRM-9001', name: 'Zephyr Freight', phone: '+4940123456',
      contacts: [{ role: 'primary', name: 'Zoe', email: 'zoe@zephyr.example', phone: '+4917012345678' }, { role: 'billing', name: 'Ben' }],
      addresses: [{ kind: 'main', lines: ['Hafenstr. 1', 'Gate 4'], city: 'Hamburg', postcode: '20457', country: 'DE' }],
    });
    expect(res.statusCode).toBe(201);
    const ent = res.json();
    expect(ent).toMatchObject({ customerId: 'CRM-9001', status: 'ACTIVE', href: `/api/v1/enterprises/${ent.id}`, contacts: [{ name: 'Zoe' }, { name: 'Ben', email: null }] });

    const patched = await call('PATCH', `/api/v1/enterprises/${ent.id}`, a.headers.tenantAdmin, {
      status: 'SUSPENDED', addresses: [{ kind: 'billing', lines: ['PO Box 7'], city: 'Hamburg', country: 'DE' }],
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ status: 'SUSPENDED', addresses: [{ kind: 'billing', lines: ['PO Box 7'] }], contacts: [{ name: 'Zoe' }, { name: 'Ben' }] });

    const audit = await call('GET', `/api/v1/audit?entityType=enterprise&entityId=${ent.id}`, a.headers.tenantAdmin);
    expect(audit.json().items.map((x: { action: string }) => x.action)).toEqual(['update', 'create']);
  });

  it('answers bad input with every failing field', async () => {
    const res = await call('POST', '/api/v1/enterprises', a.headers.tenantAdmin, {
      name: 'Bad', phone: '040-123', contacts: [{ role: 'primary', name: 'A', email: 'not-mail' }, { role: 'primary', name: 'B' }],
      addresses: [{ lines: [], city: 'X', country: 'XX' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.addresses.0.country', 'body.addresses.0.lines', 'body.contacts.0.email', 'body.contacts.1.role', 'body.phone',
    ]);
  });

  it('lists with filters, sorting and a cursor', async () => {
    for (const n of ['Page A', 'Page B', 'Page C']) await call('POST', '/api/v1/enterprises', a.headers.tenantAdmin, { name: n });
    const first = (await call('GET', '/api/v1/enterprises?q=page&limit=2&sort=-name', a.headers.tenantAdmin)).json();
    expect(first.items.map((e: { name: string }) => e.name)).toEqual(['Page C', 'Page B']);
    const second = (await call('GET', `/api/v1/enterprises?q=page&limit=2&sort=-name&cursor=${first.nextCursor}`, a.headers.tenantAdmin)).json();
    expect(second.items.map((e: { name: string }) => e.name)).toEqual(['Page A']);
    expect(second.nextCursor).toBeNull();
    const suspended = (await call('GET', '/api/v1/enterprises?status=SUSPENDED', a.headers.tenantAdmin)).json();
    expect(suspended.items.map((e: { customerId: string }) => e.customerId)).toEqual(['CRM-9001']);
    expect((await call('GET', '/api/v1/enterprises?sort=colour', a.headers.tenantAdmin)).json().errors[0].field).toBe('sort');
  });

  it('nests business units and attaches billing profiles', async () => {
    const h = a.headers.tenantAdmin;
    const [north] = a.businessUnitIds;
    const sub = await call('POST', `/api/v1/enterprises/${a.enterpriseId}/business-units`, h, { unitId: 'BU-1-1', name: 'North depot', parentId: north });
    expect(sub.statusCode).toBe(201);
    const subsub = await call('POST', `/api/v1/enterprises/${a.enterpriseId}/business-units`, h, { name: 'Yard 7', parentId: sub.json().id });
    expect(subsub.json()).toMatchObject({ parentId: sub.json().id, enterpriseId: a.enterpriseId });
    const cycle = await call('PATCH', `/api/v1/business-units/${north}`, h, { parentId: subsub.json().id });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().errors).toEqual([{ field: 'body.parentId', reason: 'would make the unit its own ancestor' }]);
    const children = (await call('GET', `/api/v1/enterprises/${a.enterpriseId}/business-units?parentId=${north}`, h)).json();
    expect(children.items.map((u: { name: string }) => u.name)).toEqual(['North depot']);

    const bp = await call('POST', `/api/v1/enterprises/${a.enterpriseId}/billing-profiles`, h, {
      billingAccountNumber: 'BAN-77', billCycleDay: 15, currency: 'GBP', timeZone: 'Europe/London', paymentTermsDays: 14, creditLimit: '2500.50', businessUnitId: north,
    });
    expect(bp.statusCode).toBe(201);
    expect(bp.json()).toMatchObject({ billingAccountNumber: 'BAN-77', creditLimit: '2500.50', businessUnitId: north, billCycleDay: 15 });
    const dup = await call('POST', `/api/v1/enterprises/${a.enterpriseId}/billing-profiles`, h, { billingAccountNumber: 'BAN-77', billCycleDay: 1 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual([{ field: 'body.billingAccountNumber', reason: 'is already used by another billing profile' }]);
    const patched = await call('PATCH', `/api/v1/billing-profiles/${bp.json().id}`, h, { billCycleDay: 28, creditLimit: '-1' });
    expect(patched.statusCode).toBe(422);
    const ok = await call('PATCH', `/api/v1/billing-profiles/${bp.json().id}`, a.headers.tenantAdmin, { billCycleDay: 28, status: 'SUSPENDED' });
    expect(ok.json()).toMatchObject({ billCycleDay: 28, status: 'SUSPENDED' });
    const list = (await call('GET', `/api/v1/enterprises/${a.enterpriseId}/billing-profiles`, a.headers.enterpriseUser)).json();
    expect(list.items.map((x: { billingAccountNumber: string }) => x.billingAccountNumber)).toEqual(['BAN-77']);
  });

  it('lets each role do only what it may', async () => {
    expect((await call('POST', '/api/v1/enterprises', a.headers.tenantFinance, { name: 'No' })).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/enterprises', a.headers.enterpriseAdmin, { name: 'No' })).statusCode).toBe(403);
    expect((await call('PATCH', `/api/v1/enterprises/${a.enterpriseId}`, a.headers.enterpriseAdmin, { name: 'Mine' })).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/enterprises/${a.enterpriseId}`, a.headers.enterpriseUser)).statusCode).toBe(200);
    // A host admin acts inside a tenant with X-Tenant-Id.
    expect((await call('GET', `/api/v1/enterprises/${a.enterpriseId}`, a.headers.hostAdmin)).statusCode).toBe(200);
  });
});

describe('isolation', () => {
  it('shows an enterprise user only its own enterprise and what hangs below it', async () => {
    const mine = (await call('GET', '/api/v1/enterprises', a.headers.enterpriseUser)).json();
    expect(mine.items.map((e: { id: string }) => e.id)).toEqual([a.enterpriseId]);
    const other = a.otherEnterpriseId;
    expect((await call('GET', `/api/v1/enterprises/${other}`, a.headers.enterpriseUser)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/enterprises/${other}/business-units`, a.headers.enterpriseUser)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/business-units/${a.businessUnitIds[2]}`, a.headers.enterpriseUser)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/business-units/${a.businessUnitIds[0]}`, a.headers.enterpriseUser)).statusCode).toBe(200);
    const theirs = (await call('GET', '/api/v1/enterprises', a.headers.otherEnterpriseUser)).json();
    expect(theirs.items.map((e: { id: string }) => e.id)).toEqual([other]);
  });

  it('never shows or changes another tenant\'s accounts', async () => {
    const hb = b.headers.tenantAdmin;
    const get = await call('GET', `/api/v1/enterprises/${a.enterpriseId}`, hb);
    expect(get.statusCode).toBe(404);
    expect(get.json().type).toBe('https://opencmp.dev/problems/not-found');
    expect((await call('PATCH', `/api/v1/enterprises/${a.enterpriseId}`, hb, { name: 'Hijacked' })).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/enterprises/${a.enterpriseId}/business-units`, hb, { name: 'Sneaky' })).statusCode).toBe(404);
    expect((await call('PATCH', `/api/v1/business-units/${a.businessUnitIds[0]}`, hb, { name: 'Hijacked' })).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/enterprises/${a.enterpriseId}/billing-profiles`, hb, { billingAccountNumber: 'X-1', billCycleDay: 1 })).statusCode).toBe(404);
    const listB = (await call('GET', '/api/v1/enterprises?limit=500', hb)).json();
    expect(listB.items.map((e: { id: string }) => e.id).sort()).toEqual([b.enterpriseId, b.otherEnterpriseId].sort());
    // The host admin acting as tenant B sees B only, too.
    const asB = (await call('GET', '/api/v1/enterprises?limit=500', b.headers.hostAdmin)).json();
    expect(asB.items.map((e: { id: string }) => e.id)).not.toContain(a.enterpriseId);
    // Untouched.
    expect((await call('GET', `/api/v1/enterprises/${a.enterpriseId}`, a.headers.tenantAdmin)).json().name).toBe('Acme Logistics');
  });
});
