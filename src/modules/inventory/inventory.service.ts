import { sql } from 'kysely';
import type { Core } from '../../platform/core';
import type { TenantScope, Tx } from '../../platform/db';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, type RequestContext } from '../../platform/auth';
import { needsReseal, open, seal, type KeyRing } from '../../platform/crypto';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, paginate, type Page, type PageQuery } from '../../platform/http';
import { expandMsisdns } from './inventory.fns';
import * as repo from './inventory.repo';
import type { FormFactor, SimState } from './inventory.tables';
import { INVENTORY_EVENTS, type SimAllocatedPayload } from './inventory.events';
import { kiContext } from './loads.service';

export interface SimProduct {
  id: string;
  scope: 'HOST' | 'TENANT';
  name: string;
  formFactor: FormFactor;
  vendor: string;
  profileType: string;
  active: boolean;
}

export interface Apn {
  id: string;
  name: string;
  type: 'PUBLIC' | 'PRIVATE';
  ipAllocation: 'DYNAMIC' | 'STATIC';
  enterpriseIds: string[];
  offerIds: string[];
}

/** A SIM as other modules and the API see it. Ki, OPc and their key id are never part of it. */
export interface Sim {
  id: string;
  tenantId: string;
  iccid: string;
  imsi: string;
  msisdn: string | null;
  simProductId: string | null;
  eid: string | null;
  matchingId: string | null;
  batchId: string | null;
  stockState: 'AVAILABLE' | 'ALLOCATED' | 'RETIRED';
  enterpriseId: string | null;
  businessUnitId: string | null;
  orderId: string | null;
  state: SimState;
  pendingState: string | null;
  stateChangedAt: Date;
  planOfferId: string | null;
  apnIds: string[];
  imei: string | null;
  imeiLock: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

type SimRow = Pick<import('./inventory.tables').SimsTable, never> & Record<(typeof repo.SIM_PUBLIC_COLUMNS)[number], any> & { tenant_id?: string };
function toSim(r: SimRow, tenantId: string): Sim {
  return {
    id: r.id, tenantId, iccid: r.iccid, imsi: r.imsi, msisdn: r.msisdn, simProductId: r.sim_product_id, eid: r.eid,
    matchingId: r.matching_id, batchId: r.batch_id, stockState: r.stock_state, enterpriseId: r.enterprise_id,
    businessUnitId: r.business_unit_id, orderId: r.order_id, state: r.state, pendingState: r.pending_state,
    stateChangedAt: r.state_changed_at, planOfferId: r.plan_offer_id, apnIds: r.apn_ids ?? [], imei: r.imei,
    imeiLock: r.imei_lock, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
const toProduct = (p: repo.ProductRow): SimProduct => ({
  id: p.id, scope: p.tenant_id ? 'TENANT' : 'HOST', name: p.name, formFactor: p.form_factor, vendor: p.vendor,
  profileType: p.profile_type, active: p.active,
});
const toApn = (a: { id: string; name: string; type: Apn['type']; ip_allocation: Apn['ipAllocation']; enterprise_ids: string[]; offer_ids: string[] }): Apn => ({
  id: a.id, name: a.name, type: a.type, ipAllocation: a.ip_allocation, enterpriseIds: a.enterprise_ids, offerIds: a.offer_ids,
});

export interface AllocationRequest {
  tenantId: string;
  orderId: string;
  simProductId: string;
  quantity: number;
  enterpriseId: string;
  businessUnitId: string | null;
  offerId: string | null;
  apnIds: string[];
  /** The lifecycle state allocated SIMs start in (WARM unless the tenant configures another). */
  initialState: SimState;
  assignMsisdns: boolean;
}

export interface AllocatedSim {
  id: string;
  iccid: string;
  imsi: string;
  msisdn: string | null;
  eid: string | null;
  matchingId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createInventoryService(core: Core, ring: () => KeyRing) {
  /** Joins the caller's transaction (already scoped) or opens one in `scope`. */
  const inTx = <T>(scope: TenantScope, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> =>
    tx ? fn(tx) : core.dbs.tenant(scope, fn);
  const tenantOnly = (ctx: RequestContext): TenantScope => ({ tenantId: scopeOf(ctx).tenantId });

  // ---- SIM products -------------------------------------------------------------------------------------------

  async function listProducts(ctx: RequestContext): Promise<SimProduct[]> {
    if (!ctx.tenantId) return core.dbs.system(async (tx) => (await repo.listProducts(tx, { includeHost: true, tenantScoped: false })).map(toProduct));
    return core.dbs.tenant(scopeOf(ctx), async (tx) => (await repo.listProducts(tx, { includeHost: true, tenantScoped: true })).map(toProduct));
  }

  async function getProduct(scope: TenantScope, id: string, tx?: Tx): Promise<SimProduct | undefined> {
    return inTx(scope, tx, async (t) => {
      const p = await repo.findProduct(t, id);
      return p ? toProduct(p) : undefined;
    });
  }

  /** A host admin without X-Tenant-Id creates a host-wide product; everyone else a product of their tenant. */
  async function createProduct(ctx: RequestContext, input: { name: string; formFactor: FormFactor; vendor: string; profileType: string }): Promise<SimProduct> {
    const values = { name: input.name, form_factor: input.formFactor, vendor: input.vendor, profile_type: input.profileType };
    const onDuplicate = (e: unknown) => {
      if ((e as { code?: string }).code === '23505') throw new ConflictError(`a SIM product named ${input.name} exists already`, [{ field: 'name', reason: 'is taken' }]);
      throw e;
    };
    if (!ctx.tenantId) {
      if (ctx.principal.role !== 'host_admin') throw new ForbiddenError('only the host creates host-wide SIM products');
      return core.dbs.system(async (tx) => {
        const p = await tx.insertInto('host_sim_products').values(values).returningAll().executeTakeFirstOrThrow().catch(onDuplicate);
        await recordAudit(tx, originOf(ctx), { tenantId: null, action: 'create', entityType: 'sim_product', entityId: p.id, after: values });
        await core.bus.record(tx, { type: INVENTORY_EVENTS.productCreated, tenantId: null, aggregateType: 'sim_product', aggregateId: p.id, payload: { productId: p.id } }, actorOf(ctx));
        return toProduct({ ...p, tenant_id: null });
      });
    }
    const scope = tenantOnly(ctx);
    return core.dbs.tenant(scope, async (tx) => {
      const p = await tx.insertInto('sim_products').values({ ...values, tenant_id: scope.tenantId }).returningAll().executeTakeFirstOrThrow().catch(onDuplicate);
      await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'create', entityType: 'sim_product', entityId: p.id, after: values });
      await core.bus.record(tx, { type: INVENTORY_EVENTS.productCreated, tenantId: scope.tenantId, aggregateType: 'sim_product', aggregateId: p.id, payload: { productId: p.id } }, actorOf(ctx));
      return toProduct(p);
    });
  }

  /** Renames or (de)activates a product: an inactive product can no longer be ordered or loaded into. */
  async function updateProduct(ctx: RequestContext, id: string, input: { name?: string; active?: boolean; vendor?: string; profileType?: string }): Promise<SimProduct> {
    const set = {
      ...(input.name !== undefined ? { name: input.name } : {}), ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.vendor !== undefined ? { vendor: input.vendor } : {}), ...(input.profileType !== undefined ? { profile_type: input.profileType } : {}),
      updated_at: core.now(),
    };
    const apply = async (tx: Tx, table: 'sim_products' | 'host_sim_products', tenantId: string | null) => {
      const before = UUID.test(id) ? await tx.selectFrom(table).selectAll().where('id', '=', id).forUpdate().executeTakeFirst() : undefined;
      if (!before) throw new NotFoundError('SIM product', id);
      const after = await tx.updateTable(table).set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await recordAudit(tx, originOf(ctx), { tenantId, action: 'update', entityType: 'sim_product', entityId: id, before, after });
      await core.bus.record(tx, { type: INVENTORY_EVENTS.productUpdated, tenantId, aggregateType: 'sim_product', aggregateId: id, payload: { productId: id } }, actorOf(ctx));
      return toProduct({ ...after, tenant_id: tenantId });
    };
    if (!ctx.tenantId) {
      if (ctx.principal.role !== 'host_admin') throw new ForbiddenError('only the host changes host-wide SIM products');
      return core.dbs.system((tx) => apply(tx, 'host_sim_products', null));
    }
    const scope = tenantOnly(ctx);
    return core.dbs.tenant(scope, (tx) => apply(tx, 'sim_products', scope.tenantId));
  }

  // ---- APNs ---------------------------------------------------------------------------------------------------

  async function listApns(ctx: RequestContext): Promise<Apn[]> {
    return core.dbs.tenant(tenantOnly(ctx), async (tx) => {
      const rows = await tx.selectFrom('apns').selectAll().orderBy('name').execute();
      // An enterprise user sees the APNs open to everyone and those assigned to its enterprise.
      return rows.filter((a) => !ctx.enterpriseId || a.enterprise_ids.length === 0 || a.enterprise_ids.includes(ctx.enterpriseId)).map(toApn);
    });
  }

  async function getApns(scope: TenantScope, ids: string[], tx?: Tx): Promise<Apn[]> {
    if (ids.length === 0) return [];
    if (ids.some((id) => !UUID.test(id))) return [];
    return inTx(scope, tx, async (t) => (await t.selectFrom('apns').selectAll().where('id', 'in', ids).execute()).map(toApn));
  }

  async function createApn(ctx: RequestContext, input: Omit<Apn, 'id'>): Promise<Apn> {
    const scope = tenantOnly(ctx);
    return core.dbs.tenant(scope, async (tx) => {
      await checkEnterprises(tx, input.enterpriseIds);
      const a = await tx.insertInto('apns').values({
        tenant_id: scope.tenantId, name: input.name, type: input.type, ip_allocation: input.ipAllocation,
        enterprise_ids: input.enterpriseIds, offer_ids: input.offerIds,
      }).returningAll().executeTakeFirstOrThrow().catch((e) => {
        if ((e as { code?: string }).code === '23505') throw new ConflictError(`an APN named ${input.name} exists already`, [{ field: 'name', reason: 'is taken' }]);
        throw e;
      });
      await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'create', entityType: 'apn', entityId: a.id, after: input });
      await core.bus.record(tx, { type: INVENTORY_EVENTS.apnCreated, tenantId: scope.tenantId, aggregateType: 'apn', aggregateId: a.id, payload: { apnId: a.id } }, actorOf(ctx));
      return toApn(a);
    });
  }

