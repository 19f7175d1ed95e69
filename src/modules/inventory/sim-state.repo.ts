import { sql } from 'kysely';
import type { Tx } from '../../platform/db';
import { paginate, type PageQuery } from '../../platform/http';
import type { SimState } from './inventory.tables';

/**
 * What the lifecycle module may read and change on the SIM record (inventory owns the `sims` table). SQL only,
 * batch-shaped so bulk actions make a few statements per chunk, never one per SIM. Callers pass the caller's
 * transaction; under a tenant scope RLS also hides other enterprises' SIMs.
 */
export interface SimView {
  id: string;
  tenant_id: string;
  iccid: string;
  imsi: string;
  msisdn: string | null;
  eid: string | null;
  sim_product_id: string | null;
  stock_state: string;
  enterprise_id: string | null;
  business_unit_id: string | null;
  order_id: string | null;
  state: SimState;
  pending_state: SimState | null;
  state_changed_at: Date;
  plan_offer_id: string | null;
  apn_ids: string[];
  imei: string | null;
  imei_lock: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLS = sql.raw(`id, tenant_id, iccid, imsi, msisdn, eid, sim_product_id, stock_state, enterprise_id, business_unit_id,
  order_id, state, pending_state, state_changed_at, plan_offer_id, apn_ids, imei, imei_lock, version, created_at, updated_at`);

/** Reads SIMs and locks them for the caller's transaction (in id order, so concurrent batches never deadlock). */
export async function lockSims(tx: Tx, tenantId: string, ids: string[]): Promise<SimView[]> {
  if (ids.length === 0) return [];
  const r = await sql<SimView>`select ${COLS} from sims where tenant_id = ${tenantId} and id = any(${ids}::uuid[])
    order by id for update`.execute(tx);
  return r.rows;
}

export async function getSims(tx: Tx, tenantId: string, ids: string[]): Promise<SimView[]> {
  if (ids.length === 0) return [];
  const r = await sql<SimView>`select ${COLS} from sims where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx);
  return r.rows;
}

/** Resolves identifiers (SIM id, ICCID, IMSI or MSISDN) to SIMs in one statement. */
export async function findSimsByIdentifiers(tx: Tx, tenantId: string, identifiers: string[]): Promise<Map<string, SimView>> {
  const out = new Map<string, SimView>();
  if (identifiers.length === 0) return out;
  const uuids = identifiers.filter((x) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(x));
  const r = await sql<SimView>`select ${COLS} from sims where tenant_id = ${tenantId}
    and (id = any(${uuids}::uuid[]) or iccid = any(${identifiers}::text[]) or imsi = any(${identifiers}::text[])
         or msisdn = any(${identifiers}::text[]))`.execute(tx);
  for (const s of r.rows) for (const k of [s.id, s.iccid, s.imsi, s.msisdn]) if (k) out.set(k, s);
  return out;
}

export interface SimFilter {
  state?: SimState;
  planOfferId?: string;
  enterpriseId?: string;
  businessUnitId?: string;
  /** Prefix of an ICCID, IMSI, MSISDN or IMEI. */
  q?: string;
  pendingOnly?: boolean;
}

function filtered(tx: Tx, tenantId: string, f: SimFilter) {
  let q = tx.selectFrom('sims').where('tenant_id', '=', tenantId).where('stock_state', '=', 'ALLOCATED');
  if (f.state) q = q.where('state', '=', f.state);
  if (f.planOfferId) q = q.where('plan_offer_id', '=', f.planOfferId);
  if (f.enterpriseId) q = q.where('enterprise_id', '=', f.enterpriseId);
  if (f.businessUnitId) q = q.where('business_unit_id', '=', f.businessUnitId);
  if (f.pendingOnly) q = q.where('pending_state', 'is not', null);
  if (f.q) {
    const like = `${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('iccid', 'like', like), eb('imsi', 'like', like), eb('msisdn', 'like', like), eb('imei', 'like', like)]));
  }
  return q;
}

