/**
 * Accounts costs: npx tsx bench/accounts-onboarding.bench.ts [pglite]
 *
 * On a fresh PostgreSQL database (TEST_PG_URL server; or in-memory PGlite with the argument `pglite`):
 * - POST /api/v1/enterprises end to end (inject, API key, contacts + address, audit + event in the transaction),
 * - GET /api/v1/enterprises?limit=50 over the tenant's enterprises (keyset page + contacts/addresses),
 * - POST /api/v1/onboarding/enterprises (the 202 path: validate, store, record the event),
 * - the outbox worker applying the queued onboarding requests (requests completed per second),
 * - getAccountStatus of a business unit five levels deep.
 * Prints operations per second and latency percentiles.
 */
import { performance } from 'node:perf_hooks';
import { systemContext } from '../src/platform/auth';
import { deliverDueEvents } from '../src/platform/events';
import { startBenchPlatform, measure } from './support';

const usePglite = process.argv[2] === 'pglite';

function check(res: { statusCode: number; body: string }, status: number): void {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
}

async function main() {
  const { platform, dbs, close } = await startBenchPlatform(usePglite);
  const { app, modules } = platform;
  try {
    const tenant = await modules.accounts.createTenant(systemContext(null), { code: 'bench', name: 'Bench', plmns: ['00101'] });
    const key = (await modules.identity.apiKeys.create(systemContext(tenant.id), { name: 'crm', role: 'tenant_admin' })).secret;
    const headers = { 'x-api-key': key };

    const N = usePglite ? 500 : 2000;
    await measure('POST /api/v1/enterprises (contacts, address)', N, 8, async (i) => check(await app.inject({
      method: 'POST', url: '/api/v1/enterprises', headers, payload: {
        customerId: `B-${i}`, name: `Bench ${i}`, phone: '+4930123456',
        contacts: [{ role: 'primary', name: 'P', email: 'p@bench.example' }, { role: 'billing', name: 'B' }],
        addresses: [{ lines: ['Street 1'], city: 'Berlin', postcode: '10115', country: 'DE' }],
      },
    }), 201));
    await measure(`GET /api/v1/enterprises?limit=50 (of ${N})`, 500, 8, async (i) => check(await app.inject({
      url: `/api/v1/enterprises?limit=50&sort=${i % 2 ? 'name' : '-name'}`, headers,
    }), 200));

    await measure('POST /api/v1/onboarding/enterprises (202)', N, 8, async (i) => check(await app.inject({
      method: 'POST', url: '/api/v1/onboarding/enterprises', headers, payload: {
        customerId: `OB-${i}`, name: `Onboarded ${i}`, contacts: [{ role: 'primary', name: 'P' }],
        billingProfiles: [{ billingAccountNumber: `OB-BAN-${i}`, billCycleDay: 1 + (i % 28), creditLimit: '1000.00' }],
      },
    }), 202));
    const t0 = performance.now();
    let delivered = 0;
    for (;;) {
      const n = await deliverDueEvents(dbs, platform.core.bus, { maxAttempts: 3, batchSize: 100 });
      if (n === 0) break;
      delivered += n;
    }
    const secs = (performance.now() - t0) / 1000;
    console.log(`${'outbox worker applying onboarding requests (1 worker)'.padEnd(60)} ${String(Math.round(N / secs)).padStart(7)} /s   (${N} requests, ${delivered} deliveries in ${secs.toFixed(1)} s)`);

    const ctx = systemContext(tenant.id);
    const ent = await modules.accounts.createEnterprise(ctx, { name: 'Deep' });
    let parentId: string | undefined;
    for (let d = 0; d < 5; d++) parentId = (await modules.accounts.createBusinessUnit(ctx, ent.id, { name: `L${d}`, parentId })).id;
    await measure('getAccountStatus(business unit, 5 levels deep)', 2000, 8, () => modules.accounts.getAccountStatus(undefined, 'business_unit', parentId!));
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
