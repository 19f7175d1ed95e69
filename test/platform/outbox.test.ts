import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/db';
import type { DatabaseService } from '../../src/platform/db';
import { EventBus, deliverDueEvents, replayDeliveries, outboxLagSeconds, Scheduler, type StoredEvent } from '../../src/platform/events';

let dbs: DatabaseService;
let close: () => Promise<void>;
const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';

beforeAll(async () => {
  ({ dbs, close } = await openTestDatabase());
  await sql`insert into tenants (id, code, name) values (${T1}, 'one', 'One'), (${T2}, 'two', 'Two')`.execute(dbs.db);
});
afterAll(async () => close());

const noWait = () => 0; // retry immediately in tests

describe('transactional outbox', () => {
  it('records nothing when the change rolls back, and delivers committed events to each subscriber once', async () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe('test.audit-all', 'test.*', async (e) => { seen.push(`all:${e.type}:${e.aggregateId}`); });
    bus.subscribe('test.only-created', 'test.thing.created', async (e) => { seen.push(`created:${e.aggregateId}`); });
    await expect(dbs.tenant({ tenantId: T1 }, async (tx) => {
      await bus.record(tx, { type: 'test.thing.created', tenantId: T1, aggregateType: 'thing', aggregateId: 'rolled-back', payload: {} });
      throw new Error('change failed');
    })).rejects.toThrow('change failed');
    await dbs.tenant({ tenantId: T1 }, (tx) => bus.record(tx, [
      { type: 'test.thing.created', tenantId: T1, aggregateType: 'thing', aggregateId: 'a', payload: { n: 1 } },
      { type: 'test.thing.renamed', tenantId: T1, aggregateType: 'thing', aggregateId: 'a', payload: { n: 2 } },
    ], { type: 'user', id: 'u1', name: 'Ann' }));
    expect(await deliverDueEvents(dbs, bus, { maxAttempts: 3 })).toBe(3);
    expect(seen.sort()).toEqual(['all:test.thing.created:a', 'all:test.thing.renamed:a', 'created:a']);
    expect(await deliverDueEvents(dbs, bus, { maxAttempts: 3 })).toBe(0);
  });

  it('retries a failing subscriber with backoff, parks it as DEAD, and replays it', async () => {
    const bus = new EventBus();
    let failures = 2 + 3; // fails through three attempts (dead), then twice more after replay
    const delivered: StoredEvent[] = [];
    bus.subscribe('test.flaky', 'test.flaky.happened', async (e) => {
      if (failures-- > 0) throw new Error('target down');
      delivered.push(e);
    });
    await dbs.tenant({ tenantId: T2 }, (tx) => bus.record(tx, { type: 'test.flaky.happened', tenantId: T2, aggregateType: 'x', aggregateId: '1', payload: { ok: true } }));
    const opts = { maxAttempts: 3, backoff: noWait };
    for (let i = 0; i < 3; i++) await deliverDueEvents(dbs, bus, opts);
    const dead = await sql<{ id: number; status: string; attempts: number; last_error: string }>`
      select id, status, attempts, last_error from outbox_deliveries where subscriber = 'test.flaky'`.execute(dbs.db);
    expect(dead.rows[0]).toMatchObject({ status: 'DEAD', attempts: 3, last_error: 'target down' });
    expect(await deliverDueEvents(dbs, bus, opts)).toBe(0); // dead deliveries are not retried on their own

    // Another tenant cannot replay it; its own tenant (or the platform) can.
    expect(await replayDeliveries(dbs, [dead.rows[0].id], T1)).toBe(0);
    expect(await replayDeliveries(dbs, [dead.rows[0].id], T2)).toBe(1);
    for (let i = 0; i < 3; i++) await deliverDueEvents(dbs, bus, opts);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].payload).toEqual({ ok: true });
    const done = await sql<{ status: string }>`select status from outbox_deliveries where id = ${dead.rows[0].id}`.execute(dbs.db);
    expect(done.rows[0].status).toBe('DONE');
  });

  it('waits with exponential backoff between attempts', async () => {
    const bus = new EventBus();
    bus.subscribe('test.slow', 'test.slow.happened', async () => { throw new Error('nope'); });
    await dbs.tenant({ tenantId: T1 }, (tx) => bus.record(tx, { type: 'test.slow.happened', tenantId: T1, aggregateType: 'x', aggregateId: '2', payload: {} }));
    await deliverDueEvents(dbs, bus, { maxAttempts: 5 });
    expect(await deliverDueEvents(dbs, bus, { maxAttempts: 5 })).toBe(0); // not due yet
    const r = await sql<{ wait: number }>`select extract(epoch from next_attempt_at - now())::float8 as wait
      from outbox_deliveries where subscriber = 'test.slow'`.execute(dbs.db);
    expect(r.rows[0].wait).toBeGreaterThan(3);
  });

  it('shares work between concurrent workers without delivering twice', async () => {
    const bus = new EventBus();
    const counts = new Map<string, number>();
    bus.subscribe('test.count', 'test.count.happened', async (e) => { counts.set(e.aggregateId, (counts.get(e.aggregateId) ?? 0) + 1); });
    await dbs.tenant({ tenantId: T1 }, (tx) => bus.record(tx, Array.from({ length: 200 }, (_, i) =>
      ({ type: 'test.count.happened', tenantId: T1, aggregateType: 'x', aggregateId: `n${i}`, payload: {} }))));
    await Promise.all([1, 2, 3, 4].map(() => deliverDueEvents(dbs, bus, { maxAttempts: 3, batchSize: 60 })));
    while (await deliverDueEvents(dbs, bus, { maxAttempts: 3 })) { /* drain */ }
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
  });

  it('keeps tenants apart in the outbox tables', async () => {
    const visible = await dbs.tenant({ tenantId: T1 }, (tx) => sql<{ tenant_id: string }>`select distinct tenant_id from outbox_events`.execute(tx));
    expect(visible.rows.map((r) => r.tenant_id)).toEqual([T1]);
    expect(await outboxLagSeconds(dbs)).toBeGreaterThanOrEqual(0);
  });
});

