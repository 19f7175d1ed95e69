import { sql } from 'kysely';
import type { Platform } from '../../src/app';
import { deliverDueEvents } from '../../src/platform/events';
import { hlrPreset } from '../../src/modules/provisioning';
import type { Headers } from '../support/fixtures';

let serial = 0;

/**
 * Inserts allocated SIMs straight into inventory's table (the shape an order leaves them in), one statement.
 * Ki is a dummy: these tests never read it.
 */
export async function seedSims(platform: Platform, tenantId: string, enterpriseId: string, n: number,
  opts: { state?: string; businessUnitId?: string | null; planOfferId?: string | null; withMsisdn?: boolean; holds?: string[] } = {}): Promise<{ id: string; iccid: string; imsi: string; msisdn: string | null }[]> {
  // 14-digit serials: ICCID 19 digits, IMSI 15, MSISDN 15; distinct per process and call.
  const base = (process.pid % 1000) * 100_000_000_000 + (++serial) * 1_000_000;
  const idx = Array.from({ length: n }, (_, i) => String(base + i).padStart(14, '0'));
  const iccids = idx.map((i) => `89883${i}`);
  const imsis = idx.map((i) => `0${i}`);
  const msisdns = idx.map((i) => (opts.withMsisdn === false ? null : `4${i}`));
  return platform.core.dbs.system(async (tx) => {
    const r = await sql<{ id: string; iccid: string; imsi: string; msisdn: string | null }>`
      insert into sims (tenant_id, iccid, imsi, msisdn, ki_enc, key_id, stock_state, enterprise_id, business_unit_id, state, plan_offer_id)
      select ${tenantId}::uuid, v.iccid, v.imsi, v.msisdn, '\\x00'::bytea, 'test', 'ALLOCATED', ${enterpriseId}::uuid, ${opts.businessUnitId ?? null}::uuid,
             ${opts.state ?? 'READY'}, ${opts.planOfferId ?? null}::uuid
        from unnest(${iccids}::text[], ${imsis}::text[], ${msisdns}::text[]) as v(iccid, imsi, msisdn)
      returning id, iccid, imsi, msisdn`.execute(tx);
    for (const party of opts.holds ?? []) {
      await sql`insert into sim_holds (tenant_id, sim_id, party, enterprise_id, placed_at)
        select ${tenantId}::uuid, id, ${party}, ${enterpriseId}::uuid, now() from unnest(${r.rows.map((x) => x.id)}::uuid[]) as id`.execute(tx);
    }
    return r.rows.sort((a, b) => a.iccid.localeCompare(b.iccid));
  });
}

/** A MSISDN pool with free numbers. */
export async function seedMsisdnPool(platform: Platform, tenantId: string, numbers: string[], quarantineDays = 90): Promise<string> {
  return platform.core.dbs.system(async (tx) => {
    const p = await sql<{ id: string }>`insert into msisdn_pools (tenant_id, name, quarantine_days) values (${tenantId}, ${`pool-${++serial}`}, ${quarantineDays}) returning id`.execute(tx);
    await sql`insert into msisdns (tenant_id, msisdn, pool_id) select ${tenantId}::uuid, m, ${p.rows[0].id}::uuid from unnest(${numbers}::text[]) as m`.execute(tx);
    return p.rows[0].id;
  });
}

/** Runs the workers' steps (outbox fan-out, bulk jobs, provisioning deliveries) until nothing is left to do now. */
export async function drain(platform: Platform, rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const a = await deliverDueEvents(platform.core.dbs, platform.core.bus, { maxAttempts: 5, backoff: () => 0, batchSize: 1000 });
    const b = await platform.modules.lifecycle.bulk.runJobs();
    const c = await platform.modules.provisioning.deliverDue();
    if (a + b + c === 0) return;
  }
}

/** Configures the simulator's HLR API as the tenant's target through the real API. */
export async function addHlrTarget(platform: Platform, headers: Headers, url: string, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await platform.app.inject({
    method: 'POST', url: '/api/v1/provisioning/targets', headers,
    payload: { name: `hlr-${++serial}`, kind: 'REST', config: hlrPreset(url), secret: 'sim-token', eventTypes: ['lifecycle.sim.*'], ...extra },
  });
  if (res.statusCode !== 201) throw new Error(`target creation failed: ${res.statusCode} ${res.body}`);
  return res.json();
}
