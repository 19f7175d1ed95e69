/**
 * Benchmark: loading a vendor file of N SIMs (default 1,000,000) through the real load service into PostgreSQL.
 * Prints wall time, rows/s and peak RSS / heap, sampled every 200 ms. Run by hand:
 *
 *   npx tsx bench/inventory-load.bench.ts [rows]        (TEST_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
 *
 * It creates and drops its own database.
 */
import { createReadStream, createWriteStream, statSync, unlinkSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { createPlatform } from '../src/app';
import { loadConfig } from '../src/platform/config';
import { systemContext } from '../src/platform/auth';
import { SIM_HEADER, simLine } from '../test/support/sim-files';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(q: string) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try { await c.query(q); } finally { await c.end(); }
}

async function writeFile(path: string, rows: number) {
  const out = createWriteStream(path);
  out.write(SIM_HEADER + '\n');
  let buf = '';
  for (let i = 1; i <= rows; i++) {
    buf += simLine(i) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

async function main() {
  const file = join(tmpdir(), `cmp-bench-sims-${ROWS}.csv`);
  await writeFile(file, ROWS);
  const db = `cmp_bench_${Date.now()}`;
  await admin(`create database ${db}`);
  const url = new URL(ADMIN);
  url.pathname = `/${db}`;
  const platform = await createPlatform({ config: loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', WORKERS: 'false' }), workers: false });
  try {
    const tenantId = await platform.core.dbs.system(async (tx) => {
      const t = await sql<{ id: string }>`insert into tenants (code, name, plmns) values ('bench', 'Bench', '{00101}') returning id`.execute(tx);
      return t.rows[0].id;
    });
    const ctx = systemContext(tenantId, null, 'bench');
    const product = await platform.modules.inventory.createProduct(ctx, { name: 'Bench 4FF', formFactor: '4FF', vendor: 'Bench', profileType: 'M2M' });

    let peakRss = 0, peakHeap = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    };
    sample();
    const rssBefore = process.memoryUsage().rss;
    const timer = setInterval(sample, 200);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let lastPrint = 0;
    const report = await platform.modules.inventory.loadSims(ctx, {
      simProductId: product.id, fileName: 'bench.csv', source: createReadStream(file, { highWaterMark: 1 << 20 }),
      onProgress: (p) => {
        if (p.rows - lastPrint >= 100_000) {
          lastPrint = p.rows;
          console.log(`  ${p.rows} rows staged at ${((performance.now() - t0) / 1000).toFixed(1)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(timer);
    sample();
    console.log(JSON.stringify({
      rows: ROWS, fileMiB: +(statSync(file).size / 2 ** 20).toFixed(1), status: report.status, loaded: report.loadedRows,
      seconds: +seconds.toFixed(1), nodeCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), rowsPerSecond: Math.round(ROWS / seconds),
      loadAverage: (await import('node:os')).loadavg()[0].toFixed(1), rssBeforeMiB: Math.round(rssBefore / 2 ** 20), peakRssMiB: Math.round(peakRss / 2 ** 20), peakHeapMiB: Math.round(peakHeap / 2 ** 20),
    }));
    if (report.status !== 'LOADED') process.exitCode = 1;
  } finally {
    await platform.close();
    await admin(`drop database if exists ${db} with (force)`);
    unlinkSync(file);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
