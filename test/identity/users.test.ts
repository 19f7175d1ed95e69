import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { FIXTURE_PASSWORD, createTenantFixture, type TenantFixture } from '../support/fixtures';

let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
beforeAll(async () => {
  t = await startTestPlatform();
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string>) => t.app.inject({ url, headers });
const post = (url: string, headers: Record<string, string>, payload: object) => t.app.inject({ method: 'POST', url, headers, payload });
const patch = (url: string, headers: Record<string, string>, payload: object) => t.app.inject({ method: 'PATCH', url, headers, payload });
let n = 0;
const email = () => `new-${++n}@${a.tenantCode}.test`;

describe('role checks on routes', () => {
  it('refuses a role without the permission with a clear 403', async () => {
    const res = await get('/api/v1/users', a.headers.enterpriseUser);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ type: 'https://opencmp.dev/problems/forbidden', detail: 'your role (enterprise_user) lacks the permission users:read' });
    const csr = await post('/api/v1/users', a.headers.tenantCsr, { email: email(), name: 'X', role: 'tenant_csr', password: FIXTURE_PASSWORD });
    expect(csr.statusCode).toBe(403);
    expect(csr.json().detail).toBe('your role (tenant_csr) lacks the permission users:manage');
    expect((await get('/api/v1/api-keys', a.headers.tenantFinance)).json().detail).toBe('your role (tenant_finance) lacks the permission apikeys:manage');
  });

  it('lets nobody grant a role above its own', async () => {
    const host = await post('/api/v1/users', a.headers.tenantAdmin, { email: email(), name: 'Boss', role: 'host_admin', password: FIXTURE_PASSWORD });
    expect(host.statusCode).toBe(403);
    expect(host.json().detail).toBe('a tenant_admin cannot grant the role host_admin');
    const tenantRole = await post('/api/v1/users', a.headers.enterpriseAdmin, { email: email(), name: 'X', role: 'tenant_admin', password: FIXTURE_PASSWORD });
    expect(tenantRole.json().detail).toBe('a enterprise_admin cannot grant the role tenant_admin');
    const otherEnt = await post('/api/v1/users', a.headers.enterpriseAdmin, { email: email(), name: 'X', role: 'enterprise_user', enterpriseId: a.otherEnterpriseId, password: FIXTURE_PASSWORD });
    expect(otherEnt.statusCode).toBe(403);
    expect(otherEnt.json().detail).toMatch(/own enterprise/);
  });
});

