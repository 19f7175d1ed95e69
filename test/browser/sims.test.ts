import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser';
import { startNetworkSimulator, type NetworkSimulator } from '../../src/modules/provisioning';
import { addHlrTarget, drain, seedSims } from '../lifecycle/helpers';

// SIM screens: the list with search, filters and a bulk action; a SIM's page with its state, history and
// deliveries; the provisioning dead-letter view — as a tenant admin and as an enterprise user.
let b: BrowserPlatform;
let net: NetworkSimulator;
let ready: { id: string; iccid: string; imsi: string }[];
let active: { id: string; iccid: string; imsi: string }[];
let other: { id: string; iccid: string }[];
let admin: Awaited<ReturnType<BrowserPlatform['loginAs']>>;

beforeAll(async () => {
  b = await startBrowserPlatform();
  net = await startNetworkSimulator({ token: 'sim-token' });
  const f = b.fixture;
  await addHlrTarget(b.t.platform, f.headers.tenantAdmin, net.url);
  ready = await seedSims(b.t.platform, f.tenantId, f.enterpriseId, 4);
  active = await seedSims(b.t.platform, f.tenantId, f.enterpriseId, 2, { state: 'ACTIVE' });
  other = await seedSims(b.t.platform, f.tenantId, f.otherEnterpriseId, 1, { state: 'ACTIVE' });
}, 180_000);
afterAll(async () => {
  await net?.close();
  await b?.close();
});

describe('SIM screens as a tenant admin', () => {
  it('finds a SIM, activates it, and shows the pending change, then the settled state, history and deliveries', async () => {
    // One sign-in for the tenant admin's tests (a second one waits for the next TOTP period).
    const page = admin = await b.loginAs('tenantAdmin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SIMs' }).click();
    await page.getByRole('heading', { name: 'SIMs', level: 1 }).waitFor();
    await page.getByPlaceholder('ICCID, IMSI, MSISDN or IMEI (prefix)…').fill(ready[0].iccid);
    const rows = page.locator('.datatable tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await b.screenshot(page, 'sims-list-search');
    await rows.first().getByRole('link', { name: ready[0].iccid }).click();
    await page.getByRole('heading', { name: `SIM ${ready[0].iccid}` }).waitFor();
    await page.getByLabel('Reason for the change').fill('customer go-live');
    await page.getByRole('button', { name: 'Activate', exact: true }).click();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toContain('ACTIVE (pending)');

    await drain(b.t.platform);
    await page.reload();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toBe('ACTIVE');
    await expect.poll(() => page.getByTestId('history').locator('tbody tr').first().textContent()).toMatch(/activate \(TENANT\)READYACTIVE.*customer go-liveCOMPLETED/);
    await expect.poll(() => page.getByTestId('sim-deliveries').locator('tbody tr').first().textContent()).toMatch(/activated.*SUCCEEDED1\/10/);
    await b.screenshot(page, 'sim-page');
    expect(net.subscribers.get(ready[0].imsi)?.status).toBe('ACTIVE');

    // Lock the SIM to a device: pending, then settled and pushed to the network.
    await page.getByLabel('Device IMEI').fill('35693803564380');
    await page.getByRole('button', { name: 'Lock to device' }).click();
    await expect.poll(() => page.locator('.alert').first().textContent()).toContain('Device lock requested.');
    await drain(b.t.platform);
    await page.reload();
    await page.getByRole('button', { name: 'Unlock device' }).waitFor();
    expect(net.subscribers.get(ready[0].imsi)).toMatchObject({ imei: '35693803564380', imeiLock: true });
  });

  it('runs a bulk action on the filtered SIMs with progress and a downloadable result', async () => {
    const page = admin;
    await page.goto(`${b.baseUrl}/sims`);
    await page.getByLabel('Filter by enterprise').selectOption({ label: 'Beta Meters' });
    await expect.poll(() => page.locator('.datatable tbody tr').count()).toBe(1); // the other enterprise's SIM
    await page.getByLabel('Filter by enterprise').selectOption({ label: 'Acme Logistics' });
    await page.getByLabel('Filter by business unit').waitFor();
    await page.getByLabel('Filter by state').selectOption('READY');
    await expect.poll(() => page.locator('.datatable tbody tr').count()).toBe(3);
    await page.getByLabel('Bulk action').selectOption('test-activate');
    await page.getByRole('button', { name: 'Start bulk action' }).click();
    await page.getByTestId('bulk-job').waitFor();
    await drain(b.t.platform);
    await expect.poll(() => page.getByTestId('bulk-outcome').textContent(), { timeout: 15_000 }).toBe('3 accepted, 0 refused');
    await expect.poll(() => page.getByTestId('bulk-progress').textContent()).toBe('3 / 3 (100%)');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download result' }).click()]);
    expect(file.suggestedFilename()).toMatch(/^bulk-.*\.csv$/);
    await b.screenshot(page, 'sims-bulk');
    for (const s of ready.slice(1)) expect(net.subscribers.get(s.imsi)?.status).toBe('TEST');
  });

  it('lists dead deliveries and re-drives one', async () => {
    net.set({ failNext: 1, failStatus: 400 });
    await b.t.platform.modules.lifecycle.asSystem(b.fixture.tenantId, [{ simId: active[0].id, action: 'suspend', party: 'TENANT', reason: 'test' }], 'test');
    await drain(b.t.platform);
    const page = admin;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('heading', { name: 'Dead letters', level: 1 }).waitFor();
    const rows = page.locator('.datatable tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('HTTP 400: simulated network failure');
    await b.screenshot(page, 'provisioning-dead-letters');
    await rows.first().getByRole('button', { name: 'Re-drive' }).click();
    await expect.poll(() => page.locator('.alert').first().textContent()).toContain('re-driven');
    await drain(b.t.platform);
    await page.reload();
    await expect.poll(() => page.getByText('No dead deliveries.').count()).toBe(1);
  });
});

describe('SIM screens as an enterprise user', () => {
  it('sees only the own enterprise\'s SIMs, read only', async () => {
    const page = await b.loginAs('enterpriseUser');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SIMs' }).click();
    await page.getByRole('heading', { name: 'SIMs', level: 1 }).waitFor();
    const rows = page.locator('.datatable tbody tr');
    await expect.poll(() => rows.count()).toBe(ready.length + active.length);
    expect(await page.getByText(other[0].iccid).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start bulk action' }).count()).toBe(0);
    await rows.filter({ hasText: active[1].iccid }).getByRole('link').click();
    await page.getByRole('heading', { name: `SIM ${active[1].iccid}` }).waitFor();
    await expect.poll(() => page.getByTestId('sim-state').textContent()).toBe('ACTIVE');
    expect(await page.getByRole('button', { name: 'Suspend' }).count()).toBe(0);
    expect(await page.getByTestId('sim-deliveries').count()).toBe(0);
    await b.screenshot(page, 'sim-page-enterprise-user');
  });
});
