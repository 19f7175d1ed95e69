import { describe, expect, it } from 'vitest';
import { TOTP, Secret } from 'otpauth';
import {
  afterFailure, checkRoleChange, hashToken, lockedForSeconds, newApiKeySecret, newToken, newTotpSecret, normalizeEmail,
  otpauthUrl, parseApiKey, passwordProblem, placeGrant, totpStep,
} from './identity.fns';

const T = '11111111-1111-4111-8111-111111111111';
const E = '22222222-2222-4222-8222-222222222222';
const E2 = '33333333-3333-4333-8333-333333333333';

describe('password policy', () => {
  it('wants at least 12 characters, not the e-mail, not one repeated character', () => {
    expect(passwordProblem('short-pw-11')).toMatch(/at least 12/);
    expect(passwordProblem('long enough pw')).toBeNull();
    expect(passwordProblem('Ann@Example.com', 'ann@example.com')).toMatch(/e-mail/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/different characters/);
    expect(passwordProblem('x'.repeat(300))).toMatch(/at most/);
  });
  it('compares e-mails case-insensitively', () => {
    expect(normalizeEmail('  Ann@Example.COM ')).toBe('ann@example.com');
  });
});

describe('lockout', () => {
  const now = new Date('2026-01-01T10:00:00Z');
  it('locks on the last allowed failure and counts afresh after the lock lifts', () => {
    let s = { failedLogins: 0, lockedUntil: null as Date | null };
    for (let i = 1; i < 3; i++) {
      const n = afterFailure(s, now, 3, 15);
      expect(n).toMatchObject({ failedLogins: i, locked: false });
      s = n;
    }
    const locked = afterFailure(s, now, 3, 15);
    expect(locked.locked).toBe(true);
    expect(locked.lockedUntil).toEqual(new Date('2026-01-01T10:15:00Z'));
    expect(lockedForSeconds(locked, now)).toBe(900);
    const later = new Date('2026-01-01T10:15:00Z');
    expect(lockedForSeconds(locked, later)).toBe(0);
    expect(afterFailure(locked, later, 3, 15)).toMatchObject({ failedLogins: 1, locked: false });
  });
});

describe('tokens and API keys', () => {
  it('stores only a hash of a token', () => {
    const t = newToken('cmps_');
    expect(t.token.startsWith('cmps_')).toBe(true);
    expect(t.hash).toBe(hashToken(t.token));
    expect(t.hash).not.toContain(t.token);
    expect(newToken('cmps_').token).not.toBe(t.token);
  });
  it('parses cmpk_<id>_<random> and refuses anything else', () => {
    const secret = newApiKeySecret(E);
    expect(parseApiKey(secret)).toEqual({ id: E, hash: hashToken(secret) });
    expect(parseApiKey(`cmpk_${E}_short`)).toBeNull();
    expect(parseApiKey(secret.replace('cmpk_', 'cmpx_'))).toBeNull();
    expect(parseApiKey('cmpk_not-a-uuid_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBeNull();
  });
});

describe('TOTP', () => {
  const secret = newTotpSecret();
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  const now = new Date('2026-01-01T10:00:10Z');
  const step = Math.floor(now.getTime() / 30_000);
  it('gives the time step of a valid code, one step of drift either way', () => {
    expect(totpStep(secret, totp.generate({ timestamp: now.getTime() }), now)).toBe(step);
    expect(totpStep(secret, totp.generate({ timestamp: now.getTime() - 30_000 }), now)).toBe(step - 1);
    expect(totpStep(secret, totp.generate({ timestamp: now.getTime() + 30_000 }), now)).toBe(step + 1);
    expect(totpStep(secret, totp.generate({ timestamp: now.getTime() - 90_000 }), now)).toBeNull();
    expect(totpStep(secret, 'abcdef', now)).toBeNull();
  });
  it('builds an otpauth URL authenticator apps read', () => {
    const url = otpauthUrl(secret, 'ann@example.com');
    expect(url).toMatch(/^otpauth:\/\/totp\/OpenCMP:ann%40example\.com\?/);
    expect(url).toContain(`secret=${secret}`);
  });
});

describe('placeGrant', () => {
  const hostAdmin = { role: 'host_admin' as const, tenantId: null, enterpriseId: null };
  const tenantAdmin = { role: 'tenant_admin' as const, tenantId: T, enterpriseId: null };
  const entAdmin = { role: 'enterprise_admin' as const, tenantId: T, enterpriseId: E };
  it('puts host roles nowhere, tenant roles in the tenant, enterprise roles in an enterprise', () => {
    expect(placeGrant(hostAdmin, 'host_admin', null)).toEqual({ tenantId: null, enterpriseId: null });
    expect(placeGrant(tenantAdmin, 'tenant_csr', undefined)).toEqual({ tenantId: T, enterpriseId: null });
    expect(placeGrant(tenantAdmin, 'enterprise_user', E2)).toEqual({ tenantId: T, enterpriseId: E2 });
    expect(placeGrant(entAdmin, 'enterprise_user', undefined)).toEqual({ tenantId: T, enterpriseId: E });
  });
  it('refuses higher roles, foreign enterprises and missing places', () => {
    expect(() => placeGrant(tenantAdmin, 'host_admin', null)).toThrow(/tenant_admin cannot grant the role host_admin/);
    expect(() => placeGrant(entAdmin, 'tenant_admin', null)).toThrow(/cannot grant/);
    expect(() => placeGrant(entAdmin, 'enterprise_user', E2)).toThrow(/own enterprise/);
    expect(() => placeGrant(tenantAdmin, 'enterprise_user', null)).toThrow(/enterpriseId/);
    expect(() => placeGrant(tenantAdmin, 'tenant_csr', E)).toThrow(/must be empty/);
    expect(() => placeGrant(hostAdmin, 'tenant_admin', null)).toThrow(/x-tenant-id/);
    expect(() => placeGrant({ role: 'tenant_csr', tenantId: T, enterpriseId: null }, 'enterprise_user', E)).toThrow(/cannot grant/);
  });
  it('keeps role changes at the same level', () => {
    expect(() => checkRoleChange('tenant_admin', 'tenant_csr', 'tenant_finance')).not.toThrow();
    expect(() => checkRoleChange('tenant_admin', 'tenant_csr', 'enterprise_user')).toThrow(/must stay a tenant role/);
    expect(() => checkRoleChange('enterprise_admin', 'enterprise_user', 'tenant_admin')).toThrow(/cannot grant/);
  });
});
