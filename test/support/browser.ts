import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { TOTP } from 'otpauth';
import { startTestPlatform, type TestPlatform } from './platform';
import { createTenantFixture, type FixtureUser, type TenantFixture } from './fixtures';
import { ensureWebBuilt } from './web-build';
import { ROLE_PERMISSIONS, type Role } from '../../src/platform/auth/roles';
import { navSections } from '../../web/src/pages/registry';

/** The system's Chromium (Debian package `chromium`, listed in .ci/apt-packages). Never a downloaded one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const SCREENSHOTS = resolve(import.meta.dirname, '../../reports/screenshots');

export type FixtureUserKey = keyof TenantFixture['users'];

/**
 * The navigation labels a role should see, in order, from the console's own page registry and the role table:
 * every module's registered pages count, so tests stay right as modules add screens.
 */
export function expectedNav(role: Role): string[] {
  return navSections((p) => p === undefined || ROLE_PERMISSIONS[role].has(p)).flatMap((s) => s.entries.map((e) => e.label));
}

export interface BrowserPlatform {
  /** The real platform on a fresh database, listening on 127.0.0.1. */
  t: TestPlatform;
  baseUrl: string;
  /** A tenant with two enterprises, three business units and one user per role (test/support/fixtures.ts). */
  fixture: TenantFixture;
  browser: Browser;
  /** A new browser context (own cookies and session storage) with one page, not logged in. */
  newPage(): Promise<Page>;
  /** A new context, logged in through the UI as a fixture user (or any user with a known TOTP secret). */
  loginAs(who: FixtureUserKey | FixtureUser): Promise<Page>;
  /** Signs in through the login form of `page`: password, then the TOTP code. */
  login(page: Page, user: { email: string; password: string; totpSecret: string }): Promise<void>;
  /** The next TOTP code for a secret that the server has not seen yet (waits for the next period if needed). */
  totpCode(secret: string): Promise<string>;
  /** Saves reports/screenshots/<name>.png (full page) and returns its path; fails without a visible h1 or on a near-empty image. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The end-to-end harness: builds the console if needed, starts the platform on a fresh database and listens on
 * a random port, seeds a tenant fixture, and launches headless Chromium. Each `loginAs` gets its own context,
 * so several users can be signed in at once.
 */
export async function startBrowserPlatform(): Promise<BrowserPlatform> {
  await ensureWebBuilt();
  const t = await startTestPlatform();
  const contexts: BrowserContext[] = [];
  let browser: Browser | undefined;
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    const fixture = await createTenantFixture(t.platform);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });

    // The server accepts a TOTP step once and only within one period of now; the fixture has just used the
    // current step of every fixture user (API log-in), so UI log-ins start after it.
    const lastStep = new Map<string, number>();
    const stepNow = () => Math.floor(t.platform.core.now().getTime() / 30_000);
    for (const u of Object.values(fixture.users)) lastStep.set(u.totpSecret, stepNow());

    const totpCode = async (secret: string): Promise<string> => {
      for (;;) {
        const now = stepNow();
        const step = Math.max(now, (lastStep.get(secret) ?? now - 1) + 1);
        if (step <= now + 1) {
          lastStep.set(secret, step);
          return new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: step * 30_000 });
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    };

    const newPage = async () => {
      const ctx = await browser!.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
      contexts.push(ctx);
      ctx.setDefaultTimeout(15_000);
      return ctx.newPage();
    };

    const login = async (page: Page, user: { email: string; password: string; totpSecret: string }) => {
      await page.goto('/login');
      await page.getByLabel('E-mail').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Continue' }).click();
      const code = page.getByLabel('Authentication code');
      await code.waitFor();
      await code.fill(await totpCode(user.totpSecret));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByTestId('user-name').waitFor();
    };

    const loginAs = async (who: FixtureUserKey | FixtureUser) => {
      const user = typeof who === 'string' ? fixture.users[who] : who;
      const page = await newPage();
      await login(page, user);
      return page;
    };

    const screenshot = async (page: Page, name: string) => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      // Every screen (sign-in included) has a visible h1; without one the page did not render.
      await page.locator('h1').first().waitFor({ state: 'visible' });
      await page.evaluate(() => document.fonts?.ready);
      await page.screenshot({ path, fullPage: true });
      const size = statSync(path).size;
      // A blank 1366x860 page compresses to a few kB; any real screen is far bigger.
      if (size < 15_000) throw new Error(`screenshot ${name} is only ${size} bytes: the page looks blank`);
      return path;
    };

    const b = browser;
    return {
      t, baseUrl, fixture, browser: b, newPage, login, loginAs, totpCode, screenshot,
      async close() {
        for (const c of contexts) await c.close().catch(() => {});
        await b.close().catch(() => {});
        await t.close();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => {});
    await t.close();
    throw err;
  }
}
