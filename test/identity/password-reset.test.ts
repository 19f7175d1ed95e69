import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { FIXTURE_PASSWORD, createTenantFixture, loginHeaders, newTotpSecret, type TenantFixture } from '../support/fixtures';

// The e-mail goes through a real SMTP server: aiosmtpd (Debian python3-aiosmtpd) writing a Maildir.
let smtp: ChildProcess;
let dir: string;
let clock = new Date('2026-03-02T09:00:00Z');
const advance = (ms: number) => { clock = new Date(clock.getTime() + ms); };
let t: TestPlatform;
let f: TenantFixture;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}
async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const mails = () => {
  try {
    return readdirSync(join(dir, 'maildir', 'new')).map((n) => readFileSync(join(dir, 'maildir', 'new', n), 'utf8'));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cmp-smtp-'));
  const port = await freePort();
  smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'maildir')], { stdio: 'ignore' });
  await waitFor('the SMTP peer', () => new Promise<true | undefined>((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => { c.destroy(); resolve(true); }).on('error', () => resolve(undefined));
  }));
  t = await startTestPlatform({ SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_URL: 'https://cmp.example.test' }, { now: () => clock });
  f = await createTenantFixture(t.platform);
});
afterAll(async () => {
  await t?.close();
  smtp?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });
let n = 0;
async function newUser() {
  const email = `reset-${++n}@${f.tenantCode}.test`;
  const totpSecret = newTotpSecret();
  const { id } = await t.platform.modules.identity.ensureUser({ email, password: FIXTURE_PASSWORD, name: 'R', role: 'tenant_finance', tenantId: f.tenantId, enterpriseId: null, totpSecret });
  return { id, email, totpSecret };
}

describe('password reset', () => {
  it('answers 202 whether or not the address exists, and mails a link only to a real user', async () => {
    const u = await newUser();
    const before = mails().length;
    const unknown = await post('/api/v1/auth/password-reset/request', { email: `ghost@${f.tenantCode}.test` });
    const known = await post('/api/v1/auth/password-reset/request', { email: u.email.toUpperCase() });
    expect(unknown.statusCode).toBe(202);
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual(unknown.json());
    const mail = decodeQuotedPrintable(await waitFor('the reset e-mail', () => mails().find((m) => m.includes(`To: ${u.email}`))));
    expect(mails().length).toBe(before + 1);
    expect(mail).toMatch(/Subject: Reset your OpenCMP password/);
    const token = /token: (cmpr_[A-Za-z0-9_-]+)/.exec(mail)![1];
    expect(mail).toContain(`https://cmp.example.test/reset-password?token=${token}`);

    // The token from the e-mail sets a new password, once.
    nextStep();
    const old = await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret);
    const newPassword = 'a brand new passphrase';
    expect((await post('/api/v1/auth/password-reset/confirm', { token, newPassword })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: old })).statusCode).toBe(401); // sessions revoked
    expect((await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).statusCode).toBe(401);
    nextStep();
    expect((await loginHeaders(t.platform, u.email, newPassword, u.totpSecret)).authorization).toMatch(/^Bearer /);
    const again = await post('/api/v1/auth/password-reset/confirm', { token, newPassword: 'yet another passphrase' });
    expect(again.statusCode).toBe(422);
    expect(again.json().errors).toEqual([{ field: 'token', reason: 'is invalid, expired or already used' }]);
    // Stored as a hash only.
    const raw = await t.platform.core.dbs.system((tx) => sql<{ n: number }>`select count(*)::int as n from password_resets where token_hash = ${token}`.execute(tx));
    expect(raw.rows[0].n).toBe(0);
  });

  it('expires a token after 30 minutes and voids older tokens when a new one is issued', async () => {
    const u = await newUser();
    const first = (await t.platform.modules.identity.issuePasswordReset(u.email))!;
    const second = (await t.platform.modules.identity.issuePasswordReset(u.email))!;
    expect(await second.mailed).toBe(true);
    expect((await post('/api/v1/auth/password-reset/confirm', { token: first.token, newPassword: 'first token passphrase' })).statusCode).toBe(422);
    advance(30 * 60_000 + 1000);
    const late = await post('/api/v1/auth/password-reset/confirm', { token: second.token, newPassword: 'second token passphrase' });
    expect(late.statusCode).toBe(422);
    const fresh = (await t.platform.modules.identity.issuePasswordReset(u.email))!;
    expect(new Date(fresh.expiresAt).getTime()).toBe(clock.getTime() + 30 * 60_000);
  });

  it('holds to the password policy', async () => {
    const u = await newUser();
    const r = (await t.platform.modules.identity.issuePasswordReset(u.email))!;
    const weak = await post('/api/v1/auth/password-reset/confirm', { token: r.token, newPassword: 'short' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors).toEqual([{ field: 'newPassword', reason: 'must be at least 12 characters' }]);
    // A refused password does not use up the token.
    expect((await post('/api/v1/auth/password-reset/confirm', { token: r.token, newPassword: 'long enough passphrase' })).statusCode).toBe(204);
  });

  it('lifts a lockout', async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) await post('/api/v1/auth/login', { email: u.email, password: `wrong password ${i}` });
    expect((await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).statusCode).toBe(429);
    const r = (await t.platform.modules.identity.issuePasswordReset(u.email))!;
    expect((await post('/api/v1/auth/password-reset/confirm', { token: r.token, newPassword: 'unlocked passphrase' })).statusCode).toBe(204);
    nextStep();
    expect((await loginHeaders(t.platform, u.email, 'unlocked passphrase', u.totpSecret)).authorization).toMatch(/^Bearer /);
  });
});

/** nodemailer sends text bodies quoted-printable (soft line breaks, =XX escapes). */
function decodeQuotedPrintable(mail: string): string {
  return mail.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function nextStep() {
  advance(30_000);
}