describe('creating and changing users', () => {
  it('creates users at the right level and reports bad input by field', async () => {
    const csr = await post('/api/v1/users', a.headers.tenantAdmin, { email: email(), name: 'Carla CSR', role: 'tenant_csr', password: FIXTURE_PASSWORD });
    expect(csr.statusCode).toBe(201);
    expect(csr.json()).toMatchObject({ role: 'tenant_csr', tenantId: a.tenantId, enterpriseId: null, status: 'ACTIVE', totpEnrolled: false });
    expect(csr.json()).not.toHaveProperty('passwordHash');
    const mine = await post('/api/v1/users', a.headers.enterpriseAdmin, { email: email(), name: 'Eve', role: 'enterprise_user', password: FIXTURE_PASSWORD });
    expect(mine.json()).toMatchObject({ tenantId: a.tenantId, enterpriseId: a.enterpriseId });

    const dup = await post('/api/v1/users', a.headers.tenantAdmin, { email: csr.json().email.toUpperCase(), name: 'Again', role: 'tenant_csr', password: FIXTURE_PASSWORD });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual([{ field: 'email', reason: 'is taken' }]);
    const weak = await post('/api/v1/users', a.headers.tenantAdmin, { email: email(), name: 'W', role: 'tenant_csr', password: 'short' });
    expect(weak.json().errors).toEqual([{ field: 'password', reason: 'must be at least 12 characters' }]);
    const noEnt = await post('/api/v1/users', a.headers.tenantAdmin, { email: email(), name: 'N', role: 'enterprise_user', password: FIXTURE_PASSWORD });
    expect(noEnt.json().errors).toEqual([{ field: 'enterpriseId', reason: 'is required for the enterprise role enterprise_user' }]);
    // An enterprise of another tenant is not an enterprise of this one.
    const foreign = await post('/api/v1/users', a.headers.tenantAdmin, { email: email(), name: 'F', role: 'enterprise_user', enterpriseId: b.enterpriseId, password: FIXTURE_PASSWORD });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors).toEqual([{ field: 'enterpriseId', reason: 'is not an enterprise of this tenant' }]);
    const badEmail = await post('/api/v1/users', a.headers.tenantAdmin, { email: 'nope', name: 'F', role: 'tenant_csr' });
    expect(badEmail.statusCode).toBe(422);
    expect(badEmail.json().errors[0].field).toBe('body.email');
  });

  it('invites a user created without a password (reset token), whose first log-in enrols TOTP', async () => {
    const res = await post('/api/v1/users', a.headers.tenantAdmin, { email: email(), name: 'Invited', role: 'tenant_finance' });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    const resets = await t.platform.core.dbs.system((tx) => sql<{ n: number }>`select count(*)::int as n from password_resets where user_id = ${id} and used_at is null`.execute(tx));
    expect(resets.rows[0].n).toBe(1);
    // No password yet: nothing logs in.
    expect((await post('/api/v1/auth/login', {}, { email: res.json().email, password: '!' })).statusCode).toBe(401);
  });

  it('changes name, role and status, and resets TOTP so the next log-in enrols again', async () => {
    const created = (await post('/api/v1/users', a.headers.tenantAdmin, { email: email(), name: 'Fin', role: 'tenant_finance', password: FIXTURE_PASSWORD })).json();
    const changed = await patch(`/api/v1/users/${created.id}`, a.headers.tenantAdmin, { name: 'Finance Lead', role: 'tenant_csr' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'Finance Lead', role: 'tenant_csr' });
    const levelJump = await patch(`/api/v1/users/${created.id}`, a.headers.tenantAdmin, { role: 'enterprise_user' });
    expect(levelJump.statusCode).toBe(422);
    expect(levelJump.json().errors[0]).toMatchObject({ field: 'role' });

    // Reset TOTP of a fixture user: its sessions end and the next log-in enrols a new secret.
    const victim = a.users.otherEnterpriseUser;
    const session = a.headers.otherEnterpriseUser;
    const reset = await patch(`/api/v1/users/${victim.id}`, a.headers.tenantAdmin, { resetTotp: true });
    expect(reset.json().totpEnrolled).toBe(false);
    expect((await get('/api/v1/auth/me', session)).statusCode).toBe(401);
    const login = await post('/api/v1/auth/login', {}, { email: victim.email, password: victim.password });
    expect(login.json().status).toBe('mfa_enrollment_required');
  });

  it('does not let users disable themselves or change their own role', async () => {
    const self = await patch(`/api/v1/users/${a.users.tenantAdmin.id}`, a.headers.tenantAdmin, { status: 'DISABLED' });
    expect(self.statusCode).toBe(403);
    expect(self.json().detail).toBe('you cannot disable yourself');
  });

  it('replays a retried POST with the same Idempotency-Key and refuses the key with another body', async () => {
    const body = { email: email(), name: 'Idem', role: 'tenant_csr', password: FIXTURE_PASSWORD };
    const headers = { ...a.headers.tenantAdmin, 'idempotency-key': `create-${n}` };
    const first = await post('/api/v1/users', headers, body);
    const second = await post('/api/v1/users', headers, body);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const count = await t.platform.core.dbs.system((tx) => sql<{ n: number }>`select count(*)::int as n from users where email = ${body.email}`.execute(tx));
    expect(count.rows[0].n).toBe(1);
    const other = await post('/api/v1/users', headers, { ...body, name: 'Different' });
    expect(other.statusCode).toBe(422);
    expect(other.json().errors).toEqual([{ field: 'header.idempotency-key', reason: 'was used with another method, path or body' }]);
  });
});

