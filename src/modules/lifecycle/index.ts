import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';
import type { SimStateAccess } from '../inventory/sim-state.repo';
import { createLifecycleService, type AccountStatusCheck, type PlanTransitionCheck } from './lifecycle.service';
import { createBulkService } from './bulk.service';
import { registerLifecycleRoutes } from './lifecycle.routes';

export { LIFECYCLE_EVENTS, PROVISIONABLE_EVENTS, type SimEventPayload } from './lifecycle.events';
export { TRANSITIONS, STATE_ACTIONS, VALUE_ACTIONS, PARTIES, displayState, planStateChange, type Party, type SimState, type StateAction, type ChangeAction, type TestLimits } from './lifecycle.fns';
export type { ChangeRequest, ChangeOutcome, SettleResult, AccountCascadeResult, PlanTransitionCheck, AccountStatusCheck, LifecycleService } from './lifecycle.service';
export type { BulkService, BulkJobInput } from './bulk.service';
export type { SimView } from '../inventory/sim-state.repo';

export interface LifecycleModuleDeps {
  sims: SimStateAccess;
  checkPlanTransition?: PlanTransitionCheck;
  accountStatus?: AccountStatusCheck;
}

/**
 * The lifecycle module: SIM states and their transition table, plan/APN/MSISDN/IMEI changes, suspension holds per
 * party, test limits, scheduled changes, bulk jobs and the account cascades credit control calls.
 */
export function createLifecycleModule(core: Core, deps: LifecycleModuleDeps) {
  const service = createLifecycleService(core, deps);
  const bulk = createBulkService(core, { sims: deps.sims, lifecycle: service });
  core.scheduler.register({
    name: 'lifecycle.scheduled-changes',
    cron: '* * * * *',
    run: async (dueAt) => {
      await service.runScheduledChanges(dueAt);
      await service.runTestExpiry(dueAt);
    },
  });
  return {
    name: 'lifecycle',
    ...service,
    bulk,
    /** Credit control's entry points. */
    suspendAccount: service.suspendAccount,
    resumeAccount: service.resumeAccount,
    terminateAccount: service.terminateAccount,
    /** Background work of the worker loop: queued bulk jobs. Returns the items processed. */
    work: () => bulk.runJobs({ maxItems: 10_000 }),
    register(app: App): void {
      registerLifecycleRoutes(app, { lifecycle: service, bulk });
    },
  };
}
export type LifecycleModule = ReturnType<typeof createLifecycleModule>;
