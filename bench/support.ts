import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { DatabaseService } from '../src/platform/db';
import { createPlatform } from '../src/app';
import { loadConfig } from '../src/platform/config';
import { adminQuery, urlFor } from '../test/support/db';

/** Shared by the benchmarks: a scratch database, latency percentiles and a concurrent timing loop. */

/** A fresh empty database (migrate it yourself): in-memory PGlite, or a new database on the PostgreSQL server. */
export async function openBenchDb(pglite: boolean): Promise<{ dbs: DatabaseService; drop: () => Promise<void> }> {
  if (pglite) return { dbs: await DatabaseService.open({ memory: true }), drop: async () => {} };
  const name = `cmp_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const dbs = await DatabaseService.open({ url: urlFor(name), poolSize: 10 });
  return { dbs, drop: async () => { await adminQuery(`drop database if exists ${name} with (force)`); } };
}

export function pct(samples: number[], p: number): string {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(2);
}

/** Runs `op` n times with `concurrency` callers and prints throughput and p50/p99 latency. */
export async function measure(label: string, n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      await op(i);
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(62)} ${String(Math.round(n / secs)).padStart(7)} /s   p50 ${pct(lat, 50)} ms   p99 ${pct(lat, 99)} ms   (n=${n}, concurrency ${concurrency})`);
}

export function machineLine(database: string): string {
  return `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), database: ${database}`;
}

/**
 * The real platform on a fresh scratch database, workers off and rate limits out of the way, for benchmarks that
 * drive services or `app.inject()`. `close` stops it and drops the database.
 */
export async function startBenchPlatform(pglite: boolean, opts: { now?: () => Date } = {}) {
  console.log(machineLine(pglite ? 'PGlite (memory)' : 'PostgreSQL'));
  const { dbs, drop } = await openBenchDb(pglite);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WORKERS: 'false', RATE_LIMIT_PER_MINUTE: '100000000' });
  const platform = await createPlatform({ config, dbs, workers: false, now: opts.now }); // migrates
  await platform.app.ready();
  return { platform, dbs, close: async () => { await platform.close(); await drop(); } };
}
