import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';

/** The inventory module: its service functions and routes. (Skeleton: filled in by the inventory work.) */
export function createInventoryModule(core: Core) {
  void core;
  return {
    name: 'inventory',
    register(app: App): void {
      void app;
    },
  };
}
export type InventoryModule = ReturnType<typeof createInventoryModule>;
