import { sql } from 'kysely';
import type { Core } from '../../platform/core';
import type { TenantScope, Tx } from '../../platform/db';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, systemContext, type RequestContext } from '../../platform/auth';
import type { StoredEvent } from '../../platform/events';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, paginate, type Page, type PageQuery } from '../../platform/http';
import type { AccountsModule } from '../accounts';
import type { CatalogModule } from '../catalog';
import type { InventoryModule, AllocatedSim } from '../inventory';
import { nextState, refusal, type OrderAction } from './orders.fns';
import type { DeliveryAddress, OrderState, SimOrdersTable } from './orders.tables';
import { ORDER_EVENTS, type OrderEventPayload } from './orders.events';

export interface OrdersDeps {
  accounts: Pick<AccountsModule, 'getAccountStatus' | 'getBusinessUnit'>;
  /** Absent: any offer id is accepted (no catalog wired). */
  catalog?: Pick<CatalogModule, 'resolveOfferVersion' | 'sellability'>;
  inventory: Pick<InventoryModule, 'getProduct' | 'getApns' | 'availableStock' | 'allocateForOrder' | 'listOrderSims'>;
}

export interface Order {
  id: string;
  enterpriseId: string;
  businessUnitId: string;
  simProductId: string;
  esim: boolean;
  quantity: number;
  offerId: string | null;
  apnIds: string[];
  deliveryAddress: DeliveryAddress | null;
  externalId: string | null;
  note: string | null;
  state: OrderState;
  stateReason: string | null;
  trackingRef: string | null;
  placedBy: { type: string; id: string | null; name?: string | null };
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface OrderHistoryEntry {
  seq: number;
  fromState: OrderState | null;
  toState: OrderState;
  reason: string | null;
  actor: unknown;
  at: Date;
}

export interface PlaceOrderInput {
  /** Required for tenant users; an enterprise user orders for its own enterprise. */
  enterpriseId?: string;
  businessUnitId: string;
  simProductId: string;
  quantity: number;
  offerId?: string | null;
  apnIds?: string[];
  deliveryAddress?: DeliveryAddress | null;
  externalId?: string | null;
  note?: string | null;
}

export interface OrderSettings {
  requireApproval: boolean;
  initialSimState: 'WARM' | 'READY';
  assignMsisdns: boolean;
}

type OrderRow = Omit<SimOrdersTable, 'id' | 'apn_ids' | 'delivery_address' | 'placed_by' | 'created_at' | 'updated_at'> & {
  id: string; apn_ids: string[]; delivery_address: DeliveryAddress | null; placed_by: Order['placedBy']; created_at: Date; updated_at: Date;
};
const toOrder = (r: OrderRow): Order => ({
  id: r.id, enterpriseId: r.enterprise_id, businessUnitId: r.business_unit_id, simProductId: r.sim_product_id, esim: r.esim,
  quantity: r.quantity, offerId: r.offer_id, apnIds: r.apn_ids, deliveryAddress: r.delivery_address, externalId: r.external_id,
  note: r.note, state: r.state, stateReason: r.state_reason, trackingRef: r.tracking_ref, placedBy: r.placed_by,
  createdAt: r.created_at, updatedAt: r.updated_at, completedAt: r.completed_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ALLOCATOR = 'orders.allocate-physical';

/** A refusal of an order for a business reason; the problem carries `reason` as a stable code. */
function refused(reason: 'ACCOUNT_NOT_ACTIVE' | 'STOCK_SHORT' | 'PLAN_NOT_SELLABLE', message: string, field: string, fieldReason: string): AppError {
  return new AppError(409, `order-refused`, message, [{ field, reason: fieldReason }], { reason });
}

/**
 * SIM orders. Placing checks the account, product, plan, APNs and stock, then (unless the tenant approves orders
 * first) an eSIM order allocates at once and completes, while a physical order is PENDING: its
 * `orders.order.placed` event goes to the tenant IT system (provisioning) and to the allocator below, which takes
 * SIMs and MSISDNs and moves it IN_PROGRESS with its allocation list; logistics completes it when shipped.
 *
 * Order writes run in the tenant scope (stock SIMs belong to no enterprise yet, so an enterprise scope would not
 * see them); the enterprise of an enterprise caller is forced from its context, and reads use the caller's own
 * scope, so RLS shows an enterprise only its orders.
 */
export function createOrdersService(core: Core, deps: OrdersDeps) {
  const { accounts, catalog, inventory } = deps;

  async function settingsIn(tx: Tx): Promise<OrderSettings> {
    const s = await tx.selectFrom('order_settings').selectAll().executeTakeFirst();
    return { requireApproval: s?.require_approval ?? false, initialSimState: s?.initial_sim_state ?? 'WARM', assignMsisdns: s?.assign_msisdns ?? true };
  }

  async function getSettings(ctx: RequestContext): Promise<OrderSettings> {
    return core.dbs.tenant({ tenantId: scopeOf(ctx).tenantId }, settingsIn);
  }

  async function putSettings(ctx: RequestContext, input: OrderSettings): Promise<OrderSettings> {
    const tenantId = scopeOf(ctx).tenantId;
    if (ctx.enterpriseId) throw new ForbiddenError('order settings belong to the tenant');
    return core.dbs.tenant({ tenantId }, async (tx) => {
      const before = await settingsIn(tx);
      await sql`insert into order_settings (tenant_id, require_approval, initial_sim_state, assign_msisdns, updated_at)
                values (${tenantId}, ${input.requireApproval}, ${input.initialSimState}, ${input.assignMsisdns}, ${core.now()})
                on conflict (tenant_id) do update set require_approval = excluded.require_approval,
                  initial_sim_state = excluded.initial_sim_state, assign_msisdns = excluded.assign_msisdns, updated_at = excluded.updated_at`.execute(tx);
      await recordAudit(tx, originOf(ctx), { tenantId, action: 'update', entityType: 'order_settings', entityId: tenantId, before, after: input });
      return input;
    });
  }

  /** Moves an order to the state `action` leads to, with its history row, audit record and event. */
  async function move(tx: Tx, ctx: RequestContext, order: Order, action: OrderAction, extra: { reason?: string | null; trackingRef?: string | null } = {}): Promise<Order> {
    const to = nextState(order.state, action);
    if (!to) throw new ConflictError(refusal(order.state, action), [{ field: 'state', reason: `is ${order.state}` }]);
    const now = core.now();
    const row = await tx.updateTable('sim_orders').set({
      state: to, updated_at: now,
      ...(extra.reason !== undefined ? { state_reason: extra.reason } : {}),
      ...(extra.trackingRef !== undefined ? { tracking_ref: extra.trackingRef } : {}),
      ...(to === 'COMPLETED' ? { completed_at: now } : {}),
    }).where('id', '=', order.id).where('state', '=', order.state).returningAll().executeTakeFirst();
    if (!row) throw new ConflictError(`order ${order.id} was changed meanwhile; reload it`);
    const after = toOrder(row as unknown as OrderRow);
    await history(tx, ctx, after, order.state, to, extra.reason ?? null, now);
    await recordAudit(tx, originOf(ctx), { tenantId: scopeOf(ctx).tenantId, enterpriseId: after.enterpriseId, action, entityType: 'sim_order', entityId: after.id, before: { state: order.state }, after: { state: to, reason: extra.reason ?? null } });
    await core.bus.record(tx, event(ctx, after, ({ approve: ORDER_EVENTS.approved, reject: ORDER_EVENTS.rejected, cancel: ORDER_EVENTS.cancelled, allocate: ORDER_EVENTS.allocated, fail: ORDER_EVENTS.failed, complete: ORDER_EVENTS.completed } as const)[action]), actorOf(ctx));
    return after;
  }

  async function history(tx: Tx, ctx: RequestContext, order: Order, from: OrderState | null, to: OrderState, reason: string | null, at: Date): Promise<void> {
    await sql`insert into sim_order_history (tenant_id, order_id, seq, enterprise_id, from_state, to_state, reason, actor, at)
      select ${scopeOf(ctx).tenantId}::uuid, ${order.id}::uuid, coalesce(max(seq), 0) + 1, ${order.enterpriseId}::uuid, ${from}, ${to}, ${reason},
             ${JSON.stringify(actorOf(ctx))}::jsonb, ${at}
        from sim_order_history where tenant_id = ${scopeOf(ctx).tenantId}::uuid and order_id = ${order.id}::uuid`.execute(tx);
  }

  const event = (ctx: RequestContext, o: Order, type: string) => ({
    type, tenantId: scopeOf(ctx).tenantId, aggregateType: 'sim_order', aggregateId: o.id,
    payload: { orderId: o.id, enterpriseId: o.enterpriseId, businessUnitId: o.businessUnitId, state: o.state, esim: o.esim, quantity: o.quantity } satisfies OrderEventPayload,
  });

  /** Every reason to refuse an order, checked in the order's transaction. */
  async function check(tx: Tx, ctx: RequestContext, input: PlaceOrderInput & { enterpriseId: string }) {
    const scope: TenantScope = { tenantId: scopeOf(ctx).tenantId };
    const unit = UUID.test(input.businessUnitId) ? await accounts.getBusinessUnit(ctx, input.businessUnitId, tx).catch((e) => {
      if (e instanceof NotFoundError) return null;
      throw e;
    }) : null;
    if (!unit || unit.enterpriseId !== input.enterpriseId) throw ValidationError.field('businessUnitId', 'is not a business unit of the ordering enterprise');
    const status = await accounts.getAccountStatus(tx, 'business_unit', input.businessUnitId);
    if (status.effectiveStatus !== 'ACTIVE') {
      throw refused('ACCOUNT_NOT_ACTIVE', `the account is ${status.effectiveStatus.toLowerCase()}: no SIMs can be ordered for it`,
        'businessUnitId', `account is ${status.effectiveStatus}`);
    }
    const product = await inventory.getProduct(scope, input.simProductId, tx);
    if (!product || !product.active) throw ValidationError.field('simProductId', 'is not an active SIM product');
    if (input.offerId) {
      // TODO(catalog): without the catalog module wired, any offer id is accepted.
      if (catalog) {
        const offer = await catalog.resolveOfferVersion(scope, input.offerId, core.now(), tx);
        if (!offer) throw refused('PLAN_NOT_SELLABLE', `plan ${input.offerId} is not sellable: it has no version in force`, 'offerId', 'has no version in force');
        if (offer.kind !== 'PRIMARY') throw ValidationError.field('offerId', `${offer.code} is not a primary offer (a SIM's plan)`);
        const sell = await catalog.sellability(scope, input.offerId, input.enterpriseId, core.now(), tx);
        if (!sell.allowed) throw refused('PLAN_NOT_SELLABLE', `plan ${offer.code} is not sellable to this enterprise: ${sell.reason}`, 'offerId', sell.reason ?? 'not sellable');
      }
    }
    const apnIds = input.apnIds ?? [];
    if (apnIds.length) {
      const apns = await inventory.getApns(scope, apnIds, tx);
      apnIds.forEach((id, i) => {
        const a = apns.find((x) => x.id === id);
        if (!a) throw ValidationError.field(`apnIds.${i}`, 'is not an APN of this tenant');
        if (a.enterpriseIds.length && !a.enterpriseIds.includes(input.enterpriseId)) throw ValidationError.field(`apnIds.${i}`, `APN ${a.name} is not assigned to this enterprise`);
        if (a.offerIds.length && (!input.offerId || !a.offerIds.includes(input.offerId))) throw ValidationError.field(`apnIds.${i}`, `APN ${a.name} is not part of the chosen plan`);
      });
    }
    const esim = product.formFactor === 'ESIM';
    if (!esim && !input.deliveryAddress) throw ValidationError.field('deliveryAddress', 'is required for physical SIMs');
    const available = await inventory.availableStock(scope, product.id, tx);
    if (available < input.quantity) {
      throw refused('STOCK_SHORT', `stock is short: ${available} SIM(s) of ${product.name} are available, ${input.quantity} ordered`, 'quantity', `only ${available} in stock`);
    }
    return { esim, apnIds };
  }

  async function placeOrder(ctx: RequestContext, input: PlaceOrderInput): Promise<Order> {
    const tenantId = scopeOf(ctx).tenantId;
    const enterpriseId = ctx.enterpriseId ?? input.enterpriseId;
    if (!enterpriseId) throw ValidationError.field('enterpriseId', 'is required when a tenant user places an order');
    if (ctx.enterpriseId && input.enterpriseId && input.enterpriseId !== ctx.enterpriseId) throw ValidationError.field('enterpriseId', 'must be your own enterprise');
    return core.dbs.tenant({ tenantId }, async (tx) => {
      const { esim, apnIds } = await check(tx, ctx, { ...input, enterpriseId });
      const settings = await settingsIn(tx);
      const state: OrderState = settings.requireApproval ? 'AWAITING_APPROVAL' : 'PENDING';
      const row = await tx.insertInto('sim_orders').values({
        tenant_id: tenantId, enterprise_id: enterpriseId, business_unit_id: input.businessUnitId, sim_product_id: input.simProductId,
        esim, quantity: input.quantity, offer_id: input.offerId ?? null, apn_ids: apnIds,
        delivery_address: JSON.stringify(input.deliveryAddress ?? null), external_id: input.externalId ?? null, note: input.note ?? null,
        state, placed_by: JSON.stringify(actorOf(ctx)), created_at: core.now(), updated_at: core.now(),
      }).returningAll().executeTakeFirstOrThrow();
      let order = toOrder(row as unknown as OrderRow);
      await history(tx, ctx, order, null, state, null, core.now());
      await recordAudit(tx, originOf(ctx), { tenantId, enterpriseId, action: 'place', entityType: 'sim_order', entityId: order.id, after: order });
      await core.bus.record(tx, event(ctx, order, state === 'PENDING' ? ORDER_EVENTS.placed : ORDER_EVENTS.awaitingApproval), actorOf(ctx));
      if (state === 'PENDING' && esim) order = await allocateAndComplete(tx, ctx, order, settings);
      return order;
    });
  }

  /** eSIM: profiles need no shipping, so the order allocates and completes in one go. */
  async function allocateAndComplete(tx: Tx, ctx: RequestContext, order: Order, settings: OrderSettings): Promise<Order> {
    const allocated = await allocate(tx, ctx, order, settings);
    return move(tx, ctx, allocated, 'complete');
  }

  async function allocate(tx: Tx, ctx: RequestContext, order: Order, settings: OrderSettings): Promise<Order> {
    await inventory.allocateForOrder(tx, {
      tenantId: scopeOf(ctx).tenantId, orderId: order.id, simProductId: order.simProductId, quantity: order.quantity,
      enterpriseId: order.enterpriseId, businessUnitId: order.businessUnitId, offerId: order.offerId, apnIds: order.apnIds,
      initialState: settings.initialSimState, assignMsisdns: settings.assignMsisdns,
    });
    return move(tx, ctx, order, 'allocate');
  }

  async function lockOrder(tx: Tx, id: string): Promise<Order> {
    const r = UUID.test(id) ? await tx.selectFrom('sim_orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst() : undefined;
    if (!r) throw new NotFoundError('order', id);
    return toOrder(r as unknown as OrderRow);
  }

  /** Runs an action on an order; an enterprise caller can only reach its own orders (RLS in its scope). */
  async function act(ctx: RequestContext, id: string, fn: (tx: Tx, order: Order) => Promise<Order>): Promise<Order> {
    const tenantId = scopeOf(ctx).tenantId;
    return core.dbs.tenant({ tenantId }, async (tx) => {
      const order = await lockOrder(tx, id);
      if (ctx.enterpriseId && order.enterpriseId !== ctx.enterpriseId) throw new NotFoundError('order', id);
      return fn(tx, order);
    });
  }

  const cancelOrder = (ctx: RequestContext, id: string, reason?: string | null) =>
    act(ctx, id, (tx, o) => move(tx, ctx, o, 'cancel', { reason: reason ?? 'cancelled by the customer' }));

  const rejectOrder = (ctx: RequestContext, id: string, reason: string) =>
    act(ctx, id, (tx, o) => move(tx, ctx, o, 'reject', { reason: `rejected: ${reason}` }));

  /** Approval re-checks everything (the account or stock may have changed while the order waited). */
  const approveOrder = (ctx: RequestContext, id: string) =>
    act(ctx, id, async (tx, o) => {
      if (o.state !== 'AWAITING_APPROVAL') throw new ConflictError(refusal(o.state, 'approve'), [{ field: 'state', reason: `is ${o.state}` }]);
      await check(tx, ctx, { ...o, enterpriseId: o.enterpriseId });
      const approved = await move(tx, ctx, o, 'approve');
      await core.bus.record(tx, event(ctx, approved, ORDER_EVENTS.placed), actorOf(ctx));
      return approved.esim ? allocateAndComplete(tx, ctx, approved, await settingsIn(tx)) : approved;
    });

  /** Logistics shipped the SIMs of an allocated physical order. */
  const completeOrder = (ctx: RequestContext, id: string, trackingRef?: string | null) =>
    act(ctx, id, (tx, o) => move(tx, ctx, o, 'complete', { trackingRef: trackingRef ?? null }));

  /**
   * The allocator (subscriber of orders.order.placed): takes SIMs and MSISDNs for a PENDING physical order. Stock
   * that ran short since the order was placed fails the order with the reason. Idempotent: an order no longer
   * PENDING is left alone.
   */
  async function allocatePlaced(e: StoredEvent): Promise<void> {
    const p = e.payload as OrderEventPayload;
    if (!e.tenantId || p.esim) return;
    const ctx = systemContext(e.tenantId, null, 'order allocator');
    try {
      await core.dbs.tenant({ tenantId: e.tenantId }, async (tx) => {
        const order = await lockOrder(tx, p.orderId);
        if (order.state !== 'PENDING') return;
        await allocate(tx, ctx, order, await settingsIn(tx));
      });
    } catch (err) {
      if (!(err instanceof ConflictError) || !['STOCK_SHORT', 'MSISDN_SHORT'].includes(String(err.extra.reason))) throw err;
      await core.dbs.tenant({ tenantId: e.tenantId }, async (tx) => {
        const order = await lockOrder(tx, p.orderId);
        if (order.state === 'PENDING') await move(tx, ctx, order, 'fail', { reason: err.message });
      });
    }
  }

  async function getOrder(ctx: RequestContext, id: string): Promise<Order & { history: OrderHistoryEntry[] }> {
    return core.dbs.tenant(scopeOf(ctx), async (tx) => {
      const r = UUID.test(id) ? await tx.selectFrom('sim_orders').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
      if (!r) throw new NotFoundError('order', id);
      const h = await tx.selectFrom('sim_order_history').select(['seq', 'from_state', 'to_state', 'reason', 'actor', 'at']).where('order_id', '=', id).orderBy('seq').execute();
      return { ...toOrder(r as unknown as OrderRow), history: h.map((x) => ({ seq: x.seq, fromState: x.from_state, toState: x.to_state, reason: x.reason, actor: x.actor, at: x.at })) };
    });
  }

  async function listOrders(ctx: RequestContext, page: PageQuery, filter: { state?: OrderState; enterpriseId?: string } = {}): Promise<Page<Order>> {
    return core.dbs.tenant(scopeOf(ctx), async (tx) => {
      let q = tx.selectFrom('sim_orders').selectAll();
      if (filter.state) q = q.where('state', '=', filter.state);
      if (filter.enterpriseId) q = q.where('enterprise_id', '=', filter.enterpriseId);
      const p = await paginate(q, page, { createdAt: 'created_at', updatedAt: 'updated_at' }, '-createdAt');
      return { nextCursor: p.nextCursor, items: p.items.map((r) => toOrder(r as unknown as OrderRow)) };
    });
  }

  /** The SIMs allocated to an order (logistics list); visible to the ordering enterprise and the tenant. */
  async function allocationList(ctx: RequestContext, id: string): Promise<{ order: Order; sims: AllocatedSim[] }> {
    const order = await getOrder(ctx, id); // 404 outside the caller's scope
    const sims = await inventory.listOrderSims(scopeOf(ctx), id);
    return { order, sims };
  }

  return { getSettings, putSettings, placeOrder, approveOrder, rejectOrder, cancelOrder, completeOrder, allocatePlaced, getOrder, listOrders, allocationList };
}
export type OrdersService = ReturnType<typeof createOrdersService>;
