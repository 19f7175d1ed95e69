import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Core } from '../../platform/core';
import type { Tx } from '../../platform/db';
import type { Actor, DomainEvent } from '../../platform/events';
import { recordAudit, type AuditOrigin } from '../../platform/audit';
import { actorOf, originOf, scopeOf, type RequestContext } from '../../platform/auth';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type PageQuery } from '../../platform/http';
import type { SimFilter, SimStateAccess, SimView } from '../inventory/sim-state.repo';
import {
  ACTION_EVENTS, DEFAULT_TEST_LIMITS, STATE_ACTIONS, partyOf, planStateChange, testEndsAt, testLimitReached,
  type ChangeAction, type Party, type SimState, type StateAction, type TestLimits,
} from './lifecycle.fns';
import { LIFECYCLE_EVENTS, type SimEventPayload } from './lifecycle.events';
import * as repo from './lifecycle.repo';
import type { ChangeRow } from './lifecycle.repo';

/** Catalog's plan-change rule (modules/catalog `checkPlanTransition`), when the catalog provides one. */
export type PlanTransitionCheck = (tx: Tx, input: { tenantId: string; enterpriseId: string | null; fromOfferId: string | null; toOfferId: string; simState: SimState }) =>
  Promise<{ allowed: boolean; reason?: string }>;

/** The account status that applies to a SIM's enterprise / business unit (modules/accounts `getAccountStatus`). */
export type AccountStatusCheck = (tx: Tx, input: { enterpriseId: string; businessUnitId: string | null }) => Promise<'ACTIVE' | 'SUSPENDED' | 'TERMINATED'>;

export interface LifecycleDeps {
  sims: SimStateAccess;
  checkPlanTransition?: PlanTransitionCheck;
  accountStatus?: AccountStatusCheck;
}

export interface ChangeParams {
  offerId?: string;
  apnIds?: string[];
  msisdn?: string | null;
  imei?: string | null;
  testLimits?: Partial<TestLimits>;
}

export interface ChangeRequest {
  simId: string;
  action: ChangeAction;
  party: Party;
  reason?: string | null;
  params?: ChangeParams;
  /** Apply later: the change is stored SCHEDULED and applied by the schedule job when due. */
  at?: Date | null;
  /** A SCHEDULED change being applied now keeps its id (and history row). */
  changeId?: string;
  bulkJobId?: string | null;
}

export interface ChangeOutcome {
  simId: string;
  ok: boolean;
  changeId: string | null;
  status: string | null;
  error?: string;
}

export interface SettleResult {
  changeId: string;
  ok: boolean;
  outcome: string;
}

const isState = (a: string): a is StateAction => (STATE_ACTIONS as readonly string[]).includes(a);
const KIND_OF: Record<string, ChangeRow['kind']> = {
  'change-plan': 'PLAN', 'change-apn': 'APN', 'change-msisdn': 'MSISDN', 'lock-imei': 'IMEI_LOCK', 'unlock-imei': 'IMEI_LOCK',
};
const VALUE_EVENTS: Record<string, string> = {
  'change-plan': LIFECYCLE_EVENTS.planChanged, 'change-apn': LIFECYCLE_EVENTS.apnChanged, 'change-msisdn': LIFECYCLE_EVENTS.msisdnChanged,
  'lock-imei': LIFECYCLE_EVENTS.imeiLocked, 'unlock-imei': LIFECYCLE_EVENTS.imeiUnlocked,
};

export function publicSim(s: SimView) {
  return {
    id: s.id, iccid: s.iccid, imsi: s.imsi, msisdn: s.msisdn, eid: s.eid, enterpriseId: s.enterprise_id, businessUnitId: s.business_unit_id,
    orderId: s.order_id, simProductId: s.sim_product_id, state: s.state, pendingState: s.pending_state, stateChangedAt: new Date(s.state_changed_at).toISOString(),
    planOfferId: s.plan_offer_id, apnIds: s.apn_ids, imei: s.imei, imeiLock: s.imei_lock, version: s.version,
    createdAt: new Date(s.created_at).toISOString(), updatedAt: new Date(s.updated_at).toISOString(),
  };
}

export function publicChange(c: ChangeRow) {
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: c.id, simId: c.sim_id, kind: c.kind, action: c.action, fromState: c.from_state, toState: c.to_state,
    fromValue: c.from_value ?? null, toValue: c.to_value ?? null, party: c.party, status: c.status,
    scheduledFor: iso(c.scheduled_for), requestedAt: iso(c.requested_at)!, appliedAt: iso(c.applied_at), settledAt: iso(c.settled_at),
    requestedBy: (c.requested_by ?? null) as { type: string; id: string | null; name?: string | null } | null,
    reason: c.reason, outcome: c.outcome, bulkJobId: c.bulk_job_id,
  };
}

/**
 * SIM lifecycle: state actions (through the transition table in lifecycle.fns), plan/APN/MSISDN/IMEI changes,
 * suspension holds per party, test limits, scheduled changes, and settlement when provisioning answers. Every
 * change is a history row, an event and an audit record in one transaction; batches cost a few statements.
 */
