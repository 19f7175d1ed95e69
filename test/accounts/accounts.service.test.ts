import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { systemContext } from '../../src/platform/auth';
import type { AccountsModule } from '../../src/modules/accounts';

// The accounts service functions on a real database: hierarchy rules, money, status, audit + events in the
// change's transaction, and tenant/enterprise isolation straight through the data layer.
let t: TestPlatform;
let accounts: AccountsModule;
const host = systemContext(null, null, 'host');
let tenantA: string, tenantB: string;

beforeAll(async () => {
  t = await startTestPlatform();
  accounts = t.platform.modules.accounts;
  tenantA = (await accounts.createTenant(host, { code: 'alpha', name: 'Alpha Mobile', plmns: ['00101'], currency: 'EUR', timeZone: 'Europe/Berlin' })).id;
  tenantB = (await accounts.createTenant(host, { code: 'beta', name: 'Beta Mobile', plmns: ['310260'], currency: 'USD', timeZone: 'America/New_York' })).id;
});
afterAll(async () => t.close());

const events = async (aggregateId: string) =>
  (await sql<{ type: string; payload: any }>`select type, payload from outbox_events where aggregate_id = ${aggregateId} order by id`.execute(t.platform.core.dbs.db)).rows;
const audits = async (entityId: string) =>
  (await sql<{ action: string; tenant_id: string | null; enterprise_id: string | null }>`select action, tenant_id, enterprise_id from audit_log where entity_id = ${entityId} order by id`.execute(t.platform.core.dbs.db)).rows;

describe('tenants', () => {
  it('refuses a second tenant with the same code and bad PLMNs', async () => {
    await expect(accounts.createTenant(host, { code: 'alpha', name: 'Again' })).rejects.toMatchObject({ status: 409, errors: [{ field: 'body.code' }] });
    await expect(accounts.createTenant(host, { code: 'gamma', name: 'G', plmns: ['0010'] })).rejects.toMatchObject({ status: 422, errors: [{ field: 'body.plmns.0' }] });
    await expect(accounts.createTenant(systemContext(tenantA), { code: 'delta', name: 'D' })).rejects.toMatchObject({ status: 403 });
  });

  it('records the tenant status change as its own event', async () => {
    const id = (await accounts.createTenant(host, { code: 'epsilon', name: 'Eps' })).id;
    const changed = await accounts.updateTenant(host, id, { status: 'SUSPENDED', timeZone: 'europe/paris' });
    expect(changed).toMatchObject({ status: 'SUSPENDED', timeZone: 'Europe/Paris' });
    expect((await events(id)).map((e) => e.type)).toEqual(['accounts.tenant.created', 'accounts.tenant.updated', 'accounts.tenant.suspended']);
    expect((await audits(id)).map((a) => a.action)).toEqual(['create', 'update']);
    await accounts.updateTenant(host, id, { status: 'TERMINATED' });
    await expect(accounts.updateTenant(host, id, { status: 'ACTIVE' })).rejects.toMatchObject({ status: 422, errors: [{ field: 'body.status' }] });
  });
});

