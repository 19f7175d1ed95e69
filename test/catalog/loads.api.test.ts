import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { iotPlan, roamingPack, ZONES } from '../../src/modules/catalog/catalog.fixtures';
import { parseCsv } from '../../src/modules/catalog/load.fns';
import { C, caller, countRows } from './helpers';

// Bulk loads (JSON document, CSV price list): all or nothing with every error reported; the catalog report.
const NOW = Date.parse('2025-03-01T00:00:00Z');
let t: TestPlatform;
let a: TenantFixture;
let call: ReturnType<typeof caller>;
const subscriptions = new Map<string, number>();

beforeAll(async () => {
  t = await startTestPlatform({}, { now: () => new Date(NOW) });
  call = caller(t);
  a = await createTenantFixture(t.platform);
  t.platform.modules.catalog.registerSubscriptionCounter(async (_tx, _scope, ids) => new Map(ids.map((id) => [id, subscriptions.get(id) ?? 0])));
});
afterAll(async () => t.close());

const counts = async () => ({
  zones: await countRows(t, 'catalog_zones', a.tenantId),
  offers: await countRows(t, 'catalog_offers', a.tenantId),
  versions: await countRows(t, 'catalog_offer_versions', a.tenantId),
  bundles: await countRows(t, 'catalog_bundles', a.tenantId),
});

describe('JSON catalog files', () => {
  it('reports every bad entry and saves nothing, not even the good entries', async () => {
    const file = {
      zones: [...ZONES, { code: 'BAD ZONE', name: 'x', plmns: ['12'] }],
      offers: [
        { code: 'GOOD', kind: 'PRIMARY', spec: iotPlan() },
        { code: 'NOCUR', kind: 'PRIMARY', spec: { ...iotPlan(), currency: 'EURO' } },
        { code: 'ACC', kind: 'ACCOUNT', spec: iotPlan() },
      ],
      bundles: [{ code: 'B', level: 'SUBSCRIBER', spec: { name: 'B', currency: 'EUR', price: {}, members: [{ offerCode: 'MISSING', kind: 'MANDATORY' }] } }],
    };
    const r = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'json', content: JSON.stringify(file) });
    expect(r.statusCode).toBe(422);
    const fields = r.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['zones.3.code', 'zones.3.plmns.0', 'offers.1.spec.currency', 'offers.2.spec.usageItems', 'offers.2.spec.usageTypes', 'bundles.0.spec.members.0.offerId']));
    expect(fields.some((f: string) => f.startsWith('offers.0'))).toBe(false);
    expect(await counts()).toEqual({ zones: 0, offers: 0, versions: 0, bundles: 0 });
  });

  it('refuses a file that is not JSON, with the reason', async () => {
    const r = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'json', content: '{"offers": [' });
    expect(r.statusCode).toBe(422);
    expect(r.json().errors[0]).toMatchObject({ field: 'file', reason: expect.stringMatching(/^is not JSON/) });
  });

  it('checks a good file in a dry run without saving, then loads it in one go', async () => {
    const file = {
      zones: ZONES,
      offers: [
        { code: 'IOT10', kind: 'PRIMARY', spec: iotPlan(), activateFrom: new Date(NOW).toISOString() },
        { code: 'EU100', kind: 'SUPPLEMENTARY', spec: roamingPack() },
      ],
      bundles: [{ code: 'STARTER', level: 'SUBSCRIBER', spec: { name: 'Starter', currency: 'EUR', price: { recurring: '4.00' }, members: [{ offerCode: 'IOT10', kind: 'MANDATORY' }, { offerCode: 'EU100', kind: 'OPTIONAL' }] } }],
    };
    const dry = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'json', content: JSON.stringify(file), dryRun: true });
    expect(dry.json()).toEqual({ zones: 3, offersCreated: 2, versionsCreated: 0, activated: 1, bundles: 1, dryRun: true });
    expect(await counts()).toEqual({ zones: 0, offers: 0, versions: 0, bundles: 0 });
    const r = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'json', content: JSON.stringify(file) });
    expect(r.json()).toEqual({ zones: 3, offersCreated: 2, versionsCreated: 0, activated: 1, bundles: 1, dryRun: false });
    expect(await counts()).toEqual({ zones: 3, offers: 2, versions: 2, bundles: 1 });
    const list = (await call('GET', `${C}/offers`, a.headers.tenantAdmin)).json().items;
    expect(list.map((o: { code: string; currentVersion: number | null }) => [o.code, o.currentVersion])).toEqual([['EU100', null], ['IOT10', 1]]);
  });

  it('loads a changed offer again as a new version, leaving the active one alone', async () => {
    const changed = iotPlan();
    changed.recurringCharges![0].amount = '2.75';
    const r = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'json', content: JSON.stringify({ offers: [{ code: 'IOT10', kind: 'PRIMARY', spec: changed }] }) });
    expect(r.json()).toMatchObject({ offersCreated: 0, versionsCreated: 1 });
    const offer = (await call('GET', `${C}/offers?q=IOT10`, a.headers.tenantAdmin)).json().items[0];
    expect(offer).toMatchObject({ currentVersion: 1, latestVersion: 2, latestStatus: 'DRAFT' });
  });
});

