/**
 * Identity costs: npx tsx bench/identity-auth.bench.ts [pglite]
 *
 * On a fresh PostgreSQL database (TEST_PG_URL server; or in-memory PGlite with the argument `pglite`):
 * - argon2id password hashing (the cost of every log-in and password change),
 * - a full log-in (password + TOTP, session opened) end to end through the HTTP layer,
 * - authenticate(): a session token and an API key resolved to a principal (the cost added to every request),
 *   sequentially and 32 at a time,
 * - GET /api/v1/auth/me end to end through Fastify (inject) with a session and with an API key.
 * Prints operations per second and latency percentiles.
 */
import { sql } from 'kysely';
import { TOTP, Secret } from 'otpauth';
import { systemContext } from '../src/platform/auth';
import { hashPassword } from '../src/modules/identity/auth.service';
import { startBenchPlatform, measure } from './support';

const usePglite = process.argv[2] === 'pglite';

async function main() {
  let clock = Date.now();
  const { platform, dbs, close } = await startBenchPlatform(usePglite, { now: () => new Date(clock) });
  const { app } = platform;
  const identity = platform.modules.identity;
  try {
    await measure('argon2id hash (19 MiB, t=2)', 20, 1, () => hashPassword('correct horse battery staple'));

    const tenantId = (await sql<{ id: string }>`insert into tenants (code, name) values ('bench', 'Bench') returning id`.execute(dbs.db)).rows[0].id;
    const USERS = 200;
    const users: { email: string; secret: string }[] = [];
    for (let i = 0; i < USERS; i++) {
      const secret = new Secret({ size: 20 }).base32;
      const email = `u${i}@bench.test`;
      await identity.ensureUser({ email, password: 'correct horse battery staple', name: `U${i}`, role: 'tenant_csr', tenantId, enterpriseId: null, totpSecret: secret });
      users.push({ email, secret });
    }

    // Each log-in of a user needs a later TOTP step than its previous one: move the clock 30 s per round.
    const tokens: string[] = [];
    await measure('log-in end to end (password + TOTP, session)', USERS, 1, async (i) => {
      const u = users[i];
      const l = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: u.email, password: 'correct horse battery staple' } });
      const code = new TOTP({ secret: Secret.fromBase32(u.secret) }).generate({ timestamp: clock });
      const m = await app.inject({ method: 'POST', url: '/api/v1/auth/mfa', payload: { challenge: l.json().challenge, code } });
      if (m.statusCode !== 200) throw new Error(m.body);
      tokens.push(m.json().token);
    });
    clock += 30_000;

    const keys: string[] = [];
    for (let i = 0; i < 50; i++) keys.push((await identity.apiKeys.create(systemContext(tenantId), { name: `k${i}`, role: 'tenant_csr' })).secret);

    const N = 5000;
    await measure('authenticate(session token)', N, 1, (i) => identity.authenticate({ bearer: tokens[i % tokens.length] }, undefined as never));
    await measure('authenticate(session token)', N, 32, (i) => identity.authenticate({ bearer: tokens[i % tokens.length] }, undefined as never));
    await measure('authenticate(API key)', N, 1, (i) => identity.authenticate({ apiKey: keys[i % keys.length] }, undefined as never));
    await measure('authenticate(API key)', N, 32, (i) => identity.authenticate({ apiKey: keys[i % keys.length] }, undefined as never));
    await measure('GET /api/v1/auth/me, session (inject)', 2000, 16, (i) => app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } }));
    await measure('GET /api/v1/users?limit=20, API key (inject, RLS scope)', 2000, 16, (i) => app.inject({ url: '/api/v1/users?limit=20', headers: { 'x-api-key': keys[i % keys.length] } }));
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
