import { z } from 'zod';
import { sql } from 'kysely';
import type { App } from '../http';
import type { Core } from '../core';
import { pageQuery, pageOf, paginate } from '../http/pagination';
import { replayDeliveries } from '../events/worker';
import { NotFoundError } from '../http/errors';

const auditEntry = z.object({
  id: z.number(), tenantId: z.string().nullable(), enterpriseId: z.string().nullable(),
  actorType: z.string(), actorId: z.string().nullable(), actorName: z.string().nullable(),
  action: z.string(), entityType: z.string(), entityId: z.string().nullable(),
  before: z.unknown().nullable(), after: z.unknown().nullable(), requestId: z.string().nullable(), ip: z.string().nullable(),
  at: z.date(),
});

const delivery = z.object({
  id: z.number(), subscriber: z.string(), status: z.string(), attempts: z.number(), lastError: z.string().nullable(),
  nextAttemptAt: z.date(), eventId: z.string(), type: z.string(), aggregateType: z.string(), aggregateId: z.string(),
  payload: z.unknown(), occurredAt: z.date(),
});

/**
 * Platform administration over the shared mechanisms: the audit trail (searchable by admins of the level it
 * belongs to) and the outbox dead-letter list with replay. Tenant-scoped reads run under RLS.
 */
export function registerPlatformRoutes(app: App, core: Core): void {
  const { dbs } = core;

  app.get('/api/v1/audit', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['audit'], summary: 'Search the audit trail',
      querystring: pageQuery.extend({
        entityType: z.string().optional(), entityId: z.string().optional(), action: z.string().optional(),
        actorId: z.string().optional(), from: z.coerce.date().optional(), to: z.coerce.date().optional(),
      }),
      response: { 200: pageOf(auditEntry) },
    },
  }, async (req) => {
    const q = req.query;
    const run = async (db: any, hostOnly: boolean) => {
      let query = db.selectFrom(sql`(select id, tenant_id as "tenantId", enterprise_id as "enterpriseId", actor_type as "actorType",
        actor_id as "actorId", actor_name as "actorName", action, entity_type as "entityType", entity_id as "entityId", before, after,
        request_id as "requestId", ip, at from audit_log ${hostOnly ? sql`where tenant_id is null` : sql``})`.as('a') as never).selectAll() as any;
      if (q.entityType) query = query.where('entityType', '=', q.entityType);
      if (q.entityId) query = query.where('entityId', '=', q.entityId);
      if (q.action) query = query.where('action', '=', q.action);
      if (q.actorId) query = query.where('actorId', '=', q.actorId);
      if (q.from) query = query.where('at', '>=', q.from);
      if (q.to) query = query.where('at', '<', q.to);
      return paginate(query, q, { at: 'at', id: 'id' }, '-at', 'id');
    };
    const ctx = req.ctx;
    if (ctx.tenantId) return dbs.tenant({ tenantId: ctx.tenantId, enterpriseId: ctx.enterpriseId }, (tx) => run(tx, false)) as never;
    return dbs.system((tx) => run(tx, true)) as never; // host admin without a tenant: host-level entries
  });

  const deliveriesQuery = pageQuery.extend({ status: z.enum(['PENDING', 'DONE', 'DEAD']).default('DEAD'), subscriber: z.string().optional() });
  app.get('/api/v1/events/deliveries', {
    config: { permission: 'events:manage' },
    schema: { tags: ['events'], summary: 'List event deliveries (default: the dead-letter list)', querystring: deliveriesQuery, response: { 200: pageOf(delivery) } },
  }, async (req) => {
    const q = req.query;
    const run = async (db: any) => {
      let query = db.selectFrom(sql`(select d.id, d.subscriber, d.status, d.attempts, d.last_error as "lastError",
          d.next_attempt_at as "nextAttemptAt", e.event_id::text as "eventId", e.type, e.aggregate_type as "aggregateType",
          e.aggregate_id as "aggregateId", e.payload, e.occurred_at as "occurredAt", d.tenant_id
        from outbox_deliveries d join outbox_events e on e.id = d.event_id)`.as('d')).selectAll()
        .where('status', '=', q.status);
      if (q.subscriber) query = query.where('subscriber', '=', q.subscriber);
      const page = await paginate(query, q, { id: 'id' }, '-id', 'id');
      return { ...page, items: page.items.map(({ tenant_id: _t, ...r }: any) => r) };
    };
    const tenantId = req.ctx.tenantId;
    return (tenantId ? dbs.tenant({ tenantId }, run) : dbs.system(run)) as never;
  });

  app.post('/api/v1/events/deliveries/replay', {
    config: { permission: 'events:manage' },
    schema: {
      tags: ['events'], summary: 'Put dead deliveries back in the queue',
      body: z.object({ ids: z.array(z.number().int().positive()).min(1).max(1000) }),
      response: { 200: z.object({ replayed: z.number() }) },
    },
  }, async (req) => {
    const replayed = await replayDeliveries(dbs, req.body.ids, req.ctx.tenantId);
    if (replayed === 0) throw new NotFoundError('dead delivery', req.body.ids.join(','));
    return { replayed };
  });

  app.get('/api/v1/jobs', {
    config: { permission: 'tenants:manage' },
    schema: {
      tags: ['events'], summary: 'Scheduled jobs and their last runs',
      response: { 200: z.object({ items: z.array(z.object({ name: z.string(), cron: z.string(), nextRunAt: z.date(), lastRunAt: z.date().nullable(),
        lastStatus: z.string().nullable(), lastError: z.string().nullable(), runs: z.number(), failures: z.number() })) }) },
    },
  }, async () => {
    const r = await sql<any>`select name, cron, next_run_at as "nextRunAt", last_run_at as "lastRunAt", last_status as "lastStatus",
        last_error as "lastError", runs, failures from job_schedules order by name`.execute(dbs.db);
    return { items: r.rows };
  });
}
