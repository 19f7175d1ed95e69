import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { systemContext } from '../../src/platform/auth';
import { deliverDueEvents } from '../../src/platform/events';

// Storage contract of the accounts tables, on both back ends (PostgreSQL and the embedded PGlite): RLS on the
// new tables, the business-unit cycle trigger, and onboarding's savepoint (a rejected request undoes its work).
let t: TestPlatform;
let tenantA: string, tenantB: string;
const host = systemContext(null, null, 'host');

beforeAll(async () => {
  t = await startTestPlatform();
  const accounts = t.platform.modules.accounts;
  tenantA = (await accounts.createTenant(host, { code: 'store-a', name: 'Store A' })).id;
  tenantB = (await accounts.createTenant(host, { code: 'store-b', name: 'Store B' })).id;
});
afterAll(async () => t?.close());

describe('accounts storage', () => {
  it('keeps contacts, addresses, billing profiles and onboarding requests inside their tenant and enterprise', async () => {
    const accounts = t.platform.modules.accounts;
    const a = systemContext(tenantA);
    const e1 = await accounts.createEnterprise(a, { customerId: 'S1', name: 'S1', contacts: [{ role: 'primary', name: 'P1' }], addresses: [{ lines: ['L'], city: 'C', country: 'FR' }] });
    const e2 = await accounts.createEnterprise(a, { customerId: 'S2', name: 'S2', contacts: [{ role: 'primary', name: 'P2' }] });
    await accounts.createBillingProfile(a, e2.id, { billingAccountNumber: 'SB2', billCycleDay: 1 });
    await t.platform.modules.accounts.onboarding.submit(a, 'enterprise-update', { customerId: 'S1', phone: '+33123456789' } as never);

    const { dbs } = t.platform.core;
    const asE1 = await dbs.tenant({ tenantId: tenantA, enterpriseId: e1.id }, async (tx) => ({
      contacts: (await sql<{ name: string }>`select name from account_contacts`.execute(tx)).rows.map((r) => r.name),
      addresses: (await sql`select 1 from account_addresses`.execute(tx)).rows.length,
      profiles: (await sql`select 1 from billing_profiles`.execute(tx)).rows.length,
    }));
    expect(asE1).toEqual({ contacts: ['P1'], addresses: 1, profiles: 0 });
    const asB = await dbs.tenant({ tenantId: tenantB }, async (tx) => ({
      contacts: (await sql`select 1 from account_contacts`.execute(tx)).rows.length,
      requests: (await sql`select 1 from onboarding_requests`.execute(tx)).rows.length,
    }));
    expect(asB).toEqual({ contacts: 0, requests: 0 });
    await expect(dbs.tenant({ tenantId: tenantB }, (tx) =>
      sql`insert into billing_profiles (tenant_id, enterprise_id, billing_account_number, name, bill_cycle_day, currency, time_zone, payment_terms_days)
          values (${tenantA}, ${e1.id}, 'X', 'X', 1, 'EUR', 'UTC', 30)`.execute(tx))).rejects.toThrow(/row-level security/);
  });

  it('refuses a business-unit cycle in the database', async () => {
    const accounts = t.platform.modules.accounts;
    const a = systemContext(tenantA);
    const e = await accounts.createEnterprise(a, { name: 'Tree' });
    const u1 = await accounts.createBusinessUnit(a, e.id, { name: 'U1' });
    const u2 = await accounts.createBusinessUnit(a, e.id, { name: 'U2', parentId: u1.id });
    await expect(t.platform.core.dbs.tenant({ tenantId: tenantA }, (tx) =>
      sql`update business_units set parent_id = ${u2.id} where id = ${u1.id}`.execute(tx))).rejects.toThrow(/own ancestor/);
  });

  it('applies an onboarding request, and rolls a rejected one back to its savepoint', async () => {
    const { onboarding } = t.platform.modules.accounts;
    const a = systemContext(tenantA);
    const ok = await onboarding.submit(a, 'enterprise', { customerId: 'OB-1', name: 'Onboarded', contacts: [], addresses: [], billingProfiles: [] });
    // Two billing profiles, the second of which collides with the first only when applied: the enterprise and the
    // first profile are created, then undone.
    const bad = await onboarding.submit(a, 'enterprise', {
      customerId: 'OB-2', name: 'Half', contacts: [], addresses: [],
      billingProfiles: [{ billingAccountNumber: 'OB-BAN', billCycleDay: 1, paymentTermsDays: 30 }, { billingAccountNumber: 'OB-BAN', billCycleDay: 2, paymentTermsDays: 30 }],
    });
    for (let i = 0; i < 10; i++) if ((await deliverDueEvents(t.platform.core.dbs, t.platform.core.bus, { maxAttempts: 3, backoff: () => 0 })) === 0) break;
    expect((await onboarding.get(a, ok.requestId)).status).toBe('COMPLETED');
    const rejected = await onboarding.get(a, bad.requestId);
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.errors).toEqual([{ field: 'billingAccountNumber', reason: 'is already used by another billing profile' }]);
    const left = await t.platform.core.dbs.tenant({ tenantId: tenantA }, (tx) =>
      sql<{ n: number }>`select (select count(*) from enterprises where customer_id = 'OB-2')::int + (select count(*) from billing_profiles where billing_account_number = 'OB-BAN')::int as n`.execute(tx));
    expect(left.rows[0].n).toBe(0);
  });
});
