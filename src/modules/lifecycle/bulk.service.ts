import { sql } from 'kysely';
import type { Core } from '../../platform/core';
import { enterScope, type Tx } from '../../platform/db';
import type { Actor } from '../../platform/events';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, type RequestContext } from '../../platform/auth';
import { NotFoundError, ValidationError, paginate, type PageQuery } from '../../platform/http';
import type { SimFilter, SimStateAccess } from '../inventory/sim-state.repo';
import { STATE_ACTIONS, VALUE_ACTIONS, bulkResultCsv, parseIdentifierCsv, partyOf, type ChangeAction, type Party } from './lifecycle.fns';
import { LIFECYCLE_EVENTS } from './lifecycle.events';
import type { ChangeParams, ChangeRequest, LifecycleService } from './lifecycle.service';

export interface BulkJobInput {
  action: ChangeAction;
  params?: ChangeParams;
  reason?: string | null;
  at?: string | null;
  simIds?: string[];
  csv?: string;
  filter?: SimFilter;
}

const MAX_ITEMS = 500_000;
const INSERT_CHUNK = 10_000;

function publicJob(j: Record<string, unknown>) {
  const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
  const params = { ...((j.params ?? {}) as Record<string, unknown>) };
  delete params.party;
  return {
    id: j.id as string, action: j.action as string, params, source: j.source as string, status: j.status as string,
    total: j.total as number, processed: j.processed as number, succeeded: j.succeeded as number, failed: j.failed as number,
    progress: (j.total as number) ? Math.round(((j.processed as number) / (j.total as number)) * 1000) / 10 : 100,
    scheduledFor: iso(j.scheduled_for), createdAt: iso(j.created_at)!, startedAt: iso(j.started_at), finishedAt: iso(j.finished_at),
    createdBy: j.created_by ?? null, detail: (j.detail as string | null) ?? null,
  };
}
export type PublicBulkJob = ReturnType<typeof publicJob>;

/**
 * Bulk actions: the same change for a list of SIMs, a CSV of identifiers or a filter, run as a job in chunks
 * (a few statements per chunk) with progress, a per-SIM outcome and a downloadable result.
 */
