import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/db';
import type { DatabaseService } from '../../src/platform/db';

// Storage contract for identity's users table on both back ends: host users (no tenant) are invisible and
// unwritable from any tenant scope, enterprise scopes see only their enterprise, and the role level is enforced.
let dbs: DatabaseService;
let close: () => Promise<void>;
const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
let e1: string, e1b: string, e2: string;

beforeAll(async () => {
  ({ dbs, close } = await openTestDatabase());
  await dbs.system(async (tx) => {
    await sql`insert into tenants (id, code, name) values (${T1}, 'one', 'One'), (${T2}, 'two', 'Two')`.execute(tx);
    const r = await sql<{ id: string; customer_id: string }>`insert into enterprises (tenant_id, customer_id, name)
      values (${T1}, 'A', 'A'), (${T1}, 'B', 'B'), (${T2}, 'C', 'C') returning id, customer_id`.execute(tx);
    const by = Object.fromEntries(r.rows.map((x) => [x.customer_id, x.id]));
    [e1, e1b, e2] = [by.A, by.B, by.C];
    await sql`insert into users (email, name, role, tenant_id, enterprise_id, password_hash) values
      ('host@x.test', 'Host', 'host_admin', null, null, 'h'),
      ('t1admin@x.test', 'T1', 'tenant_admin', ${T1}, null, 'h'),
      ('e1user@x.test', 'E1', 'enterprise_user', ${T1}, ${e1}, 'h'),
      ('e1buser@x.test', 'E1b', 'enterprise_user', ${T1}, ${e1b}, 'h'),
      ('t2admin@x.test', 'T2', 'tenant_admin', ${T2}, null, 'h'),
      ('e2user@x.test', 'E2', 'enterprise_user', ${T2}, ${e2}, 'h')`.execute(tx);
  });
});
afterAll(async () => close());

const emails = (rows: { email: string }[]) => rows.map((r) => r.email).sort();

describe('users under row-level security', () => {
  it('shows a tenant its own users only, never host users', async () => {
    const r = await dbs.tenant({ tenantId: T1 }, (tx) => sql<{ email: string }>`select email from users`.execute(tx));
    expect(emails(r.rows)).toEqual(['e1buser@x.test', 'e1user@x.test', 't1admin@x.test']);
  });

  it('shows an enterprise its own users only, not the tenant staff', async () => {
    const r = await dbs.tenant({ tenantId: T1, enterpriseId: e1 }, (tx) => sql<{ email: string }>`select email from users`.execute(tx));
    expect(emails(r.rows)).toEqual(['e1user@x.test']);
  });

  it('refuses writes of host rows and of other tenants\' or enterprises\' rows', async () => {
    await expect(dbs.tenant({ tenantId: T1 }, (tx) => sql`insert into users (email, name, role, password_hash)
      values ('evil@x.test', 'Evil', 'host_admin', 'h')`.execute(tx))).rejects.toThrow(/row-level security/);
    await expect(dbs.tenant({ tenantId: T1, enterpriseId: e1 }, (tx) => sql`insert into users (email, name, role, tenant_id, enterprise_id, password_hash)
      values ('evil2@x.test', 'Evil', 'enterprise_admin', ${T1}, ${e1b}, 'h')`.execute(tx))).rejects.toThrow(/row-level security/);
    const u = await dbs.tenant({ tenantId: T1 }, (tx) => sql`update users set role = 'tenant_admin', enterprise_id = null where tenant_id is null or tenant_id = ${T2}`.execute(tx));
    expect(Number(u.numAffectedRows)).toBe(0);
  });

  it('enforces the role level, the enterprise\'s tenant and case-insensitive unique e-mail', async () => {
    await expect(dbs.system((tx) => sql`insert into users (email, name, role, tenant_id, password_hash) values ('x1@x.test', 'X', 'enterprise_user', ${T1}, 'h')`.execute(tx)))
      .rejects.toThrow(/users_role_level/);
    await expect(dbs.system((tx) => sql`insert into users (email, name, role, tenant_id, password_hash) values ('x2@x.test', 'X', 'host_admin', ${T1}, 'h')`.execute(tx)))
      .rejects.toThrow(/users_role_level/);
    await expect(dbs.system((tx) => sql`insert into users (email, name, role, tenant_id, enterprise_id, password_hash) values ('x3@x.test', 'X', 'enterprise_user', ${T1}, ${e2}, 'h')`.execute(tx)))
      .rejects.toThrow(/foreign key/);
    await expect(dbs.system((tx) => sql`insert into users (email, name, role, password_hash) values ('Host@X.test', 'X', 'host_admin', 'h')`.execute(tx)))
      .rejects.toThrow(/check constraint|users_email/); // stored lower-case only
    await expect(dbs.system((tx) => sql`insert into users (email, name, role, password_hash) values ('host@x.test', 'X', 'host_admin', 'h')`.execute(tx)))
      .rejects.toThrow(/users_email/);
  });
});
