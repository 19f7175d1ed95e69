import { createHash, randomBytes } from 'node:crypto';
import { TOTP, Secret } from 'otpauth';
import { ROLE_LEVEL, ROLE_PERMISSIONS, canGrant, type Role } from '../../platform/auth';
import { ForbiddenError, ValidationError } from '../../platform/http/errors';

/** Pure rules of identity: password policy, lockout, tokens, TOTP steps, where a new user or key belongs. */

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256; // argon2 work grows with input; refuse megabyte "passwords"

/** E-mail addresses are compared case-insensitively: stored and looked up lower-case and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The reason a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  if (email && password.trim().toLowerCase() === normalizeEmail(email)) return 'must not be the e-mail address';
  if (new Set(password).size < 4) return 'must use at least 4 different characters';
  return null;
}

export interface LockState {
  failedLogins: number;
  lockedUntil: Date | null;
}

/** Seconds until a lock lifts, or 0 when the account is not locked at `now`. */
export function lockedForSeconds(state: Pick<LockState, 'lockedUntil'>, now: Date): number {
  if (!state.lockedUntil || state.lockedUntil <= now) return 0;
  return Math.ceil((state.lockedUntil.getTime() - now.getTime()) / 1000);
}

/**
 * The state after one more failed attempt (password or TOTP). Reaching `maxFailures` locks the account for
 * `lockoutMinutes` and starts the count again, so after the lock lifts there are `maxFailures` tries again.
 */
export function afterFailure(state: LockState, now: Date, maxFailures: number, lockoutMinutes: number): LockState & { locked: boolean } {
  const failed = (lockedForSeconds(state, now) > 0 ? 0 : state.failedLogins) + 1;
  if (failed >= maxFailures) return { failedLogins: 0, lockedUntil: new Date(now.getTime() + lockoutMinutes * 60_000), locked: true };
  return { failedLogins: failed, lockedUntil: state.lockedUntil, locked: false };
}

/** A random opaque token (256 bits) with a readable prefix, and the sha256 that is stored instead. */
export function newToken(prefix: string): { token: string; hash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** API key secrets read `cmpk_<key id>_<random>`: the id finds the row, the hash of the whole secret proves it. */
export const API_KEY_PREFIX = 'cmpk_';
export function newApiKeySecret(id: string): string {
  return `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
}
export function parseApiKey(secret: string): { id: string; hash: string } | null {
  const m = /^cmpk_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_[A-Za-z0-9_-]{32,}$/.exec(secret);
  return m ? { id: m[1], hash: hashToken(secret) } : null;
}

// TOTP: RFC 6238 defaults that every authenticator app understands.
const TOTP_PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
export const TOTP_ISSUER = 'OpenCMP';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function otpauthUrl(secret: string, email: string): string {
  return new TOTP({ ...TOTP_PARAMS, issuer: TOTP_ISSUER, label: email, secret: Secret.fromBase32(secret) }).toString();
}

/**
 * The time step a code belongs to when it is valid at `now` (one step of clock drift either way), else null.
 * The caller accepts it only if the step is later than the last accepted one, so no code works twice.
 */
export function totpStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = TOTP.validate({ ...TOTP_PARAMS, secret: Secret.fromBase32(secret), token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / TOTP_PARAMS.period) + delta;
}

export function permissionsOf(role: Role): string[] {
  return [...ROLE_PERMISSIONS[role]].sort();
}

/** The granting side of a request: its role and the tenant/enterprise it acts in. */
export interface Granter {
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
}

/**
 * Where a new user or API key with `role` belongs, given who creates it: host roles have no tenant, tenant
 * roles the granter's tenant, enterprise roles one enterprise of it (an enterprise admin: its own only).
 */
export function placeGrant(granter: Granter, role: Role, enterpriseId: string | null | undefined): { tenantId: string | null; enterpriseId: string | null } {
  if (!canGrant(granter.role, role)) throw new ForbiddenError(`a ${granter.role} cannot grant the role ${role}`);
  const level = ROLE_LEVEL[role];
  if (level === 'host') {
    if (enterpriseId) throw ValidationError.field('enterpriseId', 'must be empty for the role host_admin');
    return { tenantId: null, enterpriseId: null };
  }
  if (!granter.tenantId) throw ValidationError.field('header.x-tenant-id', `names the tenant a ${role} belongs to and is required`);
  if (level === 'tenant') {
    if (enterpriseId) throw ValidationError.field('enterpriseId', `must be empty for the tenant role ${role}`);
    return { tenantId: granter.tenantId, enterpriseId: null };
  }
  if (granter.enterpriseId) {
    if (enterpriseId && enterpriseId !== granter.enterpriseId) throw new ForbiddenError('an enterprise admin can only grant roles in its own enterprise');
    return { tenantId: granter.tenantId, enterpriseId: granter.enterpriseId };
  }
  if (!enterpriseId) throw ValidationError.field('enterpriseId', `is required for the enterprise role ${role}`);
  return { tenantId: granter.tenantId, enterpriseId };
}

/** A role change keeps the user at its level (moving between levels would change tenant or enterprise). */
export function checkRoleChange(granter: Role, from: Role, to: Role): void {
  if (!canGrant(granter, from)) throw new ForbiddenError(`a ${granter} cannot change a user with the role ${from}`);
  if (!canGrant(granter, to)) throw new ForbiddenError(`a ${granter} cannot grant the role ${to}`);
  if (ROLE_LEVEL[from] !== ROLE_LEVEL[to]) {
    throw ValidationError.field('role', `must stay a ${ROLE_LEVEL[from]} role (${Object.entries(ROLE_LEVEL).filter(([, l]) => l === ROLE_LEVEL[from]).map(([r]) => r).join(', ')})`);
  }
}
