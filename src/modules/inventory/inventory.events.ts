/** Events the inventory module records (`inventory.<object>.<past tense>`); payloads carry identifiers, not state. */
export const INVENTORY_EVENTS = {
  /** A vendor file went into stock. */
  simsLoaded: 'inventory.sims.loaded',
  /** A vendor file was refused; its row report is on the load. */
  loadRejected: 'inventory.load.rejected',
  /** SIMs left stock for an enterprise (one event per SIM, so provisioning lanes per SIM see it). */
  simAllocated: 'inventory.sim.allocated',
  msisdnsLoaded: 'inventory.msisdns.loaded',
  productCreated: 'inventory.product.created',
  productUpdated: 'inventory.product.updated',
  apnCreated: 'inventory.apn.created',
  apnUpdated: 'inventory.apn.updated',
  stockReportDelivered: 'inventory.stock_report.delivered',
  keysRotated: 'inventory.keys.rotated',
} as const;

export interface SimAllocatedPayload {
  simId: string;
  iccid: string;
  orderId: string;
  enterpriseId: string;
  businessUnitId: string | null;
}
