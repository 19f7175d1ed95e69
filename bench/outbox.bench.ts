/**
 * Benchmark: outbox delivery throughput with a subscriber that does no work, so the figure is the mechanism's own
 * cost (claim under lease, call, mark done). Run by hand:
 *
 *   npx tsx bench/outbox.bench.ts [events=20000] [pglite]
 */
import { sql } from 'kysely';
import { migrate } from '../src/platform/db';
import { EventBus, deliverDueEvents } from '../src/platform/events';
import { openBenchDb, machineLine } from './support';

async function main() {
  const n = Number(process.argv[2] ?? 20_000);
  const pglite = process.argv.includes('pglite');
  console.log(machineLine(pglite ? 'PGlite (memory)' : 'PostgreSQL'));
  const { dbs, drop } = await openBenchDb(pglite);
  try {
    await migrate(dbs);
    const tenantId = (await sql<{ id: string }>`insert into tenants (code, name) values ('bench', 'Bench') returning id`.execute(dbs.db)).rows[0].id;
    const bus = new EventBus();
    let calls = 0;
    bus.subscribe('bench.noop', 'bench.*', async () => { calls++; });
    for (let i = 0; i < n; i += 1000) {
      await dbs.tenant({ tenantId }, (tx) => bus.record(tx, Array.from({ length: Math.min(1000, n - i) }, (_, k) =>
        ({ type: 'bench.thing.happened', tenantId, aggregateType: 'thing', aggregateId: String(i + k), payload: { i: i + k } }))));
    }
    const t0 = performance.now();
    while (await deliverDueEvents(dbs, bus, { maxAttempts: 3, batchSize: 500 })) { /* drain */ }
    const secs = (performance.now() - t0) / 1000;
    if (calls !== n) throw new Error(`delivered ${calls} of ${n}`);
    console.log(`outbox: ${n} deliveries in ${secs.toFixed(2)} s = ${Math.round(n / secs)} deliveries/s (batches of 500, one worker)`);
  } finally {
    await dbs.close();
    await drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
