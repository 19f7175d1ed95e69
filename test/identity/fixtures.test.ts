import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { apiKeyHeaders, createTenantFixture, type TenantFixture } from '../support/fixtures';

let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
beforeAll(async () => {
  t = await startTestPlatform();
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
});
afterAll(async () => t.close());

describe('test fixtures', () => {
  it('create distinct tenants whose users are logged in with their role', async () => {
    expect(a.tenantId).not.toBe(b.tenantId);
    expect(a.businessUnitIds).toHaveLength(3);
    const expected = {
      hostAdmin: ['host_admin', null, null], tenantAdmin: ['tenant_admin', a.tenantId, null], tenantCsr: ['tenant_csr', a.tenantId, null],
      tenantFinance: ['tenant_finance', a.tenantId, null], enterpriseAdmin: ['enterprise_admin', a.tenantId, a.enterpriseId],
      enterpriseUser: ['enterprise_user', a.tenantId, a.enterpriseId], otherEnterpriseUser: ['enterprise_user', a.tenantId, a.otherEnterpriseId],
    } as const;
    for (const [key, [role, tenantId, enterpriseId]] of Object.entries(expected)) {
      const me = await t.app.inject({ url: '/api/v1/auth/me', headers: a.headers[key as keyof typeof expected] });
      expect(me.statusCode, key).toBe(200);
      expect(me.json().user).toMatchObject({ role, tenantId, enterpriseId, email: a.users[key as keyof typeof expected].email });
    }
  });

  it('give host admins headers that act inside the fixture tenant', async () => {
    const res = await t.app.inject({ url: '/api/v1/users?limit=100', headers: a.headers.hostAdmin });
    expect(res.statusCode).toBe(200);
    const tenants = new Set(res.json().items.map((u: { tenantId: string }) => u.tenantId));
    expect([...tenants]).toEqual([a.tenantId]);
  });

  it('make API keys that authenticate as their role', async () => {
    const key = await apiKeyHeaders(t.platform, a.headers.tenantAdmin, { role: 'enterprise_user', enterpriseId: a.enterpriseId });
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: key.headers });
    expect(me.json()).toMatchObject({ kind: 'api_key', user: { id: key.id, role: 'enterprise_user', tenantId: a.tenantId, enterpriseId: a.enterpriseId } });
  });
});
