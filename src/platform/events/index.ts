export { EventBus, type DomainEvent, type StoredEvent, type EventHandler, type BatchEventHandler, type Actor } from './outbox';
export { deliverDueEvents, replayDeliveries, outboxLagSeconds, defaultBackoff, type OutboxWorkerOptions } from './worker';
export { Scheduler, nextRun, type Schedule } from './schedules';
