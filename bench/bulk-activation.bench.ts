/**
 * Bulk activation: npx tsx bench/bulk-activation.bench.ts [count=100000] [latencyMs=5] [failureRate=0] [pglite] [inproc]
 *
 * On a fresh PostgreSQL database (TEST_PG_URL server; or in-memory PGlite with the argument `pglite`): one tenant,
 * `count` READY SIMs, and the network simulator (`cmp simulate-network` in its own process, or in this process with
 * `inproc`; `latencyMs` per call, `failureRate` of 503s) as the tenant's REST target, using its batch endpoint.
 * A bulk job activates every SIM; the three worker steps of a process (bulk jobs, outbox fan-out with the
 * configured OUTBOX_BATCH_SIZE, provisioning deliveries) run side by side as the worker loop runs them, until every
 * SIM is ACTIVE in the platform and in the simulator. Prints the phases and the total.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createPlatform } from '../src/app';
import { loadConfig } from '../src/platform/config';
import { DatabaseService } from '../src/platform/db';
import { systemContext } from '../src/platform/auth';
import { deliverDueEvents } from '../src/platform/events';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { hlrPreset, startNetworkSimulator } from '../src/modules/provisioning';
import { adminQuery, urlFor } from '../test/support/db';
import { seedSims } from '../test/lifecycle/helpers';

const args = process.argv.slice(2);
const usePglite = args.includes('pglite');
const inProcess = args.includes('inproc');
const nums = args.filter((a) => a !== 'pglite' && a !== 'inproc').map(Number);
const COUNT = nums[0] || 100_000;
const LATENCY = nums[1] ?? 5;
const FAILURE = nums[2] ?? 0;

async function openDb(): Promise<{ dbs: DatabaseService; drop: () => Promise<void> }> {
  if (usePglite) return { dbs: await DatabaseService.open({ memory: true }), drop: async () => {} };
  const name = `cmp_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const dbs = await DatabaseService.open({ url: urlFor(name), poolSize: 10 });
  return { dbs, drop: async () => { await adminQuery(`drop database if exists ${name} with (force)`); } };
}

const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** The simulator as the CLI runs it, in a child process (so its CPU is not the platform's). */
async function startSimulatorProcess(): Promise<{ url: string; activeCount: () => Promise<number>; calls: () => Promise<number>; close: () => Promise<void> }> {
  const port = await new Promise<number>((resolve) => { const s = createServer().listen(0, () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'simulate-network', '--port', String(port), '--latency-ms', String(LATENCY),
    '--failure-rate', String(FAILURE), '--token', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(); });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const auth = { authorization: 'Bearer bench' };
  return {
    url,
    activeCount: async () => ((await (await fetch(`${url}/subscribers`, { headers: auth })).json()) as { items: { status: string }[] }).items.filter((s) => s.status === 'ACTIVE').length,
    calls: async () => ((await (await fetch(`${url}/_log`)).json()) as { items: unknown[] }).items.length,
    close: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); },
  };
}

