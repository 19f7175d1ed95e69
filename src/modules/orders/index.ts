import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';
import { createOrdersService, ALLOCATOR, type OrdersDeps } from './orders.service';
import { registerOrdersRoutes } from './orders.routes';
import { registerTmf622Routes } from './tmf622.routes';
import { ORDER_EVENTS } from './orders.events';
import './orders.tables';

export { ORDER_EVENTS, type OrderEventPayload } from './orders.events';
export type { Order, OrderSettings, PlaceOrderInput, OrdersDeps, OrdersService } from './orders.service';
export type { OrderState, DeliveryAddress } from './orders.tables';

/**
 * The orders module: enterprises order SIMs (/api/v1/orders and TMF622 /tmf-api/productOrderingManagement/v4),
 * with optional tenant approval, allocation of SIMs and MSISDNs from inventory, the allocation list for logistics
 * and cancellation before allocation. Physical orders are allocated by the subscriber of `orders.order.placed`.
 */
export function createOrdersModule(core: Core, deps: OrdersDeps) {
  const service = createOrdersService(core, deps);
  core.bus.subscribe(ALLOCATOR, ORDER_EVENTS.placed, (e) => service.allocatePlaced(e));
  return {
    name: 'orders',
    ...service,
    register(app: App): void {
      registerOrdersRoutes(app, service);
      registerTmf622Routes(app, service);
    },
  };
}
export type OrdersModule = ReturnType<typeof createOrdersModule>;