  /** Changes an APN (its assignments most often). Provisioning re-reads APNs when it runs, so no SIM is touched. */
  async function updateApn(ctx: RequestContext, id: string, input: Partial<Omit<Apn, 'id'>>): Promise<Apn> {
    const scope = tenantOnly(ctx);
    return core.dbs.tenant(scope, async (tx) => {
      const before = UUID.test(id) ? await tx.selectFrom('apns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst() : undefined;
      if (!before) throw new NotFoundError('APN', id);
      if (input.enterpriseIds) await checkEnterprises(tx, input.enterpriseIds);
      const a = await tx.updateTable('apns').set({
        ...(input.name !== undefined ? { name: input.name } : {}), ...(input.type ? { type: input.type } : {}),
        ...(input.ipAllocation ? { ip_allocation: input.ipAllocation } : {}),
        ...(input.enterpriseIds ? { enterprise_ids: input.enterpriseIds } : {}), ...(input.offerIds ? { offer_ids: input.offerIds } : {}),
        updated_at: core.now(),
      }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'update', entityType: 'apn', entityId: id, before: toApn(before), after: toApn(a) });
      await core.bus.record(tx, { type: INVENTORY_EVENTS.apnUpdated, tenantId: scope.tenantId, aggregateType: 'apn', aggregateId: id, payload: { apnId: id } }, actorOf(ctx));
      return toApn(a);
    });
  }