export function createLifecycleService(core: Core, deps: LifecycleDeps) {
  const { dbs, bus } = core;
  const sims = deps.sims;

  /**
   * Applies (or schedules) a batch of changes in the caller's transaction. Refusals do not stop the batch: each
   * request gets its own outcome. Per batch: one read of SIMs (locked), holds, pending changes and account
   * suspensions; one write each of history, holds, SIM marks, events and audit.
   */
  async function applyBatch(tx: Tx, tenantId: string, reqs: ChangeRequest[], actor: Actor, origin: AuditOrigin): Promise<ChangeOutcome[]> {
    const now = core.now();
    const ids = [...new Set(reqs.map((r) => r.simId))];
    const simRows = await sims.lockSims(tx, tenantId, ids);
    const byId = new Map(simRows.map((s) => [s.id, { ...s }]));
    const holds = await repo.holdsOf(tx, tenantId, ids);
    const pendingSims = await repo.simsWithPendingChange(tx, tenantId, ids);
    const enterprises = [...new Set(simRows.map((s) => s.enterprise_id).filter((x): x is string => !!x))];
    const suspended = await repo.suspendedAccounts(tx, tenantId, enterprises);
    // Accounts (enterprise or business unit, with their ancestors) that are not ACTIVE take no new activations:
    // one look-up per distinct account of the batch.
    const blocked = new Set<string>();
    if (deps.accountStatus) {
      const accountKey = (s: SimView) => `${s.enterprise_id}/${s.business_unit_id ?? ''}`;
      const wanted = new Map<string, SimView>();
      for (const r of reqs) {
        const s = byId.get(r.simId);
        if (s?.enterprise_id && (r.action === 'activate' || r.action === 'test-activate')) wanted.set(accountKey(s), s);
      }
      for (const [key, s] of wanted) {
        if ((await deps.accountStatus(tx, { enterpriseId: s.enterprise_id!, businessUnitId: s.business_unit_id })) !== 'ACTIVE') blocked.add(key);
      }
      for (const s of simRows) if (blocked.has(accountKey(s)) && s.enterprise_id) suspended.add(`sim:${s.id}`);
    }

    const changes: ChangeRow[] = [];
    const events: DomainEvent<SimEventPayload>[] = [];
    const pendingMarks: { id: string; pending: SimState | null }[] = [];
    const holdAdds: Parameters<typeof repo.addHolds>[2] = [];
    const holdRemoves: { simId: string; party: Party }[] = [];
    const testStarts: Parameters<typeof repo.startTestLimits>[2] = [];
    const planSets: { id: string; offerId: string | null }[] = [];
    const outcomes: ChangeOutcome[] = [];
    const requestedBy = actor;

    const refuse = (r: ChangeRequest, error: string) => {
      outcomes.push({ simId: r.simId, ok: false, changeId: r.changeId ?? null, status: r.changeId ? 'FAILED' : null, error });
      if (r.changeId) changes.push(scheduledFailure(r, error));
    };
    const scheduledFailure = (r: ChangeRequest, error: string): ChangeRow => ({
      id: r.changeId!, sim_id: r.simId, enterprise_id: byId.get(r.simId)?.enterprise_id ?? null, kind: isState(r.action) ? 'STATE' : KIND_OF[r.action],
      action: r.action, from_state: byId.get(r.simId)?.state ?? null, to_state: null, from_value: null, to_value: r.params ?? null, party: r.party,
      status: 'FAILED', scheduled_for: null, requested_at: now, applied_at: now, settled_at: now, requested_by: requestedBy, reason: r.reason ?? null,
      outcome: `refused when due: ${error}`, bulk_job_id: r.bulkJobId ?? null,
    });

    for (const r of reqs) {
      const sim = byId.get(r.simId);
      if (!sim) { refuse(r, 'no such SIM'); continue; }
      if (!sim.enterprise_id) { refuse(r, 'the SIM is not allocated to an enterprise'); continue; }
      const simHolds = holds.get(sim.id) ?? [];
      const id = r.changeId ?? randomUUID();
      const scheduleFor = r.at && r.at.getTime() > now.getTime() ? r.at : null;
      const base = {
        id, sim_id: sim.id, enterprise_id: sim.enterprise_id, action: r.action, party: r.party, scheduled_for: scheduleFor,
        requested_at: now, requested_by: requestedBy, reason: r.reason ?? null, outcome: null, bulk_job_id: r.bulkJobId ?? null, settled_at: null,
      };
      const event = (type: string, changed?: string[]): DomainEvent<SimEventPayload> => ({
        type, tenantId, aggregateType: 'sim', aggregateId: sim.id,
        payload: { simId: sim.id, enterpriseId: sim.enterprise_id, changeId: id, sequence: sim.version, changed, reason: r.reason ?? null, party: r.party },
      });

      if (isState(r.action)) {
        const plan = planStateChange({
          state: sim.state, pending: sim.pending_state, holds: simHolds, action: r.action, party: r.party,
          accountSuspended: suspended.has(sim.enterprise_id) || suspended.has(`sim:${sim.id}`),
        });
        if (plan.kind === 'refused') { refuse(r, plan.reason); continue; }
        if (plan.kind === 'transition' && pendingSims.has(sim.id)) { refuse(r, 'another change of this SIM is still being applied by the network'); continue; }
        if (scheduleFor) {
          changes.push({ ...base, kind: plan.kind === 'hold' ? 'HOLD' : 'STATE', from_state: sim.state, to_state: plan.kind === 'transition' ? plan.to : sim.state,
            from_value: null, to_value: r.params ?? null, status: 'SCHEDULED', applied_at: null });
          outcomes.push({ simId: sim.id, ok: true, changeId: id, status: 'SCHEDULED' });
          continue;
        }
        for (const p of plan.removeHolds) holdRemoves.push({ simId: sim.id, party: p });
        if (plan.addHold) holdAdds.push({ sim_id: sim.id, party: plan.addHold, enterprise_id: sim.enterprise_id, reason: r.reason ?? null, change_id: id, placed_at: now, placed_by: requestedBy });
        holds.set(sim.id, [...simHolds.filter((p) => !plan.removeHolds.includes(p)), ...(plan.addHold ? [plan.addHold] : [])]);
        if (plan.kind === 'hold') {
          changes.push({ ...base, kind: 'HOLD', from_state: sim.pending_state ?? sim.state, to_state: sim.pending_state ?? sim.state, from_value: { holds: simHolds },
            to_value: { holds: holds.get(sim.id) }, status: 'COMPLETED', applied_at: now, settled_at: now, outcome: 'hold only: no network change' });
          events.push(event(plan.addHold ? LIFECYCLE_EVENTS.holdPlaced : LIFECYCLE_EVENTS.holdReleased));
          outcomes.push({ simId: sim.id, ok: true, changeId: id, status: 'COMPLETED' });
          continue;
        }
        sim.version += 1;
        sim.pending_state = plan.to;
        pendingSims.add(sim.id);
        pendingMarks.push({ id: sim.id, pending: plan.to });
        let toValue: unknown = null;
        if (r.action === 'test-activate') {
          const l: TestLimits = { ...DEFAULT_TEST_LIMITS, ...(r.params?.testLimits ?? {}) };
          toValue = { testLimits: l };
          testStarts.push({ sim_id: sim.id, enterprise_id: sim.enterprise_id, data_bytes_limit: l.dataBytes, sms_limit: l.sms, days_limit: l.days, started_at: now, ends_at: testEndsAt(l, now) });
        }
        changes.push({ ...base, kind: 'STATE', from_state: sim.state, to_state: plan.to, from_value: plan.removeHolds.length ? { holds: simHolds } : null,
          to_value: toValue, status: 'PENDING', applied_at: now });
        events.push(event(ACTION_EVENTS[r.action], ['state']));
        outcomes.push({ simId: sim.id, ok: true, changeId: id, status: 'PENDING' });
        continue;
      }

      // Plan, APN, MSISDN and IMEI changes.
      if (sim.state === 'TERMINATE') { refuse(r, 'the SIM is terminated; TERMINATE is final'); continue; }
      if (sim.pending_state || pendingSims.has(sim.id)) { refuse(r, 'another change of this SIM is still being applied by the network'); continue; }
      const p = r.params ?? {};
      let from: unknown, to: unknown, changed: string[];
      if (r.action === 'change-plan') {
        if (!p.offerId) { refuse(r, 'offerId is required'); continue; }
        if (p.offerId === sim.plan_offer_id) { refuse(r, 'the SIM is already on this plan'); continue; }
        if (deps.checkPlanTransition) {
          const check = await deps.checkPlanTransition(tx, { tenantId, enterpriseId: sim.enterprise_id, fromOfferId: sim.plan_offer_id, toOfferId: p.offerId, simState: sim.state });
          if (!check.allowed) { refuse(r, check.reason ?? 'the catalog does not allow this plan change'); continue; }
        }
        from = { offerId: sim.plan_offer_id }; to = { offerId: p.offerId }; changed = ['planOfferId'];
      } else if (r.action === 'change-apn') {
        const apnIds = [...new Set(p.apnIds ?? [])];
        if (apnIds.length === 0) { refuse(r, 'apnIds must name at least one APN'); continue; }
        const known = new Set(await sims.existingApnIds(tx, tenantId, apnIds));
        const unknown = apnIds.filter((a) => !known.has(a));
        if (unknown.length) { refuse(r, `unknown APN ${unknown.join(', ')}`); continue; }
        from = { apnIds: sim.apn_ids }; to = { apnIds }; changed = ['apnIds'];
      } else if (r.action === 'change-msisdn') {
        if (p.msisdn && p.msisdn === sim.msisdn) { refuse(r, 'the SIM already has this MSISDN'); continue; }
        from = { msisdn: sim.msisdn }; to = { msisdn: p.msisdn ?? null }; changed = ['msisdn'];
      } else if (r.action === 'lock-imei') {
        const imei = p.imei ?? sim.imei;
        if (!imei) { refuse(r, 'no IMEI is known for this SIM: name the device IMEI to lock to'); continue; }
        from = { imei: sim.imei, locked: sim.imei_lock }; to = { imei, locked: true }; changed = ['imei', 'imeiLock'];
      } else {
        if (!sim.imei_lock) { refuse(r, 'the SIM is not locked to a device'); continue; }
        from = { imei: sim.imei, locked: true }; to = { imei: sim.imei, locked: false }; changed = ['imeiLock'];
      }
      if (scheduleFor) {
        changes.push({ ...base, kind: KIND_OF[r.action], from_state: sim.state, to_state: sim.state, from_value: from, to_value: { ...(r.params ?? {}) },
          status: 'SCHEDULED', applied_at: null });
        outcomes.push({ simId: sim.id, ok: true, changeId: id, status: 'SCHEDULED' });
        continue;
      }
      if (r.action === 'change-plan') planSets.push({ id: sim.id, offerId: p.offerId! });
      else if (r.action === 'change-apn') await sims.setApns(tx, tenantId, sim.id, (to as { apnIds: string[] }).apnIds, now);
      else if (r.action === 'change-msisdn') {
        const next = await sims.changeMsisdn(tx, tenantId, sim.id, p.msisdn ?? null, now);
        if (!next) { refuse(r, p.msisdn ? `MSISDN ${p.msisdn} is not free in the tenant's pools` : 'no free MSISDN is left in the tenant\'s pools'); continue; }
        to = { msisdn: next };
      } else {
        const t = to as { imei: string; locked: boolean };
        await sims.setImei(tx, tenantId, sim.id, t.imei, t.locked, now);
      }
      sim.version += 1;
      pendingSims.add(sim.id);
      changes.push({ ...base, kind: KIND_OF[r.action], from_state: sim.state, to_state: sim.state, from_value: from, to_value: to, status: 'PENDING', applied_at: now });
      events.push(event(VALUE_EVENTS[r.action], changed));
      outcomes.push({ simId: sim.id, ok: true, changeId: id, status: 'PENDING' });
    }

    await sims.setPlans(tx, tenantId, planSets, now);
    await sims.setPendingStates(tx, tenantId, pendingMarks, now);
    await repo.removeHolds(tx, tenantId, holdRemoves);
    await repo.addHolds(tx, tenantId, holdAdds);
    await repo.startTestLimits(tx, tenantId, testStarts);
    await repo.upsertChanges(tx, tenantId, changes);
    await bus.record(tx, events, actor);
    const accepted = outcomes.filter((o) => o.ok);
    if (accepted.length) {
      const single = reqs.length === 1;
      await recordAudit(tx, origin, {
        tenantId, enterpriseId: single ? byId.get(reqs[0].simId)?.enterprise_id ?? null : null,
        action: single ? reqs[0].action : `bulk-${reqs[0].action}`, entityType: 'sim', entityId: single ? reqs[0].simId : null,
        before: single ? { state: simRows[0]?.state ?? null } : undefined,
        // A batch is audited as one record; each SIM's change is in its history (sim_changes, by bulk job id).
        after: single ? changes[0] : { bulkJobId: reqs[0].bulkJobId ?? null, accepted: accepted.length, refused: outcomes.length - accepted.length, firstSimIds: accepted.slice(0, 20).map((o) => o.simId) },
      });
    }
    return outcomes;
  }

  /**
   * Settles changes when provisioning answers: COMPLETED moves the SIM into its new state; FAILED rolls the change
   * back (pending mark cleared, plan/APN/MSISDN/IMEI restored, holds put back) and keeps the reason. Changes not
   * PENDING any more are ignored, so a repeated answer has one effect.
   */
  async function settleChanges(tx: Tx, tenantId: string, results: SettleResult[]): Promise<number> {
    if (results.length === 0) return 0;
    const now = core.now();
    const rows = await repo.lockPendingChanges(tx, tenantId, results.map((r) => r.changeId));
    if (rows.length === 0) return 0;
    const byId = new Map(results.map((r) => [r.changeId, r]));
    const settled: { id: string; state: SimState }[] = [];
    const cleared: { id: string; pending: SimState | null }[] = [];
    const planBack: { id: string; offerId: string | null }[] = [];
    const holdBack: Parameters<typeof repo.addHolds>[2] = [];
    const holdDrop: { simId: string; party: Party }[] = [];
    const testEnded: string[] = [], testDropped: string[] = [];
    const finished: { id: string; status: 'COMPLETED' | 'FAILED'; outcome: string }[] = [];
    const events: DomainEvent<SimEventPayload>[] = [];
    for (const c of rows) {
      const res = byId.get(c.id)!;
      finished.push({ id: c.id, status: res.ok ? 'COMPLETED' : 'FAILED', outcome: res.outcome });
      events.push({ type: res.ok ? LIFECYCLE_EVENTS.changeCompleted : LIFECYCLE_EVENTS.changeFailed, tenantId, aggregateType: 'sim', aggregateId: c.sim_id,
        payload: { simId: c.sim_id, enterpriseId: c.enterprise_id, changeId: c.id, sequence: 0, reason: res.outcome } });
      if (c.kind === 'STATE') {
        if (res.ok) {
          settled.push({ id: c.sim_id, state: c.to_state as SimState });
          if (c.from_state === 'TEST_ACTIVE') testEnded.push(c.sim_id);
        } else {
          cleared.push({ id: c.sim_id, pending: null });
          if (c.action === 'suspend' && c.party) holdDrop.push({ simId: c.sim_id, party: c.party as Party });
          if (c.action === 'test-activate') testDropped.push(c.sim_id);
          const before = (c.from_value as { holds?: Party[] } | null)?.holds ?? [];
          for (const p of before) holdBack.push({ sim_id: c.sim_id, party: p, enterprise_id: c.enterprise_id, reason: 'restored: the change was rolled back', change_id: c.id, placed_at: now, placed_by: null });
        }
      } else if (!res.ok) {
        const from = (c.from_value ?? {}) as { offerId?: string | null; apnIds?: string[]; msisdn?: string | null; imei?: string | null; locked?: boolean };
        const to = (c.to_value ?? {}) as { msisdn?: string | null };
        if (c.kind === 'PLAN') planBack.push({ id: c.sim_id, offerId: from.offerId ?? null });
        else if (c.kind === 'APN') await sims.setApns(tx, tenantId, c.sim_id, from.apnIds ?? [], now);
        else if (c.kind === 'MSISDN') await sims.revertMsisdn(tx, tenantId, c.sim_id, from.msisdn ?? null, to.msisdn ?? null, now);
        else if (c.kind === 'IMEI_LOCK') await sims.setImei(tx, tenantId, c.sim_id, from.imei ?? null, from.locked ?? false, now);
      }
    }
    // The MSISDN of a terminated SIM goes to quarantine in its pool.
    const terminated = settled.filter((s) => s.state === 'TERMINATE').map((s) => s.id);
    if (terminated.length) {
      const views = await sims.getSims(tx, tenantId, terminated);
      await sims.quarantineMsisdns(tx, tenantId, views.map((v) => v.msisdn).filter((m): m is string => !!m), now);
    }
    await sims.settleStates(tx, tenantId, settled, now);
    await sims.setPendingStates(tx, tenantId, cleared, now);
    await sims.setPlans(tx, tenantId, planBack, now);
    await repo.removeHolds(tx, tenantId, holdDrop);
    await repo.addHolds(tx, tenantId, holdBack);
    await repo.endTestLimits(tx, tenantId, testEnded, 'activated', now);
    await repo.deleteTestLimits(tx, tenantId, testDropped);
    await repo.finishChanges(tx, tenantId, finished, now);
    await bus.record(tx, events, { type: 'system', id: null, name: 'provisioning' });
    await recordAudit(tx, { actor: { type: 'system', id: null, name: 'provisioning' } }, {
      tenantId, action: 'settle', entityType: 'sim_change', entityId: rows.length === 1 ? rows[0].id : null,
      after: rows.length === 1 ? { status: finished[0].status, outcome: finished[0].outcome } : { completed: finished.filter((f) => f.status === 'COMPLETED').length, failed: finished.filter((f) => f.status === 'FAILED').length },
    });
    return rows.length;
  }

  /** Runs a batch as the caller, inside the caller's RLS scope. */
  function asCaller(ctx: RequestContext, reqs: ChangeRequest[]) {
    const scope = scopeOf(ctx);
    return dbs.tenant(scope, (tx) => applyBatch(tx, scope.tenantId, reqs, actorOf(ctx), originOf(ctx)));
  }
  const systemActor = (name: string): Actor => ({ type: 'system', id: null, name });

  /** Applies a batch as the platform itself (credit control, schedules, network notices). */
  function asSystem(tenantId: string, reqs: ChangeRequest[], name: string, tx?: Tx) {
    const run = (t: Tx) => applyBatch(t, tenantId, reqs, systemActor(name), { actor: systemActor(name) });
    return tx ? run(tx) : dbs.tenant({ tenantId }, run);
  }

  async function getSimView(tx: Tx, tenantId: string, id: string): Promise<SimView> {
    const [s] = await sims.getSims(tx, tenantId, [id]);
    if (!s || !s.enterprise_id) throw new NotFoundError('SIM', id);
    return s;
  }

  function throwRefusal(o: ChangeOutcome): never {
    if (o.error === 'no such SIM' || o.error === 'the SIM is not allocated to an enterprise') throw new NotFoundError('SIM', o.simId);
    throw new ConflictError(o.error ?? 'the change was refused', [{ field: 'action', reason: o.error ?? 'refused' }]);
  }

  async function changeOne(ctx: RequestContext, simId: string, action: ChangeAction, input: { reason?: string | null; at?: string | null; params?: ChangeParams }) {
    const at = input.at ? new Date(input.at) : null;
    if (at && Number.isNaN(at.getTime())) throw ValidationError.field('at', 'must be an ISO date-time');
    const [o] = await asCaller(ctx, [{ simId, action, party: partyOf(ctx.principal), reason: input.reason ?? null, params: input.params, at }]);
    if (!o.ok) throwRefusal(o);
    const scope = scopeOf(ctx);
    return dbs.tenant(scope, async (tx) => {
      const change = await tx.selectFrom('sim_changes').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', o.changeId!).executeTakeFirstOrThrow();
      return { sim: publicSim(await getSimView(tx, scope.tenantId, simId)), change: publicChange(change as unknown as ChangeRow) };
    });
  }

  /**
   * Credit control: suspend every SIM of an account as DUNNING and block new activations. SIMs another party
   * already suspended get a dunning hold too, so the later resume lifts only dunning's hold.
   */
  async function suspendAccount(tenantId: string, enterpriseId: string, reason = 'dunning'): Promise<AccountCascadeResult> {
    return dbs.tenant({ tenantId }, async (tx) => {
      await tx.insertInto('account_suspensions').values({ tenant_id: tenantId, enterprise_id: enterpriseId, reason, since: core.now() })
        .onConflict((oc) => oc.columns(['tenant_id', 'enterprise_id']).doNothing()).execute();
      const ids = await sims.simIdsOfEnterprise(tx, tenantId, enterpriseId, ['ACTIVE', 'SUSPEND']);
      const out = await applyBatch(tx, tenantId, ids.map((simId) => ({ simId, action: 'suspend' as const, party: 'DUNNING' as const, reason })), systemActor('credit-control'), { actor: systemActor('credit-control') });
      await bus.record(tx, { type: LIFECYCLE_EVENTS.accountSuspended, tenantId, aggregateType: 'enterprise', aggregateId: enterpriseId, payload: { enterpriseId, reason } }, systemActor('credit-control'));
      return cascadeResult(out);
    });
  }

  /** Credit control: lift dunning's holds (SIMs held by others stay suspended) and allow activations again. */
  async function resumeAccount(tenantId: string, enterpriseId: string): Promise<AccountCascadeResult> {
    return dbs.tenant({ tenantId }, async (tx) => {
      await tx.deleteFrom('account_suspensions').where('tenant_id', '=', tenantId).where('enterprise_id', '=', enterpriseId).execute();
      const held = await tx.selectFrom('sim_holds').select('sim_id').where('tenant_id', '=', tenantId).where('enterprise_id', '=', enterpriseId)
        .where('party', '=', 'DUNNING').orderBy('sim_id').execute();
      const out = await applyBatch(tx, tenantId, held.map((h) => ({ simId: h.sim_id, action: 'resume' as const, party: 'DUNNING' as const, reason: 'payment cleared' })), systemActor('credit-control'), { actor: systemActor('credit-control') });
      await bus.record(tx, { type: LIFECYCLE_EVENTS.accountResumed, tenantId, aggregateType: 'enterprise', aggregateId: enterpriseId, payload: { enterpriseId } }, systemActor('credit-control'));
      return cascadeResult(out);
    });
  }

  /** Credit control: terminate every SIM of an account that is not terminated yet. */
  async function terminateAccount(tenantId: string, enterpriseId: string, reason = 'account terminated'): Promise<AccountCascadeResult> {
    return dbs.tenant({ tenantId }, async (tx) => {
      const ids = await sims.simIdsOfEnterprise(tx, tenantId, enterpriseId, ['WARM', 'READY', 'TEST_ACTIVE', 'ACTIVE', 'SUSPEND']);
      const out = await applyBatch(tx, tenantId, ids.map((simId) => ({ simId, action: 'terminate' as const, party: 'DUNNING' as const, reason })), systemActor('credit-control'), { actor: systemActor('credit-control') });
      return cascadeResult(out);
    });
  }


  return {
    applyBatch,
    settleChanges,
    asSystem,

    async listSims(ctx: RequestContext, filter: SimFilter, page: PageQuery) {
      const scope = scopeOf(ctx);
      const res = await dbs.tenant(scope, (tx) => sims.searchSims(tx, scope.tenantId, filter, page));
      return { items: res.items.map((s) => publicSim(s as unknown as SimView)), nextCursor: res.nextCursor };
    },

    /** One SIM with its holds, test limits and the changes in flight or scheduled. */
    async getSim(ctx: RequestContext, id: string) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const s = await getSimView(tx, scope.tenantId, id);
        const holds = await tx.selectFrom('sim_holds').select(['party', 'reason', 'placed_at']).where('tenant_id', '=', scope.tenantId).where('sim_id', '=', id).orderBy('placed_at').execute();
        const test = await tx.selectFrom('sim_test_limits').selectAll().where('tenant_id', '=', scope.tenantId).where('sim_id', '=', id).executeTakeFirst();
        const open = await tx.selectFrom('sim_changes').selectAll().where('tenant_id', '=', scope.tenantId).where('sim_id', '=', id)
          .where('status', 'in', ['PENDING', 'SCHEDULED']).orderBy('requested_at').execute();
        return {
          ...publicSim(s),
          holds: holds.map((h) => ({ party: h.party, reason: h.reason, placedAt: new Date(h.placed_at).toISOString() })),
          testLimits: test ? {
            dataBytes: test.data_bytes_limit, sms: test.sms_limit, days: test.days_limit, dataBytesUsed: test.data_bytes_used, smsUsed: test.sms_used,
            startedAt: new Date(test.started_at).toISOString(), endsAt: test.ends_at ? new Date(test.ends_at).toISOString() : null,
            endedAt: test.ended_at ? new Date(test.ended_at).toISOString() : null, endReason: test.end_reason,
          } : null,
          openChanges: open.map((c) => publicChange(c as unknown as ChangeRow)),
        };
      });
    },

    async history(ctx: RequestContext, simId: string, page: PageQuery) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        await getSimView(tx, scope.tenantId, simId);
        const p = await repo.pageHistory(tx, scope.tenantId, simId, page);
        return { items: p.items.map((c) => publicChange(c as unknown as ChangeRow)), nextCursor: p.nextCursor };
      });
    },

    /** A state action (activate, suspend, …) on one SIM, now or at `at`. */
    stateAction(ctx: RequestContext, simId: string, action: StateAction, input: { reason?: string | null; at?: string | null; testLimits?: Partial<TestLimits> }) {
      return changeOne(ctx, simId, action, { reason: input.reason, at: input.at, params: input.testLimits ? { testLimits: input.testLimits } : undefined });
    },
    changePlan: (ctx: RequestContext, simId: string, input: { offerId: string; reason?: string | null; at?: string | null }) =>
      changeOne(ctx, simId, 'change-plan', { reason: input.reason, at: input.at, params: { offerId: input.offerId } }),
    changeApns: (ctx: RequestContext, simId: string, input: { apnIds: string[]; reason?: string | null; at?: string | null }) =>
      changeOne(ctx, simId, 'change-apn', { reason: input.reason, at: input.at, params: { apnIds: input.apnIds } }),
    changeMsisdn: (ctx: RequestContext, simId: string, input: { msisdn?: string | null; reason?: string | null; at?: string | null }) =>
      changeOne(ctx, simId, 'change-msisdn', { reason: input.reason, at: input.at, params: { msisdn: input.msisdn ?? null } }),
    setImeiLock: (ctx: RequestContext, simId: string, input: { locked: boolean; imei?: string | null; reason?: string | null }) =>
      changeOne(ctx, simId, input.locked ? 'lock-imei' : 'unlock-imei', { reason: input.reason, params: { imei: input.imei ?? null } }),

    /** Withdraws a scheduled change before it is due. */
    async cancelScheduled(ctx: RequestContext, simId: string, changeId: string) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const c = await tx.selectFrom('sim_changes').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', changeId)
          .where('sim_id', '=', simId).forUpdate().executeTakeFirst();
        if (!c) throw new NotFoundError('change', changeId);
        if (c.status !== 'SCHEDULED') throw new ConflictError(`the change is ${c.status}; only a SCHEDULED change can be cancelled`);
        const now = core.now();
        await tx.updateTable('sim_changes').set({ status: 'CANCELLED', settled_at: now, outcome: `cancelled by ${ctx.principal.name}` })
          .where('tenant_id', '=', scope.tenantId).where('id', '=', changeId).execute();
        await bus.record(tx, { type: LIFECYCLE_EVENTS.changeCancelled, tenantId: scope.tenantId, aggregateType: 'sim', aggregateId: simId,
          payload: { simId, enterpriseId: c.enterprise_id, changeId, sequence: 0 } }, actorOf(ctx));
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, enterpriseId: c.enterprise_id, action: 'cancel', entityType: 'sim_change', entityId: changeId, before: { status: c.status }, after: { status: 'CANCELLED' } });
        return publicChange({ ...(c as unknown as ChangeRow), status: 'CANCELLED', settled_at: now, outcome: `cancelled by ${ctx.principal.name}` });
      });
    },

    /** Applies every scheduled change that is due (the schedule job), as the party that scheduled it. */
    async runScheduledChanges(now = core.now(), limit = 1000): Promise<number> {
      return dbs.system(async (tx) => {
        const due = await repo.dueScheduled(tx, now, limit);
        const byTenant = new Map<string, typeof due>();
        for (const c of due) byTenant.set(c.tenant_id, [...(byTenant.get(c.tenant_id) ?? []), c]);
        for (const [tenantId, list] of byTenant) {
          const reqs: ChangeRequest[] = list.map((c) => ({
            simId: c.sim_id, action: c.action as ChangeAction, party: (c.party ?? 'SYSTEM') as Party, reason: c.reason, changeId: c.id,
            params: (c.to_value ?? undefined) as ChangeParams | undefined, bulkJobId: c.bulk_job_id,
          }));
          const who = (list[0].requested_by ?? { type: 'system', id: null, name: 'schedule' }) as Actor;
          // Each change runs as whoever scheduled it; grouped by requester so the audit names them.
          await applyBatch(tx, tenantId, reqs, who, { actor: who });
        }
        return due.length;
      });
    },

    /** Counts usage of test SIMs (mediation, network notices); a test SIM that reaches a limit is activated. */
    async recordTestUsage(tenantId: string, usage: { simId: string; dataBytes?: number; sms?: number }[], tx?: Tx): Promise<{ activated: string[] }> {
      const run = async (t: Tx) => {
        const now = core.now();
        const reached: ChangeRequest[] = [];
        for (const u of usage) {
          const row = await t.updateTable('sim_test_limits')
            .set((eb) => ({ data_bytes_used: eb('data_bytes_used', '+', Math.max(0, Math.trunc(u.dataBytes ?? 0))), sms_used: eb('sms_used', '+', Math.max(0, Math.trunc(u.sms ?? 0))) }))
            .where('tenant_id', '=', tenantId).where('sim_id', '=', u.simId).where('ended_at', 'is', null).returningAll().executeTakeFirst();
          if (!row) continue;
          const why = testLimitReached({ dataBytes: row.data_bytes_limit, sms: row.sms_limit, days: row.days_limit },
            { dataBytes: row.data_bytes_used, sms: row.sms_used }, new Date(row.started_at), now);
          if (why) reached.push({ simId: u.simId, action: 'activate', party: 'SYSTEM', reason: why });
        }
        const out = reached.length ? await applyBatch(t, tenantId, reached, systemActor('test-limits'), { actor: systemActor('test-limits') }) : [];
        return { activated: out.filter((o) => o.ok).map((o) => o.simId) };
      };
      return tx ? run(tx) : dbs.tenant({ tenantId }, run);
    },

    /** Activates test SIMs whose test period (days) ended (the schedule job). */
    async runTestExpiry(now = core.now()): Promise<number> {
      const due = await dbs.system(async (tx) => (await sql<{ tenant_id: string; sim_id: string; days_limit: number }>`
        select l.tenant_id, l.sim_id, l.days_limit from sim_test_limits l where l.ended_at is null and l.ends_at <= ${now} limit 5000`.execute(tx)).rows);
      const byTenant = new Map<string, ChangeRequest[]>();
      for (const d of due) byTenant.set(d.tenant_id, [...(byTenant.get(d.tenant_id) ?? []), { simId: d.sim_id, action: 'activate', party: 'SYSTEM', reason: `test period of ${d.days_limit} days ended` }]);
      let n = 0;
      for (const [tenantId, reqs] of byTenant) n += (await asSystem(tenantId, reqs, 'test-limits')).filter((o) => o.ok).length;
      return n;
    },

    /**
     * The network reported the device (IMEI) a SIM is in. Always an event; the SIM follows the new IMEI unless it
     * is locked to a device, in which case the event says so (`locked: true`) and the bound IMEI stays.
     */
    async reportImei(tenantId: string, simId: string, imei: string, source: string, tx?: Tx): Promise<{ changed: boolean; locked: boolean }> {
      const run = async (t: Tx) => {
        const now = core.now();
        const [sim] = await sims.lockSims(t, tenantId, [simId]);
        if (!sim) throw new NotFoundError('SIM', simId);
        if (sim.imei === imei) return { changed: false, locked: sim.imei_lock };
        if (!sim.imei_lock) await sims.setImei(t, tenantId, sim.id, imei, false, now);
        const id = randomUUID();
        await repo.upsertChanges(t, tenantId, [{
          id, sim_id: sim.id, enterprise_id: sim.enterprise_id, kind: 'IMEI_LOCK', action: 'imei-reported', from_state: sim.state, to_state: sim.state,
          from_value: { imei: sim.imei }, to_value: { imei, locked: sim.imei_lock }, party: 'SYSTEM', status: 'COMPLETED', scheduled_for: null,
          requested_at: now, applied_at: now, settled_at: now, requested_by: systemActor(source), reason: `reported by ${source}`,
          outcome: sim.imei_lock ? `device ${imei} is not the locked device ${sim.imei}` : 'IMEI updated', bulk_job_id: null,
        }]);
        await bus.record(t, { type: LIFECYCLE_EVENTS.imeiChanged, tenantId, aggregateType: 'sim', aggregateId: sim.id,
          payload: { simId: sim.id, enterpriseId: sim.enterprise_id, changeId: id, sequence: sim.version, changed: ['imei'], previousImei: sim.imei, imei, locked: sim.imei_lock } }, systemActor(source));
        await recordAudit(t, { actor: systemActor(source) }, { tenantId, enterpriseId: sim.enterprise_id, action: 'imei-reported', entityType: 'sim', entityId: sim.id, before: { imei: sim.imei }, after: { imei, locked: sim.imei_lock } });
        return { changed: true, locked: sim.imei_lock };
      };
      return tx ? run(tx) : dbs.tenant({ tenantId }, run);
    },

    suspendAccount,
    resumeAccount,
    terminateAccount,

    /** The HTTP face of the cascades (tenant staff only). */
    async accountAction(ctx: RequestContext, enterpriseId: string, action: 'suspend' | 'resume' | 'terminate', reason?: string | null) {
      if (ctx.enterpriseId || ctx.principal.role.startsWith('enterprise_')) throw new ForbiddenError('account-wide SIM actions are for tenant staff');
      const tenantId = scopeOf(ctx).tenantId;
      if (action === 'suspend') return suspendAccount(tenantId, enterpriseId, reason ?? 'suspended by tenant');
      if (action === 'resume') return resumeAccount(tenantId, enterpriseId);
      return terminateAccount(tenantId, enterpriseId, reason ?? 'terminated by tenant');
    },

    async isAccountSuspended(tenantId: string, enterpriseId: string): Promise<boolean> {
      return dbs.tenant({ tenantId }, async (tx) => (await repo.suspendedAccounts(tx, tenantId, [enterpriseId])).size > 0);
    },

    /** The SIMs as provisioning delivers them: current state, no secrets (system scope, any enterprise). */
    async simsForDelivery(tx: Tx, tenantId: string, simIds: string[]): Promise<SimView[]> {
      return sims.getSims(tx, tenantId, simIds);
    },
  };
}

export interface AccountCascadeResult {
  requested: number;
  accepted: number;
  refused: { simId: string; reason: string }[];
}
function cascadeResult(out: ChangeOutcome[]): AccountCascadeResult {
  return { requested: out.length, accepted: out.filter((o) => o.ok).length, refused: out.filter((o) => !o.ok).map((o) => ({ simId: o.simId, reason: o.error ?? '' })) };
}

export type LifecycleService = ReturnType<typeof createLifecycleService>;
