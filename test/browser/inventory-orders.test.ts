import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser';
import { simFile, simLine, SIM_HEADER } from '../support/sim-files';
import { systemContext } from '../../src/platform/auth';

// Inventory and order screens: a vendor file loaded with live progress and its row report, then an enterprise
// admin orders eSIMs through the form and sees the allocation list; the tenant sees the order.
let b: BrowserPlatform;
let physicalId: string;
let esimId: string;

beforeAll(async () => {
  b = await startBrowserPlatform();
  const f = b.fixture;
  await b.t.platform.core.dbs.system((tx) => sql`update tenants set plmns = '{00101}' where id = ${f.tenantId}`.execute(tx));
  const inv = b.t.platform.modules.inventory;
  physicalId = (await inv.createProduct(systemContext(f.tenantId), { name: 'Industrial 4FF', formFactor: '4FF', vendor: 'Acme', profileType: 'M2M' })).id;
  esimId = (await inv.createProduct(systemContext(f.tenantId), { name: 'Fleet eSIM', formFactor: 'ESIM', vendor: 'Acme', profileType: 'SGP.32' })).id;
  const esims = [SIM_HEADER + ',MATCHING_ID', ...Array.from({ length: 10 }, (_, i) => `${simLine(900 + i, { iccidPrefix: '8949009' })},K-${900 + i}`)].join('\n');
  expect((await inv.loadSims(systemContext(f.tenantId), { simProductId: esimId, source: Readable.from([esims]) })).status).toBe('LOADED');
  const pool = await inv.createMsisdnPool(systemContext(f.tenantId), { name: 'DE', quarantineDays: 30 });
  await inv.loadMsisdns(systemContext(f.tenantId), pool.id, { ranges: [{ from: '4917000000000', to: '4917000000049' }] });
}, 180_000);
afterAll(async () => b?.close());

describe('inventory screens', () => {
  it('loads a vendor file with progress, shows every bad row of a refused file, then loads a good one', async () => {
    const page = await b.loginAs('tenantAdmin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SIM loads' }).click();
    await page.getByRole('heading', { name: 'SIM loads', level: 1 }).waitFor();
    await page.getByLabel('SIM product').selectOption({ label: 'Industrial 4FF (4FF)' });

    const bad = simFile(1, 4).replace(/\n(\d{19}),00101/, '\n$1,23415') + simLine(2) + '\n';
    await page.getByLabel('Vendor file (CSV)').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Load file' }).click();
    await expect.poll(() => page.getByTestId('load-outcome').textContent()).toContain('Nothing was loaded');
    const rows = page.getByTestId('row-report').locator('tbody tr');
    await expect.poll(() => rows.allTextContents()).toEqual([
      "2imsidoes not start with one of the tenant's MCC-MNCs (00101)",
      '6iccidduplicates line 3 of this file',
      '6imsiduplicates line 3 of this file',
    ]);
    await b.screenshot(page, 'inventory-load-rejected');

    await page.getByLabel('Vendor file (CSV)').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(simFile(3000, 2000)) });
    await page.getByRole('button', { name: 'Load file' }).click();
    await expect.poll(() => page.getByTestId('load-outcome').textContent(), { timeout: 30_000 }).toBe('Loaded 2000 SIMs from good.csv.');
    const loads = page.locator('.datatable tbody tr');
    // Newest first: the good file, the refused one, and the eSIM stock loaded by the test's setup.
    await expect.poll(() => loads.count()).toBe(3);
    await expect.poll(() => loads.first().textContent()).toMatch(/^good\.csvIndustrial 4FFLOADED20002000/);
    await b.screenshot(page, 'inventory-loads');
  });
});

describe('order screens', () => {
  it('an enterprise admin places an eSIM order and sees its allocation; the tenant sees the order', async () => {
    const page = await b.loginAs('enterpriseAdmin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SIM orders' }).click();
    await page.getByRole('link', { name: 'Place order' }).click();
    await page.getByRole('heading', { name: 'Place a SIM order', level: 1 }).waitFor();
    await page.getByLabel('Business unit').selectOption({ label: 'Fleet North' });
    await page.getByLabel('SIM product').selectOption({ label: 'Fleet eSIM (ESIM)' });
    await page.getByLabel('Quantity').fill('20');
    await page.getByRole('button', { name: 'Place order' }).click();
    // Stock is 10: the refusal names the field and says why.
    await expect.poll(() => page.locator('.field-error').allTextContents()).toContain('only 10 in stock');
    await page.getByLabel('Quantity').fill('3');
    await page.getByLabel('Your purchase order number').fill('PO-4711');
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect.poll(() => page.getByTestId('order-state').textContent()).toBe('COMPLETED');
    const alloc = page.getByTestId('allocation').locator('tbody tr');
    await expect.poll(() => alloc.count()).toBe(3);
    expect(await alloc.first().textContent()).toMatch(/^8949009\d+001010+900491700000000\dK-900$/);
    expect(await page.getByTestId('order-history').locator('tbody tr').count()).toBe(3);
    await b.screenshot(page, 'order-detail');

    const csr = await b.loginAs('tenantCsr');
    await csr.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SIM orders' }).click();
    const orders = csr.locator('.datatable tbody tr');
    await expect.poll(() => orders.allTextContents()).toEqual([expect.stringContaining('Fleet eSIM3COMPLETEDPO-4711')]);
    await b.screenshot(csr, 'orders-list');
    void physicalId;
  });
});
