import { z } from 'zod';
import { pageQuery, type App } from '../../platform/http';
import { allocationCsv } from './orders.fns';
import type { OrdersService } from './orders.service';
import * as s from './orders.schemas';

const idParam = z.object({ id: z.string().uuid() });
const tags = ['orders'];

export function registerOrdersRoutes(app: App, orders: OrdersService): void {
  app.post('/api/v1/orders', {
    config: { permission: 'orders:place' },
    schema: {
      tags, summary: 'Order SIMs for a business unit',
      description: 'eSIM orders allocate and complete at once; physical orders are PENDING until the platform allocates them (IN_PROGRESS), then COMPLETED when shipped. Refusals (409 order-refused) carry `reason`: ACCOUNT_NOT_ACTIVE, STOCK_SHORT or PLAN_NOT_SELLABLE.',
      body: s.placeOrder, response: { 201: s.order },
    },
  }, async (req, reply) => reply.code(201).send(await orders.placeOrder(req.ctx, req.body)));

  app.get('/api/v1/orders', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'Orders, newest first (an enterprise sees its own)', querystring: pageQuery.extend(s.orderListQuery.shape), response: { 200: s.orderPage } },
  }, async (req) => {
    const { limit, cursor, sort, ...filter } = req.query;
    return orders.listOrders(req.ctx, { limit, cursor, sort }, filter);
  });

  app.get('/api/v1/orders/:id', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'One order with its state history', params: idParam, response: { 200: s.orderWithHistory } },
  }, async (req) => orders.getOrder(req.ctx, req.params.id));

  app.post('/api/v1/orders/:id/approve', {
    config: { permission: 'orders:approve' },
    schema: { tags, summary: 'Approve an order awaiting approval (re-checks account, plan and stock)', params: idParam, response: { 200: s.order } },
  }, async (req) => orders.approveOrder(req.ctx, req.params.id));

  app.post('/api/v1/orders/:id/reject', {
    config: { permission: 'orders:approve' },
    schema: { tags, summary: 'Reject an order awaiting approval', params: idParam, body: s.reasonBody, response: { 200: s.order } },
  }, async (req) => orders.rejectOrder(req.ctx, req.params.id, req.body.reason));

  app.post('/api/v1/orders/:id/cancel', {
    config: { permission: 'orders:place' },
    schema: { tags, summary: 'Cancel an order whose SIMs are not allocated yet', params: idParam, body: s.optionalReasonBody, response: { 200: s.order } },
  }, async (req) => orders.cancelOrder(req.ctx, req.params.id, req.body?.reason));

  app.post('/api/v1/orders/:id/complete', {
    config: { permission: 'orders:approve' },
    schema: { tags, summary: 'Logistics shipped the allocated SIMs: complete the order', params: idParam, body: s.completeBody, response: { 200: s.order } },
  }, async (req) => orders.completeOrder(req.ctx, req.params.id, req.body?.trackingRef));

  app.get('/api/v1/orders/:id/allocation', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'The SIMs allocated to an order (ICCID, IMSI, MSISDN; eSIM EID and matching id)', params: idParam, response: { 200: s.allocation } },
  }, async (req) => {
    const { order, sims } = await orders.allocationList(req.ctx, req.params.id);
    return { orderId: order.id, state: order.state, items: sims };
  });

  app.get('/api/v1/orders/:id/allocation.csv', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'The allocation list as CSV (for logistics)', params: idParam },
  }, async (req, reply) => {
    const { order, sims } = await orders.allocationList(req.ctx, req.params.id);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="order-${order.id}-allocation.csv"`).send(allocationCsv(order.id, sims));
  });

  app.get('/api/v1/orders/settings', {
    config: { permission: 'orders:read' },
    schema: { tags, summary: 'The tenant\'s order settings', response: { 200: s.orderSettings } },
  }, async (req) => orders.getSettings(req.ctx));

  app.put('/api/v1/orders/settings', {
    config: { permission: 'orders:approve' },
    schema: { tags, summary: 'Set approval, initial SIM state and MSISDN assignment for orders', body: s.orderSettings, response: { 200: s.orderSettings } },
  }, async (req) => orders.putSettings(req.ctx, req.body));
}