/** A page of the SIMs allocated to enterprises (stock SIMs are inventory's business), newest first by default. */
export async function searchSims(tx: Tx, tenantId: string, f: SimFilter, page: PageQuery) {
  const q = filtered(tx, tenantId, f).select(['id', 'tenant_id', 'iccid', 'imsi', 'msisdn', 'eid', 'sim_product_id', 'stock_state',
    'enterprise_id', 'business_unit_id', 'order_id', 'state', 'pending_state', 'state_changed_at', 'plan_offer_id', 'apn_ids',
    'imei', 'imei_lock', 'version', 'created_at', 'updated_at']);
  return paginate(q, page, { iccid: 'iccid', imsi: 'imsi', msisdn: 'msisdn', state: 'state', createdAt: 'created_at', updatedAt: 'updated_at' }, 'iccid');
}

/** The ids of every SIM matching a filter (bulk actions), capped. */
export async function simIdsMatching(tx: Tx, tenantId: string, f: SimFilter, cap: number): Promise<string[]> {
  const rows = await filtered(tx, tenantId, f).select('id').orderBy('iccid').limit(cap).execute();
  return rows.map((r) => r.id);
}

/** Marks the state each SIM is moving to while the network applies it. */
export async function setPendingStates(tx: Tx, tenantId: string, items: { id: string; pending: SimState | null }[], now: Date): Promise<void> {
  if (items.length === 0) return;
  await sql`update sims s set pending_state = v.pending, version = s.version + 1, updated_at = ${now}
    from unnest(${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.pending)}::text[]) as v(id, pending)
   where s.tenant_id = ${tenantId} and s.id = v.id`.execute(tx);
}

/** Settles SIMs in their new state (the network applied it) and clears the pending mark. */
export async function settleStates(tx: Tx, tenantId: string, items: { id: string; state: SimState }[], now: Date): Promise<void> {
  if (items.length === 0) return;
  await sql`update sims s set state = v.state, pending_state = null, state_changed_at = ${now}, version = s.version + 1, updated_at = ${now}
    from unnest(${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.state)}::text[]) as v(id, state)
   where s.tenant_id = ${tenantId} and s.id = v.id`.execute(tx);
}

/** Sets the primary offer of SIMs (plan change, or its roll-back). */
export async function setPlans(tx: Tx, tenantId: string, items: { id: string; offerId: string | null }[], now: Date): Promise<void> {
  if (items.length === 0) return;
  await sql`update sims s set plan_offer_id = v.offer, version = s.version + 1, updated_at = ${now}
    from unnest(${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.offerId)}::uuid[]) as v(id, offer)
   where s.tenant_id = ${tenantId} and s.id = v.id`.execute(tx);
}

export async function setApns(tx: Tx, tenantId: string, id: string, apnIds: string[], now: Date): Promise<void> {
  await sql`update sims set apn_ids = ${apnIds}::uuid[], version = version + 1, updated_at = ${now}
   where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}

export async function setImei(tx: Tx, tenantId: string, id: string, imei: string | null, lock: boolean, now: Date): Promise<void> {
  await sql`update sims set imei = ${imei}, imei_lock = ${lock}, version = version + 1, updated_at = ${now}
   where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
}