describe('scheduled jobs', () => {
  it('runs a due job once across several processes and moves to the next run', async () => {
    const runs: string[] = [];
    const schedulers = [1, 2, 3].map((n) => {
      const s = new Scheduler();
      s.register({ name: 'test.nightly', cron: '0 2 * * *', run: async () => { runs.push(`p${n}`); } });
      return s;
    });
    const start = new Date('2026-11-20T12:00:00Z');
    for (const s of schedulers) await s.sync(dbs, start);
    const due = new Date('2026-11-21T02:00:30Z');
    await Promise.all(schedulers.map((s) => s.runDue(dbs, due)));
    expect(runs).toHaveLength(1);
    await Promise.all(schedulers.map((s) => s.runDue(dbs, new Date('2026-11-21T10:00:00Z'))));
    expect(runs).toHaveLength(1);
    const row = await sql<{ next_run_at: Date; runs: number }>`select next_run_at, runs from job_schedules where name = 'test.nightly'`.execute(dbs.db);
    expect(row.rows[0].next_run_at.toISOString()).toBe('2026-11-22T02:00:00.000Z');
    expect(row.rows[0].runs).toBe(1);
  });

  it('records a failing run and keeps the schedule going', async () => {
    const s = new Scheduler();
    s.register({ name: 'test.failing', cron: '*/5 * * * *', run: async () => { throw new Error('boom'); } });
    await s.sync(dbs, new Date('2026-11-20T12:00:00Z'));
    const errors: string[] = [];
    await s.runDue(dbs, new Date('2026-11-20T12:05:00Z'), (name) => errors.push(name));
    expect(errors).toEqual(['test.failing']);
    const row = await sql<{ last_status: string; last_error: string; failures: number }>`
      select last_status, last_error, failures from job_schedules where name = 'test.failing'`.execute(dbs.db);
    expect(row.rows[0]).toMatchObject({ last_status: 'FAILED', last_error: 'boom', failures: 1 });
  });

  it('refuses a bad cron expression at registration', () => {
    expect(() => new Scheduler().register({ name: 'bad', cron: 'every day', run: async () => {} })).toThrow();
  });
});
