/** Events the provisioning module records. */
export const PROVISIONING_EVENTS = {
  targetCreated: 'provisioning.target.created',
  targetUpdated: 'provisioning.target.updated',
  /** A delivery gave up (retry limit or permanent refusal): the operator alert; it blocks its (target, SIM) lane. */
  deliveryDead: 'provisioning.delivery.dead',
  deliveryRedriven: 'provisioning.delivery.redriven',
  deliveryDiscarded: 'provisioning.delivery.discarded',
  notificationReceived: 'provisioning.notification.received',
  notificationReplayed: 'provisioning.notification.replayed',
  /** The scheduled comparison of a target with the platform, with its difference report. */
  reconciliationCompleted: 'provisioning.reconciliation.completed',
} as const;

/** The event types a target may subscribe to (lifecycle's SIM changes, and orders placed). */
export const DELIVERABLE_EVENTS = [
  'lifecycle.sim.readied', 'lifecycle.sim.test_activated', 'lifecycle.sim.activated', 'lifecycle.sim.suspended', 'lifecycle.sim.resumed',
  'lifecycle.sim.terminated', 'lifecycle.sim.plan_changed', 'lifecycle.sim.apn_changed', 'lifecycle.sim.msisdn_changed',
  'lifecycle.sim.imei_locked', 'lifecycle.sim.imei_unlocked', 'lifecycle.sim.swapped', 'orders.order.placed',
] as const;
