import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';
import { parseKeyRing, type KeyRing } from '../../platform/crypto';
import { createInventoryService } from './inventory.service';
import { createLoadService } from './loads.service';
import { createStockService } from './stock.service';
import { registerInventoryRoutes } from './inventory.routes';
import './inventory.tables';

export type { Sim, SimProduct, Apn, AllocationRequest, AllocatedSim, InventoryService } from './inventory.service';
export type { LoadReport, LoadProgress } from './loads.service';
export type { SimState, FormFactor } from './inventory.tables';
export type { RowError } from './inventory.fns';
export { INVENTORY_EVENTS, type SimAllocatedPayload } from './inventory.events';
/** Batch reads and changes of SIM state for the lifecycle module (one statement per batch, not per SIM). */
export { simState, type SimStateAccess, type SimView, type SimFilter } from './sim-state.repo';

/**
 * The inventory module: SIM products, APNs, SIM stock (it owns the `sims` table), MSISDN pools, file loads, the
 * stock report and its SFTP delivery. Lifecycle reads and changes SIM columns only through `simState`
 * (sim-state.repo.ts: batch-shaped, always in the caller's transaction); orders take stock through `allocateForOrder`.
 */
export function createInventoryModule(core: Core) {
  let keyRing: KeyRing | undefined;
  const ring = () => (keyRing ??= parseKeyRing(core.config.ENCRYPTION_KEYS));
  const inventory = createInventoryService(core, ring);
  const loads = createLoadService(core, ring);
  const stock = createStockService(core, ring);

  core.scheduler.register({
    name: 'inventory.msisdn-quarantine', cron: '*/15 * * * *',
    run: async (at) => { await inventory.freeQuarantinedMsisdns(at); },
  });
  core.scheduler.register({
    name: 'inventory.stock-report-sftp', cron: '0 2 * * *',
    run: async () => { await stock.deliverAll(); },
  });

  return {
    name: 'inventory',
    ...inventory,
    loadSims: loads.loadSims,
    getLoad: loads.getLoad,
    listLoads: loads.listLoads,
    listLoadErrors: loads.listLoadErrors,
    stockReport: stock.stockReport,
    putStockReportTarget: stock.putTarget,
    deliverStockReport: stock.deliverStockReport,
    deliverAllStockReports: stock.deliverAll,
    register(app: App): void {
      registerInventoryRoutes(app, { inventory, loads, stock });
    },
  };
}
export type InventoryModule = ReturnType<typeof createInventoryModule>;