describe('enterprises and business units', () => {
  it('builds a nested tree, refuses cycles and parents of other enterprises', async () => {
    const ctx = systemContext(tenantA);
    const acme = await accounts.createEnterprise(ctx, {
      customerId: 'C-100', name: 'Acme', phone: '+4930123456',
      contacts: [{ role: 'primary', name: 'Ann', email: 'Ann@Acme.example' }], addresses: [{ lines: ['Main St 1'], city: 'Berlin', country: 'DE' }],
    });
    expect(acme).toMatchObject({ customerId: 'C-100', status: 'ACTIVE', contacts: [{ role: 'primary', email: 'ann@acme.example', phone: null }], addresses: [{ kind: 'main', country: 'DE' }] });
    const other = await accounts.createEnterprise(ctx, { name: 'Other' });
    expect(other.customerId).toBe(other.id);

    const fleet = await accounts.createBusinessUnit(ctx, acme.id, { unitId: 'U-FLEET', name: 'Fleet' });
    const trucks = await accounts.createBusinessUnit(ctx, acme.id, { unitId: 'U-TRUCKS', name: 'Trucks', parentId: fleet.id });
    const north = await accounts.createBusinessUnit(ctx, acme.id, { unitId: 'U-NORTH', name: 'North', parentId: trucks.id });
    const elsewhere = await accounts.createBusinessUnit(ctx, other.id, { name: 'Elsewhere' });

    await expect(accounts.updateBusinessUnit(ctx, fleet.id, { parentId: north.id })).rejects.toMatchObject({ status: 422, errors: [{ field: 'body.parentId', reason: /own ancestor/ }] });
    await expect(accounts.updateBusinessUnit(ctx, fleet.id, { parentId: fleet.id })).rejects.toMatchObject({ status: 422 });
    await expect(accounts.updateBusinessUnit(ctx, north.id, { parentId: elsewhere.id })).rejects.toMatchObject({ status: 422, errors: [{ field: 'body.parentId' }] });
    await expect(accounts.createBusinessUnit(ctx, acme.id, { name: 'X', parentId: elsewhere.id })).rejects.toMatchObject({ status: 422 });
    await expect(accounts.createBusinessUnit(ctx, acme.id, { unitId: 'U-FLEET', name: 'Dup' })).rejects.toMatchObject({ status: 409, errors: [{ field: 'body.unitId' }] });

    const movedUp = await accounts.updateBusinessUnit(ctx, north.id, { parentId: null });
    expect(movedUp.parentId).toBeNull();
    expect((await events(north.id)).map((e) => e.type)).toEqual(['accounts.business_unit.created', 'accounts.business_unit.updated', 'accounts.business_unit.moved']);

    // The database itself refuses a cycle even if a caller went around the service.
    await expect(t.platform.core.dbs.tenant({ tenantId: tenantA }, (tx) =>
      sql`update business_units set parent_id = ${trucks.id} where id = ${fleet.id}`.execute(tx))).rejects.toThrow(/own ancestor/);

    const top = await accounts.listBusinessUnits(ctx, acme.id, { limit: 50, parentId: 'none' });
    expect(top.items.map((u) => u.name)).toEqual(['Fleet', 'North']);
  });

  it('writes audit and events in the same transaction, and nothing when the change fails', async () => {
    const ctx = systemContext(tenantA);
    const e = await accounts.createEnterprise(ctx, { customerId: 'C-200', name: 'Beta Corp' });
    await accounts.updateEnterprise(ctx, e.id, { status: 'SUSPENDED' });
    await accounts.updateEnterprise(ctx, e.id, { name: 'Beta Corporation', status: 'ACTIVE' });
    await expect(accounts.updateEnterprise(ctx, e.id, { name: 'x'.repeat(201) })).rejects.toMatchObject({ status: 422 });
    const ev = await events(e.id);
    expect(ev.map((x) => x.type)).toEqual([
      'accounts.enterprise.created', 'accounts.enterprise.suspended', 'accounts.enterprise.updated', 'accounts.enterprise.reactivated',
    ]);
    expect(ev[1].payload).toMatchObject({ id: e.id, from: 'ACTIVE', to: 'SUSPENDED' });
    expect(ev[2].payload.changed).toEqual(['name', 'status']);
    expect((await audits(e.id))).toEqual([
      { action: 'create', tenant_id: tenantA, enterprise_id: e.id },
      { action: 'suspend', tenant_id: tenantA, enterprise_id: e.id },
      { action: 'update', tenant_id: tenantA, enterprise_id: e.id },
    ]);
    await expect(accounts.createEnterprise(ctx, { customerId: 'C-200', name: 'Dup' })).rejects.toMatchObject({ status: 409, errors: [{ field: 'body.customerId' }] });
    expect((await sql`select 1 from enterprises where name = 'Dup'`.execute(t.platform.core.dbs.db)).rows).toHaveLength(0);
  });

  it('reports own and effective status through the hierarchy', async () => {
    const ctx = systemContext(tenantA);
    const e = await accounts.createEnterprise(ctx, { customerId: 'C-300', name: 'Gamma' });
    const u1 = await accounts.createBusinessUnit(ctx, e.id, { name: 'U1' });
    const u2 = await accounts.createBusinessUnit(ctx, e.id, { name: 'U2', parentId: u1.id });
    expect(await accounts.getAccountStatus(undefined, 'business_unit', u2.id)).toEqual({ status: 'ACTIVE', effectiveStatus: 'ACTIVE' });
    await accounts.updateBusinessUnit(ctx, u1.id, { status: 'SUSPENDED' });
    expect(await accounts.getAccountStatus(undefined, 'business_unit', u2.id)).toEqual({ status: 'ACTIVE', effectiveStatus: 'SUSPENDED' });
    await accounts.updateEnterprise(ctx, e.id, { status: 'TERMINATED' });
    expect(await accounts.getAccountStatus(undefined, 'enterprise', e.id)).toEqual({ status: 'TERMINATED', effectiveStatus: 'TERMINATED' });
    expect(await accounts.getAccountStatus(undefined, 'business_unit', u2.id)).toEqual({ status: 'ACTIVE', effectiveStatus: 'TERMINATED' });
    await expect(accounts.createBusinessUnit(ctx, e.id, { name: 'Late' })).rejects.toMatchObject({ status: 409 });
    // Inside another tenant's transaction the account does not exist.
    await expect(t.platform.core.dbs.tenant({ tenantId: tenantB }, (tx) => accounts.getAccountStatus(tx, 'enterprise', e.id))).rejects.toMatchObject({ status: 404 });
    expect(await accounts.getAccountStatus(undefined, 'tenant', tenantA)).toEqual({ status: 'ACTIVE', effectiveStatus: 'ACTIVE' });
  });
});

