import { sql } from 'kysely';
import type { App } from '../http';
import type { Core } from '../core';
import { pendingMigrations } from '../db/migrate';
import { outboxLagSeconds } from '../events/worker';

/** Liveness, readiness (database reachable, migrations current) and Prometheus metrics. */
export function registerOpsRoutes(app: App, core: Core): void {
  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await sql`select 1`.execute(core.dbs.db);
      checks.database = 'ok';
      const pending = await pendingMigrations(core.dbs);
      checks.migrations = pending.length ? `pending: ${pending.join(', ')}` : 'ok';
    } catch (e) {
      checks.database = `unreachable: ${(e as Error).message}`;
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    core.metrics.outboxLag.set(await outboxLagSeconds(core.dbs).catch(() => 0));
    return reply.type(core.metrics.registry.contentType).send(await core.metrics.registry.metrics());
  });
}
