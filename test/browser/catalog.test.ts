import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser';
import { iotPlan, MB, ZONES } from '../../src/modules/catalog/catalog.fixtures';

// The catalog console: offer list, an offer's plans/tariffs/allowances/charges, the editor validating as the user
// types, version history with side-by-side comparison, and the price calculator rating through the engine.
let b: BrowserPlatform;
let admin: Page;
let offerId: string;

beforeAll(async () => {
  b = await startBrowserPlatform();
  const headers = b.fixture.headers.tenantAdmin;
  for (const z of ZONES) await b.t.app.inject({ method: 'PUT', url: `/api/v1/catalog/zones/${z.code}`, headers, payload: { name: z.name, plmns: z.plmns } });
  const created = await b.t.app.inject({ method: 'POST', url: '/api/v1/catalog/offers', headers, payload: { code: 'IOT10', kind: 'PRIMARY', spec: iotPlan() } });
  offerId = created.json().id;
  await b.t.app.inject({ method: 'POST', url: `/api/v1/catalog/offers/${offerId}/versions/1/approve`, headers });
  await b.t.app.inject({ method: 'POST', url: `/api/v1/catalog/offers/${offerId}/versions/1/activate`, headers, payload: {} });
  admin = await b.loginAs('tenantAdmin');
});
afterAll(async () => b?.close());

describe('catalog screens', () => {
  it('lists offers and shows an offer\'s tariffs, allowances and charges', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Offers' }).click();
    await admin.getByRole('heading', { name: 'Offers', level: 1 }).waitFor();
    await expect.poll(() => admin.locator('.datatable tbody tr td:first-child').allTextContents()).toEqual(['IOT10']);
    await b.screenshot(admin, 'catalog-offers');
    await admin.getByRole('link', { name: 'IOT10' }).click();
    await admin.getByRole('heading', { name: 'IoT 10 MB', level: 1 }).waitFor();
    const tariffRows = admin.getByTestId('tariffs').locator('tbody tr');
    await expect.poll(() => tariffRows.count()).toBe(3);
    expect(await tariffRows.first().textContent()).toContain('0.50 EUR');
    expect(await admin.getByTestId('versions').locator('tbody tr').first().textContent()).toContain('ACTIVE');
    await b.screenshot(admin, 'catalog-offer-detail');
  });

  it('validates the document as it is typed, then saves the change as version 2 and compares it', async () => {
    await admin.getByRole('button', { name: 'Change (creates a new version)' }).click();
    const editor = admin.getByLabel('Offer document (JSON)');
    const spec = JSON.parse(await editor.inputValue());
    await editor.fill(JSON.stringify({ ...spec, currency: 'euro' }, null, 2));
    const validation = admin.getByTestId('spec-validation');
    await expect.poll(() => validation.textContent()).toContain('spec.currency');
    await editor.fill('{ "name": ');
    await expect.poll(() => validation.textContent()).toMatch(/^JSON:/);
    spec.recurringCharges[0].amount = '3.00';
    await editor.fill(JSON.stringify(spec, null, 2));
    await expect.poll(() => validation.textContent()).toBe('The document is valid.');
    await b.screenshot(admin, 'catalog-offer-editor');
    await admin.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => admin.getByTestId('versions').locator('tbody tr').count()).toBe(2);
    expect(await admin.getByTestId('versions').locator('tbody tr').nth(1).textContent()).toContain('DRAFT');
    const compare = admin.getByTestId('compare');
    await expect.poll(() => compare.locator('tbody tr').allTextContents()).toEqual(['recurringCharges[MRC].amount"2.50""3.00"']);
    await b.screenshot(admin, 'catalog-version-compare');
  });

  it('rates sample usage with the price calculator and shows each unit', async () => {
    await admin.getByLabel('Calculator version').selectOption('1');
    await admin.getByLabel('Serving network 1').fill('26201');
    await admin.getByLabel('Quantity 1').fill(String(12 * MB));
    await admin.getByRole('button', { name: 'Add usage' }).click();
    await admin.getByLabel('Serving network 2').fill('20801');
    await admin.getByLabel('Quantity 2').fill(String(MB + 1));
    await admin.getByRole('button', { name: 'Rate' }).click();
    // 10 MB included, 2 MB over at 0.50 = 1.00; EU roaming 2 units of 1 MB at 2.00 = 4.00. Same as the API.
    const api = await b.t.app.inject({ method: 'POST', url: `/api/v1/catalog/offers/${offerId}/rate`, headers: b.fixture.headers.tenantAdmin,
      payload: { version: 1, usage: [{ usageType: 'DATA', servingNetwork: '26201', quantity: 12 * MB }, { usageType: 'DATA', servingNetwork: '20801', quantity: MB + 1 }] } });
    expect(api.json().total).toBe('5.00');
    await expect.poll(() => admin.getByTestId('calculator-total').textContent()).toBe('5.00');
    const rows = admin.getByTestId('calculator-result').locator('tbody tr');
    expect(await rows.nth(0).textContent()).toContain('allowance used up: OVERAGE');
    expect(await rows.nth(1).textContent()).toContain('1 + 1 = 2097152 → 4.00');
    await b.screenshot(admin, 'catalog-price-calculator');
  });

  it('adds a zone and shows the revenue-assurance report through the catalog tabs', async () => {
    await admin.goto('/catalog/offers');
    await admin.getByRole('navigation', { name: 'Catalog' }).getByRole('link', { name: 'Zones' }).click();
    await admin.getByRole('heading', { name: 'Zones', level: 1 }).waitFor();
    await admin.getByLabel('Code').fill('NORDICS');
    await admin.getByLabel('Name').fill('Nordic roaming');
    await admin.getByLabel('PLMNs').fill('240, 242 244');
    await admin.getByRole('button', { name: 'Save zone' }).click();
    await expect.poll(() => admin.locator('.datatable tbody tr').allTextContents()).toContain('NORDICSNordic roaming240, 242, 244');
    await admin.getByLabel('Code').fill('BAD');
    await admin.getByLabel('Name').fill('Bad');
    await admin.getByLabel('PLMNs').fill('12');
    await admin.getByRole('button', { name: 'Save zone' }).click();
    await admin.getByRole('alert').filter({ hasText: 'body.plmns.0' }).waitFor();
    await admin.getByRole('navigation', { name: 'Catalog' }).getByRole('link', { name: 'Report' }).click();
    await admin.getByRole('heading', { name: 'Catalog report', level: 1 }).waitFor();
    await expect.poll(() => admin.locator('.datatable tbody tr').count()).toBe(3);
    expect(await admin.locator('.datatable tbody tr').first().textContent()).toContain('IOT10');
    await b.screenshot(admin, 'catalog-report');
  });

  it('gives an enterprise user a read-only catalog', async () => {
    const page = await b.loginAs('enterpriseUser');
    await page.goto(`/catalog/offers/${offerId}`);
    await page.getByRole('heading', { name: 'IoT 10 MB', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: /Change|Edit draft|Retire|Approve/ }).count()).toBe(0);
    await page.goto('/catalog/offers/new');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  });
});
