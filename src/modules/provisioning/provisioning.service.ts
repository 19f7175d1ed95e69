import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Core } from '../../platform/core';
import type { Tx } from '../../platform/db';
import type { StoredEvent } from '../../platform/events';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, systemContext, type RequestContext } from '../../platform/auth';
import { openString, parseKeyRing, seal, type KeyRing } from '../../platform/crypto';
import { ConflictError, NotFoundError, ValidationError, paginate, type PageQuery } from '../../platform/http';
import type { LifecycleModule, SimState, SimView, SettleResult } from '../lifecycle';
import type { SimStateAccess } from '../inventory';
import { ciscoControlCenterPreset, restAdapter, restConfig, sftpAdapter, sftpConfig, type Adapter, type DeliveryWork } from './adapters';
import { applyResult, reconcile, subscribed, verifySignature, type HandlerResult } from './provisioning.fns';
import { DELIVERABLE_EVENTS, PROVISIONING_EVENTS } from './provisioning.events';
import type { ProvisioningTargetsTable, TargetKind } from './provisioning.tables';

export const FANOUT_SUBSCRIBER = 'provisioning.fan-out';
const DELIVERABLE = new Set<string>(DELIVERABLE_EVENTS);

export interface ProvisioningDeps {
  lifecycle: Pick<LifecycleModule, 'settleChanges' | 'simsForDelivery' | 'reportImei' | 'recordTestUsage' | 'asSystem'>;
  sims: Pick<SimStateAccess, 'findSimsByIdentifiers' | 'searchSims'>;
}

export interface TargetInput {
  name: string;
  kind: TargetKind;
  config: Record<string, unknown>;
  /** Password, token, API key or private key; sealed, never returned. */
  secret?: string | null;
  /** HMAC secret the target signs its webhook calls with; sealed, never returned. */
  inboundSecret?: string | null;
  eventTypes: string[];
  gate?: 'ALL' | 'MAPPED_OFFERS';
  offerProfiles?: Record<string, string>;
  capabilities?: string[];
  maxAttempts?: number;
  batchSize?: number;
  enabled?: boolean;
}

export const ciscoInput = z.object({ baseUrl: z.string().url(), username: z.string().min(1) });

type TargetRow = Omit<ProvisioningTargetsTable, 'id' | 'gate' | 'max_attempts' | 'batch_size' | 'enabled' | 'created_at' | 'updated_at' | 'config' | 'offer_profiles' | 'event_types' | 'capabilities'> & {
  event_types: string[]; capabilities: string[];
  id: string; gate: 'ALL' | 'MAPPED_OFFERS'; max_attempts: number; batch_size: number; enabled: boolean; created_at: Date; updated_at: Date;
  config: Record<string, unknown>; offer_profiles: Record<string, string>;
};

function publicTarget(t: TargetRow) {
  return {
    id: t.id, name: t.name, kind: t.kind, config: t.config, hasSecret: !!t.secret_enc, hasInboundSecret: !!t.inbound_secret_enc,
    eventTypes: t.event_types, gate: t.gate, offerProfiles: t.offer_profiles, capabilities: t.capabilities, maxAttempts: t.max_attempts,
    batchSize: t.batch_size, enabled: t.enabled, createdAt: new Date(t.created_at).toISOString(), updatedAt: new Date(t.updated_at).toISOString(),
  };
}

interface DeliveryRow {
  tenant_id: string; id: number; event_id: string; event_seq: number; event_type: string; target_id: string; sim_id: string | null;
  enterprise_id: string | null; lane: string; change_id: string | null; status: string; attempts: number; max_attempts: number;
  next_attempt_at: Date; last_error: string | null; last_result_code: string | null; external_ref: string | null; created_at: Date;
  updated_at: Date; finished_at: Date | null; discarded_by: unknown; discard_reason: string | null;
}

export function publicDelivery(d: DeliveryRow & { target_name?: string }) {
  const iso = (x: Date | string | null) => (x ? new Date(x).toISOString() : null);
  return {
    id: d.id, eventId: d.event_id, eventSeq: d.event_seq, eventType: d.event_type, targetId: d.target_id, targetName: d.target_name ?? null,
    simId: d.sim_id, lane: d.lane, changeId: d.change_id, status: d.status, attempts: d.attempts, maxAttempts: d.max_attempts,
    nextAttemptAt: iso(d.next_attempt_at), lastError: d.last_error, lastResultCode: d.last_result_code, externalRef: d.external_ref,
    createdAt: iso(d.created_at)!, updatedAt: iso(d.updated_at)!, finishedAt: iso(d.finished_at), discardedBy: d.discarded_by ?? null, discardReason: d.discard_reason,
  };
}

/**
 * Provisioning (provisioning.md): events fan out to one delivery per subscribed target; a worker delivers them
 * through adapters in (target, SIM) lane order with retries, backoff and a dead-letter state; results settle the
 * lifecycle change; keys targets return are stored and sent on later calls; network notices come back in.
 */
