import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { sql } from 'kysely';
import { TOTP, Secret } from 'otpauth';
import { createPlatform, type Platform } from '../../src/app';
import { loadConfig } from '../../src/platform/config';
import { REDACT_PATHS } from '../../src/platform/logging/logger';
import { openTestDatabase } from '../support/db';
import { createTenantFixture, totpCode, type TenantFixture } from '../support/fixtures';

// Every secret the identity flows handle, followed through the logs (at trace level, with request logging on),
// the audit trail, the outbox and the idempotency store: none may appear in clear.
let platform: Platform;
let closeDb: () => Promise<void>;
let logs = '';
let f: TenantFixture;
beforeAll(async () => {
  const db = await openTestDatabase();
  closeDb = db.close;
  const sink = new Writable({ write(chunk, _enc, done) { logs += chunk.toString(); done(); } });
  const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  platform = await createPlatform({ config: loadConfig({ NODE_ENV: 'test', WORKERS: 'false' }), dbs: db.dbs, logger, workers: false });
  await platform.app.ready();
  f = await createTenantFixture(platform);
});
afterAll(async () => {
  await platform.close();
  await closeDb();
});

describe('secrets stay secret', () => {
  it('appear in no log line, audit record, event or stored idempotent response', async () => {
    const secrets: string[] = [];
    const post = (url: string, payload: object, headers: Record<string, string> = {}) => platform.app.inject({ method: 'POST', url, payload, headers });

    // A user created with a password, who enrols TOTP at first log-in.
    const password = 'tr0ub4dor & 3 horses';
    secrets.push(password);
    const created = await post('/api/v1/users', { email: `sec@${f.tenantCode}.test`, name: 'Sec', role: 'tenant_csr', password },
      { ...f.headers.tenantAdmin, 'idempotency-key': 'sec-user' });
    expect(created.statusCode).toBe(201);
    const login = (await post('/api/v1/auth/login', { email: `sec@${f.tenantCode}.test`, password }, { 'idempotency-key': 'sec-login' })).json();
    expect(login.status).toBe('mfa_enrollment_required');
    secrets.push(login.secret, login.challenge);
    const code = new TOTP({ secret: Secret.fromBase32(login.secret) }).generate({ timestamp: platform.core.now().getTime() });
    const session = (await post('/api/v1/auth/mfa', { challenge: login.challenge, code }, { 'idempotency-key': 'sec-mfa' })).json();
    secrets.push(session.token);
    expect((await platform.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${session.token}` } })).statusCode).toBe(200);

    // An API key, used once.
    const key = (await post('/api/v1/api-keys', { name: 'sec', role: 'tenant_csr' }, { ...f.headers.tenantAdmin, 'idempotency-key': 'sec-key' })).json();
    secrets.push(key.secret);
    expect((await platform.app.inject({ url: '/api/v1/users', headers: { 'x-api-key': key.secret } })).statusCode).toBe(200);

    // A password reset.
    const reset = (await platform.modules.identity.issuePasswordReset(`sec@${f.tenantCode}.test`))!;
    const newPassword = 'n3w & improved horses';
    secrets.push(reset.token, newPassword);
    expect((await post('/api/v1/auth/password-reset/confirm', { token: reset.token, newPassword })).statusCode).toBe(204);

    // Fixture users' TOTP secrets too.
    secrets.push(...Object.values(f.users).map((u) => u.totpSecret), totpCode(platform, f.users.tenantAdmin.totpSecret));

    const stores = await platform.core.dbs.system(async (tx) => ({
      audit: JSON.stringify((await sql`select * from audit_log`.execute(tx)).rows),
      events: JSON.stringify((await sql`select * from outbox_events`.execute(tx)).rows),
      idempotency: JSON.stringify((await sql`select * from idempotency_keys`.execute(tx)).rows),
      users: JSON.stringify((await sql`select * from users`.execute(tx)).rows),
    }));
    expect(logs.length).toBeGreaterThan(1000); // request logging was on
    expect(stores.audit).toContain('"action":"login"');
    for (const s of secrets) {
      expect(logs, `log contains ${s.slice(0, 8)}…`).not.toContain(s);
      for (const [name, text] of Object.entries(stores)) expect(text, `${name} contains ${s.slice(0, 8)}…`).not.toContain(s);
    }
  });
});
