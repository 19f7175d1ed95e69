import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';

/** The accounts module: tenants, enterprises, business units, billing profiles, onboarding. (Skeleton.) */
export function createAccountsModule(core: Core) {
  void core;
  return {
    name: 'accounts',
    register(app: App): void {
      void app;
    },
  };
}
export type AccountsModule = ReturnType<typeof createAccountsModule>;
