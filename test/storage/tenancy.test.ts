import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/db';
import type { DatabaseService } from '../../src/platform/db';

// Storage contract: row-level security holds on both back ends (PostgreSQL and PGlite), straight through
// the data layer, even for queries that "forget" their WHERE clause.
let dbs: DatabaseService;
let close: () => Promise<void>;
const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
let e1: string, e2: string, e1b: string;

beforeAll(async () => {
  ({ dbs, close } = await openTestDatabase());
  await dbs.system(async (tx) => {
    await sql`insert into tenants (id, code, name) values (${T1}, 'one', 'One'), (${T2}, 'two', 'Two')`.execute(tx);
    const r = await sql<{ id: string; customer_id: string }>`insert into enterprises (tenant_id, customer_id, name)
      values (${T1}, 'C1', 'Acme'), (${T1}, 'C1B', 'Beta'), (${T2}, 'C2', 'Other') returning id, customer_id`.execute(tx);
    const byCustomer = Object.fromEntries(r.rows.map((x) => [x.customer_id, x.id]));
    [e1, e1b, e2] = [byCustomer.C1, byCustomer.C1B, byCustomer.C2];
  });
});
afterAll(async () => close());

describe('row-level security', () => {
  it('shows a tenant only its own rows, whatever the query asks for', async () => {
    const rows = await dbs.tenant({ tenantId: T1 }, (tx) => sql<{ name: string }>`select name from enterprises order by name`.execute(tx));
    expect(rows.rows.map((r) => r.name)).toEqual(['Acme', 'Beta']);
    const other = await dbs.tenant({ tenantId: T1 }, (tx) => sql`select * from enterprises where tenant_id = ${T2}`.execute(tx));
    expect(other.rows).toHaveLength(0);
    const tenants = await dbs.tenant({ tenantId: T1 }, (tx) => sql<{ code: string }>`select code from tenants`.execute(tx));
    expect(tenants.rows.map((r) => r.code)).toEqual(['one']);
  });

  it('shows an enterprise only its own enterprise inside the tenant', async () => {
    const rows = await dbs.tenant({ tenantId: T1, enterpriseId: e1 }, (tx) => sql<{ id: string }>`select id from enterprises`.execute(tx));
    expect(rows.rows.map((r) => r.id)).toEqual([e1]);
  });

  it('refuses writes into another tenant or enterprise', async () => {
    await expect(dbs.tenant({ tenantId: T1 }, (tx) =>
      sql`insert into enterprises (tenant_id, customer_id, name) values (${T2}, 'X', 'Sneaky')`.execute(tx))).rejects.toThrow(/row-level security/);
    await expect(dbs.tenant({ tenantId: T1, enterpriseId: e1 }, (tx) =>
      sql`insert into business_units (tenant_id, enterprise_id, unit_id, name) values (${T1}, ${e1b}, 'U', 'Unit')`.execute(tx))).rejects.toThrow(/row-level security/);
    const updated = await dbs.tenant({ tenantId: T1 }, (tx) => sql`update enterprises set name = 'Hijacked' where id = ${e2}`.execute(tx));
    expect(Number(updated.numAffectedRows)).toBe(0);
    const name = await dbs.system((tx) => sql<{ name: string }>`select name from enterprises where id = ${e2}`.execute(tx));
    expect(name.rows[0].name).toBe('Other');
  });

  it('shows nothing when no tenant is set in the scope', async () => {
    const rows = await dbs.db.transaction().execute(async (tx) => {
      await sql`select set_config('role', 'cmp_app', true)`.execute(tx);
      return sql`select * from enterprises`.execute(tx);
    });
    expect(rows.rows).toHaveLength(0);
  });

  it('does not leak the scope of one transaction into the next', async () => {
    await dbs.tenant({ tenantId: T1 }, (tx) => sql`select 1`.execute(tx));
    const setting = await sql<{ t: string | null }>`select current_setting('cmp.tenant_id', true) as t`.execute(dbs.db);
    expect(setting.rows[0].t ?? '').toBe('');
  });
});
