import { z } from 'zod';
import { ValidationError, type App } from '../../platform/http';
import type { RequestContext } from '../../platform/auth';
import { tmfState } from './orders.fns';
import type { Order, OrdersService } from './orders.service';
import { deliveryAddress } from './orders.schemas';

/**
 * TMF622 Product Ordering (v4) over the same service: one productOrderItem per order, `action: add`,
 * productOffering = the plan, product.productSpecification = the SIM product, characteristics for the business
 * unit and APNs, place[role=deliveryAddress] for physical SIMs.
 */
const BASE = '/tmf-api/productOrderingManagement/v4/productOrder';
const tags = ['TMF622 product ordering'];

const characteristic = z.object({ name: z.string(), value: z.unknown() });
const tmfOrderInput = z.object({
  externalId: z.string().max(100).optional(),
  description: z.string().max(1000).optional(),
  relatedParty: z.array(z.object({ id: z.string(), role: z.string().optional(), '@referredType': z.string().optional() })).optional(),
  productOrderItem: z.array(z.object({
    id: z.string(),
    action: z.literal('add'),
    quantity: z.number().int().min(1).max(100_000),
    productOffering: z.object({ id: z.string().uuid() }).optional(),
    product: z.object({
      productSpecification: z.object({ id: z.string().uuid() }),
      productCharacteristic: z.array(characteristic).optional(),
      place: z.array(z.object({ role: z.string(), address: deliveryAddress.optional() })).optional(),
    }),
  })).min(1),
});

function toTmf(o: Order) {
  return {
    id: o.id, href: `${BASE}/${o.id}`, externalId: o.externalId ?? undefined, description: o.note ?? undefined,
    state: tmfState(o.state), orderDate: o.createdAt.toISOString(), completionDate: o.completedAt?.toISOString(),
    ...(o.stateReason ? { note: [{ text: o.stateReason }] } : {}),
    relatedParty: [{ id: o.enterpriseId, role: 'customer', '@referredType': 'Organization' }],
    productOrderItem: [{
      id: '1', action: 'add', quantity: o.quantity, state: tmfState(o.state),
      ...(o.offerId ? { productOffering: { id: o.offerId } } : {}),
      product: {
        productSpecification: { id: o.simProductId },
        productCharacteristic: [{ name: 'businessUnitId', value: o.businessUnitId }, { name: 'apnIds', value: o.apnIds }],
        ...(o.deliveryAddress ? { place: [{ role: 'deliveryAddress', address: o.deliveryAddress }] } : {}),
      },
    }],
    '@type': 'ProductOrder',
  };
}

export function registerTmf622Routes(app: App, orders: OrdersService): void {
  app.post(BASE, {
    config: { permission: 'orders:place' },
    schema: { tags, summary: 'Create a product order (SIMs)', body: tmfOrderInput },
  }, async (req, reply) => {
    const body = req.body;
    if (body.productOrderItem.length !== 1) throw ValidationError.field('productOrderItem', 'must hold exactly one item (one SIM product per order)');
    const item = body.productOrderItem[0];
    const chars = new Map((item.product.productCharacteristic ?? []).map((c) => [c.name, c.value]));
    const businessUnitId = chars.get('businessUnitId');
    if (typeof businessUnitId !== 'string') throw ValidationError.field('productOrderItem.0.product.productCharacteristic', 'needs a businessUnitId characteristic');
    const apnIds = chars.get('apnIds');
    if (apnIds !== undefined && (!Array.isArray(apnIds) || apnIds.some((a) => typeof a !== 'string'))) {
      throw ValidationError.field('productOrderItem.0.product.productCharacteristic', 'apnIds must be a list of APN ids');
    }
    const customer = body.relatedParty?.find((p) => (p.role ?? 'customer') === 'customer');
    const ctx: RequestContext = req.ctx;
    const order = await orders.placeOrder(ctx, {
      enterpriseId: customer?.id, businessUnitId, simProductId: item.product.productSpecification.id, quantity: item.quantity,
      offerId: item.productOffering?.id ?? null, apnIds: (apnIds as string[] | undefined) ?? [],
      deliveryAddress: item.product.place?.find((p) => p.role === 'deliveryAddress')?.address ?? null,
      externalId: body.externalId ?? null, note: body.description ?? null,
    });
    return reply.code(201).send(toTmf(order));
  });

  app.get(BASE, {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'List product orders', querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) }) },
  }, async (req, reply) => {
    // TMF paging is offset-based; walk the keyset pages up to the offset.
    const want = req.query.offset + req.query.limit;
    const items: Order[] = [];
    let cursor: string | undefined;
    do {
      const page = await orders.listOrders(req.ctx, { limit: Math.min(500, want - items.length), cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < want);
    const slice = items.slice(req.query.offset, want);
    return reply.header('x-result-count', String(slice.length)).send(slice.map(toTmf));
  });

  app.get(`${BASE}/:id`, {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'Retrieve a product order', params: z.object({ id: z.string().uuid() }) },
  }, async (req) => toTmf(await orders.getOrder(req.ctx, req.params.id)));
}