describe('CSV price lists', () => {
  const HEADER = 'offer_code,offer_name,kind,currency,usage_type,zone,initial_unit,initial_charge,additional_unit,additional_charge,allowance_units,monthly_fee,activate_from';

  it('reports every bad row with its line and field, and saves nothing', async () => {
    const before = await counts();
    const csv = [HEADER,
      'PAYG,Pay as you go,PRIMARY,EUR,DATA,HOME,1024,0.001,1024,0.001,,0.50,',
      'PAYG,Pay as you go,PRIMARY,EUR,SMS_MO,,1,abc,,,,0.50,',
      'M2M,M2M,PRIMARY,EUR,DATA,MOON,1024,0.001,1024,0.001,,,',
      'X,X,PRIMARY,EUR,DATA,,1024,0.001,1024',
    ].join('\r\n');
    const r = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'csv', content: csv });
    expect(r.statusCode).toBe(422);
    expect(r.json().rows).toEqual([
      { line: 3, field: 'initial_charge', reason: 'must be a decimal amount with at most 6 decimals, e.g. "0.01"' },
      { line: 5, field: 'row', reason: 'has 9 cells, the header 13' },
      { line: 5, field: 'additional_unit', reason: 'additional_unit and additional_charge go together' },
    ]);
    expect(await counts()).toEqual(before);
    // Row-level errors first; once rows parse, offers are validated and tied to their first line.
    const semantic = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'csv', content: [HEADER, 'M2M,M2M,PRIMARY,EUR,DATA,MOON,1024,0.001,1024,0.001,,,'].join('\n') });
    expect(semantic.json().rows).toEqual([{ line: 2, field: 'offers.0.spec.usageItems.0.zone', reason: "no zone MOON in the tenant's catalog zones" }]);
    expect(await counts()).toEqual(before);
  });

  it('loads a price list and activates it', async () => {
    const csv = [HEADER,
      'PAYG,Pay as you go,PRIMARY,EUR,DATA,,1024,0.001,1024,0.001,,0.50,2025-03-01T00:00:00Z',
      'PAYG,Pay as you go,PRIMARY,EUR,SMS_MO,,1,0.04,,,,0.50,2025-03-01T00:00:00Z',
    ].join('\n');
    const r = await call('POST', `${C}/loads`, a.headers.tenantAdmin, { format: 'csv', content: csv });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ offersCreated: 1, activated: 1 });
    const payg = (await call('GET', `${C}/offers?q=PAYG`, a.headers.tenantAdmin)).json().items[0];
    const calc = await call('POST', `${C}/offers/${payg.id}/rate`, a.headers.tenantAdmin, { usage: [{ usageType: 'DATA', servingNetwork: '26201', quantity: 10_000 }, { usageType: 'SMS_MO', servingNetwork: '20801', quantity: 1 }] });
    // 10 000 octets = 10 units of 1 KB (the last rounded up) at 0.001; one SMS at 0.04.
    expect(calc.json().total).toBe('0.05');
  });
});

describe('catalog report', () => {
  it('lists plans, pay-as-you-go and overage prices and subscriptions, as CSV for revenue assurance', async () => {
    const iot = (await call('GET', `${C}/offers?q=IOT10`, a.headers.tenantAdmin)).json().items[0];
    subscriptions.set(iot.id, 42);
    const r = await call('GET', `${C}/report?format=csv`, a.headers.tenantFinance);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    const rows = parseCsv(r.body).map((x) => x.cells);
    const header = rows[0];
    const col = (name: string) => header.indexOf(name);
    expect(header.slice(0, 3)).toEqual(['offer_code', 'offer_name', 'kind']);
    const home = rows.find((x) => x[col('offer_code')] === 'IOT10' && x[col('zone')] === 'HOME')!;
    expect(home[col('pricing')]).toBe('OVERAGE');
    expect(home[col('additional_charge')]).toBe('0.50');
    expect(home[col('allowance_units')]).toBe(String(10 * 1024 * 1024));
    expect(home[col('subscriptions')]).toBe('42');
    expect(home[col('version')]).toBe('1');
    expect(home[col('recurring_fees')]).toBe('MRC=2.50/MONTHLY');
    const eu = rows.find((x) => x[col('offer_code')] === 'IOT10' && x[col('zone')] === 'EU')!;
    expect(eu[col('pricing')]).toBe('PAY_AS_YOU_GO');
    const payg = rows.filter((x) => x[col('offer_code')] === 'PAYG');
    expect(payg.map((x) => [x[col('usage_type')], x[col('initial_charge')], x[col('pricing')], x[col('subscriptions')]])).toEqual([['DATA', '0.001', 'PAY_AS_YOU_GO', '0'], ['SMS_MO', '0.04', 'PAY_AS_YOU_GO', '0']]);
    const json = await call('GET', `${C}/report`, a.headers.tenantFinance);
    expect(json.json().rows.length).toBe(rows.length - 1);
  });
});
