import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';

/** The lifecycle module: its service functions and routes. (Skeleton: filled in by the lifecycle work.) */
export function createLifecycleModule(core: Core) {
  void core;
  return {
    name: 'lifecycle',
    register(app: App): void {
      void app;
    },
  };
}
export type LifecycleModule = ReturnType<typeof createLifecycleModule>;
