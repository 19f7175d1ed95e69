import type { Logger } from 'pino';
import type { Config } from './config';
import type { DatabaseService } from './db/database';
import type { EventBus } from './events/outbox';
import type { Scheduler } from './events/schedules';
import type { Metrics } from './metrics/metrics';

/**
 * What every module is built from: configuration, the database, the event bus, the scheduler, logging,
 * metrics and a clock (injected so tests and bill-cycle scenarios can move time).
 */
export interface Core {
  config: Config;
  dbs: DatabaseService;
  bus: EventBus;
  scheduler: Scheduler;
  log: Logger;
  metrics: Metrics;
  now: () => Date;
}
