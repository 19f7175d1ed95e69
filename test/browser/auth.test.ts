import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOTP } from 'otpauth';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser';
import { FIXTURE_PASSWORD } from '../support/fixtures';

let b: BrowserPlatform;
beforeAll(async () => { b = await startBrowserPlatform(); });
afterAll(async () => b?.close());

describe('sign-in', () => {
  it('sends a visitor to the sign-in page and back to the page asked for after password and code', async () => {
    const page = await b.newPage();
    await page.goto('/enterprises');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await b.screenshot(page, 'login');

    // A wrong password: the server's detail, and still on the first step.
    const u = b.fixture.users.tenantCsr;
    await page.getByLabel('E-mail').fill(u.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Continue' }).click();
    const alert = page.locator('.form-error');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('the e-mail address or password is wrong');

    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authentication code').fill('12345');
    await page.getByRole('button', { name: 'Verify' }).click();
    // Client-side check first: six digits.
    await page.locator('.field-error').filter({ hasText: '6 digits' }).waitFor();
    await page.getByLabel('Authentication code').fill(await b.totpCode(u.totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Enterprises', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/enterprises');
    expect(await page.getByTestId('user-role').textContent()).toBe('Customer service');
  });

  it('enrols an authenticator at first sign-in with a QR code, the secret and the setup link', async () => {
    const email = `new.user@${b.fixture.tenantCode}.test`;
    await b.t.platform.modules.identity.ensureUser({
      email, password: FIXTURE_PASSWORD, name: 'New Operator', role: 'tenant_admin', tenantId: b.fixture.tenantId, enterpriseId: null,
    });
    const page = await b.newPage();
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(FIXTURE_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();

    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThanOrEqual(100);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const url = await page.getByTestId('otpauth-url').textContent();
    expect(new URL(url!).searchParams.get('secret')).toBe(secret);
    await b.screenshot(page, 'login-enrolment');

    // A wrong code is refused; the code of the shown secret enrols and signs in.
    const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
    const valid = [-1, 0, 1].map((d) => totp.generate({ timestamp: b.t.platform.core.now().getTime() + d * 30_000 }));
    await page.getByLabel('Authentication code').fill(['000000', '111111', '222222', '333333'].find((c) => !valid.includes(c))!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.form-error').filter({ hasText: 'the code is wrong' }).waitFor();
    await page.getByLabel('Authentication code').fill(await b.totpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe('New Operator');

    // The secret is now sealed on the user: the next sign-in asks for a code, not an enrolment.
    const login = await b.t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: FIXTURE_PASSWORD } });
    expect(login.json()).toMatchObject({ status: 'mfa_required' });
  });

  it('starts again at the password when the sign-in challenge expired', async () => {
    const u = b.fixture.users.enterpriseAdmin;
    const page = await b.newPage();
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(u.email);
    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authentication code').waitFor();
    // The challenge lives for minutes; age it instead of waiting.
    await b.t.platform.core.dbs.system((tx) => tx.updateTable('login_challenges').set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', u.id).where('used_at', 'is', null).execute());
    await page.getByLabel('Authentication code').fill(await b.totpCode(u.totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('status').textContent()).toMatch(/challenge is invalid, expired or already used/);
    expect(await page.getByLabel('E-mail').inputValue()).toBe('');
  });

  it('signs out: the session ends on the server and the console goes back to sign-in', async () => {
    const page = await b.loginAs('tenantFinance');
    const token = await page.evaluate(() => sessionStorage.getItem('cmp.token'));
    expect(token).toBeTruthy();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cmp.token'))).toBeNull();
    const me = await b.t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(401);
    await page.goto('/audit');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('lets a host admin pick the tenant to work in', async () => {
    const page = await b.loginAs('hostAdmin');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    const row = page.locator('.datatable tbody tr').filter({ hasText: b.fixture.tenantCode });
    await row.waitFor();

    // Without a tenant, tenant pages ask for one.
    await nav.getByRole('link', { name: 'Enterprises' }).click();
    await page.getByText('Choose the tenant to work in').waitFor();

    await page.getByRole('combobox', { name: 'Working tenant' }).selectOption(b.fixture.tenantId);
    await nav.getByRole('link', { name: 'Enterprises' }).click();
    await expect.poll(() => page.locator('.datatable tbody tr td:first-child').allTextContents()).toEqual(['Acme Logistics', 'Beta Meters']);
    await nav.getByRole('link', { name: 'Tenants' }).click();
    await row.waitFor();

    // A new tenant: the code's format is checked inline, then it is created and can be worked in.
    await page.getByRole('button', { name: 'New tenant' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Nordic IoT');
    await page.getByLabel('Code').fill('Nordic IoT');
    await page.getByLabel('Home networks').fill('24201, 2420');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.locator('.field-error').filter({ hasText: 'lower-case letters' }).waitFor();
    await page.locator('.field-error').filter({ hasText: 'MCC-MNC' }).waitFor();
    await page.getByLabel('Code').fill(`nordic-${b.fixture.tenantCode}`.slice(0, 40));
    await page.getByLabel('Home networks').fill('24201, 24202');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const created = page.locator('.datatable tbody tr').filter({ hasText: 'Nordic IoT' });
    await created.waitFor();
    expect(await created.textContent()).toContain('24201, 24202');
    await expect.poll(() => page.getByRole('combobox', { name: 'Working tenant' }).locator('option').allTextContents())
      .toContainEqual(expect.stringContaining('Nordic IoT'));
    await b.screenshot(page, 'tenants-host-admin');
  });
});
