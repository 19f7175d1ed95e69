import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { apiKeyHeaders, createTenantFixture, FIXTURE_PASSWORD, type TenantFixture } from '../support/fixtures';
import { deliverDueEvents } from '../../src/platform/events';

// Identity follows the accounts module's status events (the published contract: accounts.<tenant|enterprise>.
// <suspended|reactivated|terminated>, aggregateId = the tenant or enterprise). The events are recorded here as
// accounts records them, then delivered by the real outbox worker.
let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
beforeAll(async () => {
  t = await startTestPlatform();
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
});
afterAll(async () => t.close());

async function accountsEvent(type: string, tenantId: string, id: string, enterpriseId: string | null = null): Promise<number> {
  const { dbs, bus } = t.platform.core;
  const object = type.split('.')[1];
  const [eventId] = await dbs.system((tx) => bus.record(tx, { type, tenantId, aggregateType: object, aggregateId: id, payload: { id, enterpriseId, from: 'ACTIVE', to: 'SUSPENDED' } }));
  await deliverDueEvents(dbs, bus, { maxAttempts: 3 });
  return eventId;
}
const status = async (headers: Record<string, string>) => (await t.app.inject({ url: '/api/v1/auth/me', headers })).statusCode;
const login = (email: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: FIXTURE_PASSWORD } });

describe('suspended tenants and enterprises', () => {
  it('shut out a suspended tenant\'s users and API keys until it is reactivated; host admins and other tenants go on', async () => {
    const key = await apiKeyHeaders(t.platform, a.headers.tenantAdmin, { role: 'tenant_csr' });
    await accountsEvent('accounts.tenant.suspended', a.tenantId, a.tenantId);
    expect(await status(a.headers.tenantAdmin)).toBe(401);
    expect(await status(a.headers.enterpriseUser)).toBe(401);
    expect(await status(key.headers)).toBe(401);
    const refused = await login(a.users.tenantCsr.email);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toBe('your tenant is suspended: log-in is not possible');
    expect(await status(a.headers.hostAdmin)).toBe(200);
    expect(await status(b.headers.tenantAdmin)).toBe(200);

    await accountsEvent('accounts.tenant.reactivated', a.tenantId, a.tenantId);
    expect(await status(a.headers.tenantAdmin)).toBe(200);
    expect(await status(key.headers)).toBe(200);
    expect((await login(a.users.tenantCsr.email)).statusCode).toBe(200);
  });

  it('shut out only the suspended enterprise, not the tenant staff or other enterprises', async () => {
    await accountsEvent('accounts.enterprise.suspended', b.tenantId, b.enterpriseId, b.enterpriseId);
    expect(await status(b.headers.enterpriseAdmin)).toBe(401);
    expect(await status(b.headers.enterpriseUser)).toBe(401);
    expect(await status(b.headers.otherEnterpriseUser)).toBe(200);
    expect(await status(b.headers.tenantAdmin)).toBe(200);
    expect((await login(b.users.enterpriseAdmin.email)).json().detail).toBe('your enterprise is suspended: log-in is not possible');
    await accountsEvent('accounts.enterprise.reactivated', b.tenantId, b.enterpriseId, b.enterpriseId);
    expect(await status(b.headers.enterpriseUser)).toBe(200);
  });

  it('follow a tenant suspended through the accounts API (end to end through the outbox)', async () => {
    const { 'x-tenant-id': _, ...host } = a.headers.hostAdmin;
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${a.tenantId}`, headers: host, payload: { status: 'SUSPENDED' } });
    expect(res.statusCode).toBe(200);
    await deliverDueEvents(t.platform.core.dbs, t.platform.core.bus, { maxAttempts: 3 });
    expect(await status(a.headers.tenantFinance)).toBe(401);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${a.tenantId}`, headers: host, payload: { status: 'ACTIVE' } });
    await deliverDueEvents(t.platform.core.dbs, t.platform.core.bus, { maxAttempts: 3 });
    expect(await status(a.headers.tenantFinance)).toBe(200);
  });

  it('never lets an older event delivered late undo a newer one, and handles redelivery', async () => {
    const onStatus = (type: string, id: number) => t.platform.modules.identity.onAccountStatus({
      id, eventId: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, type, tenantId: b.tenantId, aggregateType: 'enterprise',
      aggregateId: b.otherEnterpriseId, payload: {}, actor: null, occurredAt: new Date(),
    });
    await onStatus('accounts.enterprise.terminated', 1_000_002);
    await onStatus('accounts.enterprise.reactivated', 1_000_001); // older, late
    expect(await status(b.headers.otherEnterpriseUser)).toBe(401);
    await onStatus('accounts.enterprise.terminated', 1_000_002); // delivered twice
    expect(await status(b.headers.otherEnterpriseUser)).toBe(401);
  });
});
