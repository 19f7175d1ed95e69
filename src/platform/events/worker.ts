import { sql } from 'kysely';
import type { DatabaseService } from '../db/database';
import type { EventBus, StoredEvent } from './outbox';

export interface OutboxWorkerOptions {
  maxAttempts: number;
  batchSize?: number;
  /** How long a claimed delivery stays invisible to other workers before it is tried again (crash safety). */
  leaseSeconds?: number;
  /** Backoff before attempt n+1, in seconds. */
  backoff?: (attempt: number) => number;
  onError?: (err: unknown, delivery: { id: number; subscriber: string; dead: boolean }) => void;
  onDelivered?: (delivery: { id: number; subscriber: string }) => void;
}

export const defaultBackoff = (attempt: number): number => Math.min(2 ** (attempt - 1) * 5, 3600);

interface ClaimedRow {
  id: number;
  subscriber: string;
  attempts: number;
  event_id: number;
  event_uuid: string;
  tenant_id: string | null;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: unknown;
  actor: StoredEvent['actor'];
  occurred_at: Date;
}

/**
 * Delivers due outbox deliveries once: claims a batch under a lease (SKIP LOCKED, so several processes share the
 * work), calls each subscriber outside any transaction, then marks it DONE, schedules a retry with backoff, or
 * parks it as DEAD after maxAttempts. Delivery is at least once; handlers are idempotent on eventId.
 * Returns how many deliveries it handled.
 */
export async function deliverDueEvents(dbs: DatabaseService, bus: EventBus, opts: OutboxWorkerOptions): Promise<number> {
  const lease = opts.leaseSeconds ?? 60;
  const claimed = await sql<ClaimedRow>`
    with due as (
      select id from outbox_deliveries
       where status = 'PENDING' and next_attempt_at <= now()
       order by id limit ${opts.batchSize ?? 100}
       for update skip locked)
    update outbox_deliveries d
       set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${lease}), updated_at = now()
      from due, outbox_events e
     where d.id = due.id and e.id = d.event_id
    returning d.id, d.subscriber, d.attempts, e.id as event_id, e.event_id as event_uuid, e.tenant_id, e.type,
              e.aggregate_type, e.aggregate_id, e.payload, e.actor, e.occurred_at`.execute(dbs.db);
  const rows = claimed.rows.sort((a, b) => a.id - b.id);
  const backoff = opts.backoff ?? defaultBackoff;
  const eventOf = (row: ClaimedRow): StoredEvent => ({
    id: row.event_id,
    eventId: row.event_uuid,
    tenantId: row.tenant_id,
    type: row.type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    actor: row.actor,
    occurredAt: row.occurred_at,
  });
  // Batch subscribers get one call for all their rows; on failure each row retries as usual.
  const batched = new Map<string, ClaimedRow[]>();
  for (const row of rows) if (bus.batchHandler(row.subscriber)) batched.set(row.subscriber, [...(batched.get(row.subscriber) ?? []), row]);
  const delivered: ClaimedRow[] = [];
  const failed: { row: ClaimedRow; err: unknown }[] = [];
  for (const [name, list] of batched) {
    try {
      await bus.batchHandler(name)!(list.map(eventOf));
      delivered.push(...list);
    } catch (err) {
      for (const row of list) failed.push({ row, err });
    }
  }
  for (const row of rows) {
    if (batched.has(row.subscriber)) continue;
    const handler = bus.handler(row.subscriber);
    const event = eventOf(row);
    try {
      if (!handler) throw new Error(`no subscriber named ${row.subscriber} in this process`);
      await handler(event);
      delivered.push(row);
    } catch (err) {
      failed.push({ row, err });
    }
  }
  // One statement marks the round's deliveries done. Should the process stop before it, they run again when
  // their lease ends: delivery is at least once, and subscribers are idempotent on eventId.
  if (delivered.length) {
    await sql`update outbox_deliveries set status = 'DONE', delivered_at = now(), last_error = null, updated_at = now()
               where id = any(${delivered.map((r) => r.id)}::bigint[])`.execute(dbs.db);
    for (const r of delivered) opts.onDelivered?.({ id: r.id, subscriber: r.subscriber });
  }
  // A failed delivery waits its backoff, or is parked as DEAD after its last attempt.
  for (const { row, err } of failed) {
    const dead = row.attempts >= opts.maxAttempts;
    const message = err instanceof Error ? err.message : String(err);
    await sql`update outbox_deliveries
                 set status = ${dead ? 'DEAD' : 'PENDING'}, last_error = ${message.slice(0, 2000)},
                     next_attempt_at = now() + make_interval(secs => ${backoff(row.attempts)}), updated_at = now()
               where id = ${row.id}`.execute(dbs.db);
    opts.onError?.(err, { id: row.id, subscriber: row.subscriber, dead });
  }
  return rows.length;
}

/** Puts dead (or pending) deliveries back in the queue for an immediate new series of attempts. */
export async function replayDeliveries(dbs: DatabaseService, ids: number[], tenantId: string | null): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await sql`update outbox_deliveries
       set status = 'PENDING', attempts = 0, next_attempt_at = now(), updated_at = now()
     where id = any(${ids}::bigint[]) and status = 'DEAD'
       and (${tenantId}::uuid is null or tenant_id = ${tenantId}::uuid)`.execute(dbs.db);
  return Number(res.numAffectedRows ?? 0);
}

/** Seconds between now and the oldest pending delivery that is due: the outbox lag metric. */
export async function outboxLagSeconds(dbs: DatabaseService): Promise<number> {
  const r = await sql<{ lag: number | null }>`
    select extract(epoch from now() - min(e.occurred_at))::float8 as lag
      from outbox_deliveries d join outbox_events e on e.id = d.event_id
     where d.status = 'PENDING' and d.next_attempt_at <= now()`.execute(dbs.db);
  return Math.max(0, r.rows[0]?.lag ?? 0);
}
