import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectedNav, startBrowserPlatform, type BrowserPlatform } from '../support/browser';

let b: BrowserPlatform;
let admin: Page;
beforeAll(async () => {
  b = await startBrowserPlatform();
  admin = await b.loginAs('tenantAdmin');
});
afterAll(async () => b?.close());

const rows = (page: Page) => page.locator('.datatable tbody tr');

describe('administration screens', () => {
  it('lists the tenant\'s users and creates one, with inline validation', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    // The tenant's six fixture users; never the host admin (RLS).
    await expect.poll(() => rows(admin).count()).toBe(6);
    expect(await rows(admin).allTextContents()).not.toContainEqual(expect.stringContaining(b.fixture.users.hostAdmin.email));

    await admin.getByRole('button', { name: 'New user' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('Ada Field');
    await admin.getByLabel('E-mail').fill('not-an-address');
    await admin.getByLabel('Role', { exact: true }).selectOption({ label: 'Enterprise admin' });
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin.locator('.field-error').filter({ hasText: 'must be an e-mail address' }).waitFor();
    await admin.locator('.field-error').filter({ hasText: 'is required' }).waitFor(); // the enterprise

    await admin.getByLabel('E-mail').fill(`ada@${b.fixture.tenantCode}.test`);
    await admin.getByLabel('Enterprise').selectOption({ label: 'Acme Logistics (CUST-1)' });
    await admin.getByLabel('Initial password').fill('a long enough password 42');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => rows(admin).count()).toBe(7);
    const created = rows(admin).filter({ hasText: `ada@${b.fixture.tenantCode}.test` });
    expect(await created.textContent()).toContain('Enterprise admin');
    expect(await created.textContent()).toContain('at next sign-in');
    expect(await created.textContent()).toContain('Acme Logistics');
    await b.screenshot(admin, 'users');

    // Disable the user again: the status follows, and the server agrees.
    await created.getByRole('button', { name: 'Edit' }).click();
    await admin.getByLabel('Status').selectOption('DISABLED');
    await admin.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => created.textContent()).toContain('DISABLED');

    const user = await b.t.platform.core.dbs.system((tx) => tx.selectFrom('users').select(['role', 'tenant_id', 'enterprise_id', 'status'])
      .where('email', '=', `ada@${b.fixture.tenantCode}.test`).executeTakeFirstOrThrow());
    expect(user).toEqual({ role: 'enterprise_admin', tenant_id: b.fixture.tenantId, enterprise_id: b.fixture.enterpriseId, status: 'DISABLED' });
  });

  it('creates an API key whose secret is shown once and works, then revokes it', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await admin.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await admin.getByRole('button', { name: 'New API key' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('CRM integration');
    await admin.getByLabel('Role', { exact: true }).selectOption({ label: 'Customer service' });
    await admin.getByRole('button', { name: 'Create key' }).click();

    const box = admin.getByTestId('api-key-secret');
    await box.waitFor();
    const secret = (await box.locator('code').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await expect.poll(() => rows(admin).filter({ hasText: 'CRM integration' }).count()).toBe(1);
    await b.screenshot(admin, 'api-keys');

    // The secret is a working credential of the tenant, with the chosen role.
    const ok = await b.t.app.inject({ url: '/api/v1/enterprises', headers: { 'x-api-key': secret } });
    expect(ok.statusCode).toBe(200);
    expect((ok.json() as { items: unknown[] }).items).toHaveLength(2);
    const denied = await b.t.app.inject({ url: '/api/v1/api-keys', headers: { 'x-api-key': secret } });
    expect(denied.statusCode).toBe(403);

    // Shown once: after a reload the list has the key but no secret anywhere on the page.
    await admin.reload();
    await expect.poll(() => rows(admin).filter({ hasText: 'CRM integration' }).count()).toBe(1);
    expect(await admin.getByTestId('api-key-secret').count()).toBe(0);
    expect(await admin.content()).not.toContain(secret);

    admin.once('dialog', (d) => void d.accept());
    await rows(admin).filter({ hasText: 'CRM integration' }).getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => rows(admin).filter({ hasText: 'CRM integration' }).count()).toBe(0);
    const revoked = await b.t.app.inject({ url: '/api/v1/enterprises', headers: { 'x-api-key': secret } });
    expect(revoked.statusCode).toBe(401);
    await admin.getByLabel('Show revoked keys').check();
    await expect.poll(() => rows(admin).filter({ hasText: 'CRM integration' }).textContent()).toContain('REVOKED');
  });

  it('shows the audit trail of these changes and filters it', async () => {
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).click();
    await admin.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    await expect.poll(() => rows(admin).count()).toBeGreaterThan(3);
    await b.screenshot(admin, 'audit');

    await admin.getByLabel('Entity type').fill('api_key');
    await expect.poll(async () => {
      const entities = await rows(admin).locator('td:nth-child(4)').allTextContents();
      return entities.length > 0 && entities.every((e) => e.startsWith('api_key'));
    }).toBe(true);
    const actions = await rows(admin).locator('td:nth-child(3)').allTextContents();
    expect(actions.length).toBe(2); // created, then revoked: newest first
    expect(actions[1]).toBe('create');

    // Opening an entry shows who did it and what changed.
    await rows(admin).nth(1).click();
    await rows(admin).nth(1).locator('.diff').waitFor();
    expect(await rows(admin).nth(1).textContent()).toContain('CRM integration');
    expect(await rows(admin).nth(1).locator('td:nth-child(2)').textContent()).toContain(b.fixture.users.tenantAdmin.email.split('@')[0].slice(0, 6));

    // A time window that ends before the key existed hides both entries.
    await admin.getByLabel('To').fill('2020-01-01T00:00');
    await expect.poll(() => rows(admin).locator('td.empty-row').count()).toBe(1);
  });

  it('shows an enterprise admin only its own enterprise\'s users', async () => {
    const page = await b.loginAs('enterpriseAdmin');
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(nav).toEqual(expectedNav('enterprise_admin'));
    expect(nav).toEqual(expect.arrayContaining(['Enterprises', 'Users', 'API keys', 'Audit trail']));
    expect(nav).not.toContain('Onboarding requests');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await expect.poll(async () => (await rows(page).locator('td:nth-child(2)').allTextContents()).sort()).toEqual(
      [b.fixture.users.enterpriseAdmin.email, b.fixture.users.enterpriseUser.email, `ada@${b.fixture.tenantCode}.test`].sort());
  });
});
