import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';
import { createProvisioningService, FANOUT_SUBSCRIBER, type ProvisioningDeps } from './provisioning.service';
import { registerProvisioningRoutes } from './provisioning.routes';

export { PROVISIONING_EVENTS, DELIVERABLE_EVENTS } from './provisioning.events';
export { startNetworkSimulator, type NetworkSimulator, type SimulatorOptions } from './network-simulator';
export { hlrPreset, ciscoControlCenterPreset, type DeliveryWork, type Adapter, type RestConfig, type SftpConfig } from './adapters';
export { signBody } from './provisioning.fns';
export type { ProvisioningService, TargetInput } from './provisioning.service';

/**
 * The provisioning module: domain events become deliveries to the targets a tenant configures (REST, SFTP files,
 * Cisco Control Center), with per-(target, SIM) ordering, retries, dead letters, external keys, inbound notices
 * and reconciliation. See docs/provisioning.md.
 */
export function createProvisioningModule(core: Core, deps: ProvisioningDeps) {
  const service = createProvisioningService(core, deps);
  core.bus.subscribeBatch(FANOUT_SUBSCRIBER, 'lifecycle.sim.*', service.fanOut);
  core.bus.subscribeBatch('provisioning.fan-out-orders', 'orders.order.placed', service.fanOut);
  core.scheduler.register({ name: 'provisioning.reconciliation', cron: '40 3 * * *', run: async () => { await service.reconcileAll(); } });
  return {
    name: 'provisioning',
    ...service,
    /** Background work of the worker loop: due deliveries. */
    work: () => service.deliverDue(),
    register(app: App): void {
      registerProvisioningRoutes(app, service);
    },
  };
}
export type ProvisioningModule = ReturnType<typeof createProvisioningModule>;