/** The APN ids of the tenant that exist (an APN change must name existing ones). */
export async function existingApnIds(tx: Tx, tenantId: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string }>`select id from apns where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx);
  return r.rows.map((x) => x.id);
}

/**
 * Moves a SIM to another MSISDN: the new number must be FREE in the tenant's pools (or, when none is named, the
 * first free one is taken); the SIM's old number goes to quarantine. Returns the new number, or null when the
 * named one is not free.
 */
export async function changeMsisdn(tx: Tx, tenantId: string, simId: string, wanted: string | null, now: Date): Promise<string | null> {
  const pick = wanted
    ? await sql<{ msisdn: string }>`select msisdn from msisdns where tenant_id = ${tenantId} and msisdn = ${wanted} and state = 'FREE' for update`.execute(tx)
    : await sql<{ msisdn: string }>`select msisdn from msisdns where tenant_id = ${tenantId} and state = 'FREE' order by msisdn limit 1 for update skip locked`.execute(tx);
  const next = pick.rows[0]?.msisdn;
  if (!next) return null;
  const old = await sql<{ msisdn: string | null }>`select msisdn from sims where tenant_id = ${tenantId} and id = ${simId}`.execute(tx);
  await sql`update sims set msisdn = ${next}, version = version + 1, updated_at = ${now} where tenant_id = ${tenantId} and id = ${simId}`.execute(tx);
  await sql`update msisdns set state = 'ASSIGNED', sim_id = ${simId}, quarantine_until = null, updated_at = ${now}
   where tenant_id = ${tenantId} and msisdn = ${next}`.execute(tx);
  const prev = old.rows[0]?.msisdn;
  if (prev) await quarantineMsisdns(tx, tenantId, [prev], now);
  return next;
}

/** Puts SIM-assigned numbers back into their pool as QUARANTINED (for the pool's quarantine period). */
export async function quarantineMsisdns(tx: Tx, tenantId: string, msisdns: string[], now: Date): Promise<void> {
  if (msisdns.length === 0) return;
  await sql`update msisdns m set state = 'QUARANTINED', sim_id = null, order_id = null,
      quarantine_until = ${now}::timestamptz + make_interval(days => p.quarantine_days), updated_at = ${now}
    from msisdn_pools p
   where m.tenant_id = ${tenantId} and m.msisdn = any(${msisdns}::text[]) and p.tenant_id = m.tenant_id and p.id = m.pool_id`.execute(tx);
}

/** Rolls a MSISDN change back: the SIM gets its old number again, the new one goes back to FREE. */
export async function revertMsisdn(tx: Tx, tenantId: string, simId: string, previous: string | null, current: string | null, now: Date): Promise<void> {
  await sql`update sims set msisdn = ${previous}, version = version + 1, updated_at = ${now} where tenant_id = ${tenantId} and id = ${simId}`.execute(tx);
  if (current) await sql`update msisdns set state = 'FREE', sim_id = null, updated_at = ${now} where tenant_id = ${tenantId} and msisdn = ${current}`.execute(tx);
  if (previous) await sql`update msisdns set state = 'ASSIGNED', sim_id = ${simId}, quarantine_until = null, updated_at = ${now}
    where tenant_id = ${tenantId} and msisdn = ${previous}`.execute(tx);
}

/** The SIMs of an enterprise (all its business units) in the given states. */
export async function simIdsOfEnterprise(tx: Tx, tenantId: string, enterpriseId: string, states: SimState[]): Promise<string[]> {
  const r = await sql<{ id: string }>`select id from sims where tenant_id = ${tenantId} and enterprise_id = ${enterpriseId}
    and state = any(${states}::text[]) order by id`.execute(tx);
  return r.rows.map((x) => x.id);
}

/** How many SIMs that are not terminated hold each of these offers as their plan (the catalog's "in use"). */
export async function countSimsByPlan(tx: Tx, tenantId: string, offerIds: readonly string[]): Promise<Map<string, number>> {
  if (offerIds.length === 0) return new Map();
  const r = await sql<{ plan_offer_id: string; n: number }>`select plan_offer_id, count(*)::int8 as n from sims
    where tenant_id = ${tenantId} and plan_offer_id = any(${offerIds as string[]}::uuid[]) and state <> 'TERMINATE'
    group by plan_offer_id`.execute(tx);
  return new Map(r.rows.map((x) => [x.plan_offer_id, x.n]));
}

export const simState = {
  countSimsByPlan, lockSims, getSims, findSimsByIdentifiers, searchSims, simIdsMatching, setPendingStates, settleStates, setPlans, setApns,
  setImei, existingApnIds, changeMsisdn, quarantineMsisdns, revertMsisdn, simIdsOfEnterprise,
};
export type SimStateAccess = typeof simState;