  async function checkEnterprises(tx: Tx, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const bad = ids.filter((id) => !UUID.test(id));
    // TODO(accounts): use the accounts module's exported lookup once it has one; RLS limits this to the tenant.
    const found = bad.length ? [] : (await sql<{ id: string }>`select id from enterprises where id = any(${ids}::uuid[])`.execute(tx)).rows.map((r) => r.id);
    const missing = ids.filter((id) => !found.includes(id));
    if (missing.length) throw new ValidationError('unknown enterprise', missing.map((m) => ({ field: `enterpriseIds.${ids.indexOf(m)}`, reason: `${m} is not an enterprise of this tenant` })));
  }

  // ---- MSISDN pools ---------------------------------------------------------------------------------------------

  async function createMsisdnPool(ctx: RequestContext, input: { name: string; quarantineDays: number }) {
    const scope = tenantOnly(ctx);
    return core.dbs.tenant(scope, async (tx) => {
      const p = await tx.insertInto('msisdn_pools').values({ tenant_id: scope.tenantId, name: input.name, quarantine_days: input.quarantineDays })
        .returningAll().executeTakeFirstOrThrow().catch((e) => {
          if ((e as { code?: string }).code === '23505') throw new ConflictError(`an MSISDN pool named ${input.name} exists already`, [{ field: 'name', reason: 'is taken' }]);
          throw e;
        });
      await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'create', entityType: 'msisdn_pool', entityId: p.id, after: input });
      return { id: p.id, name: p.name, quarantineDays: p.quarantine_days };
    });
  }

  async function listMsisdnPools(ctx: RequestContext) {
    return core.dbs.tenant(tenantOnly(ctx), async (tx) => {
      const r = await sql<{ id: string; name: string; quarantine_days: number; state: string | null; n: number }>`
        select p.id, p.name, p.quarantine_days, m.state, count(m.msisdn)::int as n
          from msisdn_pools p left join msisdns m on m.tenant_id = p.tenant_id and m.pool_id = p.id
         group by p.id, p.name, p.quarantine_days, m.state order by p.name`.execute(tx);
      const pools = new Map<string, { id: string; name: string; quarantineDays: number; counts: Record<string, number> }>();
      for (const row of r.rows) {
        const p = pools.get(row.id) ?? { id: row.id, name: row.name, quarantineDays: row.quarantine_days, counts: { FREE: 0, RESERVED: 0, ASSIGNED: 0, QUARANTINED: 0 } };
        if (row.state) p.counts[row.state] = row.n;
        pools.set(row.id, p);
      }
      return [...pools.values()];
    });
  }

  /** Loads numbers into a pool, all or nothing: a number that exists already (in any pool) refuses the call. */
  async function loadMsisdns(ctx: RequestContext, poolId: string, input: { ranges?: { from: string; to: string }[]; list?: string[] }) {
    const { msisdns, errors } = expandMsisdns(input);
    if (errors.length) throw new ValidationError('some numbers are not valid', errors);
    if (msisdns.length === 0) throw ValidationError.field('list', 'give at least one number or range');
    const scope = tenantOnly(ctx);
    return core.dbs.tenant(scope, async (tx) => {
      const pool = UUID.test(poolId) ? await tx.selectFrom('msisdn_pools').select('id').where('id', '=', poolId).executeTakeFirst() : undefined;
      if (!pool) throw new NotFoundError('MSISDN pool', poolId);
      const dup = await sql<{ msisdn: string }>`select msisdn from msisdns where msisdn = any(${msisdns}::text[]) order by msisdn limit 100`.execute(tx);
      if (dup.rows.length) {
        throw new ConflictError(`${dup.rows.length}${dup.rows.length === 100 ? '+' : ''} number(s) exist already`,
          dup.rows.map((d) => ({ field: 'msisdn', reason: `${d.msisdn} is already in a pool` })));
      }
      for (let i = 0; i < msisdns.length; i += 10_000) {
        const chunk = msisdns.slice(i, i + 10_000);
        await sql`insert into msisdns (tenant_id, msisdn, pool_id) select ${scope.tenantId}::uuid, m, ${poolId}::uuid from unnest(${chunk}::text[]) as m`.execute(tx);
      }
      await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: 'load', entityType: 'msisdn_pool', entityId: poolId, after: { count: msisdns.length, ranges: input.ranges ?? [], listed: input.list?.length ?? 0 } });
      await core.bus.record(tx, { type: INVENTORY_EVENTS.msisdnsLoaded, tenantId: scope.tenantId, aggregateType: 'msisdn_pool', aggregateId: poolId, payload: { poolId, count: msisdns.length } }, actorOf(ctx));
      return { poolId, loaded: msisdns.length };
    });
  }

  /** The schedule: numbers whose quarantine is over become FREE (all tenants). Returns how many. */
  async function freeQuarantinedMsisdns(now: Date): Promise<number> {
    return core.dbs.system(async (tx) => {
      const r = await sql<{ msisdn: string }>`update msisdns set state = 'FREE', quarantine_until = null, updated_at = ${now}
                           where state = 'QUARANTINED' and quarantine_until <= ${now} returning msisdn`.execute(tx);
      return r.rows.length;
    });
  }

  // ---- SIMs: reads and the changes lifecycle makes ---------------------------------------------------------------

  async function getSim(scope: TenantScope, simId: string, tx?: Tx): Promise<Sim | undefined> {
    if (!UUID.test(simId)) return undefined;
    return inTx(scope, tx, async (t) => {
      const r = await t.selectFrom('sims').select(repo.SIM_PUBLIC_COLUMNS).where('id', '=', simId).executeTakeFirst();
      return r ? toSim(r, scope.tenantId) : undefined;
    });
  }

  /** Finds SIMs by identifier; each list is optional, results in ICCID order. */
  async function findSims(scope: TenantScope, by: { ids?: string[]; iccids?: string[]; imsis?: string[]; msisdns?: string[] }, tx?: Tx): Promise<Sim[]> {
    return inTx(scope, tx, async (t) => {
      let q = t.selectFrom('sims').select(repo.SIM_PUBLIC_COLUMNS);
      if (by.ids) q = q.where('id', 'in', by.ids.filter((i) => UUID.test(i)).concat(['00000000-0000-0000-0000-000000000000']));
      if (by.iccids) q = q.where('iccid', 'in', by.iccids.concat(['']));
      if (by.imsis) q = q.where('imsi', 'in', by.imsis.concat(['']));
      if (by.msisdns) q = q.where('msisdn', 'in', by.msisdns.concat(['']));
      return (await q.orderBy('iccid').limit(10_000).execute()).map((r) => toSim(r, scope.tenantId));
    });
  }

  async function listSims(scope: TenantScope, page: PageQuery, filter: { state?: SimState; stockState?: Sim['stockState']; simProductId?: string; orderId?: string; businessUnitId?: string; q?: string } = {}, tx?: Tx): Promise<Page<Sim>> {
    return inTx(scope, tx, async (t) => {
      let q = t.selectFrom('sims').select(repo.SIM_PUBLIC_COLUMNS);
      if (filter.state) q = q.where('state', '=', filter.state);
      if (filter.stockState) q = q.where('stock_state', '=', filter.stockState);
      if (filter.simProductId) q = q.where('sim_product_id', '=', filter.simProductId);
      if (filter.orderId) q = q.where('order_id', '=', filter.orderId);
      if (filter.businessUnitId) q = q.where('business_unit_id', '=', filter.businessUnitId);
      if (filter.q) q = q.where((eb) => eb.or([eb('iccid', 'like', `${filter.q}%`), eb('imsi', 'like', `${filter.q}%`), eb('msisdn', 'like', `${filter.q}%`)]));
      const p = await paginate(q, page, { iccid: 'iccid', createdAt: 'created_at', stateChangedAt: 'state_changed_at' }, 'iccid');
      return { nextCursor: p.nextCursor, items: p.items.map((r) => toSim(r, scope.tenantId)) };
    });
  }

  // ---- Allocation for orders ----------------------------------------------------------------------------------------

  /**
   * Takes SIMs (and MSISDNs) out of stock for an order, in the caller's transaction (the order's state change
   * commits with it). Parallel orders never take the same SIM or number: rows are claimed with SKIP LOCKED.
   * Throws ConflictError when stock or numbers are short; nothing is taken then (the caller rolls back).
   */
  async function allocateForOrder(tx: Tx, req: AllocationRequest): Promise<AllocatedSim[]> {
    const sims = await repo.lockAvailableSims(tx, req.tenantId, req.simProductId, req.quantity);
    if (sims.length < req.quantity) {
      throw new ConflictError(`stock is short: ${sims.length} SIM(s) of this product are free, ${req.quantity} ordered`,
        [{ field: 'quantity', reason: `only ${sims.length} in stock` }], { reason: 'STOCK_SHORT', available: sims.length });
    }
    let msisdns: (string | null)[] = sims.map(() => null);
    if (req.assignMsisdns) {
      const free = await repo.lockFreeMsisdns(tx, req.tenantId, req.quantity);
      if (free.length < req.quantity) {
        throw new ConflictError(`MSISDNs are short: ${free.length} free, ${req.quantity} needed`,
          [{ field: 'quantity', reason: `only ${free.length} free MSISDNs` }], { reason: 'MSISDN_SHORT', available: free.length });
      }
      msisdns = free;
    }
    const now = core.now();
    await repo.allocate(tx, req.tenantId, {
      simIds: sims.map((s) => s.id), msisdns, enterpriseId: req.enterpriseId, businessUnitId: req.businessUnitId,
      orderId: req.orderId, offerId: req.offerId, apnIds: req.apnIds, state: req.initialState, now,
    });
    await core.bus.record(tx, sims.map((s) => ({
      type: INVENTORY_EVENTS.simAllocated, tenantId: req.tenantId, aggregateType: 'sim', aggregateId: s.id,
      payload: { simId: s.id, iccid: s.iccid, orderId: req.orderId, enterpriseId: req.enterpriseId, businessUnitId: req.businessUnitId } satisfies SimAllocatedPayload,
    })));
    return listOrderSims({ tenantId: req.tenantId }, req.orderId, tx);
  }

  /** The allocation list of an order (logistics): identifiers only, never secrets. */
  async function listOrderSims(scope: TenantScope, orderId: string, tx?: Tx): Promise<AllocatedSim[]> {
    return inTx(scope, tx, async (t) => {
      const rows = await t.selectFrom('sims').select(['id', 'iccid', 'imsi', 'msisdn', 'eid', 'matching_id']).where('order_id', '=', orderId).orderBy('iccid').execute();
      return rows.map((r) => ({ id: r.id, iccid: r.iccid, imsi: r.imsi, msisdn: r.msisdn, eid: r.eid, matchingId: r.matching_id }));
    });
  }

  async function availableStock(scope: TenantScope, simProductId: string, tx?: Tx): Promise<number> {
    return inTx({ tenantId: scope.tenantId }, tx, (t) => repo.countAvailable(t, scope.tenantId, simProductId));
  }

  // ---- Key rotation -----------------------------------------------------------------------------------------------

  /**
   * Re-seals every SIM's Ki/OPc and every SFTP key sealed under an older key with the newest (first) key, in
   * batches; safe to stop and run again. Returns how many rows it re-sealed.
   */
  async function rotateKeys(opts: { batch?: number; onProgress?: (done: number) => void } = {}): Promise<number> {
    const keys = ring();
    const batch = opts.batch ?? 2000;
    let done = 0;
    for (;;) {
      const n = await core.dbs.system(async (tx) => {
        const rows = await tx.selectFrom('sims').select(['tenant_id', 'id', 'ki_enc', 'opc_enc', 'key_id'])
          .where('key_id', '<>', keys.primary).limit(batch).forUpdate().skipLocked().execute();
        if (rows.length === 0) return 0;
        const kis: Buffer[] = [], opcs: (Buffer | null)[] = [];
        for (const r of rows) {
          kis.push(seal(open({ keyId: r.key_id, blob: r.ki_enc }, keys, kiContext(r.id, 'ki')), keys, kiContext(r.id, 'ki')).blob);
          opcs.push(r.opc_enc ? seal(open({ keyId: r.key_id, blob: r.opc_enc }, keys, kiContext(r.id, 'opc')), keys, kiContext(r.id, 'opc')).blob : null);
        }
        await sql`update sims s set ki_enc = v.ki, opc_enc = v.opc, key_id = ${keys.primary}
                    from unnest(${rows.map((r) => r.tenant_id)}::uuid[], ${rows.map((r) => r.id)}::uuid[], ${kis}::bytea[], ${opcs}::bytea[]) as v(t, id, ki, opc)
                   where s.tenant_id = v.t and s.id = v.id`.execute(tx);
        return rows.length;
      });
      if (n === 0) break;
      done += n;
      opts.onProgress?.(done);
    }
    const targets = await core.dbs.system(async (tx) => {
      const rows = await tx.selectFrom('stock_report_targets').select(['tenant_id', 'private_key_enc', 'key_id']).execute();
      let k = 0;
      for (const r of rows.filter((x) => needsReseal({ keyId: x.key_id }, keys))) {
        const s = seal(open({ keyId: r.key_id, blob: r.private_key_enc }, keys, `sftp:${r.tenant_id}`), keys, `sftp:${r.tenant_id}`);
        await tx.updateTable('stock_report_targets').set({ private_key_enc: s.blob, key_id: s.keyId }).where('tenant_id', '=', r.tenant_id).execute();
        k++;
      }
      if (done + k > 0) {
        await recordAudit(tx, { actor: { type: 'system', id: null, name: 'cmp rotate-keys' } }, { tenantId: null, action: 'rotate_keys', entityType: 'encryption_key', entityId: keys.primary, after: { sims: done, sftpTargets: k } });
      }
      return k;
    });
    return done + targets;
  }

  return {
    listProducts, getProduct, createProduct, updateProduct,
    listApns, getApns, createApn, updateApn,
    createMsisdnPool, listMsisdnPools, loadMsisdns, freeQuarantinedMsisdns,
    getSim, findSims, listSims,
    allocateForOrder, listOrderSims, availableStock,
    rotateKeys,
  };
}
export type InventoryService = ReturnType<typeof createInventoryService>;
