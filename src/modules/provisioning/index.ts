import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';

/** The provisioning module: its service functions and routes. (Skeleton: filled in by the provisioning work.) */
export function createProvisioningModule(core: Core) {
  void core;
  return {
    name: 'provisioning',
    register(app: App): void {
      void app;
    },
  };
}
export type ProvisioningModule = ReturnType<typeof createProvisioningModule>;
