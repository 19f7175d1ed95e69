import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/db';
import type { DatabaseService } from '../../src/platform/db';
import { EventBus, deliverDueEvents, type StoredEvent } from '../../src/platform/events';

// Batch subscribers (EventBus.subscribeBatch): one call per round for all their due events, in event order; a
// failing batch is retried as a whole and parks as DEAD like single deliveries.
let dbs: DatabaseService;
let close: () => Promise<void>;
const T = '33333333-3333-4333-8333-333333333333';

beforeAll(async () => {
  ({ dbs, close } = await openTestDatabase());
  await sql`insert into tenants (id, code, name) values (${T}, 'batch', 'Batch')`.execute(dbs.db);
});
afterAll(async () => close());

describe('batch subscribers', () => {
  it('get all their due events in one call, in order, next to ordinary subscribers', async () => {
    const bus = new EventBus();
    const calls: string[][] = [];
    const single: string[] = [];
    bus.subscribeBatch('test.batch', 'batch.*', async (events: StoredEvent[]) => { calls.push(events.map((e) => e.aggregateId)); });
    bus.subscribe('test.single', 'batch.thing.done', async (e) => { single.push(e.aggregateId); });
    await dbs.tenant({ tenantId: T }, (tx) => bus.record(tx, Array.from({ length: 30 }, (_, i) => ({
      type: 'batch.thing.done', tenantId: T, aggregateType: 'thing', aggregateId: String(i), payload: {},
    }))));
    expect(await deliverDueEvents(dbs, bus, { maxAttempts: 3, batchSize: 100 })).toBe(60);
    expect(calls).toEqual([Array.from({ length: 30 }, (_, i) => String(i))]);
    expect(single).toHaveLength(30);
    const left = await sql<{ n: number }>`select count(*)::int as n from outbox_deliveries where status <> 'DONE' and subscriber like 'test.%'`.execute(dbs.db);
    expect(left.rows[0].n).toBe(0);
  });

  it('retries a failed batch as a whole and parks it as DEAD after maxAttempts', async () => {
    const bus = new EventBus();
    let calls = 0;
    bus.subscribeBatch('test.failing-batch', 'fail.*', async () => { calls++; throw new Error('target down'); });
    await dbs.tenant({ tenantId: T }, (tx) => bus.record(tx, [1, 2].map((i) => ({ type: 'fail.thing.done', tenantId: T, aggregateType: 'thing', aggregateId: `f${i}`, payload: {} }))));
    for (let i = 0; i < 3; i++) await deliverDueEvents(dbs, bus, { maxAttempts: 2, backoff: () => 0 });
    expect(calls).toBe(2);
    const rows = await sql<{ status: string; attempts: number; last_error: string }>`select status, attempts, last_error from outbox_deliveries
      where subscriber = 'test.failing-batch' order by id`.execute(dbs.db);
    expect(rows.rows).toEqual([{ status: 'DEAD', attempts: 2, last_error: 'target down' }, { status: 'DEAD', attempts: 2, last_error: 'target down' }]);
  });
});
