import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/db';
import type { DatabaseService } from '../../src/platform/db';
import { recordAudit } from '../../src/platform/audit';

let dbs: DatabaseService;
let close: () => Promise<void>;
const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const E1 = '33333333-3333-4333-8333-333333333333';
const origin = { actor: { type: 'user' as const, id: 'u1', name: 'Ann' }, requestId: 'r1', ip: '127.0.0.1' };

beforeAll(async () => {
  ({ dbs, close } = await openTestDatabase());
  await sql`insert into tenants (id, code, name) values (${T1}, 'one', 'One'), (${T2}, 'two', 'Two')`.execute(dbs.db);
});
afterAll(async () => close());

describe('audit trail', () => {
  it('records who, what, before and after with secrets redacted, and is append-only', async () => {
    await dbs.tenant({ tenantId: T1 }, (tx) => recordAudit(tx, origin, {
      tenantId: T1, enterpriseId: E1, action: 'update', entityType: 'user', entityId: 'u2',
      before: { name: 'Bob', password: 'hunter2' }, after: { name: 'Robert', nested: { apiKey: 'cmpk_x' } },
    }));
    const rows = await dbs.tenant({ tenantId: T1 }, (tx) => sql<{ before: any; after: any; actor_name: string; ip: string }>`
      select before, after, actor_name, ip from audit_log`.execute(tx));
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].before).toEqual({ name: 'Bob', password: '[redacted]' });
    expect(rows.rows[0].after).toEqual({ name: 'Robert', nested: { apiKey: '[redacted]' } });
    expect(rows.rows[0]).toMatchObject({ actor_name: 'Ann', ip: '127.0.0.1' });
    await expect(sql`update audit_log set action = 'forged'`.execute(dbs.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(dbs.db)).rejects.toThrow(/append-only/);
  });

  it('shows each tenant and enterprise only its own entries', async () => {
    await dbs.tenant({ tenantId: T2 }, (tx) => recordAudit(tx, origin, { tenantId: T2, action: 'create', entityType: 'x', entityId: '1' }));
    const t1 = await dbs.tenant({ tenantId: T1 }, (tx) => sql`select * from audit_log`.execute(tx));
    const t2 = await dbs.tenant({ tenantId: T2 }, (tx) => sql`select * from audit_log`.execute(tx));
    const otherEnterprise = await dbs.tenant({ tenantId: T1, enterpriseId: '44444444-4444-4444-8444-444444444444' }, (tx) => sql`select * from audit_log`.execute(tx));
    expect([t1.rows.length, t2.rows.length, otherEnterprise.rows.length]).toEqual([1, 1, 0]);
    await expect(dbs.tenant({ tenantId: T1 }, (tx) => recordAudit(tx, origin, { tenantId: T2, action: 'x', entityType: 'x', entityId: null })))
      .rejects.toThrow(/row-level security/);
  });
});
