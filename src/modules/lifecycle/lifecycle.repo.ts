import { sql } from 'kysely';
import type { Tx } from '../../platform/db';
import { paginate, type PageQuery } from '../../platform/http';
import type { ChangeStatus } from './lifecycle.tables';
import type { Party } from './lifecycle.fns';

/** SQL of the lifecycle tables only. Batch statements take arrays (jsonb_to_recordset / unnest): one round trip per chunk. */

export interface ChangeRow {
  id: string;
  sim_id: string;
  enterprise_id: string | null;
  kind: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  from_value: unknown;
  to_value: unknown;
  party: string | null;
  status: ChangeStatus;
  scheduled_for: Date | string | null;
  requested_at: Date | string;
  applied_at: Date | string | null;
  settled_at: Date | string | null;
  requested_by: unknown;
  reason: string | null;
  outcome: string | null;
  bulk_job_id: string | null;
}

/** Inserts changes, or updates the scheduled ones they continue (same id). */
export async function upsertChanges(tx: Tx, tenantId: string, rows: ChangeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into sim_changes (tenant_id, id, sim_id, enterprise_id, kind, action, from_state, to_state, from_value, to_value,
      party, status, scheduled_for, requested_at, applied_at, settled_at, requested_by, reason, outcome, bulk_job_id)
    select ${tenantId}::uuid, r.id, r.sim_id, r.enterprise_id, r.kind, r.action, r.from_state, r.to_state, r.from_value, r.to_value,
           r.party, r.status, r.scheduled_for, r.requested_at, r.applied_at, r.settled_at, r.requested_by, r.reason, r.outcome, r.bulk_job_id
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, sim_id uuid, enterprise_id uuid, kind text, action text,
           from_state text, to_state text, from_value jsonb, to_value jsonb, party text, status text, scheduled_for timestamptz,
           requested_at timestamptz, applied_at timestamptz, settled_at timestamptz, requested_by jsonb, reason text, outcome text, bulk_job_id uuid)
    on conflict (tenant_id, id) do update set status = excluded.status, kind = excluded.kind, to_value = excluded.to_value, from_state = excluded.from_state, to_state = excluded.to_state,
      from_value = excluded.from_value, applied_at = excluded.applied_at, settled_at = excluded.settled_at, outcome = excluded.outcome`.execute(tx);
}

export async function holdsOf(tx: Tx, tenantId: string, simIds: string[]): Promise<Map<string, Party[]>> {
  const out = new Map<string, Party[]>();
  if (simIds.length === 0) return out;
  const r = await sql<{ sim_id: string; party: Party }>`select sim_id, party from sim_holds
    where tenant_id = ${tenantId} and sim_id = any(${simIds}::uuid[]) order by placed_at`.execute(tx);
  for (const h of r.rows) out.set(h.sim_id, [...(out.get(h.sim_id) ?? []), h.party]);
  return out;
}

export async function addHolds(tx: Tx, tenantId: string, rows: { sim_id: string; party: Party; enterprise_id: string | null; reason: string | null; change_id: string | null; placed_at: Date; placed_by: unknown }[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into sim_holds (tenant_id, sim_id, party, enterprise_id, reason, change_id, placed_at, placed_by)
    select ${tenantId}::uuid, r.sim_id, r.party, r.enterprise_id, r.reason, r.change_id, r.placed_at, r.placed_by
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(sim_id uuid, party text, enterprise_id uuid, reason text,
           change_id uuid, placed_at timestamptz, placed_by jsonb)
    on conflict do nothing`.execute(tx);
}

export async function removeHolds(tx: Tx, tenantId: string, pairs: { simId: string; party: Party }[]): Promise<void> {
  if (pairs.length === 0) return;
  await sql`delete from sim_holds h using unnest(${pairs.map((p) => p.simId)}::uuid[], ${pairs.map((p) => p.party)}::text[]) as v(sim_id, party)
    where h.tenant_id = ${tenantId} and h.sim_id = v.sim_id and h.party = v.party`.execute(tx);
}

