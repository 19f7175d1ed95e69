import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';

/** The catalog module: its service functions and routes. (Skeleton: filled in by the catalog work.) */
export function createCatalogModule(core: Core) {
  void core;
  return {
    name: 'catalog',
    register(app: App): void {
      void app;
    },
  };
}
export type CatalogModule = ReturnType<typeof createCatalogModule>;
