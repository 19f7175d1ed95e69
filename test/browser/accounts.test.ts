import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { sql } from 'kysely';
import { deliverDueEvents } from '../../src/platform/events';
import { expectedNav, startBrowserPlatform, type BrowserPlatform } from '../support/browser';

let b: BrowserPlatform;
let admin: Page;
beforeAll(async () => {
  b = await startBrowserPlatform();
  admin = await b.loginAs('tenantAdmin');
});
afterAll(async () => b?.close());

const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
const tableRows = (page: Page) => page.locator('.datatable tbody tr');

describe('accounts screens', () => {
  it('shows a tenant admin the customers and administration entries, and every enterprise of the tenant', async () => {
    const nav = await navLinks(admin);
    expect(nav).toEqual(expectedNav('tenant_admin'));
    expect(nav).toEqual(expect.arrayContaining(['Overview', 'Enterprises', 'Onboarding requests', 'Users', 'API keys', 'Audit trail']));
    expect(nav).not.toContain('Tenants');
    await admin.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await b.screenshot(admin, 'overview-tenant-admin');
    await admin.getByRole('link', { name: 'Enterprises', exact: true }).first().click();
    await admin.getByRole('heading', { name: 'Enterprises', level: 1 }).waitFor();
    await expect.poll(() => tableRows(admin).count()).toBe(2);
    expect(await tableRows(admin).locator('td:first-child').allTextContents()).toEqual(['Acme Logistics', 'Beta Meters']);

    // Search goes to the server (q): only the matching enterprise remains.
    await admin.getByRole('searchbox', { name: 'Search' }).fill('beta');
    await expect.poll(() => tableRows(admin).locator('td:first-child').allTextContents()).toEqual(['Beta Meters']);
    await admin.getByRole('searchbox', { name: 'Search' }).fill('');
    await expect.poll(() => tableRows(admin).count()).toBe(2);
    await b.screenshot(admin, 'enterprises-tenant-admin');
  });

  it('shows an enterprise user only its own enterprise and no administration', async () => {
    const page = await b.loginAs('enterpriseUser');
    const nav = await navLinks(page);
    expect(nav).toEqual(expectedNav('enterprise_user'));
    expect(nav).toContain('Enterprises');
    for (const hidden of ['Onboarding requests', 'Users', 'API keys', 'Audit trail', 'Tenants']) expect(nav).not.toContain(hidden);
    await page.getByTestId('enterprise-name').filter({ hasText: 'Acme Logistics' }).waitFor();
    await page.getByRole('link', { name: 'Enterprises', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Enterprises', level: 1 }).waitFor();
    await expect.poll(() => tableRows(page).locator('td:first-child').allTextContents()).toEqual(['Acme Logistics']);
    // Read-only: no create button, and the create page is refused by the guard.
    expect(await page.getByRole('link', { name: 'New enterprise' }).count()).toBe(0);
    await b.screenshot(page, 'enterprises-enterprise-user');
    await page.goto('/enterprises/new');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    // The other enterprise does not exist for this user (RLS), even by its address.
    await page.goto(`/enterprises/${b.fixture.otherEnterpriseId}`);
    await page.getByRole('alert').filter({ hasText: 'not found' }).waitFor();
  });

  it('creates an enterprise through the form, showing inline errors from the browser and from the server first', async () => {
    await admin.goto('/enterprises');
    await admin.getByRole('link', { name: 'New enterprise' }).click();
    await admin.getByRole('heading', { name: 'New enterprise' }).waitFor();

    // Submitting empty: the browser-side check names the field.
    await admin.getByRole('button', { name: 'Create enterprise' }).click();
    const nameField = admin.locator('.field').filter({ has: admin.getByLabel('Name', { exact: true }) }).first();
    await expect.poll(() => nameField.locator('.field-error').textContent()).toBe('is required');
    expect(await admin.getByLabel('Name', { exact: true }).first().getAttribute('aria-invalid')).toBe('true');

    // A customer id that is taken: the server's problem+json (409, errors[body.customerId]) lands on the field,
    // its detail above the buttons: exactly what the API answers for the same request.
    const refused = await b.t.app.inject({ method: 'POST', url: '/api/v1/enterprises', headers: b.fixture.headers.tenantAdmin,
      payload: { name: 'Gamma Trackers', customerId: 'CUST-1' } });
    expect(refused.statusCode).toBe(409);
    const problem = refused.json() as { detail: string; errors: { field: string; reason: string }[] };
    const reason = problem.errors.find((e) => e.field === 'body.customerId')?.reason;
    expect(reason).toBeTruthy();
    await admin.getByLabel('Name', { exact: true }).first().fill('Gamma Trackers');
    await admin.getByLabel('Customer id').fill('CUST-1');
    await admin.getByLabel('Main phone').fill('+4930123456');
    await admin.getByRole('button', { name: 'Create enterprise' }).click();
    const customerField = admin.locator('.field').filter({ has: admin.getByLabel('Customer id') });
    await expect.poll(() => customerField.locator('.field-error').textContent()).toBe(reason);
    expect(await admin.locator('.form-error').textContent()).toBe(problem.detail);
    expect(await nameField.locator('.field-error').count()).toBe(0);
    await b.screenshot(admin, 'enterprise-form-errors');

    // Corrected: created, and the browser lands on its page.
    await admin.getByLabel('Customer id').fill('CUST-3');
    await admin.locator('fieldset').filter({ hasText: 'Primary contact' }).getByLabel('Name').fill('Grace Hopper');
    await admin.locator('fieldset').filter({ hasText: 'Primary contact' }).getByLabel('E-mail').fill('grace@gamma.example');
    await admin.getByRole('button', { name: 'Create enterprise' }).click();
    await admin.getByRole('heading', { name: 'Gamma Trackers', level: 1 }).waitFor();
    await admin.getByText('grace@gamma.example').waitFor();

    const rows = await b.t.platform.core.dbs.system(async (tx) =>
      tx.selectFrom('enterprises').select(['name', 'customer_id', 'phone']).where('tenant_id', '=', b.fixture.tenantId).where('customer_id', '=', 'CUST-3').execute());
    expect(rows).toEqual([{ name: 'Gamma Trackers', customer_id: 'CUST-3', phone: '+4930123456' }]);
  });

  it('builds the business-unit tree and adds a billing profile on the enterprise page', async () => {
    await admin.goto(`/enterprises/${b.fixture.enterpriseId}`);
    await admin.getByRole('heading', { name: 'Acme Logistics', level: 1 }).waitFor();
    const tree = admin.getByRole('tree', { name: 'Business units' });
    await expect.poll(() => tree.getByRole('treeitem').count()).toBe(2);

    // A unit under "Fleet North": it appears one level deeper, right below its parent.
    await admin.getByRole('button', { name: 'Add business unit' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('Fleet North — Trucks');
    await admin.getByLabel('Unit id').fill('BU-1-T');
    await admin.getByLabel('Parent').selectOption({ label: 'Fleet North' });
    await admin.getByRole('button', { name: 'Add business unit' }).click();
    await expect.poll(() => tree.getByRole('treeitem').count()).toBe(3);
    const items = tree.getByRole('treeitem');
    expect(await items.locator('a').allTextContents()).toEqual(['Fleet North', 'Fleet North — Trucks', 'Fleet South']);
    expect(await items.nth(1).getAttribute('aria-level')).toBe('2');

    // A billing profile with a credit limit, shown as money in its currency.
    await admin.getByRole('button', { name: 'Add billing profile' }).click();
    await admin.getByLabel('Billing account number').fill('BA-1001');
    await admin.getByLabel('Bill cycle day').fill('31');
    await admin.getByLabel('Credit limit').fill('2500.5');
    await admin.getByRole('button', { name: 'Add billing profile' }).click();
    await admin.locator('.field-error').filter({ hasText: 'must be at most 28' }).waitFor();
    await admin.getByLabel('Bill cycle day').fill('15');
    await admin.getByLabel('Currency').fill('EUR');
    await admin.getByRole('button', { name: 'Add billing profile' }).click();
    const profile = admin.locator('.panel').filter({ hasText: 'Billing profiles' }).locator('tbody tr');
    await expect.poll(() => profile.first().textContent()).toContain('BA-1001');
    expect(await profile.first().textContent()).toContain('2,500.50 EUR');
    await b.screenshot(admin, 'enterprise-detail');

    // The new unit's own page: its parent, and the way back.
    await tree.getByRole('link', { name: 'Fleet North — Trucks' }).click();
    await admin.getByRole('heading', { name: 'Fleet North — Trucks', level: 1 }).waitFor();
    await admin.locator('.details').getByRole('link', { name: 'Fleet North' }).waitFor();
    await b.screenshot(admin, 'business-unit');
    await admin.getByRole('link', { name: 'Acme Logistics' }).first().click();
    await admin.getByRole('heading', { name: 'Acme Logistics', level: 1 }).waitFor();

    await profile.first().getByRole('link', { name: 'BA-1001' }).click();
    await admin.getByRole('heading', { name: 'Billing account BA-1001', level: 1 }).waitFor();
    await b.screenshot(admin, 'billing-profile');
  });

  it('edits an enterprise and moves a business unit under another', async () => {
    await admin.goto(`/enterprises/${b.fixture.otherEnterpriseId}`);
    await admin.getByRole('heading', { name: 'Beta Meters', level: 1 }).waitFor();
    await admin.getByRole('link', { name: 'Edit' }).click();
    await admin.getByRole('heading', { name: 'Edit Beta Meters' }).waitFor();
    await admin.getByLabel('Main phone').fill('030 1234');
    await admin.getByLabel('Status').selectOption('SUSPENDED');
    await admin.locator('fieldset').filter({ hasText: 'Main address' }).getByLabel('City').fill('Berlin');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.locator('.field-error').filter({ hasText: 'E.164' }).waitFor();
    await admin.locator('.field-error').filter({ hasText: 'is required' }).first().waitFor(); // street and country
    await admin.getByLabel('Main phone').fill('+4930999999');
    const address = admin.locator('fieldset').filter({ hasText: 'Main address' });
    await address.getByLabel('Street').fill('Invalidenstraße 1');
    await address.getByLabel('Country').fill('DE');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.getByRole('heading', { name: 'Beta Meters', level: 1 }).waitFor();
    const details = admin.locator('.details');
    await details.getByText('SUSPENDED').waitFor();
    await details.getByText('+4930999999').waitFor();
    await admin.getByText('Invalidenstraße 1').waitFor();

    // Its history: the audit trail filtered to this enterprise shows the one change, with the changed fields.
    await admin.getByRole('link', { name: 'History' }).click();
    await admin.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    await admin.getByTestId('entity-filter').waitFor();
    const history = admin.locator('.datatable tbody tr');
    await expect.poll(() => history.locator('td:nth-child(3)').allTextContents()).toEqual(['update']);
    const changed = await history.locator('td:nth-child(5)').textContent();
    for (const f of ['phone', 'status', 'addresses']) expect(changed).toContain(f);
    await admin.getByRole('button', { name: 'Clear entity filter' }).click();
    await expect.poll(() => history.count()).toBeGreaterThan(1);

    // Move "Fleet South" under "Fleet North"; its own branch is never offered as a parent.
    await admin.goto(`/business-units/${b.fixture.businessUnitIds[1]}`);
    await admin.getByRole('heading', { name: 'Fleet South', level: 1 }).waitFor();
    await admin.getByRole('button', { name: 'Edit' }).click();
    const parent = admin.getByLabel('Parent');
    expect(await parent.locator('option').allTextContents()).not.toContain('Fleet South');
    await parent.selectOption({ label: 'Fleet North' });
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await admin.locator('.details').getByRole('link', { name: 'Fleet North' }).waitFor();
    await admin.getByRole('link', { name: 'Acme Logistics' }).first().click();
    const items = admin.getByRole('tree', { name: 'Business units' }).getByRole('treeitem');
    await expect.poll(async () => (await items.locator('a').allTextContents()).join('|')).toBe('Fleet North|Fleet North — Trucks|Fleet South');
    expect(await items.nth(2).getAttribute('aria-level')).toBe('2');
  });

  it('shows an onboarding request from the CRM as pending, then completed with a link to what it created', async () => {
    const res = await b.t.app.inject({
      method: 'POST', url: '/api/v1/onboarding/enterprises', headers: b.fixture.headers.tenantAdmin,
      payload: { customerId: 'CRM-77', name: 'Delta Sensors', billingProfiles: [{ billingAccountNumber: 'BA-77', billCycleDay: 1 }] },
    });
    expect(res.statusCode).toBe(202);
    const { requestId } = res.json() as { requestId: string };

    await admin.goto('/onboarding');
    await admin.getByRole('heading', { name: 'Onboarding requests', level: 1 }).waitFor();
    await expect.poll(() => tableRows(admin).first().textContent()).toContain('PENDING');
    await tableRows(admin).first().click();
    await admin.getByRole('heading', { name: /Onboarding request/, level: 1 }).waitFor();
    await admin.locator('.details').getByText('PENDING').waitFor();

    const { core } = b.t.platform;
    await deliverDueEvents(core.dbs, core.bus, { maxAttempts: 3 });
    await admin.getByRole('button', { name: 'Refresh' }).click();
    await admin.locator('.details').getByText('COMPLETED').waitFor();
    expect(admin.url()).toContain(requestId);
    await b.screenshot(admin, 'onboarding-request');
    await admin.getByRole('link', { name: 'enterprise', exact: true }).click();
    await admin.getByRole('heading', { name: 'Delta Sensors', level: 1 }).waitFor();
  });
});

describe('list paging and sorting', () => {
  it('pages the enterprise list by cursor, forward and back, and sorts by a column', async () => {
    // Enough enterprises for three pages of 25 (plain SQL: the list, not the create path, is under test).
    await b.t.platform.core.dbs.system((tx) => sql`insert into enterprises (tenant_id, customer_id, name)
      select ${b.fixture.tenantId}, 'PAGE-' || lpad(g::text, 2, '0'), 'Paged ' || lpad(g::text, 2, '0') from generate_series(1, 50) g`.execute(tx));
    const all = await b.t.app.inject({ url: '/api/v1/enterprises?limit=500', headers: b.fixture.headers.tenantAdmin });
    const total = (all.json() as { items: { name: string }[] }).items.map((e) => e.name);
    expect(total.length).toBeGreaterThan(50);

    await admin.goto('/enterprises');
    const names = () => tableRows(admin).locator('td:first-child').allTextContents();
    await expect.poll(names).toEqual(total.slice(0, 25));
    await admin.getByRole('button', { name: 'Next ›' }).click();
    await expect.poll(names).toEqual(total.slice(25, 50));
    await admin.getByRole('button', { name: 'Next ›' }).click();
    await expect.poll(names).toEqual(total.slice(50));
    expect(await admin.getByRole('button', { name: 'Next ›' }).isDisabled()).toBe(true);
    await admin.getByRole('button', { name: '‹ Previous' }).click();
    await expect.poll(names).toEqual(total.slice(25, 50));

    // Sorting goes back to page 1: customer id descending puts the highest PAGE- id first.
    await admin.getByRole('button', { name: /Customer id/ }).click(); // ascending
    await admin.getByRole('button', { name: /Customer id/ }).click(); // descending
    await expect.poll(() => tableRows(admin).first().locator('td:nth-child(2)').textContent()).toBe('PAGE-50');
    expect(await admin.locator('th[aria-sort="descending"]').textContent()).toContain('Customer id');
    expect(await admin.getByRole('button', { name: '‹ Previous' }).isDisabled()).toBe(true);
  });
});
