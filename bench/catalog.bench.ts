/**
 * Catalog costs: npx tsx bench/catalog.bench.ts [pglite]
 *
 * On a fresh database (TEST_PG_URL server, or in-memory PGlite with the argument `pglite`), one tenant:
 * - a bulk JSON load of 200 offers, each approved and activated (one transaction, all or nothing),
 * - compileRatingCatalog of the whole catalog in force (200 offers) and the engine's compileCatalog of it,
 * - resolveOfferVersion, isSellableTo and checkPlanTransition as lifecycle calls them (own transaction each),
 * - POST /catalog/offers/:id/rate (price calculator: compile + rate 10 usages) end to end.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { systemContext } from '../src/platform/auth';
import { compileCatalog } from '../src/modules/rating';
import { iotPlan, MB, ZONES } from '../src/modules/catalog/catalog.fixtures';
import { startBenchPlatform, measure } from './support';

const usePglite = process.argv[2] === 'pglite';

async function main() {
  const { platform, dbs, close } = await startBenchPlatform(usePglite);
  const { app, modules } = platform;
  try {
    const tenantId = (await dbs.system((tx) => sql<{ id: string }>`insert into tenants (code, name) values ('bench', 'Bench') returning id`.execute(tx))).rows[0].id;
    const ctx = systemContext(tenantId);
    const key = (await modules.identity.apiKeys.create(ctx, { name: 'bench', role: 'tenant_admin' })).secret;
    const headers = { 'x-api-key': key };
    const scope = { tenantId };

    const N = 200;
    const file = { zones: ZONES, offers: Array.from({ length: N }, (_, i) => ({ code: `P${i}`, kind: 'PRIMARY', spec: iotPlan({ name: `Plan ${i}` }), activateFrom: new Date().toISOString() })) };
    const content = JSON.stringify(file);
    let t0 = performance.now();
    const loaded = await app.inject({ method: 'POST', url: '/api/v1/catalog/loads', headers, payload: { format: 'json', content } });
    if (loaded.statusCode !== 200) throw new Error(loaded.body);
    const loadMs = performance.now() - t0;
    console.log(`bulk JSON load, ${N} offers approved + activated (${(content.length / 1024).toFixed(0)} KiB)`.padEnd(62), `${loadMs.toFixed(0)} ms total, ${(N / (loadMs / 1000)).toFixed(0)} offers/s`);

    const ids = (await modules.catalog.listOffers(ctx, { limit: 500 }, {})).items.map((o) => o.id);
    t0 = performance.now();
    const def = await modules.catalog.compileRatingCatalog(scope, { at: new Date() });
    const fetchMs = performance.now() - t0;
    t0 = performance.now();
    compileCatalog(def);
    console.log(`compileRatingCatalog (${def.offers.length} offers, ${def.tariffPlans.length} plans)`.padEnd(62), `${fetchMs.toFixed(0)} ms; engine compileCatalog ${(performance.now() - t0).toFixed(0)} ms`);

    await measure('resolveOfferVersion', 2000, 8, (i) => modules.catalog.resolveOfferVersion(scope, ids[i % N], new Date()));
    await measure('isSellableTo', 2000, 8, (i) => modules.catalog.isSellableTo(scope, ids[i % N], null, new Date()));
    await measure('checkPlanTransition', 2000, 8, (i) => modules.catalog.checkPlanTransition(undefined, scope, ids[i % N], ids[(i + 1) % N], new Date()));
    const usage = Array.from({ length: 10 }, (_, i) => ({ usageType: 'DATA', servingNetwork: i % 2 ? '26201' : '20801', quantity: (i + 1) * MB }));
    await measure('POST /catalog/offers/:id/rate (10 usages)', 500, 8, async (i) => {
      const r = await app.inject({ method: 'POST', url: `/api/v1/catalog/offers/${ids[i % N]}/rate`, headers, payload: { usage } });
      if (r.statusCode !== 200) throw new Error(r.body);
    });
  } finally {
    await close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