describe('billing profiles', () => {
  it('stores the credit limit as exact micro-units and defaults currency and zone from the tenant', async () => {
    const ctx = systemContext(tenantA);
    const e = await accounts.createEnterprise(ctx, { customerId: 'C-400', name: 'Delta' });
    const bp = await accounts.createBillingProfile(ctx, e.id, { billingAccountNumber: 'BA-400', billCycleDay: 28, creditLimit: '1234567.891234' });
    expect(bp).toMatchObject({ currency: 'EUR', timeZone: 'Europe/Berlin', paymentTermsDays: 30, creditLimit: '1234567.891234', name: 'Delta' });
    const stored = await sql<{ credit_limit: number }>`select credit_limit from billing_profiles where id = ${bp.id}`.execute(t.platform.core.dbs.db);
    expect(stored.rows[0].credit_limit).toBe(1_234_567_891_234);
    const changed = await accounts.updateBillingProfile(ctx, bp.id, { creditLimit: '0.1', currency: 'USD' });
    expect(changed.creditLimit).toBe('0.10');
    expect((await accounts.updateBillingProfile(ctx, bp.id, { creditLimit: null })).creditLimit).toBeNull();

    await expect(accounts.createBillingProfile(ctx, e.id, { billingAccountNumber: 'BA-400', billCycleDay: 1 })).rejects.toMatchObject({ status: 409, errors: [{ field: 'body.billingAccountNumber' }] });
    const bad = await accounts.createBillingProfile(ctx, e.id, {
      billingAccountNumber: 'BA-401', billCycleDay: 29, currency: 'XYZ', timeZone: 'Mars/Base', creditLimit: '1.0000001', paymentTermsDays: -1,
    }).catch((x) => x);
    expect(bad.status).toBe(422);
    expect(bad.errors.map((x: { field: string }) => x.field).sort()).toEqual(['body.billCycleDay', 'body.creditLimit', 'body.currency', 'body.paymentTermsDays', 'body.timeZone']);
    // The same billing account number is free in another tenant.
    const eb = await accounts.createEnterprise(systemContext(tenantB), { customerId: 'C-400', name: 'Delta US' });
    expect((await accounts.createBillingProfile(systemContext(tenantB), eb.id, { billingAccountNumber: 'BA-400', billCycleDay: 1 })).currency).toBe('USD');
  });

  it('attaches a profile to a business unit of the same enterprise only', async () => {
    const ctx = systemContext(tenantA);
    const e = await accounts.createEnterprise(ctx, { customerId: 'C-500', name: 'Eps' });
    const f = await accounts.createEnterprise(ctx, { customerId: 'C-501', name: 'Zeta' });
    const u = await accounts.createBusinessUnit(ctx, f.id, { name: 'Zeta unit' });
    await expect(accounts.createBillingProfile(ctx, e.id, { billingAccountNumber: 'BA-500', billCycleDay: 5, businessUnitId: u.id })).rejects.toMatchObject({ status: 422, errors: [{ field: 'body.businessUnitId' }] });
    const ok = await accounts.createBillingProfile(ctx, f.id, { billingAccountNumber: 'BA-501', billCycleDay: 5, businessUnitId: u.id });
    expect(ok.businessUnitId).toBe(u.id);
  });
});

