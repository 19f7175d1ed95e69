/**
 * Web console costs: npx tsx bench/web-console.bench.ts [enterprises=5000]
 *
 * Builds the console (Vite), starts the platform on a fresh PostgreSQL database (TEST_PG_URL server) with one
 * tenant holding N enterprises, and drives the system's headless Chromium (playwright-core, /usr/bin/chromium):
 * - the bundle: build time, JS and CSS size (raw and gzip),
 * - cold load of the sign-in page in a new browser context (navigation to the form on screen),
 * - sign-in through the UI (password, then TOTP code, until the console frame is on screen),
 * - the enterprise list: opening it from the navigation, the next page, a search (until the rows are on screen).
 * Prints latency percentiles. The browser, the server and the database share the machine's cores.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { TOTP } from 'otpauth';
import { createPlatform } from '../src/app';
import { loadConfig } from '../src/platform/config';
import { DatabaseService, migrate } from '../src/platform/db';
import { adminQuery, urlFor } from '../test/support/db';
import { ensureWebBuilt } from '../test/support/web-build';

const ENTERPRISES = Number(process.argv[2] ?? 5000);
const WEB = resolve(import.meta.dirname, '../web');
const PASSWORD = 'correct horse battery staple';

function pct(samples: number[], p: number): string {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(0);
}
function report(label: string, samples: number[]): void {
  console.log(`${label.padEnd(58)} p50 ${pct(samples, 50).padStart(5)} ms   p90 ${pct(samples, 90).padStart(5)} ms   max ${pct(samples, 100).padStart(5)} ms   (n=${samples.length})`);
}

async function bundle(): Promise<void> {
  const { build } = await import('vite');
  const out = join(WEB, `.dist-bench-${process.pid}`);
  const t0 = performance.now();
  await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'silent', build: { outDir: out, emptyOutDir: true } });
  const ms = performance.now() - t0;
  const assets = readdirSync(join(out, 'assets'));
  const size = (ext: string) => assets.filter((f) => f.endsWith(ext)).reduce((acc, f) => {
    const buf = readFileSync(join(out, 'assets', f));
    return { raw: acc.raw + buf.length, gz: acc.gz + gzipSync(buf).length };
  }, { raw: 0, gz: 0 });
  const js = size('.js');
  const css = size('.css');
  rmSync(out, { recursive: true, force: true });
  console.log(`vite build: ${ms.toFixed(0)} ms; JS ${(js.raw / 1024).toFixed(0)} kB (${(js.gz / 1024).toFixed(0)} kB gzip), CSS ${(css.raw / 1024).toFixed(1)} kB (${(css.gz / 1024).toFixed(1)} kB gzip)`);
}

async function main() {
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}), ${ENTERPRISES} enterprises`);
  await bundle();
  await ensureWebBuilt();

  const name = `cmp_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const dbs = await DatabaseService.open({ url: urlFor(name), poolSize: 10 });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WORKERS: 'false', RATE_LIMIT_PER_MINUTE: '100000' });
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  let platform: Awaited<ReturnType<typeof createPlatform>> | undefined;
  try {
    await migrate(dbs);
    platform = await createPlatform({ config, dbs, workers: false });
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const baseURL = `http://127.0.0.1:${(platform.app.server.address() as AddressInfo).port}`;

    const tenantId = await dbs.system(async (tx) => {
      const t = await sql<{ id: string }>`insert into tenants (code, name) values ('bench', 'Bench Mobile') returning id`.execute(tx);
      const id = t.rows[0].id;
      await sql`insert into enterprises (tenant_id, customer_id, name)
        select ${id}, 'C-' || g, 'Enterprise ' || lpad(g::text, 6, '0') from generate_series(1, ${ENTERPRISES}) g`.execute(tx);
      return id;
    });
    // One user per sign-in: the server takes each TOTP step of a user once.
    const users = [];
    for (let i = 0; i < 8; i++) {
      const secret = new TOTP().secret.base32;
      const email = `admin${i}@bench.test`;
      await platform.modules.identity.ensureUser({ email, password: PASSWORD, name: `Admin ${i}`, role: 'tenant_admin', tenantId, enterpriseId: null, totpSecret: secret });
      users.push({ email, secret });
    }

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });

    const cold: number[] = [];
    const signIn: number[] = [];
    let page = undefined as unknown as import('playwright-core').Page;
    for (const u of users) {
      const ctx = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 } });
      page = await ctx.newPage();
      let t = performance.now();
      await page.goto('/login');
      await page.getByLabel('E-mail').waitFor();
      cold.push(performance.now() - t);
      t = performance.now();
      await page.getByLabel('E-mail').fill(u.email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Authentication code').fill(new TOTP({ secret: u.secret }).generate());
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByTestId('user-name').waitFor();
      signIn.push(performance.now() - t);
      if (u !== users.at(-1)) await ctx.close();
    }
    report('sign-in page, cold load in a new context', cold);
    report('sign-in: password + TOTP until the console shows (argon2)', signIn);

    const rows = page.locator('.datatable tbody tr');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const open: number[] = [];
    const next: number[] = [];
    const search: number[] = [];
    for (let i = 0; i < 15; i++) {
      await nav.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      let t = performance.now();
      await nav.getByRole('link', { name: 'Enterprises' }).click();
      await rows.filter({ hasText: 'Enterprise 000001' }).waitFor();
      open.push(performance.now() - t);
      t = performance.now();
      await page.getByRole('button', { name: 'Next ›' }).click();
      await rows.filter({ hasText: 'Enterprise 000026' }).waitFor();
      next.push(performance.now() - t);
      const term = String(1000 + i * 37).padStart(6, '0');
      t = performance.now();
      await page.getByRole('searchbox', { name: 'Search' }).fill(term);
      await page.locator('.datatable tbody tr:first-child td:first-child').filter({ hasText: `Enterprise ${term}` }).waitFor();
      search.push(performance.now() - t);
    }
    report(`enterprise list from the navigation (25 of ${ENTERPRISES})`, open);
    report('enterprise list, next page', next);
    report('enterprise search (incl. 300 ms typing debounce)', search);
  } finally {
    await browser?.close();
    await platform?.close();
    await adminQuery(`drop database if exists ${name} with (force)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