/** SIMs with a change in flight (of any kind). */
export async function simsWithPendingChange(tx: Tx, tenantId: string, simIds: string[]): Promise<Set<string>> {
  if (simIds.length === 0) return new Set();
  const r = await sql<{ sim_id: string }>`select sim_id from sim_changes where tenant_id = ${tenantId} and status = 'PENDING'
    and sim_id = any(${simIds}::uuid[])`.execute(tx);
  return new Set(r.rows.map((x) => x.sim_id));
}

export async function suspendedAccounts(tx: Tx, tenantId: string, enterpriseIds: string[]): Promise<Set<string>> {
  if (enterpriseIds.length === 0) return new Set();
  const r = await sql<{ enterprise_id: string }>`select enterprise_id from account_suspensions where tenant_id = ${tenantId}
    and enterprise_id = any(${enterpriseIds}::uuid[])`.execute(tx);
  return new Set(r.rows.map((x) => x.enterprise_id));
}

export async function startTestLimits(tx: Tx, tenantId: string, rows: { sim_id: string; enterprise_id: string | null; data_bytes_limit: number | null; sms_limit: number | null; days_limit: number | null; started_at: Date; ends_at: Date | null }[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into sim_test_limits (tenant_id, sim_id, enterprise_id, data_bytes_limit, sms_limit, days_limit, started_at, ends_at)
    select ${tenantId}::uuid, r.sim_id, r.enterprise_id, r.data_bytes_limit, r.sms_limit, r.days_limit, r.started_at, r.ends_at
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(sim_id uuid, enterprise_id uuid, data_bytes_limit bigint,
           sms_limit int, days_limit int, started_at timestamptz, ends_at timestamptz)
    on conflict (tenant_id, sim_id) do update set data_bytes_limit = excluded.data_bytes_limit, sms_limit = excluded.sms_limit,
      days_limit = excluded.days_limit, started_at = excluded.started_at, ends_at = excluded.ends_at, data_bytes_used = 0, sms_used = 0,
      ended_at = null, end_reason = null`.execute(tx);
}

export async function endTestLimits(tx: Tx, tenantId: string, simIds: string[], reason: string, now: Date): Promise<void> {
  if (simIds.length === 0) return;
  await sql`update sim_test_limits set ended_at = ${now}, end_reason = ${reason}
    where tenant_id = ${tenantId} and sim_id = any(${simIds}::uuid[]) and ended_at is null`.execute(tx);
}

export async function deleteTestLimits(tx: Tx, tenantId: string, simIds: string[]): Promise<void> {
  if (simIds.length === 0) return;
  await sql`delete from sim_test_limits where tenant_id = ${tenantId} and sim_id = any(${simIds}::uuid[])`.execute(tx);
}

export async function lockPendingChanges(tx: Tx, tenantId: string, ids: string[]): Promise<ChangeRow[]> {
  if (ids.length === 0) return [];
  // By primary key only (the status is checked here): a filter on status can lure the planner onto the
  // pending-changes index and a scan of every pending change of the tenant.
  const r = await sql<ChangeRow>`select * from sim_changes where tenant_id = ${tenantId} and id = any(${ids}::uuid[])
    order by id for update`.execute(tx);
  return r.rows.filter((c) => c.status === 'PENDING');
}

export async function finishChanges(tx: Tx, tenantId: string, rows: { id: string; status: ChangeStatus; outcome: string }[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`update sim_changes c set status = v.status, outcome = v.outcome, settled_at = ${now}
    from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.outcome)}::text[]) as v(id, status, outcome)
    where c.tenant_id = ${tenantId} and c.id = v.id`.execute(tx);
}

export function pageHistory(tx: Tx, tenantId: string, simId: string, page: PageQuery) {
  const q = tx.selectFrom('sim_changes').selectAll().where('tenant_id', '=', tenantId).where('sim_id', '=', simId);
  return paginate(q, page, { requestedAt: 'requested_at' }, '-requestedAt');
}

/** Scheduled changes that are due, across tenants (system scope). */
export async function dueScheduled(tx: Tx, now: Date, limit: number): Promise<(ChangeRow & { tenant_id: string })[]> {
  const r = await sql<ChangeRow & { tenant_id: string }>`select * from sim_changes where status = 'SCHEDULED' and scheduled_for <= ${now}
    order by scheduled_for, id limit ${limit} for update skip locked`.execute(tx);
  return r.rows;
}
