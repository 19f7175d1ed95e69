import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { simFile, simLine, kiOf, SIM_HEADER } from '../support/sim-files';
import { luhnCheckDigit } from '../../src/modules/inventory/inventory.fns';

let t: TestPlatform;
let f: TenantFixture;
let productId: string;
let esimProductId: string;

const csv = { 'content-type': 'text/csv' };
const load = (body: string, product = productId, headers = f.headers.tenantAdmin) =>
  t.app.inject({ method: 'POST', url: `/api/v1/inventory/loads?simProductId=${product}&fileName=batch.csv`, headers: { ...headers, ...csv }, payload: body });
const simCount = async () => (await t.platform.core.dbs.system((tx) => sql<{ n: number }>`select count(*)::int as n from sims where tenant_id = ${f.tenantId}`.execute(tx))).rows[0].n;

beforeAll(async () => {
  t = await startTestPlatform();
  f = await createTenantFixture(t.platform);
  await t.platform.core.dbs.system((tx) => sql`update tenants set plmns = '{00101,310260}' where id = ${f.tenantId}`.execute(tx));
  const p = await t.app.inject({ method: 'POST', url: '/api/v1/sim-products', headers: f.headers.tenantAdmin,
    payload: { name: 'Industrial 4FF', formFactor: '4FF', vendor: 'Acme Cards', profileType: 'M2M -40..105C' } });
  expect(p.statusCode).toBe(201);
  productId = p.json().id;
  const e = await t.app.inject({ method: 'POST', url: '/api/v1/sim-products', headers: f.headers.tenantAdmin,
    payload: { name: 'Consumer eSIM', formFactor: 'ESIM', vendor: 'Acme Cards', profileType: 'SGP.22' } });
  esimProductId = e.json().id;
});
afterAll(async () => t?.close());