export function createBulkService(core: Core, deps: { sims: SimStateAccess; lifecycle: LifecycleService }) {
  const { dbs, bus } = core;

  return {
    async createJob(ctx: RequestContext, input: BulkJobInput) {
      const scope = scopeOf(ctx);
      const sources = [input.simIds ? 'simIds' : null, input.csv !== undefined ? 'csv' : null, input.filter ? 'filter' : null].filter(Boolean);
      if (sources.length !== 1) throw ValidationError.field('simIds', 'give exactly one of simIds, csv or filter');
      if (![...STATE_ACTIONS, ...VALUE_ACTIONS].includes(input.action as never)) throw ValidationError.field('action', 'is not a SIM action');
      const at = input.at ? new Date(input.at) : null;
      if (at && Number.isNaN(at.getTime())) throw ValidationError.field('at', 'must be an ISO date-time');
      let identifiers: string[];
      let source: 'LIST' | 'CSV' | 'FILTER';
      if (input.csv !== undefined) {
        const parsed = parseIdentifierCsv(input.csv);
        if (parsed.errors.length) {
          throw new ValidationError(`the CSV has ${parsed.errors.length} bad line(s); nothing was started`,
            parsed.errors.map((e) => ({ field: `csv.line ${e.line}.${e.field}`, reason: e.reason })));
        }
        identifiers = parsed.identifiers;
        source = 'CSV';
      } else if (input.simIds) {
        identifiers = [...new Set(input.simIds)];
        source = 'LIST';
      } else {
        identifiers = await dbs.tenant(scope, (tx) => deps.sims.simIdsMatching(tx, scope.tenantId, input.filter!, MAX_ITEMS + 1));
        source = 'FILTER';
      }
      if (identifiers.length === 0) throw ValidationError.field(sources[0]!, 'names no SIM');
      if (identifiers.length > MAX_ITEMS) throw ValidationError.field(sources[0]!, `names more than ${MAX_ITEMS} SIMs; split the job`);

      const now = core.now();
      const party: Party = partyOf(ctx.principal);
      return dbs.tenant(scope, async (tx) => {
        const job = await tx.insertInto('bulk_jobs').values({
          tenant_id: scope.tenantId, enterprise_id: scope.enterpriseId ?? null, action: input.action,
          params: JSON.stringify({ ...(input.params ?? {}), reason: input.reason ?? null, party }), source, total: identifiers.length,
          scheduled_for: at, created_by: JSON.stringify(actorOf(ctx)), created_at: now,
        }).returningAll().executeTakeFirstOrThrow();
        for (let i = 0; i < identifiers.length; i += INSERT_CHUNK) {
          const slice = identifiers.slice(i, i + INSERT_CHUNK);
          const found = await deps.sims.findSimsByIdentifiers(tx, scope.tenantId, slice);
          await sql`insert into bulk_job_items (tenant_id, job_id, seq, enterprise_id, identifier, sim_id)
            select ${scope.tenantId}::uuid, ${job.id}::uuid, v.seq, v.enterprise_id, v.identifier, v.sim_id
              from unnest(${slice.map((_, k) => i + k + 1)}::int[], ${slice.map((x) => found.get(x)?.enterprise_id ?? scope.enterpriseId ?? null)}::uuid[],
                          ${slice}::text[], ${slice.map((x) => found.get(x)?.id ?? null)}::uuid[]) as v(seq, enterprise_id, identifier, sim_id)`.execute(tx);
        }
        await bus.record(tx, { type: LIFECYCLE_EVENTS.bulkJobCreated, tenantId: scope.tenantId, aggregateType: 'bulk_job', aggregateId: job.id,
          payload: { jobId: job.id, action: input.action, total: identifiers.length } }, actorOf(ctx));
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, enterpriseId: scope.enterpriseId, action: 'create', entityType: 'bulk_job', entityId: job.id,
          after: { action: input.action, source, total: identifiers.length, at: input.at ?? null } });
        return publicJob(job);
      });
    },

    async getJob(ctx: RequestContext, id: string) {
      const scope = scopeOf(ctx);
      const j = await dbs.tenant(scope, (tx) => tx.selectFrom('bulk_jobs').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst());
      if (!j) throw new NotFoundError('bulk job', id);
      return publicJob(j);
    },

    async listJobs(ctx: RequestContext, page: PageQuery) {
      const scope = scopeOf(ctx);
      const p = await dbs.tenant(scope, (tx) => paginate(tx.selectFrom('bulk_jobs').selectAll().where('tenant_id', '=', scope.tenantId), page, { createdAt: 'created_at' }, '-createdAt'));
      return { items: p.items.map(publicJob), nextCursor: p.nextCursor };
    },

    /** The per-SIM outcome, with the final status of each accepted change (it settles when provisioning answers). */
    async items(ctx: RequestContext, id: string, page: PageQuery) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const job = await tx.selectFrom('bulk_jobs').select('id').where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst();
        if (!job) throw new NotFoundError('bulk job', id);
        const q = tx.selectFrom('bulk_job_items as i')
          .leftJoin('sim_changes as c', (j) => j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.id', '=', 'i.change_id'))
          .select(['i.seq', 'i.identifier', 'i.sim_id', 'i.outcome', 'i.change_id', 'i.error', 'c.status as change_status', 'c.outcome as change_outcome'])
          .where('i.tenant_id', '=', scope.tenantId).where('i.job_id', '=', id);
        const p = await paginate(q, page, { seq: 'i.seq' }, 'seq', 'i.seq');
        return {
          items: p.items.map((r) => ({ seq: r.seq, identifier: r.identifier, simId: r.sim_id, outcome: r.outcome, changeId: r.change_id,
            changeStatus: r.change_status ?? null, detail: r.error ?? r.change_outcome ?? null })),
          nextCursor: p.nextCursor,
        };
      });
    },

    async resultCsv(ctx: RequestContext, id: string): Promise<string> {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const job = await tx.selectFrom('bulk_jobs').select('id').where('tenant_id', '=', scope.tenantId).where('id', '=', id).executeTakeFirst();
        if (!job) throw new NotFoundError('bulk job', id);
        const rows = await sql<{ seq: number; identifier: string; sim_id: string | null; outcome: string; change_id: string | null; error: string | null; status: string | null; change_outcome: string | null }>`
          select i.seq, i.identifier, i.sim_id, i.outcome, i.change_id, i.error, c.status, c.outcome as change_outcome
            from bulk_job_items i left join sim_changes c on c.tenant_id = i.tenant_id and c.id = i.change_id
           where i.tenant_id = ${scope.tenantId} and i.job_id = ${id} order by i.seq`.execute(tx);
        return bulkResultCsv(rows.rows.map((r) => ({ seq: r.seq, identifier: r.identifier, simId: r.sim_id, outcome: r.outcome, changeId: r.change_id,
          changeStatus: r.status, detail: r.error ?? r.change_outcome })));
      });
    },

    /**
     * Works queued jobs in chunks until `maxItems` items are done (the worker loop; tests and benchmarks call it).
     * Each chunk is one transaction in the job's own RLS scope. Returns the number of items processed.
     */
    async runJobs(opts: { maxItems?: number; chunk?: number } = {}): Promise<number> {
      const maxItems = opts.maxItems ?? 20_000;
      const chunk = opts.chunk ?? 5_000;
      let done = 0;
      while (done < maxItems) {
        const n = await dbs.system(async (tx) => runChunk(tx, chunk));
        if (n < 0) break;
        done += n;
      }
      return done;
    },
  };

  /** One chunk of the oldest unfinished job; -1 when no job is left. */
  async function runChunk(tx: Tx, chunk: number): Promise<number> {
    const job = (await sql<{ tenant_id: string; id: string; enterprise_id: string | null; action: string; params: Record<string, unknown>; scheduled_for: Date | null; created_by: Actor | null; status: string }>`
      select tenant_id, id, enterprise_id, action, params, scheduled_for, created_by, status from bulk_jobs
       where status in ('QUEUED', 'RUNNING') order by created_at, id limit 1 for update skip locked`.execute(tx)).rows[0];
    if (!job) return -1;
    await enterScope(tx, { tenantId: job.tenant_id, enterpriseId: job.enterprise_id });
    const now = core.now();
    const items = (await sql<{ seq: number; sim_id: string | null }>`select seq, sim_id from bulk_job_items
      where tenant_id = ${job.tenant_id} and job_id = ${job.id} and outcome = 'QUEUED' order by seq limit ${chunk}`.execute(tx)).rows;
    if (items.length === 0) {
      await sql`update bulk_jobs set status = 'COMPLETED', finished_at = ${now}, started_at = coalesce(started_at, ${now})
        where tenant_id = ${job.tenant_id} and id = ${job.id}`.execute(tx);
      await bus.record(tx, { type: LIFECYCLE_EVENTS.bulkJobFinished, tenantId: job.tenant_id, aggregateType: 'bulk_job', aggregateId: job.id, payload: { jobId: job.id } });
      return 0;
    }
    const { reason, party, ...params } = job.params as { reason?: string | null; party?: Party } & ChangeParams;
    const matched = items.filter((i) => i.sim_id);
    const reqs: ChangeRequest[] = matched.map((i) => ({
      simId: i.sim_id!, action: job.action as ChangeAction, party: party ?? 'TENANT', reason: reason ?? null, params,
      at: job.scheduled_for ? new Date(job.scheduled_for) : null, bulkJobId: job.id,
    }));
    const actor = job.created_by ?? { type: 'system' as const, id: null, name: 'bulk' };
    const outcomes = reqs.length ? await deps.lifecycle.applyBatch(tx, job.tenant_id, reqs, actor, { actor }) : [];
    const bySim = new Map(outcomes.map((o) => [o.simId, o]));
    const seqs: number[] = [], results: string[] = [], changeIds: (string | null)[] = [], errors: (string | null)[] = [];
    let ok = 0;
    for (const i of items) {
      const o = i.sim_id ? bySim.get(i.sim_id) : undefined;
      seqs.push(i.seq);
      results.push(o?.ok ? 'ACCEPTED' : 'REFUSED');
      changeIds.push(o?.changeId ?? null);
      errors.push(o ? o.error ?? null : 'no SIM matches this identifier');
      if (o?.ok) ok++;
    }
    await sql`update bulk_job_items b set outcome = v.outcome, change_id = v.change_id, error = v.error
      from unnest(${seqs}::int[], ${results}::text[], ${changeIds}::uuid[], ${errors}::text[]) as v(seq, outcome, change_id, error)
     where b.tenant_id = ${job.tenant_id} and b.job_id = ${job.id} and b.seq = v.seq`.execute(tx);
    await sql`update bulk_jobs set status = 'RUNNING', started_at = coalesce(started_at, ${now}), processed = processed + ${items.length},
        succeeded = succeeded + ${ok}, failed = failed + ${items.length - ok}
      where tenant_id = ${job.tenant_id} and id = ${job.id}`.execute(tx);
    return items.length;
  }
}
export type BulkService = ReturnType<typeof createBulkService>;