async function main() {
  const { dbs, drop } = await openDb();
  // Retries become due at once (the bench measures throughput, not the backoff schedule).
  let clockOffset = 0;
  const platform = await createPlatform({
    dbs, workers: false, now: () => new Date(Date.now() + clockOffset),
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', WORKERS: 'false' }),
  });
  const inproc = inProcess ? await startNetworkSimulator({ token: 'bench', latencyMs: LATENCY, failureRate: FAILURE }) : null;
  const net = inproc
    ? { url: inproc.url, activeCount: async () => [...inproc.subscribers.values()].filter((x) => x.status === 'ACTIVE').length, calls: async () => inproc.log.length, close: () => inproc.close() }
    : await startSimulatorProcess();
  try {
    const { tenantId, enterpriseId } = await dbs.system(async (tx) => {
      const t = await sql<{ id: string }>`insert into tenants (code, name) values (${`bench-${randomBytes(3).toString('hex')}`}, 'Bench') returning id`.execute(tx);
      const e = await sql<{ id: string }>`insert into enterprises (tenant_id, customer_id, name) values (${t.rows[0].id}, 'B-1', 'Bench Fleet') returning id`.execute(tx);
      return { tenantId: t.rows[0].id, enterpriseId: e.rows[0].id };
    });
    const ctx = systemContext(tenantId);
    await platform.modules.provisioning.createTarget(ctx, { name: 'hlr', kind: 'REST', config: { ...hlrPreset(net.url, { batch: true }), concurrency: 8 }, secret: 'bench', eventTypes: ['lifecycle.sim.*'], batchSize: 1000 });

    let t0 = performance.now();
    const sims = await seedSims(platform, tenantId, enterpriseId, COUNT);
    console.log(`seeded ${COUNT} READY SIMs in ${secs(t0)} s`);

    const start = performance.now();
    const job = await platform.modules.lifecycle.bulk.createJob(ctx, { action: 'activate', simIds: sims.map((s) => s.id), reason: 'bench' });
    console.log(`bulk job created (ids resolved, ${COUNT} items) in ${secs(start)} s`);

    let jobDoneAt = 0, fannedAt = 0;
    let done = false;
    const loop = async (step: () => Promise<number>, idleMs: number) => {
      while (!done) if ((await step()) === 0) await new Promise((r) => setTimeout(r, idleMs));
    };
    const bulk = loop(async () => {
      const n = await platform.modules.lifecycle.bulk.runJobs({ maxItems: 10_000 });
      if (n === 0 && !jobDoneAt && (await platform.modules.lifecycle.bulk.getJob(ctx, job.id)).status === 'COMPLETED') jobDoneAt = performance.now();
      return n;
    }, 50);
    const fan = loop(() => deliverDueEvents(dbs, platform.core.bus, { maxAttempts: 8, batchSize: platform.core.config.OUTBOX_BATCH_SIZE }), 20);
    const deliver = loop(async () => {
      const n = await platform.modules.provisioning.deliverDue();
      if (n === 0) clockOffset += 3_600_000; // failed deliveries: jump past their backoff
      return n;
    }, 20);
    const watch = (async () => {
      t0 = performance.now();
      let last = -1;
      while (!done) {
        await new Promise((r) => setTimeout(r, 2000));
        const r = await sql<{ active: number; pending: number; deliveries: number }>`select
            (select count(*)::int from sims where tenant_id = ${tenantId} and state = 'ACTIVE') as active,
            (select count(*)::int from sims where tenant_id = ${tenantId} and pending_state is not null) as pending,
            (select count(*)::int from provisioning_deliveries where tenant_id = ${tenantId}) as deliveries`.execute(dbs.db);
        const { active, pending, deliveries } = r.rows[0];
        if (!fannedAt && deliveries >= COUNT) fannedAt = performance.now();
        if (active !== last) console.log(`  ${secs(start).padStart(6)} s: ${active} ACTIVE, ${pending} pending, ${deliveries} deliveries`);
        last = active;
        if (active >= COUNT) done = true;
      }
    })();
    await watch;
    await Promise.all([bulk, fan, deliver]);
    const total = (performance.now() - start) / 1000;
    const inNetwork = await net.activeCount();
    const dead = await sql<{ n: number }>`select count(*)::int as n from provisioning_deliveries where status = 'DEAD'`.execute(dbs.db);
    console.log(`\nbulk activation of ${COUNT} SIMs against the simulator (latency ${LATENCY} ms, failure rate ${FAILURE}):`);
    console.log(`  job processed (changes requested, events recorded): ${jobDoneAt ? ((jobDoneAt - start) / 1000).toFixed(1) : '?'} s`);
    console.log(`  all deliveries fanned out:                           ${fannedAt ? ((fannedAt - start) / 1000).toFixed(1) : '?'} s`);
    console.log(`  every SIM ACTIVE (settled after the network answered): ${total.toFixed(1)} s  → ${Math.round(COUNT / total)} SIMs/s`);
    console.log(`  simulator holds ${inNetwork} ACTIVE subscribers; ${await net.calls()} provisioning operations; DEAD deliveries: ${dead.rows[0].n}`);
    console.log(`  machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, database ${dbs.kind}, simulator ${inProcess ? 'in process' : 'own process'}`);
  } finally {
    await net.close();
    await platform.close();
    await drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