export function createProvisioningService(core: Core, deps: ProvisioningDeps) {
  const { dbs, bus } = core;
  let ring: KeyRing | undefined;
  const keyRing = () => (ring ??= parseKeyRing(core.config.ENCRYPTION_KEYS));
  const adapters = new Map<string, { at: number; adapter: Adapter }>();
  const leaseMs = 60_000;

  function validateInput(input: TargetInput): Record<string, unknown> {
    const schema = input.kind === 'REST' ? restConfig : input.kind === 'SFTP' ? sftpConfig : ciscoInput;
    const parsed = schema.safeParse(input.config);
    if (!parsed.success) {
      throw new ValidationError('the target configuration is not valid', parsed.error.issues.map((i) => ({ field: ['config', ...i.path.map(String)].join('.'), reason: i.message })));
    }
    const bad = input.eventTypes.filter((t) => t !== '*' && !t.endsWith('.*') && !(DELIVERABLE_EVENTS as readonly string[]).includes(t));
    if (bad.length) throw new ValidationError('unknown event types', bad.map((t) => ({ field: 'eventTypes', reason: `${t} is not an event a target can receive` })));
    return parsed.data as Record<string, unknown>;
  }

  function adapterOf(t: TargetRow): Adapter {
    const cached = adapters.get(t.id);
    const stamp = new Date(t.updated_at).getTime();
    if (cached && cached.at === stamp) return cached.adapter;
    const secret = t.secret_enc && t.key_id ? openString({ keyId: t.key_id, blob: t.secret_enc }, keyRing(), `target:${t.id}`) : null;
    const adapter = t.kind === 'REST' ? restAdapter(restConfig.parse(t.config), secret)
      : t.kind === 'SFTP' ? sftpAdapter(sftpConfig.parse(t.config), secret, core.now)
        : restAdapter(ciscoControlCenterPreset(ciscoInput.parse(t.config)), secret);
    adapters.set(t.id, { at: stamp, adapter });
    return adapter;
  }

  function stateMapOf(t: TargetRow): Partial<Record<SimState, string>> {
    if (t.kind === 'CISCO_CC') return ciscoControlCenterPreset(ciscoInput.parse(t.config)).stateMap;
    return ((t.config as { stateMap?: Partial<Record<SimState, string>> }).stateMap) ?? {};
  }

  // ---- fan-out -----------------------------------------------------------------------------------------------------

  /** One delivery per (event, subscribed target); a change no target is concerned with settles at once. */
  async function fanOut(events: StoredEvent[]): Promise<void> {
    const byTenant = new Map<string, StoredEvent[]>();
    for (const e of events) if (e.tenantId) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
    for (const [tenantId, list] of byTenant) {
      await dbs.system(async (tx) => {
        const targets = (await tx.selectFrom('provisioning_targets').selectAll().where('tenant_id', '=', tenantId).where('enabled', '=', true).execute()) as unknown as TargetRow[];
        const rows: Record<string, unknown>[] = [];
        const settleNow: SettleResult[] = [];
        for (const e of list) {
          if (!DELIVERABLE.has(e.type)) continue; // holds, settlements, bulk jobs: nothing for the network
          const p = (e.payload ?? {}) as { simId?: string; enterpriseId?: string | null; changeId?: string | null };
          const concerned = targets.filter((t) => subscribed(t.event_types, e.type));
          for (const t of concerned) {
            rows.push({ event_id: e.eventId, event_seq: e.id, event_type: e.type, target_id: t.id, sim_id: p.simId ?? null,
              enterprise_id: p.enterpriseId ?? null, lane: p.simId ?? p.enterpriseId ?? e.aggregateId, change_id: p.changeId ?? null, max_attempts: t.max_attempts });
          }
          if (concerned.length === 0 && p.changeId) settleNow.push({ changeId: p.changeId, ok: true, outcome: 'no provisioning target is subscribed to this change' });
        }
        if (rows.length) {
          await sql`insert into provisioning_deliveries (tenant_id, event_id, event_seq, event_type, target_id, sim_id, enterprise_id, lane, change_id, max_attempts, next_attempt_at, created_at, updated_at)
            select ${tenantId}::uuid, r.event_id, r.event_seq, r.event_type, r.target_id, r.sim_id, r.enterprise_id, r.lane, r.change_id, r.max_attempts, ${core.now()}, ${core.now()}, ${core.now()}
              from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(event_id uuid, event_seq bigint, event_type text, target_id uuid, sim_id uuid,
                   enterprise_id uuid, lane text, change_id uuid, max_attempts int)
            on conflict (tenant_id, event_id, target_id) do nothing`.execute(tx);
        }
        await deps.lifecycle.settleChanges(tx, tenantId, settleNow);
      });
    }
  }

  // ---- delivery worker ---------------------------------------------------------------------------------------------

  /**
   * Claims due deliveries that head their (target, lane) — nothing earlier in the lane is pending, in flight or
   * DEAD, and no earlier event of the SIM still waits for fan-out — and delivers them, grouped per target.
   * Returns how many deliveries it handled.
   */
  async function deliverDue(opts: { limit?: number } = {}): Promise<number> {
    const now = core.now();
    // Heads of lanes come from one ordered pass over the unfinished deliveries (linear whatever the planner's
    // statistics say); the lock re-checks the row's own status, so two workers never claim the same delivery.
    const claimed = (await sql<DeliveryRow>`
      with heads as (
        select distinct on (tenant_id, target_id, lane) tenant_id, id, status, next_attempt_at, lane, event_seq
          from provisioning_deliveries
         where status in ('PENDING', 'IN_PROGRESS', 'DEAD')
         order by tenant_id, target_id, lane, event_seq),
      cand as (
        select d.tenant_id, d.id from heads h join provisioning_deliveries d on d.tenant_id = h.tenant_id and d.id = h.id
         where h.status in ('PENDING', 'IN_PROGRESS') and h.next_attempt_at <= ${now}
           and d.status in ('PENDING', 'IN_PROGRESS') and d.next_attempt_at <= ${now}
           and not exists (select 1 from outbox_events e join outbox_deliveries od on od.event_id = e.id and od.subscriber = ${FANOUT_SUBSCRIBER}
                            where e.tenant_id = h.tenant_id and e.aggregate_type = 'sim' and e.aggregate_id = h.lane
                              and e.id < h.event_seq and od.status <> 'DONE')
         order by h.next_attempt_at, h.id
         limit ${opts.limit ?? 5000}
         for update of d skip locked)
      update provisioning_deliveries d set status = 'IN_PROGRESS', attempts = d.attempts + 1,
             next_attempt_at = ${new Date(now.getTime() + leaseMs)}, updated_at = ${now}
        from cand where d.tenant_id = cand.tenant_id and d.id = cand.id
      returning d.*`.execute(dbs.db)).rows;
    if (claimed.length === 0) return 0;
    const groups = new Map<string, DeliveryRow[]>();
    for (const d of claimed) groups.set(`${d.tenant_id}/${d.target_id}`, [...(groups.get(`${d.tenant_id}/${d.target_id}`) ?? []), d]);
    await Promise.all([...groups.values()].map((list) => deliverGroup(list).catch((err) => core.log.error({ err }, 'provisioning group failed'))));
    return claimed.length;
  }

  async function deliverGroup(list: DeliveryRow[]): Promise<void> {
    const tenantId = list[0].tenant_id;
    const { target, sims, keys, events } = await dbs.system(async (tx) => {
      const target = (await tx.selectFrom('provisioning_targets').selectAll().where('tenant_id', '=', tenantId).where('id', '=', list[0].target_id).executeTakeFirstOrThrow()) as unknown as TargetRow;
      const simIds = [...new Set(list.map((d) => d.sim_id).filter((x): x is string => !!x))];
      const sims = new Map((await deps.lifecycle.simsForDelivery(tx, tenantId, simIds)).map((s) => [s.id, s]));
      const keyRows = simIds.length ? await tx.selectFrom('external_keys').select(['entity_id', 'key_name', 'value']).where('tenant_id', '=', tenantId)
        .where('target_id', '=', target.id).where('entity_type', '=', 'sim').where('entity_id', 'in', simIds).where('retired_at', 'is', null).execute() : [];
      const keys = new Map<string, Record<string, string>>();
      for (const k of keyRows) keys.set(k.entity_id, { ...(keys.get(k.entity_id) ?? {}), [k.key_name]: k.value });
      const ev = await sql<{ event_id: string; occurred_at: Date; payload: { sequence?: number } & Record<string, unknown> }>`select event_id, occurred_at, payload from outbox_events
        where id = any(${list.map((d) => d.event_seq)}::bigint[])`.execute(tx);
      return { target, sims, keys, events: new Map(ev.rows.map((r) => [r.event_id, r])) };
    });
    const stateMap = stateMapOf(target);
    const results = new Map<number, HandlerResult>();
    const work: DeliveryWork[] = [];
    for (const d of list) {
      if (!d.sim_id) { work.push(accountWorkOf(d, events.get(d.event_id))); continue; }
      const sim = sims.get(d.sim_id);
      if (!sim) { results.set(d.id, { kind: 'SKIP', reason: 'the SIM no longer exists' }); continue; }
      const profile = sim.plan_offer_id ? target.offer_profiles[sim.plan_offer_id] ?? null : null;
      if (target.gate === 'MAPPED_OFFERS' && !profile) {
        results.set(d.id, { kind: 'SKIP', reason: `the SIM's offer ${sim.plan_offer_id ?? '(none)'} has no provisioning service for target ${target.name}` });
        continue;
      }
      work.push(workOf(d, sim, profile, keys.get(sim.id) ?? {}, stateMap, events.get(d.event_id)));
    }
    const adapter = adapterOf(target);
    for (let i = 0; i < work.length; i += target.batch_size) {
      const slice = work.slice(i, i + target.batch_size);
      let out: HandlerResult[];
      try {
        out = await adapter.deliver(slice);
      } catch (err) {
        out = slice.map(() => ({ kind: 'RETRYABLE' as const, error: `adapter failed: ${(err as Error).message}` }));
      }
      slice.forEach((w, k) => results.set(w.deliveryId, out[k] ?? { kind: 'RETRYABLE', error: 'the adapter gave no result' }));
    }
    await recordResults(tenantId, target, list, results);
  }

  type EventRow = { occurred_at: Date; payload: { sequence?: number } & Record<string, unknown> };
  const eventOf = (d: DeliveryRow, ev?: EventRow): DeliveryWork['event'] => ({
    id: d.event_id, type: d.event_type, sequence: ev?.payload?.sequence ?? d.event_seq, occurredAt: new Date(ev?.occurred_at ?? d.created_at).toISOString(), payload: ev?.payload ?? {},
  });

  /** An account-level event (an order placed): no SIM; the target's request for that event type gets the ids. */
  function accountWorkOf(d: DeliveryRow, ev?: EventRow): DeliveryWork {
    return { deliveryId: d.id, event: eventOf(d, ev), sim: null, status: '', profile: null, keys: {} };
  }

  function workOf(d: DeliveryRow, sim: SimView, profile: string | null, keys: Record<string, string>, stateMap: Partial<Record<SimState, string>>,
    ev?: EventRow): DeliveryWork {
    const effective = (sim.pending_state ?? sim.state) as SimState;
    return {
      deliveryId: d.id,
      event: eventOf(d, ev),
      sim: { id: sim.id, iccid: sim.iccid, imsi: sim.imsi, msisdn: sim.msisdn, state: sim.state, pendingState: sim.pending_state, effectiveState: effective,
        planOfferId: sim.plan_offer_id, apnIds: sim.apn_ids, imei: sim.imei, imeiLock: sim.imei_lock, enterpriseId: sim.enterprise_id },
      status: stateMap[effective] ?? effective, profile, keys,
    };
  }

  /** Writes every result of a group in one transaction: delivery rows, keys, alerts and the lifecycle settlement. */
  async function recordResults(tenantId: string, target: TargetRow, list: DeliveryRow[], results: Map<number, HandlerResult>): Promise<void> {
    const now = core.now();
    const updates: Record<string, unknown>[] = [];
    const keyRows: { entity_id: string; key_name: string; value: string }[] = [];
    const retired: string[] = [];
    const dead: DeliveryRow[] = [];
    const finishedChanges = new Set<string>();
    for (const d of list) {
      const r = results.get(d.id)!;
      const u = applyResult(r, d.attempts, d.max_attempts, now, Math.random());
      updates.push({ id: d.id, status: u.status, next_attempt_at: u.nextAttemptAt.toISOString(), last_error: u.lastError?.slice(0, 2000) ?? null,
        last_result_code: u.lastResultCode, external_ref: u.externalRef, finished_at: u.finished ? now.toISOString() : null });
      if (r.kind === 'OK' && d.sim_id) {
        for (const [k, v] of Object.entries(r.externalKeys ?? {})) keyRows.push({ entity_id: d.sim_id, key_name: k, value: v });
        if (d.event_type === 'lifecycle.sim.terminated') retired.push(d.sim_id);
      }
      if (u.status === 'DEAD') dead.push({ ...d, last_error: u.lastError });
      if (u.finished && d.change_id) finishedChanges.add(d.change_id);
    }
    await dbs.system(async (tx) => {
      await sql`update provisioning_deliveries d set status = r.status, next_attempt_at = r.next_attempt_at, last_error = r.last_error,
          last_result_code = r.last_result_code, external_ref = coalesce(r.external_ref, d.external_ref), finished_at = r.finished_at, updated_at = ${now}
        from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as r(id bigint, status text, next_attempt_at timestamptz, last_error text,
             last_result_code text, external_ref text, finished_at timestamptz)
       where d.tenant_id = ${tenantId} and d.id = r.id and d.status = 'IN_PROGRESS'`.execute(tx);
      if (keyRows.length) {
        await sql`insert into external_keys (tenant_id, entity_type, entity_id, target_id, key_name, value, updated_at)
          select ${tenantId}::uuid, 'sim', r.entity_id, ${target.id}::uuid, r.key_name, r.value, ${now}
            from jsonb_to_recordset(${JSON.stringify(keyRows)}::jsonb) as r(entity_id uuid, key_name text, value text)
          on conflict (tenant_id, entity_type, entity_id, target_id, key_name) do update set value = excluded.value, retired_at = null, updated_at = excluded.updated_at`.execute(tx);
      }
      if (retired.length) {
        await sql`update external_keys set retired_at = ${now}, updated_at = ${now} where tenant_id = ${tenantId} and target_id = ${target.id}
          and entity_type = 'sim' and entity_id = any(${retired}::uuid[]) and retired_at is null`.execute(tx);
      }
      if (dead.length) {
        await bus.record(tx, dead.map((d) => ({ type: PROVISIONING_EVENTS.deliveryDead, tenantId, aggregateType: 'provisioning_delivery', aggregateId: String(d.id),
          payload: { deliveryId: d.id, targetId: target.id, simId: d.sim_id, eventType: d.event_type, error: d.last_error } })));
        for (const d of dead) core.log.warn({ delivery: d.id, target: target.name, sim: d.sim_id, error: d.last_error }, 'provisioning delivery is DEAD');
      }
      await settle(tx, tenantId, [...finishedChanges]);
    });
  }

  /** Settles the lifecycle changes whose deliveries are all finished: any DEAD one rolls the change back. */
  async function settle(tx: Tx, tenantId: string, changeIds: string[]): Promise<void> {
    if (changeIds.length === 0) return;
    // Deliveries of one change finish in concurrent transactions (one per target): the lock makes the last of
    // them see the others' committed outcome, so exactly one settles the change.
    await sql`select pg_advisory_xact_lock(hashtextextended('sim-change:' || c, 0)) from unnest(${[...changeIds].sort()}::text[]) as c`.execute(tx);
    const rows = await sql<{ change_id: string; status: string; last_error: string | null; target: string }>`
      select d.change_id, d.status, d.last_error, t.name as target from provisioning_deliveries d
        join provisioning_targets t on t.tenant_id = d.tenant_id and t.id = d.target_id
       where d.tenant_id = ${tenantId} and d.change_id = any(${changeIds}::uuid[])`.execute(tx);
    const by = new Map<string, typeof rows.rows>();
    for (const r of rows.rows) by.set(r.change_id, [...(by.get(r.change_id) ?? []), r]);
    const results: SettleResult[] = [];
    for (const [changeId, ds] of by) {
      const failed = ds.find((d) => d.status === 'DEAD' || d.status === 'DISCARDED');
      if (failed) { results.push({ changeId, ok: false, outcome: `${failed.target}: ${failed.last_error ?? 'refused'}` }); continue; }
      if (ds.some((d) => d.status === 'PENDING' || d.status === 'IN_PROGRESS')) continue;
      const parts = ds.map((d) => `${d.target}: ${d.status === 'SKIPPED' ? `skipped (${d.last_error})` : 'applied'}`);
      results.push({ changeId, ok: true, outcome: parts.join('; ') });
    }
    await deps.lifecycle.settleChanges(tx, tenantId, results);
  }

  // ---- inbound notifications -----------------------------------------------------------------------------------------

  const notice = z.object({
    eventId: z.string().min(1).max(200),
    type: z.enum(['PROVISIONING_RESULT', 'QUOTA_EXHAUSTED', 'IMEI_CHANGED', 'USAGE']),
    targetId: z.string().uuid().optional(),
    simId: z.string().uuid().optional(), iccid: z.string().max(22).optional(), imsi: z.string().max(15).optional(), msisdn: z.string().max(15).optional(),
    externalKey: z.object({ name: z.string(), value: z.string() }).optional(),
    imei: z.string().regex(/^[0-9]{14,16}$/).optional(),
    dataBytes: z.number().int().min(0).optional(), sms: z.number().int().min(0).optional(),
    deliveryRef: z.string().max(200).optional(), result: z.enum(['SUCCEEDED', 'FAILED']).optional(), error: z.string().max(2000).optional(),
  });
  type Notice = z.infer<typeof notice>;

  async function resolveSim(tx: Tx, tenantId: string, n: Notice, targetId: string | null): Promise<string | null> {
    if (n.externalKey && (targetId ?? n.targetId)) {
      const k = await tx.selectFrom('external_keys').select('entity_id').where('tenant_id', '=', tenantId).where('target_id', '=', (targetId ?? n.targetId)!)
        .where('key_name', '=', n.externalKey.name).where('value', '=', n.externalKey.value).where('entity_type', '=', 'sim').executeTakeFirst();
      if (k) return k.entity_id;
    }
    const ids = [n.simId, n.iccid, n.imsi, n.msisdn].filter((x): x is string => !!x);
    if (ids.length === 0) return null;
    const found = await deps.sims.findSimsByIdentifiers(tx, tenantId, ids);
    return found.get(ids[0])?.id ?? null;
  }

  /** Applies one notice (inside its transaction); returns its status and what happened. */
  async function applyNotice(tx: Tx, tenantId: string, targetId: string | null, n: Notice): Promise<{ status: 'APPLIED' | 'UNMATCHED' | 'IGNORED' | 'FAILED'; simId: string | null; detail: string }> {
    if (n.type === 'PROVISIONING_RESULT') {
      const tid = targetId ?? n.targetId;
      if (!tid || !n.deliveryRef || !n.result) return { status: 'FAILED', simId: null, detail: 'a provisioning result needs targetId, deliveryRef and result' };
      const d = await tx.selectFrom('provisioning_deliveries').selectAll().where('tenant_id', '=', tenantId).where('target_id', '=', tid)
        .where('external_ref', '=', n.deliveryRef).where('status', '=', 'IN_PROGRESS').forUpdate().executeTakeFirst();
      if (!d) return { status: 'UNMATCHED', simId: null, detail: `no delivery in progress with reference ${n.deliveryRef}` };
      const now = core.now();
      const ok = n.result === 'SUCCEEDED';
      await tx.updateTable('provisioning_deliveries').set({ status: ok ? 'SUCCEEDED' : 'DEAD', last_error: ok ? null : n.error ?? 'the target reported a failure',
        finished_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', d.id).execute();
      if (!ok) await bus.record(tx, { type: PROVISIONING_EVENTS.deliveryDead, tenantId, aggregateType: 'provisioning_delivery', aggregateId: String(d.id), payload: { deliveryId: d.id, targetId: tid, simId: d.sim_id, error: n.error ?? null } });
      if (d.change_id) await settle(tx, tenantId, [d.change_id]);
      return { status: 'APPLIED', simId: d.sim_id, detail: `delivery ${d.id} ${ok ? 'succeeded' : 'failed'}` };
    }
    const simId = await resolveSim(tx, tenantId, n, targetId);
    if (!simId) return { status: 'UNMATCHED', simId: null, detail: 'no SIM matches the identifiers of this notice' };
    if (n.type === 'IMEI_CHANGED') {
      if (!n.imei) return { status: 'FAILED', simId, detail: 'imei is required' };
      const r = await deps.lifecycle.reportImei(tenantId, simId, n.imei, 'network', tx);
      return { status: r.changed ? 'APPLIED' : 'IGNORED', simId, detail: r.changed ? (r.locked ? 'IMEI differs from the locked device: event raised' : 'IMEI updated') : 'same IMEI as known' };
    }
    if (n.type === 'USAGE' || n.type === 'QUOTA_EXHAUSTED') {
      if (n.type === 'QUOTA_EXHAUSTED') {
        // For a test SIM the network's quota is the test allowance: it ends test mode.
        const [o] = await deps.lifecycle.asSystem(tenantId, [{ simId, action: 'activate', party: 'SYSTEM', reason: 'test quota exhausted (network notice)' }], 'network', tx);
        return o.ok ? { status: 'APPLIED', simId, detail: 'test allowance used up: SIM activated' } : { status: 'IGNORED', simId, detail: o.error ?? 'not applicable' };
      }
      const r = await deps.lifecycle.recordTestUsage(tenantId, [{ simId, dataBytes: n.dataBytes, sms: n.sms }], tx);
      return { status: 'APPLIED', simId, detail: r.activated.length ? 'usage counted; test limit reached: SIM activated' : 'usage counted' };
    }
    return { status: 'IGNORED', simId, detail: 'nothing to do' };
  }

  async function receive(tenantId: string, source: string, targetId: string | null, body: unknown, actor: { type: 'user' | 'api_key' | 'system'; id: string | null; name?: string | null }) {
    const parsed = notice.safeParse(body);
    if (!parsed.success) throw new ValidationError('the notification is not valid', parsed.error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), reason: i.message })));
    const n = parsed.data;
    return dbs.tenant({ tenantId }, async (tx) => {
      const now = core.now();
      const inserted = await tx.insertInto('inbound_notifications').values({
        tenant_id: tenantId, source, sender_event_id: n.eventId, type: n.type, payload: JSON.stringify(n), status: 'IGNORED', received_at: now,
      }).onConflict((oc) => oc.columns(['tenant_id', 'source', 'sender_event_id']).doNothing()).returning('id').executeTakeFirst();
      if (!inserted) {
        const prev = await tx.selectFrom('inbound_notifications').selectAll().where('tenant_id', '=', tenantId).where('source', '=', source)
          .where('sender_event_id', '=', n.eventId).executeTakeFirstOrThrow();
        return { id: prev.id, status: prev.status, simId: prev.sim_id, detail: prev.detail, duplicate: true };
      }
      const r = await applyNotice(tx, tenantId, targetId, n);
      await tx.updateTable('inbound_notifications').set({ status: r.status, sim_id: r.simId, detail: r.detail, processed_at: now })
        .where('tenant_id', '=', tenantId).where('id', '=', inserted.id).execute();
      await bus.record(tx, { type: PROVISIONING_EVENTS.notificationReceived, tenantId, aggregateType: 'inbound_notification', aggregateId: inserted.id,
        payload: { notificationId: inserted.id, type: n.type, simId: r.simId, status: r.status } }, actor);
      await recordAudit(tx, { actor }, { tenantId, action: 'notify', entityType: 'inbound_notification', entityId: inserted.id, after: { type: n.type, status: r.status, detail: r.detail } });
      return { id: inserted.id, status: r.status, simId: r.simId, detail: r.detail, duplicate: false };
    });
  }

  // ---- admin -----------------------------------------------------------------------------------------------------------

  async function loadTarget(tx: Tx, tenantId: string, id: string): Promise<TargetRow> {
    const t = await tx.selectFrom('provisioning_targets').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!t) throw new NotFoundError('provisioning target', id);
    return t as unknown as TargetRow;
  }

  function sealed(value: string | null | undefined, id: string, what: string) {
    if (value === undefined) return undefined;
    if (value === null || value === '') return { enc: null, keyId: null };
    const s = seal(value, keyRing(), `${what}:${id}`);
    return { enc: s.blob, keyId: s.keyId };
  }

  async function deliveryFor(tx: Tx, tenantId: string, id: number) {
    const d = await sql<DeliveryRow & { target_name: string }>`select d.*, t.name as target_name from provisioning_deliveries d
      join provisioning_targets t on t.tenant_id = d.tenant_id and t.id = d.target_id where d.tenant_id = ${tenantId} and d.id = ${id} for update of d`.execute(tx);
    if (!d.rows[0]) throw new NotFoundError('delivery', String(id));
    return d.rows[0];
  }

  const api = {
    fanOut,
    deliverDue,

    /**
     * The scheduled reconciliation: every enabled target that can be read back is compared with the platform;
     * the difference report goes out as `provisioning.reconciliation.completed` (first 100 differences).
     */
    async reconcileAll(): Promise<{ targetId: string; checked: number; differences: number }[]> {
      const targets = await dbs.system((tx) => tx.selectFrom('provisioning_targets').select(['tenant_id', 'id', 'kind', 'config']).where('enabled', '=', true).execute());
      const out: { targetId: string; checked: number; differences: number }[] = [];
      for (const t of targets) {
        const readable = t.kind === 'CISCO_CC' || (t.kind === 'REST' && !!(t.config as { read?: unknown }).read);
        if (!readable) continue;
        try {
          const r = await api.reconciliation(systemContext(t.tenant_id, null, 'reconciliation'), t.id);
          await dbs.tenant({ tenantId: t.tenant_id }, (tx) => bus.record(tx, { type: PROVISIONING_EVENTS.reconciliationCompleted, tenantId: t.tenant_id,
            aggregateType: 'provisioning_target', aggregateId: t.id,
            payload: { targetId: t.id, checked: r.checked, matching: r.matching, differences: r.differences.slice(0, 100), more: Math.max(0, r.differences.length - 100) } }));
          out.push({ targetId: t.id, checked: r.checked, differences: r.differences.length });
        } catch (err) {
          core.log.warn({ err, target: t.id }, 'reconciliation failed');
        }
      }
      return out;
    },

    async createTarget(ctx: RequestContext, input: TargetInput) {
      const config = validateInput(input);
      const scope = scopeOf(ctx);
      const id = randomUUID();
      const secret = sealed(input.secret, id, 'target');
      const inbound = sealed(input.inboundSecret, id, 'inbound');
      return dbs.tenant(scope, async (tx) => {
        const dup = await tx.selectFrom('provisioning_targets').select('id').where('tenant_id', '=', scope.tenantId).where('name', '=', input.name).executeTakeFirst();
        if (dup) throw new ConflictError(`a target named ${input.name} exists`, [{ field: 'name', reason: 'is taken' }]);
        const now = core.now();
        const t = await tx.insertInto('provisioning_targets').values({
          tenant_id: scope.tenantId, id, name: input.name, kind: input.kind, config: JSON.stringify(config),
          secret_enc: secret?.enc ?? null, key_id: secret?.keyId ?? null, inbound_secret_enc: inbound?.enc ?? null, inbound_key_id: inbound?.keyId ?? null,
          event_types: input.eventTypes, gate: input.gate ?? 'ALL', offer_profiles: JSON.stringify(input.offerProfiles ?? {}),
          capabilities: input.capabilities ?? [], max_attempts: input.maxAttempts ?? 10, batch_size: input.batchSize ?? 200, enabled: input.enabled ?? true,
          created_at: now, updated_at: now,
        }).returningAll().executeTakeFirstOrThrow();
        const view = publicTarget(t as unknown as TargetRow);
        await bus.record(tx, { type: PROVISIONING_EVENTS.targetCreated, tenantId: scope.tenantId, aggregateType: 'provisioning_target', aggregateId: id, payload: { targetId: id } }, actorOf(ctx));
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'create', entityType: 'provisioning_target', entityId: id, after: view });
        return view;
      });
    },

    async updateTarget(ctx: RequestContext, id: string, input: Partial<TargetInput>) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const before = await loadTarget(tx, scope.tenantId, id);
        const merged: TargetInput = {
          name: input.name ?? before.name, kind: before.kind, config: input.config ?? before.config, eventTypes: input.eventTypes ?? before.event_types,
        };
        const config = validateInput(merged);
        const secret = sealed(input.secret, id, 'target');
        const inbound = sealed(input.inboundSecret, id, 'inbound');
        const now = core.now();
        const t = await tx.updateTable('provisioning_targets').set({
          name: merged.name, config: JSON.stringify(config), event_types: merged.eventTypes,
          ...(input.gate ? { gate: input.gate } : {}), ...(input.offerProfiles ? { offer_profiles: JSON.stringify(input.offerProfiles) } : {}),
          ...(input.capabilities ? { capabilities: input.capabilities } : {}), ...(input.maxAttempts ? { max_attempts: input.maxAttempts } : {}),
          ...(input.batchSize ? { batch_size: input.batchSize } : {}), ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(secret ? { secret_enc: secret.enc, key_id: secret.keyId } : {}), ...(inbound ? { inbound_secret_enc: inbound.enc, inbound_key_id: inbound.keyId } : {}),
          updated_at: now,
        }).where('tenant_id', '=', scope.tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
        const view = publicTarget(t as unknown as TargetRow);
        await bus.record(tx, { type: PROVISIONING_EVENTS.targetUpdated, tenantId: scope.tenantId, aggregateType: 'provisioning_target', aggregateId: id, payload: { targetId: id } }, actorOf(ctx));
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'update', entityType: 'provisioning_target', entityId: id, before: publicTarget(before), after: view });
        return view;
      });
    },

    async listTargets(ctx: RequestContext) {
      const scope = scopeOf(ctx);
      const rows = await dbs.tenant(scope, (tx) => tx.selectFrom('provisioning_targets').selectAll().where('tenant_id', '=', scope.tenantId).orderBy('name').execute());
      return rows.map((r) => publicTarget(r as unknown as TargetRow));
    },

    async getTarget(ctx: RequestContext, id: string) {
      const scope = scopeOf(ctx);
      return publicTarget(await dbs.tenant(scope, (tx) => loadTarget(tx, scope.tenantId, id)));
    },

    async listDeliveries(ctx: RequestContext, f: { status?: string; targetId?: string; simId?: string; eventType?: string }, page: PageQuery) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        let q = tx.selectFrom('provisioning_deliveries as d').innerJoin('provisioning_targets as t', (j) => j.onRef('t.tenant_id', '=', 'd.tenant_id').onRef('t.id', '=', 'd.target_id'))
          .selectAll('d').select('t.name as target_name').where('d.tenant_id', '=', scope.tenantId);
        if (f.status) q = q.where('d.status', '=', f.status as never);
        if (f.targetId) q = q.where('d.target_id', '=', f.targetId);
        if (f.simId) q = q.where('d.sim_id', '=', f.simId);
        if (f.eventType) q = q.where('d.event_type', '=', f.eventType);
        const p = await paginate(q, page, { id: 'd.id' }, '-id', 'd.id');
        return { items: p.items.map((d) => publicDelivery(d as unknown as DeliveryRow & { target_name: string })), nextCursor: p.nextCursor };
      });
    },

    async getDelivery(ctx: RequestContext, id: number) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const d = await deliveryFor(tx, scope.tenantId, id);
        const blocked = await sql<{ n: number }>`select count(*)::int as n from provisioning_deliveries where tenant_id = ${scope.tenantId}
          and target_id = ${d.target_id} and lane = ${d.lane} and event_seq > ${d.event_seq} and status in ('PENDING', 'IN_PROGRESS')`.execute(tx);
        return { ...publicDelivery(d), waitingBehind: d.status === 'DEAD' ? blocked.rows[0].n : 0 };
      });
    },

    /** Re-drives a DEAD delivery (a new series of attempts, same event), or hurries a waiting one. */
    async redrive(ctx: RequestContext, id: number) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const d = await deliveryFor(tx, scope.tenantId, id);
        if (d.status !== 'DEAD' && d.status !== 'PENDING') throw new ConflictError(`the delivery is ${d.status}; only DEAD or PENDING ones can be re-driven`);
        const now = core.now();
        await tx.updateTable('provisioning_deliveries').set({ status: 'PENDING', attempts: 0, next_attempt_at: now, finished_at: null, updated_at: now })
          .where('tenant_id', '=', scope.tenantId).where('id', '=', id).execute();
        await bus.record(tx, { type: PROVISIONING_EVENTS.deliveryRedriven, tenantId: scope.tenantId, aggregateType: 'provisioning_delivery', aggregateId: String(id), payload: { deliveryId: id } }, actorOf(ctx));
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'redrive', entityType: 'provisioning_delivery', entityId: String(id), before: { status: d.status, attempts: d.attempts }, after: { status: 'PENDING' } });
        return publicDelivery({ ...d, status: 'PENDING', attempts: 0, next_attempt_at: now, finished_at: null });
      });
    },

    /** Gives up on a DEAD (or waiting) delivery, recorded with user and reason; its lane moves on. */
    async discard(ctx: RequestContext, id: number, reason: string) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const d = await deliveryFor(tx, scope.tenantId, id);
        if (d.status !== 'DEAD' && d.status !== 'PENDING') throw new ConflictError(`the delivery is ${d.status}; only DEAD or PENDING ones can be discarded`);
        const now = core.now();
        const by = actorOf(ctx);
        await tx.updateTable('provisioning_deliveries').set({ status: 'DISCARDED', discarded_by: JSON.stringify(by), discard_reason: reason, finished_at: now, updated_at: now })
          .where('tenant_id', '=', scope.tenantId).where('id', '=', id).execute();
        await bus.record(tx, { type: PROVISIONING_EVENTS.deliveryDiscarded, tenantId: scope.tenantId, aggregateType: 'provisioning_delivery', aggregateId: String(id), payload: { deliveryId: id, reason } }, by);
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'discard', entityType: 'provisioning_delivery', entityId: String(id), before: { status: d.status }, after: { status: 'DISCARDED', reason } });
        if (d.change_id) await settle(tx, scope.tenantId, [d.change_id]);
        return publicDelivery({ ...d, status: 'DISCARDED', discarded_by: by, discard_reason: reason, finished_at: now });
      });
    },

    /** Per target, the SIM's last delivery (event, status, attempts, last error) and its stored keys. */
    async simProvisioning(ctx: RequestContext, simId: string) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const last = await sql<DeliveryRow & { target_name: string }>`select distinct on (d.target_id) d.*, t.name as target_name
          from provisioning_deliveries d join provisioning_targets t on t.tenant_id = d.tenant_id and t.id = d.target_id
          where d.tenant_id = ${scope.tenantId} and d.sim_id = ${simId} order by d.target_id, d.id desc`.execute(tx);
        const keys = await tx.selectFrom('external_keys').select(['target_id', 'key_name', 'value', 'retired_at']).where('tenant_id', '=', scope.tenantId)
          .where('entity_type', '=', 'sim').where('entity_id', '=', simId).execute();
        return last.rows.map((d) => ({
          ...publicDelivery(d),
          keys: keys.filter((k) => k.target_id === d.target_id).map((k) => ({ name: k.key_name, value: k.value, retiredAt: k.retired_at ? new Date(k.retired_at).toISOString() : null })),
        }));
      });
    },

    /** Inbound notice from an API-key caller (permission network:callback). */
    receiveFromApi(ctx: RequestContext, body: unknown) {
      const scope = scopeOf(ctx);
      return receive(scope.tenantId, `api:${(body as { targetId?: string })?.targetId ?? 'any'}`, null, body, actorOf(ctx));
    },

    /** Inbound notice signed by a target with its HMAC secret (the public webhook). */
    async receiveSigned(targetId: string, rawBody: string, signature: string | undefined) {
      const t = await dbs.system(async (tx) => tx.selectFrom('provisioning_targets').selectAll().where('id', '=', targetId).executeTakeFirst());
      const target = t as unknown as TargetRow | undefined;
      const secret = target?.inbound_secret_enc && target.inbound_key_id
        ? openString({ keyId: target.inbound_key_id, blob: target.inbound_secret_enc }, keyRing(), `inbound:${target.id}`) : null;
      // Same answer for an unknown target and a bad signature: nothing to learn by probing.
      if (!target || !secret || !verifySignature(secret, rawBody, signature)) return null;
      let body: unknown;
      try { body = JSON.parse(rawBody); } catch { throw ValidationError.field('body', 'is not JSON'); }
      return receive(target.tenant_id, `target:${target.id}`, target.id, body, { type: 'system', id: target.id, name: `target ${target.name}` });
    },

    async listNotifications(ctx: RequestContext, f: { status?: string }, page: PageQuery) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        let q = tx.selectFrom('inbound_notifications').selectAll().where('tenant_id', '=', scope.tenantId);
        if (f.status) q = q.where('status', '=', f.status as never);
        const p = await paginate(q, page, { receivedAt: 'received_at' }, '-receivedAt');
        return { items: p.items.map((n) => ({ id: n.id, source: n.source, senderEventId: n.sender_event_id, type: n.type, payload: n.payload, status: n.status,
          simId: n.sim_id, detail: n.detail, receivedAt: new Date(n.received_at).toISOString() })), nextCursor: p.nextCursor };
      });
    },

    /** Processes a parked (UNMATCHED or FAILED) notice again, e.g. after the SIM it names was loaded. */
    async replayNotification(ctx: RequestContext, id: string) {
      const scope = scopeOf(ctx);
      return dbs.tenant(scope, async (tx) => {
        const n = await tx.selectFrom('inbound_notifications').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
        if (!n) throw new NotFoundError('notification', id);
        if (n.status !== 'UNMATCHED' && n.status !== 'FAILED') throw new ConflictError(`the notification is ${n.status}; only UNMATCHED or FAILED ones are replayed`);
        const targetId = n.source.startsWith('target:') ? n.source.slice(7) : null;
        const r = await applyNotice(tx, scope.tenantId, targetId, notice.parse(n.payload));
        await tx.updateTable('inbound_notifications').set({ status: r.status, sim_id: r.simId, detail: r.detail, processed_at: core.now() })
          .where('tenant_id', '=', scope.tenantId).where('id', '=', id).execute();
        await bus.record(tx, { type: PROVISIONING_EVENTS.notificationReplayed, tenantId: scope.tenantId, aggregateType: 'inbound_notification', aggregateId: id,
          payload: { notificationId: id, type: n.type, simId: r.simId, status: r.status } }, actorOf(ctx));
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'replay', entityType: 'inbound_notification', entityId: id, before: { status: n.status }, after: r });
        return { id, status: r.status, simId: r.simId, detail: r.detail, duplicate: false };
      });
    },

    /** Compares the platform's SIM states with what the target holds (targets that can read records). */
    async reconciliation(ctx: RequestContext, targetId: string, opts: { limit?: number } = {}) {
      const scope = scopeOf(ctx);
      const { target, sims, keys } = await dbs.tenant(scope, async (tx) => {
        const target = await loadTarget(tx, scope.tenantId, targetId);
        const sims: SimView[] = [];
        let cursor: string | null = null;
        do {
          const p = await deps.sims.searchSims(tx, scope.tenantId, {}, { limit: 500, cursor: cursor ?? undefined });
          sims.push(...(p.items as unknown as SimView[]));
          cursor = p.nextCursor;
        } while (cursor && sims.length < (opts.limit ?? 5000));
        const keyRows = await tx.selectFrom('external_keys').select(['entity_id', 'key_name', 'value']).where('tenant_id', '=', scope.tenantId).where('target_id', '=', targetId).execute();
        const keys = new Map<string, Record<string, string>>();
        for (const k of keyRows) keys.set(k.entity_id, { ...(keys.get(k.entity_id) ?? {}), [k.key_name]: k.value });
        return { target, sims, keys };
      });
      const adapter = adapterOf(target);
      if (!adapter.readStates) throw new ConflictError(`target ${target.name} cannot be read back (no read request configured)`);
      const stateMap = stateMapOf(target);
      const considered = sims.filter((s) => s.state !== 'WARM' && s.state !== 'READY');
      const actual = await adapter.readStates(considered.map((s) => ({ id: s.id, iccid: s.iccid, imsi: s.imsi, keys: keys.get(s.id) ?? {} })));
      const deletes = target.kind !== 'CISCO_CC' && restConfig.safeParse(target.config).success && !!(target.config as { requests?: Record<string, unknown> }).requests?.['state:TERMINATE'];
      const report = reconcile(considered.map((s) => {
        const expected = s.state === 'TERMINATE' && deletes ? null : stateMap[s.state] ?? s.state;
        return { simId: s.id, iccid: s.iccid, platformState: s.state, expected, actual: actual.get(s.id) ?? null };
      }));
      return { targetId, targetName: target.name, at: core.now().toISOString(), ...report };
    },
  };
  return api;
}
export type ProvisioningService = ReturnType<typeof createProvisioningService>;