describe('SIM products', () => {
  it('lists host-wide and tenant products to enterprise users, and refuses duplicates and enterprise writes', async () => {
    const host = await t.app.inject({ method: 'POST', url: '/api/v1/sim-products', headers: { authorization: f.headers.hostAdmin.authorization },
      payload: { name: 'Host MFF2', formFactor: 'MFF2', vendor: 'Global', profileType: 'automotive' } });
    expect(host.statusCode).toBe(201);
    expect(host.json().scope).toBe('HOST');
    const list = await t.app.inject({ url: '/api/v1/sim-products', headers: f.headers.enterpriseUser });
    expect(list.json().items.map((p: { name: string; scope: string }) => `${p.scope}:${p.name}`).sort())
      .toEqual(['HOST:Host MFF2', 'TENANT:Consumer eSIM', 'TENANT:Industrial 4FF']);
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/sim-products', headers: f.headers.tenantAdmin,
      payload: { name: 'Industrial 4FF', formFactor: '4FF', vendor: 'x', profileType: 'y' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual([{ field: 'name', reason: 'is taken' }]);
    const off = await t.app.inject({ method: 'PATCH', url: `/api/v1/sim-products/${host.json().id}`, headers: { authorization: f.headers.hostAdmin.authorization }, payload: { active: false } });
    expect(off.json()).toMatchObject({ scope: 'HOST', active: false });
    const closed = await load(simFile(800, 1), host.json().id);
    expect(closed.json().errors).toEqual([{ field: 'simProductId', reason: 'is not active' }]);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/sim-products/${host.json().id}`, headers: f.headers.tenantAdmin, payload: { active: true } })).statusCode).toBe(404);
    const ent = await t.app.inject({ method: 'POST', url: '/api/v1/sim-products', headers: f.headers.enterpriseAdmin,
      payload: { name: 'Mine', formFactor: '4FF', vendor: 'x', profileType: 'y' } });
    expect(ent.statusCode).toBe(403);
  });
});

describe('SIM file load', () => {
  it('loads a good file completely, with Ki/OPc sealed at rest and absent from every output', async () => {
    const res = await load(simFile(1, 50));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'LOADED', totalRows: 50, loadedRows: 50, errorCount: 0, errors: [] });
    expect(await simCount()).toBe(50);

    // The database column is not clear text: neither the hex nor the raw bytes of the Ki appear in it.
    const rows = await t.platform.core.dbs.system((tx) => sql<{ ki_enc: Buffer; opc_enc: Buffer; key_id: string }>`
      select ki_enc, opc_enc, key_id from sims where tenant_id = ${f.tenantId} and iccid = ${simLine(7).split(',')[0]}`.execute(tx));
    const raw = Buffer.from(kiOf(7), 'hex');
    expect(rows.rows[0].key_id).toBe('1');
    const stored = Buffer.from(rows.rows[0].ki_enc); // PGlite hands bytea back as a plain Uint8Array
    expect(stored.includes(raw)).toBe(false);
    expect(stored.toString('latin1')).not.toContain(kiOf(7));
    expect(stored.length).toBe(12 + 16 + 16);

    // No API or CSV output carries a Ki or OPc.
    const outputs = [
      (await t.app.inject({ url: '/api/v1/inventory/sims?limit=500', headers: f.headers.tenantAdmin })).body,
      (await t.app.inject({ url: `/api/v1/inventory/loads/${res.json().id}`, headers: f.headers.tenantAdmin })).body,
      (await t.app.inject({ url: '/api/v1/inventory/loads', headers: f.headers.tenantAdmin })).body,
      (await t.app.inject({ url: '/api/v1/inventory/stock-report.csv', headers: f.headers.tenantAdmin })).body,
      (await t.app.inject({ url: '/api/v1/audit?limit=500', headers: f.headers.tenantAdmin })).body,
    ];
    const sims = JSON.parse(outputs[0]).items;
    expect(sims).toHaveLength(50);
    expect(Object.keys(sims[0])).not.toEqual(expect.arrayContaining(['ki', 'kiEnc', 'opc', 'opcEnc', 'keyId']));
    for (let i = 1; i <= 50; i++) {
      const ki = kiOf(i), opc = ki.split('').reverse().join('');
      for (const out of outputs) {
        expect(out.toLowerCase()).not.toContain(ki);
        expect(out.toLowerCase()).not.toContain(opc);
      }
    }
  });

  it('refuses a file with bad rows entirely and reports every one with line, field and reason', async () => {
    const before = await simCount();
    const good = (i: number) => simLine(i);
    const cells = (i: number) => good(i).split(',');
    const wrongLuhn = (() => { const c = cells(103); const d = c[0].slice(0, -1) + ((Number(c[0].at(-1)) + 1) % 10); return [d, ...c.slice(1)].join(','); })();
    const lines = [
      SIM_HEADER,
      good(101),                                                  // line 2: good
      wrongLuhn,                                                  // line 3: Luhn
      ['894900100000001', ...cells(104).slice(1)].join(','),      // line 4: too short
      [cells(105)[0], '234150000000105', ...cells(105).slice(2)].join(','), // line 5: other network
      [cells(106)[0], '0010100000106', ...cells(106).slice(2)].join(','),   // line 6: IMSI 13 digits
      [...cells(107).slice(0, 2), 'zz' + kiOf(107).slice(2), ...cells(107).slice(3)].join(','), // line 7: Ki not hex
      [...cells(108).slice(0, 3), 'abc', ...cells(108).slice(4)].join(','),  // line 8: OPc short
      good(101),                                                  // line 9: ICCID and IMSI duplicate line 2
      good(5),                                                    // line 10: already in the inventory
      good(110),                                                  // line 11: good
    ];
    const res = await load(lines.join('\n'));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body).toMatchObject({ type: 'https://opencmp.dev/problems/inventory-load-rejected', totalRows: 10, errorCount: 10 });
    expect(body.errors).toEqual([
      { line: 3, field: 'iccid', reason: 'has a wrong Luhn check digit' },
      { line: 4, field: 'iccid', reason: 'must be 19 or 20 digits' },
      { line: 5, field: 'imsi', reason: "does not start with one of the tenant's MCC-MNCs (00101, 310260)" },
      { line: 6, field: 'imsi', reason: 'must be 15 digits' },
      { line: 7, field: 'ki', reason: 'must be 32 hexadecimal digits' },
      { line: 8, field: 'opc', reason: 'must be 32 hexadecimal digits' },
      { line: 9, field: 'iccid', reason: 'duplicates line 2 of this file' },
      { line: 9, field: 'imsi', reason: 'duplicates line 2 of this file' },
      { line: 10, field: 'iccid', reason: 'is already in the inventory' },
      { line: 10, field: 'imsi', reason: 'is already in the inventory' },
    ]);
    expect(await simCount()).toBe(before);

    const report = await t.app.inject({ url: `/api/v1/inventory/loads/${body.loadId}/errors.csv`, headers: f.headers.tenantCsr });
    expect(report.statusCode).toBe(200);
    expect(report.body.split('\r\n')[0]).toBe('line,field,reason');
    expect(report.body).toContain('5,imsi,"does not start with one of the tenant\'s MCC-MNCs (00101, 310260)"');
    expect(report.body.trim().split('\r\n')).toHaveLength(11);
    const stored = await t.app.inject({ url: `/api/v1/inventory/loads/${body.loadId}`, headers: f.headers.tenantAdmin });
    expect(stored.json()).toMatchObject({ status: 'REJECTED', loadedRows: 0, errorCount: 10 });
  });

  it('refuses a header without the required columns and an empty file', async () => {
    const res = await load('ICCID,KI,COLOUR\n' + '8949001000000000011,' + kiOf(1) + ',red\n');
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { line: 1, field: 'COLOUR', reason: expect.stringContaining('is not a known column') },
      { line: 1, field: 'imsi', reason: 'column is missing from the header' },
    ]);
    const empty = await load('');
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors).toEqual([{ line: 1, field: 'file', reason: 'is empty (a header line is expected)' }]);
  });

  it('needs the SM-DP+ matching id for eSIM products and keeps the EID', async () => {
    const body = '8949002000000000001'.slice(0, 18);
    const iccid = body + luhnCheckDigit(body);
    const bad = await load(`iccid,imsi,ki,eid,matching_id\n${iccid},001019000000001,${kiOf(1)},,\n`, esimProductId);
    expect(bad.json().errors).toEqual([{ line: 2, field: 'matching_id', reason: 'is required for an eSIM product' }]);
    const ok = await load(`iccid,imsi,ki,eid,matching_id\n${iccid},001019000000001,${kiOf(1)},${'8'.repeat(32)},K2-1A2B-3C4D\n`, esimProductId);
    expect(ok.statusCode).toBe(201);
    const sim = await t.app.inject({ url: `/api/v1/inventory/sims?simProductId=${esimProductId}`, headers: f.headers.tenantAdmin });
    expect(sim.json().items[0]).toMatchObject({ iccid, eid: '8'.repeat(32), matchingId: 'K2-1A2B-3C4D', stockState: 'AVAILABLE', state: 'WARM' });
  });

  it('refuses loads by enterprise users and for unknown products', async () => {
    expect((await load(simFile(900, 1), productId, f.headers.enterpriseAdmin)).statusCode).toBe(403);
    const unknown = await load(simFile(900, 1), '00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([{ field: 'simProductId', reason: 'is not a SIM product of this tenant or the host' }]);
  });

  it('replays a retried upload with the same Idempotency-Key instead of loading twice', async () => {
    const body = simFile(700, 3);
    const first = await t.app.inject({ method: 'POST', url: `/api/v1/inventory/loads?simProductId=${productId}`, headers: { ...f.headers.tenantAdmin, ...csv, 'idempotency-key': 'load-700' }, payload: body });
    expect(first.statusCode).toBe(201);
    const before = await simCount();
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/inventory/loads?simProductId=${productId}`, headers: { ...f.headers.tenantAdmin, ...csv, 'idempotency-key': 'load-700' }, payload: body });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().id).toBe(first.json().id);
    expect(await simCount()).toBe(before);
  });

  it('records one audit entry and one event per load', async () => {
    const r = await t.platform.core.dbs.system((tx) => sql<{ type: string; n: number }>`
      select type, count(*)::int as n from outbox_events where tenant_id = ${f.tenantId} and type like 'inventory.%' group by type order by type`.execute(tx));
    expect(r.rows).toEqual([
      { type: 'inventory.load.rejected', n: 4 },
      { type: 'inventory.product.created', n: 2 },
      { type: 'inventory.sims.loaded', n: 3 },
    ]);
  });
});

describe('interrupted upload', () => {
  it('fails the load and adds nothing when the stream breaks off mid-file', async () => {
    const before = await simCount();
    const source = new (await import('node:stream')).PassThrough();
    const done = t.platform.modules.inventory.loadSims(
      (await import('../../src/platform/auth')).systemContext(f.tenantId), { simProductId: productId, fileName: 'cut.csv', source });
    source.write(simFile(5000, 20000));
    setTimeout(() => source.destroy(), 20);
    await expect(done).rejects.toThrow(/interrupted|premature|aborted/i);
    expect(await simCount()).toBe(before);
    const loads = (await t.app.inject({ url: '/api/v1/inventory/loads?limit=1', headers: f.headers.tenantAdmin })).json().items;
    expect(loads[0]).toMatchObject({ fileName: 'cut.csv', status: 'FAILED', loadedRows: 0 });
  });
});
