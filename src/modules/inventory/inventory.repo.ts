import { sql } from 'kysely';
import type { Tx } from '../../platform/db';
import { paginate, type PageQuery } from '../../platform/http';
import type { FormFactor, SimsTable } from './inventory.tables';

/** SQL only. Every function runs in the caller's (RLS-scoped) transaction. */

export interface ProductRow {
  id: string;
  tenant_id: string | null;
  name: string;
  form_factor: FormFactor;
  vendor: string;
  profile_type: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const productCols = ['id', 'name', 'form_factor', 'vendor', 'profile_type', 'active', 'created_at', 'updated_at'] as const;

/** A product of the tenant in scope, or a host-wide one. */
export async function findProduct(tx: Tx, id: string): Promise<ProductRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const own = await tx.selectFrom('sim_products').select([...productCols, 'tenant_id']).where('id', '=', id).executeTakeFirst();
  if (own) return own;
  const host = await tx.selectFrom('host_sim_products').select(productCols).where('id', '=', id).executeTakeFirst();
  return host ? { ...host, tenant_id: null } : undefined;
}

export async function listProducts(tx: Tx, opts: { includeHost: boolean; tenantScoped: boolean }): Promise<ProductRow[]> {
  const out: ProductRow[] = [];
  if (opts.includeHost) {
    const host = await tx.selectFrom('host_sim_products').select(productCols).orderBy('name').execute();
    out.push(...host.map((h) => ({ ...h, tenant_id: null })));
  }
  if (opts.tenantScoped) out.push(...(await tx.selectFrom('sim_products').select([...productCols, 'tenant_id']).orderBy('name').execute()));
  return out;
}

/**
 * The tenant's code and home networks.
 * TODO(accounts): read through the accounts module's exported tenant lookup once it exists; until then this is
 * the one place inventory reads the tenants row (RLS shows only the tenant in scope).
 */
export async function tenantProfile(tx: Tx, tenantId: string): Promise<{ code: string; plmns: string[] }> {
  const r = await sql<{ code: string; plmns: string[] }>`select code, plmns from tenants where id = ${tenantId}`.execute(tx);
  return r.rows[0] ?? { code: '?', plmns: [] };
}

export async function pageLoads(tx: Tx, page: PageQuery) {
  return paginate(tx.selectFrom('sim_loads').selectAll(), page, { createdAt: 'created_at' }, '-createdAt');
}

/** The columns of a SIM other modules may see: never ki_enc, opc_enc or key_id. */
export const SIM_PUBLIC_COLUMNS = [
  'id', 'iccid', 'imsi', 'msisdn', 'sim_product_id', 'eid', 'matching_id', 'batch_id', 'stock_state', 'enterprise_id',
  'business_unit_id', 'order_id', 'state', 'pending_state', 'state_changed_at', 'plan_offer_id', 'apn_ids', 'imei',
  'imei_lock', 'version', 'created_at', 'updated_at',
] as const satisfies readonly (keyof SimsTable)[];

/**
 * Takes `quantity` SIMs of a product out of stock for an order. SKIP LOCKED lets parallel orders take different
 * SIMs instead of waiting for (or taking) the same ones; fewer rows than asked means stock is short.
 */
export async function lockAvailableSims(tx: Tx, tenantId: string, productId: string, quantity: number): Promise<{ id: string; iccid: string }[]> {
  const r = await sql<{ id: string; iccid: string }>`
    select id, iccid from sims
     where tenant_id = ${tenantId} and sim_product_id = ${productId} and stock_state = 'AVAILABLE'
     order by iccid
     limit ${quantity}
     for update skip locked`.execute(tx);
  return r.rows;
}

export async function countAvailable(tx: Tx, tenantId: string, productId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from sims
     where tenant_id = ${tenantId} and sim_product_id = ${productId} and stock_state = 'AVAILABLE'`.execute(tx);
  return r.rows[0].n;
}

export async function lockFreeMsisdns(tx: Tx, tenantId: string, quantity: number): Promise<string[]> {
  const r = await sql<{ msisdn: string }>`
    select msisdn from msisdns where tenant_id = ${tenantId} and state = 'FREE'
     order by msisdn limit ${quantity} for update skip locked`.execute(tx);
  return r.rows.map((x) => x.msisdn);
}

export interface AllocationSet {
  simIds: string[];
  msisdns: (string | null)[];
}

/** Hands the locked SIMs to the enterprise, each with its MSISDN, in the state the tenant configured. */
export async function allocate(tx: Tx, tenantId: string, a: AllocationSet & {
  enterpriseId: string; businessUnitId: string | null; orderId: string; offerId: string | null; apnIds: string[]; state: string; now: Date;
}): Promise<void> {
  await sql`
    update sims s set stock_state = 'ALLOCATED', enterprise_id = ${a.enterpriseId}, business_unit_id = ${a.businessUnitId},
           order_id = ${a.orderId}, plan_offer_id = ${a.offerId}, apn_ids = ${a.apnIds}::uuid[], state = ${a.state},
           state_changed_at = ${a.now}, msisdn = v.msisdn, version = s.version + 1, updated_at = ${a.now}
      from unnest(${a.simIds}::uuid[], ${a.msisdns}::text[]) as v(id, msisdn)
     where s.tenant_id = ${tenantId} and s.id = v.id`.execute(tx);
  const assigned = a.simIds.map((id, i) => [id, a.msisdns[i]] as const).filter(([, m]) => m !== null);
  if (assigned.length) {
    await sql`
      update msisdns m set state = 'ASSIGNED', sim_id = v.sim_id, order_id = ${a.orderId}, quarantine_until = null, updated_at = ${a.now}
        from unnest(${assigned.map((x) => x[0])}::uuid[], ${assigned.map((x) => x[1])}::text[]) as v(sim_id, msisdn)
       where m.tenant_id = ${tenantId} and m.msisdn = v.msisdn`.execute(tx);
  }
}

export async function stockCounts(tx: Tx, tenantId: string | null) {
  const r = await sql<{ tenant_code: string; product_id: string | null; stock_state: string; state: string; count: number }>`
    select t.code as tenant_code, s.sim_product_id as product_id, s.stock_state, s.state, count(*)::int as count
      from sims s join tenants t on t.id = s.tenant_id
     where (${tenantId}::uuid is null or s.tenant_id = ${tenantId}::uuid)
     group by t.code, s.sim_product_id, s.stock_state, s.state`.execute(tx);
  return r.rows;
}
