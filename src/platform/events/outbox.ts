import { sql } from 'kysely';
import type { Tx } from '../db/database';

/** A domain event as a module records it. Types are `<module>.<object>.<past tense>`, e.g. `accounts.enterprise.created`. */
export interface DomainEvent<P = unknown> {
  type: string;
  tenantId: string | null;
  aggregateType: string;
  aggregateId: string;
  payload: P;
}

export interface Actor {
  type: 'user' | 'api_key' | 'system';
  id: string | null;
  name?: string | null;
}

/** An event as a subscriber receives it. */
export interface StoredEvent<P = unknown> extends DomainEvent<P> {
  id: number;
  eventId: string;
  actor: Actor | null;
  occurredAt: Date;
}

export type EventHandler = (event: StoredEvent) => Promise<void>;
/** A subscriber that takes its due events in batches (one call, one DONE update for many events). */
export type BatchEventHandler = (events: StoredEvent[]) => Promise<void>;

interface Subscription {
  name: string;
  pattern: string;
  handler: EventHandler;
  batch?: BatchEventHandler;
}

/**
 * Subscribers are registered in code at start-up (every process registers the same set), so the deliveries a
 * new event needs are known in the transaction that records it.
 */
export class EventBus {
  private readonly subs = new Map<string, Subscription>();

  /** `pattern` is an exact type, a prefix ending in `.*`, or `*`. The name must stay stable across releases. */
  subscribe(name: string, pattern: string, handler: EventHandler): void {
    if (this.subs.has(name)) throw new Error(`subscriber ${name} is registered twice`);
    this.subs.set(name, { name, pattern, handler });
  }

  /**
   * Like subscribe, but the worker hands over every due event of this subscriber in one call (in event order);
   * a throw retries the whole batch. For high-volume fan-out where a call per event would be the bottleneck.
   */
  subscribeBatch(name: string, pattern: string, handler: BatchEventHandler): void {
    if (this.subs.has(name)) throw new Error(`subscriber ${name} is registered twice`);
    this.subs.set(name, { name, pattern, handler: (e) => handler([e]), batch: handler });
  }

  batchHandler(name: string): BatchEventHandler | undefined {
    return this.subs.get(name)?.batch;
  }

  subscribersOf(type: string): string[] {
    const out: string[] = [];
    for (const s of this.subs.values()) if (matches(s.pattern, type)) out.push(s.name);
    return out;
  }

  handler(name: string): EventHandler | undefined {
    return this.subs.get(name)?.handler;
  }

  /**
   * Records events in the caller's transaction, with one pending delivery per matching subscriber.
   * Two statements whatever the number of events.
   */
  async record(tx: Tx, events: DomainEvent | DomainEvent[], actor: Actor | null = null): Promise<number[]> {
    const list = Array.isArray(events) ? events : [events];
    if (list.length === 0) return [];
    const rows = await sql<{ id: number; type: string; tenant_id: string | null }>`
      insert into outbox_events (tenant_id, type, aggregate_type, aggregate_id, payload, actor)
      select * from unnest(${list.map((e) => e.tenantId)}::uuid[], ${list.map((e) => e.type)}::text[],
                           ${list.map((e) => e.aggregateType)}::text[], ${list.map((e) => e.aggregateId)}::text[],
                           ${list.map((e) => JSON.stringify(e.payload ?? {}))}::jsonb[],
                           ${list.map(() => (actor ? JSON.stringify(actor) : null))}::jsonb[])
      returning id, type, tenant_id`.execute(tx);
    const ids: number[] = [], tenants: (string | null)[] = [], names: string[] = [];
    for (const r of rows.rows) {
      for (const name of this.subscribersOf(r.type)) {
        ids.push(r.id);
        tenants.push(r.tenant_id);
        names.push(name);
      }
    }
    if (names.length) {
      await sql`insert into outbox_deliveries (event_id, tenant_id, subscriber)
                select * from unnest(${ids}::bigint[], ${tenants}::uuid[], ${names}::text[])`.execute(tx);
    }
    return rows.rows.map((r) => r.id);
  }
}

function matches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
