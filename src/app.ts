import type { Logger } from 'pino';
import { loadConfig, type Config } from './platform/config';
import { DatabaseService, migrate } from './platform/db';
import { EventBus, Scheduler, deliverDueEvents } from './platform/events';
import { createHttpServer, type App } from './platform/http';
import { createLogger } from './platform/logging/logger';
import { createMetrics } from './platform/metrics/metrics';
import type { Core } from './platform/core';
import { registerOpsRoutes } from './platform/ops/ops.routes';
import { registerPlatformRoutes } from './platform/admin/admin.routes';
import { createIdentityModule } from './modules/identity';
import { createAccountsModule } from './modules/accounts';
import { createCatalogModule } from './modules/catalog';
import { createInventoryModule, simState } from './modules/inventory';
import { createOrdersModule } from './modules/orders';
import { createLifecycleModule } from './modules/lifecycle';
import { createProvisioningModule } from './modules/provisioning';

export interface PlatformOptions {
  config?: Config;
  /** An already open database (tests); otherwise opened from the config. */
  dbs?: DatabaseService;
  logger?: Logger;
  now?: () => Date;
  /** Start the outbox and schedule workers (default: config.WORKERS). */
  workers?: boolean;
}

/** The composition root: the core, every module in dependency order, the HTTP server and the workers. */
export async function createPlatform(opts: PlatformOptions = {}) {
  const config = opts.config ?? loadConfig();
  const log = opts.logger ?? createLogger(config.LOG_LEVEL);
  const dbs = opts.dbs ?? (await DatabaseService.open({
    url: config.DATABASE_URL, dataDir: `${config.DATA_DIR}/pglite`, poolSize: config.DB_POOL_SIZE,
    onIdleError: (err) => log.warn({ err }, 'database connection dropped by the server'),
  }));
  await migrate(dbs, (m) => log.info(m));
  const core: Core = { config, dbs, bus: new EventBus(), scheduler: new Scheduler(), log, metrics: createMetrics(), now: opts.now ?? (() => new Date()) };

  const accounts = createAccountsModule(core);
  const identity = createIdentityModule(core);
  const catalog = createCatalogModule(core);
  const inventory = createInventoryModule(core);
  const lifecycle = createLifecycleModule(core, {
    sims: simState,
    // Plan changes follow the catalog's transition rules (a SIM without a plan may take any sellable plan).
    checkPlanTransition: async (tx, i) => {
      const d = await catalog.checkPlanTransition(tx, { tenantId: i.tenantId }, i.fromOfferId ?? null, i.toOfferId, core.now(), { enterpriseId: i.enterpriseId });
      return { allowed: d.allowed, reason: d.reason ?? undefined };
    },
    // No new activations under a suspended or terminated enterprise / business unit (accounts decides).
    accountStatus: async (tx, a) => (await accounts.getAccountStatus(tx, a.businessUnitId ? 'business_unit' : 'enterprise', a.businessUnitId ?? a.enterpriseId)).effectiveStatus,
  });
  catalog.registerSubscriptionCounter((tx, scope, ids) => simState.countSimsByPlan(tx, scope.tenantId, ids));
  const orders = createOrdersModule(core, { accounts, catalog, inventory });
  const provisioning = createProvisioningModule(core, { lifecycle, sims: simState });
  const modules = { accounts, identity, catalog, inventory, lifecycle, orders, provisioning };

  const app: App = await createHttpServer({ config, dbs, log, metrics: core.metrics, authenticate: () => identity.authenticate });
  registerOpsRoutes(app, core);
  registerPlatformRoutes(app, core);
  for (const m of Object.values(modules)) await m.register(app);

  // Modules with background work of their own (bulk jobs, provisioning deliveries) expose `work()`.
  const works = Object.values(modules).flatMap((m) => ('work' in m && typeof m.work === 'function' ? [m.work as () => Promise<number>] : []));
  const workers = startWorkers(core, opts.workers ?? config.WORKERS, works);
  return {
    core, app, modules,
    async close() {
      await workers.stop();
      await app.close();
      await dbs.close();
    },
  };
}
export type Platform = Awaited<ReturnType<typeof createPlatform>>;

/** The background loop of a process: outbox deliveries and due schedules, until stopped. */
function startWorkers(core: Core, enabled: boolean, works: (() => Promise<number>)[] = []) {
  let stopped = !enabled;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      let n = await deliverDueEvents(core.dbs, core.bus, {
        maxAttempts: core.config.OUTBOX_MAX_ATTEMPTS,
        batchSize: core.config.OUTBOX_BATCH_SIZE,
        onDelivered: (d) => core.metrics.outboxDelivered.inc({ subscriber: d.subscriber, outcome: 'delivered' }),
        onError: (err, d) => {
          core.metrics.outboxDelivered.inc({ subscriber: d.subscriber, outcome: d.dead ? 'dead' : 'retry' });
          core.log.warn({ err, delivery: d.id, subscriber: d.subscriber, dead: d.dead }, 'event delivery failed');
        },
      });
      const ran = await core.scheduler.runDue(core.dbs, core.now(), (name, err) => {
        core.metrics.jobRuns.inc({ job: name, outcome: 'failed' });
        core.log.error({ err, job: name }, 'scheduled job failed');
      });
      for (const name of ran) core.metrics.jobRuns.inc({ job: name, outcome: 'run' });
      for (const work of works) n += await work();
      if (n > 0 && !stopped) return schedule(0);
    } catch (err) {
      core.log.error({ err }, 'worker loop failed');
    }
    schedule(core.config.WORKER_POLL_MS);
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => { running = tick(); }, ms);
  };
  if (enabled) {
    running = core.scheduler.sync(core.dbs, core.now()).then(() => schedule(0));
  }
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
