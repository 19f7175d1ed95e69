/**
 * Events the lifecycle module records (`lifecycle.<object>.<past tense>`). They carry identifiers, not state:
 * provisioning handlers read the SIM as it is when they deliver. `sequence` is the SIM's version after the
 * change (per-SIM order); `changeId` names the change (its history row) that caused the event.
 */
export const LIFECYCLE_EVENTS = {
  readied: 'lifecycle.sim.readied',
  testActivated: 'lifecycle.sim.test_activated',
  activated: 'lifecycle.sim.activated',
  suspended: 'lifecycle.sim.suspended',
  resumed: 'lifecycle.sim.resumed',
  terminated: 'lifecycle.sim.terminated',
  planChanged: 'lifecycle.sim.plan_changed',
  apnChanged: 'lifecycle.sim.apn_changed',
  msisdnChanged: 'lifecycle.sim.msisdn_changed',
  imeiLocked: 'lifecycle.sim.imei_locked',
  imeiUnlocked: 'lifecycle.sim.imei_unlocked',
  /** The network reported another IMEI for the SIM (with `locked: true` when it is bound to a device). */
  imeiChanged: 'lifecycle.sim.imei_changed',
  /** A change was applied by every provisioning target (or needed none). */
  changeCompleted: 'lifecycle.change.completed',
  /** A change was refused by a target and rolled back. */
  changeFailed: 'lifecycle.change.failed',
  /** A scheduled change was withdrawn before it was due. */
  changeCancelled: 'lifecycle.change.cancelled',
  holdPlaced: 'lifecycle.hold.placed',
  holdReleased: 'lifecycle.hold.released',
  accountSuspended: 'lifecycle.account.suspended',
  accountResumed: 'lifecycle.account.resumed',
  bulkJobCreated: 'lifecycle.bulk_job.created',
  bulkJobFinished: 'lifecycle.bulk_job.finished',
} as const;

/** The events that ask the network for something (provisioning subscribes to these). */
export const PROVISIONABLE_EVENTS = [
  LIFECYCLE_EVENTS.testActivated, LIFECYCLE_EVENTS.activated, LIFECYCLE_EVENTS.suspended, LIFECYCLE_EVENTS.resumed,
  LIFECYCLE_EVENTS.terminated, LIFECYCLE_EVENTS.planChanged, LIFECYCLE_EVENTS.apnChanged, LIFECYCLE_EVENTS.msisdnChanged,
  LIFECYCLE_EVENTS.imeiLocked, LIFECYCLE_EVENTS.imeiUnlocked, LIFECYCLE_EVENTS.readied,
] as const;

export interface SimEventPayload {
  simId: string;
  enterpriseId: string | null;
  changeId: string | null;
  sequence: number;
  changed?: string[];
  reason?: string | null;
  party?: string | null;
}
