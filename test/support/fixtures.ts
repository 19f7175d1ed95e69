import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { TOTP } from 'otpauth';
import type { Platform } from '../../src/app';
import type { Role } from '../../src/platform/auth';

/** An `authorization` header for one logged-in user (or `x-api-key` for an API key). */
export type Headers = Record<string, string>;

export interface TenantFixture {
  tenantId: string;
  tenantCode: string;
  enterpriseId: string;
  otherEnterpriseId: string;
  /** Two business units of `enterpriseId`, then one of `otherEnterpriseId`. */
  businessUnitIds: string[];
  /** Per role, the headers of a real user of that role, logged in through POST /api/v1/auth/login + /mfa. */
  headers: {
    /** Works for any tenant: it carries `x-tenant-id` of this fixture's tenant. */
    hostAdmin: Headers;
    tenantAdmin: Headers;
    tenantCsr: Headers;
    tenantFinance: Headers;
    enterpriseAdmin: Headers;
    enterpriseUser: Headers;
    otherEnterpriseUser: Headers;
  };
  /** The users behind the headers: id, e-mail, password and TOTP secret (base32), for tests that log in again. */
  users: Record<keyof TenantFixture['headers'], FixtureUser>;
}

export interface FixtureUser {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  role: Role;
}

export const FIXTURE_PASSWORD = 'correct horse battery staple';

/** A fresh base32 TOTP secret (160 bits). */
export function newTotpSecret(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(32)].map((b) => alphabet[b % 32]).join('');
}

/** The TOTP code of `secret` at the platform's clock (so tests with an injected clock get valid codes). */
export function totpCode(platform: Platform, secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp: platform.core.now().getTime() + offsetSteps * 30_000 });
}

/** Logs a user in through the real API (password, then TOTP) and returns its bearer headers. */
export async function loginHeaders(platform: Platform, email: string, password: string, totpSecret: string): Promise<Headers> {
  const login = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login of ${email} failed: ${login.statusCode} ${login.body}`);
  const { challenge } = login.json() as { challenge: string };
  const mfa = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/mfa', payload: { challenge, code: totpCode(platform, totpSecret) } });
  if (mfa.statusCode !== 200) throw new Error(`TOTP step of ${email} failed: ${mfa.statusCode} ${mfa.body}`);
  return { authorization: `Bearer ${(mfa.json() as { token: string }).token}` };
}

let counter = 0;

/**
 * A new, distinct tenant with two enterprises (three business units) and one logged-in user per role. The
 * tenant, enterprises and units are inserted with plain SQL (no dependency on the accounts module); the users
 * are created with identity's `ensureUser` and log in through the real HTTP API. Call it twice in one file for
 * cross-tenant tests.
 */
export async function createTenantFixture(platform: Platform, opts: { code?: string } = {}): Promise<TenantFixture> {
  const code = opts.code ?? `t-${process.pid.toString(36)}-${(++counter).toString(36)}-${randomBytes(3).toString('hex')}`;
  const { tenantId, enterpriseId, otherEnterpriseId, businessUnitIds } = await platform.core.dbs.system(async (tx) => {
    const t = await sql<{ id: string }>`insert into tenants (code, name) values (${code}, ${`Tenant ${code}`}) returning id`.execute(tx);
    const tenantId = t.rows[0].id;
    const e = await sql<{ id: string }>`insert into enterprises (tenant_id, customer_id, name)
      values (${tenantId}, 'CUST-1', 'Acme Logistics'), (${tenantId}, 'CUST-2', 'Beta Meters') returning id`.execute(tx);
    const [enterpriseId, otherEnterpriseId] = e.rows.map((r) => r.id);
    const bu = await sql<{ id: string }>`insert into business_units (tenant_id, enterprise_id, unit_id, name)
      values (${tenantId}, ${enterpriseId}, 'BU-1', 'Fleet North'), (${tenantId}, ${enterpriseId}, 'BU-2', 'Fleet South'),
             (${tenantId}, ${otherEnterpriseId}, 'BU-3', 'Meters') returning id`.execute(tx);
    return { tenantId, enterpriseId, otherEnterpriseId, businessUnitIds: bu.rows.map((r) => r.id) };
  });

  const specs: [keyof TenantFixture['headers'], Role, string | null, string | null][] = [
    ['hostAdmin', 'host_admin', null, null],
    ['tenantAdmin', 'tenant_admin', tenantId, null],
    ['tenantCsr', 'tenant_csr', tenantId, null],
    ['tenantFinance', 'tenant_finance', tenantId, null],
    ['enterpriseAdmin', 'enterprise_admin', tenantId, enterpriseId],
    ['enterpriseUser', 'enterprise_user', tenantId, enterpriseId],
    ['otherEnterpriseUser', 'enterprise_user', tenantId, otherEnterpriseId],
  ];
  const users = {} as TenantFixture['users'];
  const headers = {} as TenantFixture['headers'];
  for (const [key, role, tId, eId] of specs) {
    const email = `${key.toLowerCase()}@${code}.test`;
    const totpSecret = newTotpSecret();
    const { id } = await platform.modules.identity.ensureUser({
      email, password: FIXTURE_PASSWORD, name: `${key} of ${code}`, role, tenantId: tId, enterpriseId: eId, totpSecret,
    });
    users[key] = { id, email, password: FIXTURE_PASSWORD, totpSecret, role };
    headers[key] = await loginHeaders(platform, email, FIXTURE_PASSWORD, totpSecret);
  }
  headers.hostAdmin = { ...headers.hostAdmin, 'x-tenant-id': tenantId };
  return { tenantId, tenantCode: code, enterpriseId, otherEnterpriseId, businessUnitIds, headers, users };
}

/**
 * Creates an API key through the real API (as `as`, e.g. fixture.headers.tenantAdmin) and returns its
 * `x-api-key` headers plus the key's id. `enterpriseId` is required for enterprise roles.
 */
export async function apiKeyHeaders(platform: Platform, as: Headers, input: { name?: string; role: Role; enterpriseId?: string | null }): Promise<{ id: string; headers: Headers; secret: string }> {
  const res = await platform.app.inject({
    method: 'POST', url: '/api/v1/api-keys', headers: as,
    payload: { name: input.name ?? `key ${randomBytes(3).toString('hex')}`, role: input.role, ...(input.enterpriseId ? { enterpriseId: input.enterpriseId } : {}) },
  });
  if (res.statusCode !== 201) throw new Error(`API key creation failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { id: string; secret: string };
  return { id: body.id, secret: body.secret, headers: { 'x-api-key': body.secret } };
}
