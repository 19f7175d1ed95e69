import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { TOTP, Secret } from 'otpauth';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { FIXTURE_PASSWORD, createTenantFixture, loginHeaders, newTotpSecret, totpCode, type TenantFixture } from '../support/fixtures';

// The clock is injected: lockouts, challenge and session expiry and TOTP steps all follow it.
let clock = new Date('2026-03-02T09:00:00Z');
const advance = (ms: number) => { clock = new Date(clock.getTime() + ms); };
let t: TestPlatform;
let f: TenantFixture;
beforeAll(async () => {
  t = await startTestPlatform({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_MINUTES: '10' }, { now: () => clock });
  f = await createTenantFixture(t.platform);
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, payload: payload as object, headers });
let n = 0;
async function newUser(opts: { totp?: boolean } = {}) {
  const email = `login-${++n}@${f.tenantCode}.test`;
  const totpSecret = newTotpSecret();
  const { id } = await t.platform.modules.identity.ensureUser({
    email, password: FIXTURE_PASSWORD, name: `User ${n}`, role: 'tenant_csr', tenantId: f.tenantId, enterpriseId: null,
    ...(opts.totp === false ? {} : { totpSecret }),
  });
  return { id, email, totpSecret };
}
const nextStep = () => advance(30_000);

describe('log-in with password and TOTP', () => {
  it('enrols TOTP on first log-in, then asks for it, and opens a session with the role\'s permissions', async () => {
    const u = await newUser({ totp: false });
    const first = await post('/api/v1/auth/login', { email: u.email.toUpperCase(), password: FIXTURE_PASSWORD });
    expect(first.statusCode).toBe(200);
    const body = first.json();
    expect(body.status).toBe('mfa_enrollment_required');
    expect(body.otpauthUrl).toContain(`secret=${body.secret}`);
    // The pending secret is not the user's until a code confirms it.
    const before = await t.platform.core.dbs.system((tx) => sql<{ totp_secret: Buffer | null }>`select totp_secret from users where id = ${u.id}`.execute(tx));
    expect(before.rows[0].totp_secret).toBeNull();

    const code = new TOTP({ secret: Secret.fromBase32(body.secret) }).generate({ timestamp: clock.getTime() });
    const mfa = await post('/api/v1/auth/mfa', { challenge: body.challenge, code });
    expect(mfa.statusCode).toBe(200);
    const session = mfa.json();
    expect(session.user).toMatchObject({ id: u.id, email: u.email, role: 'tenant_csr', tenantId: f.tenantId, enterpriseId: null });
    expect(session.user.permissions).toContain('sims:manage');
    expect(session.user.permissions).not.toContain('users:manage');
    expect(new Date(session.expiresAt).getTime()).toBe(clock.getTime() + 12 * 3600_000);

    // The secret is stored sealed (AES-GCM), never as the base32 text.
    const stored = await t.platform.core.dbs.system((tx) => sql<{ totp_secret: Buffer; totp_key_id: string }>`select totp_secret, totp_key_id from users where id = ${u.id}`.execute(tx));
    expect(stored.rows[0].totp_key_id).toBe('1');
    expect(stored.rows[0].totp_secret.toString('latin1')).not.toContain(body.secret);

    // The next log-in asks for a code of the enrolled secret.
    nextStep();
    const again = await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD });
    expect(again.json()).toEqual({ status: 'mfa_required', challenge: expect.any(String) });
    const ok = await post('/api/v1/auth/mfa', { challenge: again.json().challenge, code: new TOTP({ secret: Secret.fromBase32(body.secret) }).generate({ timestamp: clock.getTime() }) });
    expect(ok.statusCode).toBe(200);
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${ok.json().token}` } });
    expect(me.json()).toMatchObject({ kind: 'user', user: { id: u.id, role: 'tenant_csr' } });
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const u = await newUser();
    const wrong = await post('/api/v1/auth/login', { email: u.email, password: 'not the password at all' });
    const unknown = await post('/api/v1/auth/login', { email: `nobody@${f.tenantCode}.test`, password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json()).toMatchObject({ type: 'https://opencmp.dev/problems/invalid-credentials', detail: 'the e-mail address or password is wrong' });
  });

  it('refuses a wrong code, keeps the challenge for a retry, and uses it up on success', async () => {
    const u = await newUser();
    const { challenge } = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json();
    const good = totpCode(t.platform, u.totpSecret);
    const bad = good === '000000' ? '111111' : '000000';
    const wrong = await post('/api/v1/auth/mfa', { challenge, code: bad });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().type).toContain('invalid-code');
    expect((await post('/api/v1/auth/mfa', { challenge, code: good })).statusCode).toBe(200);
    nextStep();
    const reused = await post('/api/v1/auth/mfa', { challenge, code: totpCode(t.platform, u.totpSecret) });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().type).toContain('invalid-challenge');
  });

  it('never accepts the same code twice, even with a fresh challenge', async () => {
    const u = await newUser();
    const code = totpCode(t.platform, u.totpSecret);
    const c1 = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json().challenge;
    expect((await post('/api/v1/auth/mfa', { challenge: c1, code })).statusCode).toBe(200);
    const c2 = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json().challenge;
    const replay = await post('/api/v1/auth/mfa', { challenge: c2, code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().detail).toMatch(/already used/);
    // An older code (previous step, still inside the drift window) is refused as well.
    expect((await post('/api/v1/auth/mfa', { challenge: c2, code: totpCode(t.platform, u.totpSecret, -1) })).statusCode).toBe(401);
    nextStep();
    expect((await post('/api/v1/auth/mfa', { challenge: c2, code: totpCode(t.platform, u.totpSecret) })).statusCode).toBe(200);
  });

  it('lets a challenge expire after 5 minutes', async () => {
    const u = await newUser();
    const { challenge } = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json();
    advance(5 * 60_000 + 1000);
    const late = await post('/api/v1/auth/mfa', { challenge, code: totpCode(t.platform, u.totpSecret) });
    expect(late.statusCode).toBe(401);
    expect(late.json().type).toContain('invalid-challenge');
  });

  it('locks the account after LOGIN_MAX_FAILURES failures of either step, then unlocks after the lockout', async () => {
    const u = await newUser();
    expect((await post('/api/v1/auth/login', { email: u.email, password: 'wrong password one' })).statusCode).toBe(401);
    const { challenge } = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json();
    expect((await post('/api/v1/auth/mfa', { challenge, code: '000000' === totpCode(t.platform, u.totpSecret) ? '111111' : '000000' })).statusCode).toBe(401);
    const third = await post('/api/v1/auth/login', { email: u.email, password: 'wrong password two' });
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBe('600');
    expect(third.json()).toMatchObject({ type: 'https://opencmp.dev/problems/account-locked', retryAfter: 600 });

    // Locked: even the right password and a pending challenge with a good code get nowhere.
    expect((await post('/api/v1/auth/mfa', { challenge, code: totpCode(t.platform, u.totpSecret) })).statusCode).toBe(429);
    advance(9 * 60_000);
    const stillLocked = await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD });
    expect(stillLocked.statusCode).toBe(429);
    expect(stillLocked.json().retryAfter).toBe(60);

    advance(60_000);
    const headers = await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(200);
    const row = await t.platform.core.dbs.system((tx) => sql<{ failed_logins: number; locked_until: Date | null }>`select failed_logins, locked_until from users where id = ${u.id}`.execute(tx));
    expect(row.rows[0]).toEqual({ failed_logins: 0, locked_until: null });
    const audit = await t.platform.core.dbs.system((tx) => sql<{ action: string }>`select action from audit_log where entity_id = ${u.id} order by id`.execute(tx));
    expect(audit.rows.map((r) => r.action)).toEqual(['create', 'login_failed', 'login_failed', 'login_locked', 'login']);
  });

  it('lets an administrator lift a lockout, and editing other fields leaves it in place', async () => {
    const u = await newUser();
    for (let i = 0; i < 3; i++) await post('/api/v1/auth/login', { email: u.email, password: `wrong password ${i}` });
    expect((await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).statusCode).toBe(429);
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: `/api/v1/users/${u.id}`, headers: f.headers.tenantAdmin, payload });
    // The console sends status with every save: an ACTIVE user stays locked.
    expect((await patch({ name: 'Renamed', status: 'ACTIVE' })).json().lockedUntil).not.toBeNull();
    expect((await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).statusCode).toBe(429);
    const unlocked = await patch({ unlock: true });
    expect(unlocked.json().lockedUntil).toBeNull();
    nextStep();
    expect((await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret)).authorization).toMatch(/^Bearer /);
  });

  it('refuses disabled users at log-in and ends their sessions', async () => {
    const u = await newUser();
    nextStep();
    const headers = await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret);
    const off = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${u.id}`, headers: f.headers.tenantAdmin, payload: { status: 'DISABLED' } });
    expect(off.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).statusCode).toBe(401);
  });

  it('voids a pending challenge when the TOTP secret changes under it', async () => {
    // Two enrolment challenges: once one enrols, the other (with another secret) cannot replace it.
    const u = await newUser({ totp: false });
    const e1 = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json();
    const e2 = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json();
    const codeOf = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: clock.getTime() });
    expect((await post('/api/v1/auth/mfa', { challenge: e1.challenge, code: codeOf(e1.secret) })).statusCode).toBe(200);
    nextStep();
    const second = await post('/api/v1/auth/mfa', { challenge: e2.challenge, code: codeOf(e2.secret) });
    expect(second.statusCode).toBe(401);
    expect(second.json().type).toContain('invalid-challenge');

    // A code challenge issued before an administrator reset the TOTP secret is void too.
    nextStep();
    const pending = (await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).json();
    expect(pending.status).toBe('mfa_required');
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${u.id}`, headers: f.headers.tenantAdmin, payload: { resetTotp: true } })).statusCode).toBe(200);
    const stale = await post('/api/v1/auth/mfa', { challenge: pending.challenge, code: codeOf(e1.secret) });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().type).toContain('invalid-challenge');
  });

  it('lets a user change its own password, ending its other sessions', async () => {
    const u = await newUser();
    nextStep();
    const here = await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret);
    nextStep();
    const elsewhere = await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret);
    const wrong = await post('/api/v1/auth/password', { currentPassword: 'not my password', newPassword: 'my new passphrase' }, here);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors).toEqual([{ field: 'currentPassword', reason: 'is wrong' }]);
    const weak = await post('/api/v1/auth/password', { currentPassword: FIXTURE_PASSWORD, newPassword: 'short' }, here);
    expect(weak.json().errors).toEqual([{ field: 'newPassword', reason: 'must be at least 12 characters' }]);
    expect((await post('/api/v1/auth/password', { currentPassword: FIXTURE_PASSWORD, newPassword: 'my new passphrase' }, here)).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: here })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: elsewhere })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: u.email, password: FIXTURE_PASSWORD })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/login', { email: u.email, password: 'my new passphrase' })).statusCode).toBe(200);
    expect((await post('/api/v1/auth/password', { currentPassword: 'x', newPassword: 'y' })).statusCode).toBe(401);
  });

  it('ends a session at logout and at expiry', async () => {
    const u = await newUser();
    nextStep();
    const h1 = await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret);
    nextStep();
    const h2 = await loginHeaders(t.platform, u.email, FIXTURE_PASSWORD, u.totpSecret);
    expect((await post('/api/v1/auth/logout', {}, h1)).statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/v1/auth/me', headers: h1 });
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toMatch(/invalid, expired or revoked/);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: h2 })).statusCode).toBe(200);
    advance(12 * 3600_000);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: h2 })).statusCode).toBe(401);
    // Sessions are stored as hashes only.
    const token = h2.authorization.slice(7);
    const rows = await t.platform.core.dbs.system((tx) => sql<{ n: number }>`select count(*)::int as n from user_sessions where token_hash = ${token}`.execute(tx));
    expect(rows.rows[0].n).toBe(0);
  });

  it('answers /auth/me without credentials with 401', async () => {
    expect((await t.app.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: 'Bearer cmps_nope' } })).statusCode).toBe(401);
  });
});

describe('identity in OpenAPI', () => {
  it('describes every identity route, the public log-in steps without a security requirement', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/mfa', '/api/v1/auth/me', '/api/v1/auth/logout', '/api/v1/auth/password-reset/request',
      '/api/v1/auth/password-reset/confirm', '/api/v1/auth/password', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/api-keys', '/api/v1/api-keys/{id}']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(Object.keys(doc.paths['/api/v1/auth/mfa'].post.responses['200'].content['application/json'].schema.properties)).toEqual(['token', 'expiresAt', 'user']);
  });
});
