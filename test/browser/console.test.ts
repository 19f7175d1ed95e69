import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser';

let b: BrowserPlatform;
beforeAll(async () => { b = await startBrowserPlatform(); });
afterAll(async () => b?.close());

describe('console smoke', () => {
  it('logs in as tenant admin', async () => {
    const page = await b.loginAs('tenantAdmin');
    await b.screenshot(page, 'overview-tenant-admin');
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(nav).toContain('Enterprises');
  });
});