describe('isolation through the data layer', () => {
  it('hides other tenants\' and other enterprises\' accounts from service calls', async () => {
    const a = systemContext(tenantA);
    const e1 = await accounts.createEnterprise(a, { customerId: 'ISO-1', name: 'Iso One', contacts: [{ role: 'billing', name: 'Bill' }] });
    const e2 = await accounts.createEnterprise(a, { customerId: 'ISO-2', name: 'Iso Two' });
    const u2 = await accounts.createBusinessUnit(a, e2.id, { name: 'Iso Two unit', contacts: [{ role: 'technical', name: 'Tech' }] });
    const bp2 = await accounts.createBillingProfile(a, e2.id, { billingAccountNumber: 'ISO-BA-2', billCycleDay: 3 });

    const b = systemContext(tenantB);
    await expect(accounts.getEnterprise(b, e1.id)).rejects.toMatchObject({ status: 404 });
    await expect(accounts.updateEnterprise(b, e1.id, { name: 'Hijacked' })).rejects.toMatchObject({ status: 404 });
    await expect(accounts.createBusinessUnit(b, e1.id, { name: 'Sneaky' })).rejects.toMatchObject({ status: 404 });
    expect((await accounts.listEnterprises(b, { limit: 500 })).items.map((e) => e.customerId)).not.toContain('ISO-1');

    const asE1 = systemContext(tenantA, e1.id);
    expect((await accounts.listEnterprises(asE1, { limit: 500 })).items.map((e) => e.id)).toEqual([e1.id]);
    await expect(accounts.getEnterprise(asE1, e2.id)).rejects.toMatchObject({ status: 404 });
    await expect(accounts.getBusinessUnit(asE1, u2.id)).rejects.toMatchObject({ status: 404 });
    await expect(accounts.getBillingProfile(asE1, bp2.id)).rejects.toMatchObject({ status: 404 });
    await expect(accounts.listBusinessUnits(asE1, e2.id, { limit: 10 })).rejects.toMatchObject({ status: 404 });

    // Raw SQL in an enterprise scope sees only that enterprise's contacts, profiles and units, whatever it asks.
    const raw = await t.platform.core.dbs.tenant({ tenantId: tenantA, enterpriseId: e1.id }, async (tx) => ({
      contacts: (await sql<{ name: string }>`select name from account_contacts`.execute(tx)).rows.map((r) => r.name),
      profiles: (await sql`select 1 from billing_profiles`.execute(tx)).rows.length,
      units: (await sql`select 1 from business_units`.execute(tx)).rows.length,
      requests: (await sql`select 1 from onboarding_requests`.execute(tx)).rows.length,
    }));
    expect(raw).toEqual({ contacts: ['Bill'], profiles: 0, units: 0, requests: 0 });
    await expect(t.platform.core.dbs.tenant({ tenantId: tenantB }, (tx) =>
      sql`insert into account_contacts (tenant_id, enterprise_id, role, name) values (${tenantA}, ${e1.id}, 'other', 'X')`.execute(tx))).rejects.toThrow(/row-level security/);
  });
});
