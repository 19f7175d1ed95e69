import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { seedDemo, DEMO_PASSWORD, DEMO_USERS } from '../../src/cli/seed-demo';

let t: TestPlatform;
beforeAll(async () => { t = await startTestPlatform(); });
afterAll(async () => t?.close());

describe('demo seed', () => {
  it('creates the demo tenant, enterprise, units, billing profile and users once, however often it runs', async () => {
    const lines: string[] = [];
    await seedDemo(t.platform, (l) => lines.push(l));
    await seedDemo(t.platform, () => {});
    const db = t.platform.core.dbs.db;
    const tenants = await sql<{ id: string; name: string; plmns: string[] }>`select id, name, plmns from tenants where code = 'demo'`.execute(db);
    expect(tenants.rows).toHaveLength(1);
    expect(tenants.rows[0]).toMatchObject({ name: 'Demo Telecom', plmns: ['00101', '00102'] });
    const tenantId = tenants.rows[0].id;
    const ents = await sql<{ id: string; name: string }>`select id, name from enterprises where tenant_id = ${tenantId}`.execute(db);
    expect(ents.rows.map((e) => e.name)).toEqual(['Acme Logistics']);
    const units = await sql<{ name: string }>`select name from business_units where tenant_id = ${tenantId} order by name`.execute(db);
    expect(units.rows.map((u) => u.name)).toEqual(['Fleet', 'Warehouses']);
    const bps = await sql<{ credit_limit: number }>`select credit_limit from billing_profiles where tenant_id = ${tenantId}`.execute(db);
    expect(bps.rows).toEqual([{ credit_limit: 5_000_000_000 }]);
    const users = await sql<{ email: string; role: string; tenant_id: string | null; enterprise_id: string | null }>`
      select email, role, tenant_id, enterprise_id from users where email like '%.local' order by email`.execute(db);
    expect(users.rows).toHaveLength(DEMO_USERS.length);
    expect(users.rows.find((u) => u.email === 'viewer@acme.local')).toMatchObject({ role: 'enterprise_user', tenant_id: tenantId, enterprise_id: ents.rows[0].id });
    expect(users.rows.find((u) => u.email === 'admin@opencmp.local')).toMatchObject({ role: 'host_admin', tenant_id: null });

    // The printed password works: log-in goes on to TOTP enrolment.
    expect(lines.join('\n')).toContain(DEMO_PASSWORD);
    for (const u of DEMO_USERS) expect(lines.join('\n')).toContain(u.email);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@acme.local', password: DEMO_PASSWORD } });
    expect(login.statusCode).toBe(200);
    expect(login.json().status).toBe('mfa_enrollment_required');
  });
});