describe('isolation between tenants and enterprises', () => {
  it('shows a tenant only its own users, and an enterprise admin only its enterprise\'s', async () => {
    const list = (await get('/api/v1/users?limit=500', a.headers.tenantAdmin)).json().items as { tenantId: string; role: string }[];
    expect(list.length).toBeGreaterThan(5);
    expect(list.every((u) => u.tenantId === a.tenantId)).toBe(true);
    expect(list.some((u) => u.role === 'host_admin')).toBe(false);
    const ent = (await get('/api/v1/users?limit=500', a.headers.enterpriseAdmin)).json().items as { enterpriseId: string }[];
    expect(ent.length).toBeGreaterThan(1);
    expect(ent.every((u) => u.enterpriseId === a.enterpriseId)).toBe(true);
  });

  it('answers 404 for another tenant\'s or enterprise\'s user, to read and to change', async () => {
    const otherTenantUser = b.users.tenantCsr.id;
    expect((await get(`/api/v1/users/${otherTenantUser}`, a.headers.tenantAdmin)).statusCode).toBe(404);
    expect((await patch(`/api/v1/users/${otherTenantUser}`, a.headers.tenantAdmin, { status: 'DISABLED' })).statusCode).toBe(404);
    expect((await get(`/api/v1/users/${a.users.otherEnterpriseUser.id}`, a.headers.enterpriseAdmin)).statusCode).toBe(404);
    expect((await patch(`/api/v1/users/${a.users.tenantCsr.id}`, a.headers.enterpriseAdmin, { name: 'Hijacked' })).statusCode).toBe(404);
    // Host admins are invisible from inside a tenant, even to the tenant admin.
    expect((await get(`/api/v1/users/${a.users.hostAdmin.id}`, a.headers.tenantAdmin)).statusCode).toBe(404);
    const still = await get(`/api/v1/users/${otherTenantUser}`, b.headers.tenantAdmin);
    expect(still.json().status).toBe('ACTIVE');
  });

  it('lets a host admin list host users without X-Tenant-Id and a tenant\'s users with it', async () => {
    const { 'x-tenant-id': _, ...bare } = a.headers.hostAdmin;
    const host = (await get('/api/v1/users?role=host_admin&limit=500', bare)).json().items as { id: string; tenantId: string | null }[];
    expect(host.map((u) => u.id)).toEqual(expect.arrayContaining([a.users.hostAdmin.id, b.users.hostAdmin.id]));
    expect(host.every((u) => u.tenantId === null)).toBe(true);
    const inB = (await get('/api/v1/users?limit=500', { ...bare, 'x-tenant-id': b.tenantId })).json().items as { tenantId: string }[];
    expect(inB.every((u) => u.tenantId === b.tenantId)).toBe(true);
  });

  it('holds in the data layer itself: row-level security whatever the query', async () => {
    const { dbs } = t.platform.core;
    const inA = await dbs.tenant({ tenantId: a.tenantId }, (tx) => sql<{ tenant_id: string | null }>`select tenant_id from users`.execute(tx));
    expect(inA.rows.length).toBeGreaterThan(5);
    expect(inA.rows.every((r) => r.tenant_id === a.tenantId)).toBe(true);
    const inEnt = await dbs.tenant({ tenantId: a.tenantId, enterpriseId: a.enterpriseId }, (tx) => sql<{ enterprise_id: string }>`select enterprise_id from users`.execute(tx));
    expect(inEnt.rows.every((r) => r.enterprise_id === a.enterpriseId)).toBe(true);
    const hijack = await dbs.tenant({ tenantId: a.tenantId }, (tx) => sql`update users set name = 'Hijacked' where id = ${b.users.tenantAdmin.id} or tenant_id is null`.execute(tx));
    expect(Number(hijack.numAffectedRows)).toBe(0);
    await expect(dbs.tenant({ tenantId: a.tenantId }, (tx) => sql`insert into users (email, name, role, password_hash)
      values ('sneaky@host.test', 'Sneaky', 'host_admin', 'x')`.execute(tx))).rejects.toThrow(/row-level security/);
    await expect(dbs.tenant({ tenantId: a.tenantId }, (tx) => sql`insert into users (tenant_id, email, name, role, password_hash)
      values (${b.tenantId}, 'sneaky@b.test', 'Sneaky', 'tenant_admin', 'x')`.execute(tx))).rejects.toThrow(/row-level security/);
    const sessions = await dbs.tenant({ tenantId: a.tenantId }, (tx) => sql<{ tenant_id: string }>`select tenant_id from user_sessions`.execute(tx));
    expect(sessions.rows.every((r) => r.tenant_id === a.tenantId)).toBe(true);
    const challenges = await dbs.tenant({ tenantId: a.tenantId }, (tx) => sql`select * from login_challenges`.execute(tx));
    expect(challenges.rows).toHaveLength(0);
  });
});
