import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { startSftpPeer, type SftpPeer } from '../support/sftp-peer';
import { simFile, kiOf } from '../support/sim-files';
import { systemContext } from '../../src/platform/auth';

let t: TestPlatform;
let f: TenantFixture;
let g: TenantFixture;
let peer: SftpPeer;
let productId: string;
const NOW = new Date('2026-03-04T02:00:00Z');

beforeAll(async () => {
  [t, peer] = await Promise.all([startTestPlatform({}, { now: () => NOW }), startSftpPeer()]);
  f = await createTenantFixture(t.platform);
  g = await createTenantFixture(t.platform);
  await t.platform.core.dbs.system((tx) => sql`update tenants set plmns = '{00101}' where id in (${f.tenantId}, ${g.tenantId})`.execute(tx));
  const inv = t.platform.modules.inventory;
  productId = (await inv.createProduct(systemContext(f.tenantId), { name: 'Nano, industrial', formFactor: '4FF', vendor: 'Acme', profileType: 'M2M' })).id;
  const other = (await inv.createProduct(systemContext(g.tenantId), { name: 'Other tenant SIM', formFactor: '2FF', vendor: 'B', profileType: 'M2M' })).id;
  expect((await inv.loadSims(systemContext(f.tenantId), { simProductId: productId, source: Readable.from([simFile(1, 12)]) })).status).toBe('LOADED');
  expect((await inv.loadSims(systemContext(g.tenantId), { simProductId: other, source: Readable.from([simFile(500, 3)]) })).status).toBe('LOADED');
  // Three SIMs of tenant f leave stock, one of them ACTIVE, so the report has several lines.
  await t.platform.core.dbs.system((tx) => sql`update sims set stock_state = 'ALLOCATED', enterprise_id = ${f.enterpriseId},
      state = case when iccid = (select min(iccid) from sims where tenant_id = ${f.tenantId}) then 'ACTIVE' else 'WARM' end
    where id in (select id from sims where tenant_id = ${f.tenantId} order by iccid limit 3)`.execute(tx));
}, 60_000);
afterAll(async () => {
  await peer?.stop();
  await t?.close();
});

describe('stock report', () => {
  it('counts SIMs by product, stock state and lifecycle state for the tenant, as CSV', async () => {
    const r = await t.app.inject({ url: '/api/v1/inventory/stock-report.csv', headers: f.headers.tenantCsr });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    expect(r.body.split('\r\n')).toEqual([
      'tenant,product_id,product_name,form_factor,stock_state,lifecycle_state,count,generated_at',
      `${f.tenantCode},${productId},"Nano, industrial",4FF,ALLOCATED,ACTIVE,1,${NOW.toISOString()}`,
      `${f.tenantCode},${productId},"Nano, industrial",4FF,ALLOCATED,WARM,2,${NOW.toISOString()}`,
      `${f.tenantCode},${productId},"Nano, industrial",4FF,AVAILABLE,WARM,9,${NOW.toISOString()}`,
      '',
    ]);
    expect((await t.app.inject({ url: '/api/v1/inventory/stock-report.csv', headers: f.headers.enterpriseAdmin })).statusCode).toBe(403);
  });

  it('covers every tenant for a host admin without X-Tenant-Id', async () => {
    const r = await t.app.inject({ url: '/api/v1/inventory/stock-report.csv', headers: { authorization: f.headers.hostAdmin.authorization } });
    const tenants = new Set(r.body.trim().split('\r\n').slice(1).map((l) => l.split(',')[0]));
    expect(tenants.has(f.tenantCode) && tenants.has(g.tenantCode)).toBe(true);
  });
});

describe('daily stock report over SFTP', () => {
  it('keeps the SFTP key sealed and out of every answer', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/inventory/stock-report/target', headers: f.headers.tenantAdmin,
      payload: { host: peer.host, port: peer.port, username: peer.username, privateKey: peer.privateKey, remoteDir: '.', hostKeySha256: peer.hostKeySha256 } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ host: peer.host, port: peer.port, enabled: true, lastDeliveredAt: null });
    expect(put.body).not.toContain('PRIVATE KEY');
    const stored = await t.platform.core.dbs.system((tx) => sql<{ private_key_enc: Buffer }>`select private_key_enc from stock_report_targets where tenant_id = ${f.tenantId}`.execute(tx));
    expect(Buffer.from(stored.rows[0].private_key_enc).toString('latin1')).not.toContain('PRIVATE KEY');
    const audit = await t.app.inject({ url: '/api/v1/audit?limit=500', headers: f.headers.tenantAdmin });
    expect(audit.body).not.toContain('PRIVATE KEY');
  });

  it('delivers the file to a real sshd through the daily schedule, and records the delivery', async () => {
    const res = await t.platform.modules.inventory.deliverAllStockReports();
    expect(res).toEqual({ delivered: 1, failed: 0 });
    const name = `stock-${f.tenantCode}-2026-03-04.csv`;
    expect(readdirSync(peer.dataDir)).toEqual([name]);
    const body = readFileSync(join(peer.dataDir, name), 'utf8');
    const api = await t.app.inject({ url: '/api/v1/inventory/stock-report.csv', headers: f.headers.tenantCsr });
    expect(body).toBe(api.body);
    for (let i = 1; i <= 12; i++) expect(body).not.toContain(kiOf(i));
    const target = await t.app.inject({ url: '/api/v1/inventory/stock-report/target', headers: f.headers.tenantCsr });
    expect(target.json()).toMatchObject({ lastFile: name, lastError: null, lastDeliveredAt: NOW.toISOString() });
    // Delivering again the same day replaces the file.
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/inventory/stock-report/deliveries', headers: f.headers.tenantAdmin });
    expect(again.statusCode).toBe(201);
    expect(readdirSync(peer.dataDir)).toEqual([name]);
  });

  it('refuses a server whose host key is not the configured one, and says so on the target', async () => {
    await t.app.inject({ method: 'PUT', url: '/api/v1/inventory/stock-report/target', headers: f.headers.tenantAdmin,
      payload: { host: peer.host, port: peer.port, username: peer.username, remoteDir: '.', hostKeySha256: 'a'.repeat(64) } });
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/inventory/stock-report/deliveries', headers: f.headers.tenantAdmin });
    expect(r.statusCode).toBe(502);
    expect(r.json().type).toBe('https://opencmp.dev/problems/sftp-delivery-failed');
    const target = (await t.app.inject({ url: '/api/v1/inventory/stock-report/target', headers: f.headers.tenantCsr })).json();
    expect(target.lastError).toMatch(/host/i);
    await expect(t.platform.modules.inventory.deliverAllStockReports()).rejects.toThrow(/1 stock report delivery\(ies\) failed/);
  });
});
