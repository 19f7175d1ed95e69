import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createPlatform, type Platform } from '../../src/app';
import { loadConfig } from '../../src/platform/config';
import type { DatabaseService } from '../../src/platform/db';
import { openTestDatabase } from '../support/db';
import { FIXTURE_PASSWORD, loginHeaders, newTotpSecret } from '../support/fixtures';

// Several platforms over one database, as after a restart with a new ENCRYPTION_KEYS.
let dbs: DatabaseService;
let closeDb: () => Promise<void>;
let clock = new Date('2026-05-01T08:00:00Z');
const platforms: Platform[] = [];
async function platformWith(env: Record<string, string>): Promise<Platform> {
  const p = await createPlatform({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WORKERS: 'false', ...env }), dbs, workers: false, now: () => clock });
  await p.app.ready();
  platforms.push(p);
  return p;
}
beforeAll(async () => ({ dbs, close: closeDb } = await openTestDatabase()));
afterAll(async () => {
  for (const p of platforms) await p.app.close();
  await closeDb();
});

const k1 = `1:${randomBytes(32).toString('base64')}`;
const k2 = `2:${randomBytes(32).toString('base64')}`;

describe('encryption key rotation for TOTP secrets', () => {
  it('keeps old secrets readable after a new key is put first, re-seals them, then works without the old key', async () => {
    const before = await platformWith({ ENCRYPTION_KEYS: k1 });
    const totpSecret = newTotpSecret();
    const { id } = await before.modules.identity.ensureUser({ email: 'rot@host.test', password: FIXTURE_PASSWORD, name: 'Rot', role: 'host_admin', tenantId: null, enterpriseId: null, totpSecret });
    const keyOf = async () => (await sql<{ totp_key_id: string }>`select totp_key_id from users where id = ${id}`.execute(dbs.db)).rows[0].totp_key_id;
    expect(await keyOf()).toBe('1');

    const rotated = await platformWith({ ENCRYPTION_KEYS: `${k2},${k1}` });
    clock = new Date(clock.getTime() + 30_000);
    await loginHeaders(rotated, 'rot@host.test', FIXTURE_PASSWORD, totpSecret); // old key still opens it
    expect(await rotated.modules.identity.resealTotpSecrets()).toEqual({ resealed: 1 });
    expect(await keyOf()).toBe('2');
    expect(await rotated.modules.identity.resealTotpSecrets()).toEqual({ resealed: 0 });

    const onlyNew = await platformWith({ ENCRYPTION_KEYS: k2 });
    clock = new Date(clock.getTime() + 30_000);
    const headers = await loginHeaders(onlyNew, 'rot@host.test', FIXTURE_PASSWORD, totpSecret);
    expect((await onlyNew.app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(200);
  });
});

describe('housekeeping', () => {
  it('deletes expired challenges and reset tokens after a day and ended sessions after 30 days', async () => {
    const p = await platformWith({});
    const totpSecret = newTotpSecret();
    await p.modules.identity.ensureUser({ email: 'gc@host.test', password: FIXTURE_PASSWORD, name: 'GC', role: 'host_admin', tenantId: null, enterpriseId: null, totpSecret });
    clock = new Date(clock.getTime() + 30_000);
    const headers = await loginHeaders(p, 'gc@host.test', FIXTURE_PASSWORD, totpSecret);
    await p.modules.identity.issuePasswordReset('gc@host.test');
    const count = async () => (await sql<{ c: number; r: number; s: number }>`select
      (select count(*)::int from login_challenges) as c, (select count(*)::int from password_resets) as r,
      (select count(*)::int from user_sessions) as s`.execute(dbs.db)).rows[0];
    const start = await count();
    expect(start.c).toBeGreaterThan(0);

    // Nothing is due an hour later.
    expect(await p.modules.identity.purgeExpired(new Date(clock.getTime() + 3600_000))).toEqual({ challenges: 0, resets: 0, sessions: 0 });
    const purgedDay = await p.modules.identity.purgeExpired(new Date(clock.getTime() + 25 * 3600_000));
    expect(purgedDay).toMatchObject({ challenges: start.c, resets: start.r, sessions: 0 });
    expect((await p.app.inject({ url: '/api/v1/auth/me', headers })).statusCode).toBe(200);
    const purgedMonth = await p.modules.identity.purgeExpired(new Date(clock.getTime() + 31 * 24 * 3600_000));
    expect(purgedMonth.sessions).toBe(start.s);
    expect(await count()).toEqual({ c: 0, r: 0, s: 0 });
  });

  it('is registered as a daily schedule', async () => {
    const p = platforms[0];
    expect(p.core.scheduler.list().map((s) => s.name)).toContain('identity.maintenance');
  });
});
