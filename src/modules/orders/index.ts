import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';

/** The orders module: its service functions and routes. (Skeleton: filled in by the orders work.) */
export function createOrdersModule(core: Core) {
  void core;
  return {
    name: 'orders',
    register(app: App): void {
      void app;
    },
  };
}
export type OrdersModule = ReturnType<typeof createOrdersModule>;
