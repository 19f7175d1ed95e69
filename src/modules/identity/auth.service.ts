import { hash as argonHash, verify as argonVerify, type Algorithm, type Options } from '@node-rs/argon2';
import { randomUUID } from 'node:crypto';
import type { Core } from '../../platform/core';
import type { Principal } from '../../platform/auth';
import type { Tx } from '../../platform/db';
import type { StoredEvent } from '../../platform/events';
import { recordAudit, type AuditOrigin } from '../../platform/audit';
import { AppError, ConflictError, ForbiddenError, UnauthorizedError, ValidationError } from '../../platform/http/errors';
import { openString, parseKeyRing, seal, type KeyRing } from '../../platform/crypto';
import type { Mailer } from '../../platform/mail';
import { IDENTITY_EVENTS, type UserEventPayload } from './identity.events';
import {
  API_KEY_PREFIX, afterFailure, hashToken, lockedForSeconds, newToken, newTotpSecret, normalizeEmail, otpauthUrl,
  parseApiKey, passwordProblem, permissionsOf, totpStep,
} from './identity.fns';
import * as repo from './identity.repo';
import type { Role } from '../../platform/auth';

export const SESSION_HOURS = 12;
export const CHALLENGE_MINUTES = 5;
export const RESET_MINUTES = 30;

// argon2id with the OWASP minimum (19 MiB, 2 passes): about 20–40 ms per hash here.
const ARGON: Options = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
/** Stored instead of a hash for users who have not set a password yet: nothing verifies against it. */
const NO_PASSWORD = '!';
// Verified for unknown e-mails too, so "no such user" takes as long as "wrong password".
let dummyHash: Promise<string> | undefined;

export async function hashPassword(password: string): Promise<string> {
  return argonHash(password, ARGON);
}
async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (stored === NO_PASSWORD) {
    await argonVerify(await (dummyHash ??= hashPassword('no password set')), password).catch(() => false);
    return false;
  }
  return argonVerify(stored, password).catch(() => false);
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
  permissions: string[];
}

export type LoginResult =
  | { status: 'mfa_required'; challenge: string }
  | { status: 'mfa_enrollment_required'; challenge: string; otpauthUrl: string; secret: string };

export interface SessionResult {
  token: string;
  expiresAt: Date;
  user: SessionUser;
}

/** Where a request came from, for the audit trail of public (not yet authenticated) calls. */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
}

export interface EnsureUserInput {
  email: string;
  /** Omitted: the user has no password until it sets one through a reset (invitation). */
  password?: string;
  name: string;
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
  /** A base32 TOTP secret to enrol right away (seeders, tests); otherwise the first login enrols. */
  totpSecret?: string;
}

const INVALID_LOGIN = 'the e-mail address or password is wrong';

function lockedError(seconds: number): AppError {
  return new AppError(429, 'account-locked', `too many failed log-in attempts: the account is locked; retry in ${seconds} s`, [], { retryAfter: seconds });
}

/**
 * Log-in (password, then TOTP), sessions, password resets, and the authenticator that turns a bearer token or
 * API key into a Principal. Log-in lookups run through dbs.system: there is no tenant before log-in.
 */
export function createAuthService(core: Pick<Core, 'config' | 'dbs' | 'bus' | 'log' | 'now'>, mailer: Mailer) {
  const { dbs, config, bus } = core;
  const ring: KeyRing = parseKeyRing(config.ENCRYPTION_KEYS);
  // A TOTP secret is sealed for its user: copied onto another user's row it does not open.
  const totpContext = (userId: string) => `users.totp:${userId}`;
  const sealTotp = (userId: string, secret: string) => seal(secret, ring, totpContext(userId));
  const origin = (meta: RequestMeta, user: { id: string; email: string } | null): AuditOrigin =>
    ({ actor: { type: 'user', id: user?.id ?? null, name: user?.email ?? null }, requestId: meta.requestId, ip: meta.ip });

  function sessionUser(u: Pick<repo.UserRow, 'id' | 'email' | 'name' | 'role' | 'tenant_id' | 'enterprise_id'>): SessionUser {
    return { id: u.id, email: u.email, name: u.name, role: u.role, tenantId: u.tenant_id, enterpriseId: u.enterprise_id, permissions: permissionsOf(u.role) };
  }

  /** Counts one failed attempt (password or TOTP) and locks the account when it reaches the limit. */
  async function recordFailure(userId: string, meta: RequestMeta, step: 'password' | 'totp'): Promise<{ locked: boolean; seconds: number }> {
    const now = core.now();
    return dbs.system(async (tx) => {
      const u = await repo.lockUserRow(tx, userId);
      if (!u) return { locked: false, seconds: 0 };
      const next = afterFailure({ failedLogins: u.failed_logins, lockedUntil: u.locked_until }, now, config.LOGIN_MAX_FAILURES, config.LOGIN_LOCKOUT_MINUTES);
      await tx.updateTable('users').set({ failed_logins: next.failedLogins, locked_until: next.lockedUntil }).where('id', '=', userId).execute();
      await recordAudit(tx, origin(meta, u), {
        tenantId: u.tenant_id, enterpriseId: u.enterprise_id, action: next.locked ? 'login_locked' : 'login_failed',
        entityType: 'user', entityId: u.id, after: { step, failedLogins: next.failedLogins, lockedUntil: next.lockedUntil },
      });
      return { locked: next.locked, seconds: lockedForSeconds(next, now) };
    });
  }

  async function createSession(tx: Tx, u: repo.UserRow, ip: string | null, now: Date): Promise<{ token: string; expiresAt: Date }> {
    const { token, hash } = newToken('cmps_');
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    await tx.insertInto('user_sessions').values({
      token_hash: hash, user_id: u.id, tenant_id: u.tenant_id, enterprise_id: u.enterprise_id, expires_at: expiresAt, ip, created_at: now,
    }).execute();
    return { token, expiresAt };
  }

  async function recordUserEvent(tx: Tx, type: string, u: UserEventPayload, actor: AuditOrigin['actor']): Promise<void> {
    await bus.record(tx, { type, tenantId: u.tenantId, aggregateType: 'user', aggregateId: u.userId, payload: u }, actor);
  }

  const service = {
    /** Step 1: e-mail and password. Unknown user and wrong password get the same answer. */
    async login(input: { email: string; password: string }, meta: RequestMeta): Promise<LoginResult> {
      const now = core.now();
      const email = normalizeEmail(input.email);
      const user = await dbs.system((tx) => repo.findUserByEmail(tx, email));
      if (!user) {
        await verifyPassword(NO_PASSWORD, input.password);
        throw new UnauthorizedError(INVALID_LOGIN, 'invalid-credentials');
      }
      const locked = lockedForSeconds({ lockedUntil: user.locked_until }, now);
      if (locked > 0) throw lockedError(locked);
      const ok = await verifyPassword(user.password_hash, input.password);
      if (!ok) {
        const f = await recordFailure(user.id, meta, 'password');
        if (f.locked) throw lockedError(f.seconds);
        throw new UnauthorizedError(INVALID_LOGIN, 'invalid-credentials');
      }
      if (user.status !== 'ACTIVE') throw new UnauthorizedError(INVALID_LOGIN, 'invalid-credentials');
      const blocked = await repo.blockedScope(dbs.db, user.tenant_id, user.enterprise_id);
      if (blocked) throw new ForbiddenError(`your ${blocked.scope} is ${blocked.status.toLowerCase()}: log-in is not possible`);

      const { token, hash } = newToken('cmpc_');
      const expiresAt = new Date(now.getTime() + CHALLENGE_MINUTES * 60_000);
      if (user.totp_secret) {
        await dbs.system((tx) => tx.insertInto('login_challenges').values({ token_hash: hash, user_id: user.id, expires_at: expiresAt, created_at: now }).execute());
        return { status: 'mfa_required', challenge: token };
      }
      // First log-in: a new secret travels with the challenge and becomes the user's once a code confirms it.
      const secret = newTotpSecret();
      const sealed = sealTotp(user.id, secret);
      await dbs.system((tx) => tx.insertInto('login_challenges').values({
        token_hash: hash, user_id: user.id, totp_key_id: sealed.keyId, totp_secret: sealed.blob, expires_at: expiresAt, created_at: now,
      }).execute());
      return { status: 'mfa_enrollment_required', challenge: token, otpauthUrl: otpauthUrl(secret, user.email), secret };
    },

    /** Step 2: the TOTP code. Success uses up the challenge, enrols a pending secret and opens a session. */
    async verifyMfa(input: { challenge: string; code: string }, meta: RequestMeta): Promise<SessionResult> {
      const now = core.now();
      const challengeHash = hashToken(input.challenge);
      const found = await dbs.system(async (tx) => {
        const c = await tx.selectFrom('login_challenges').selectAll().where('token_hash', '=', challengeHash).executeTakeFirst();
        if (!c || c.used_at || c.expires_at <= now) return null;
        const u = await tx.selectFrom('users').selectAll().where('id', '=', c.user_id).executeTakeFirst() as repo.UserRow | undefined;
        return u ? { c, u } : null;
      });
      if (!found) throw new UnauthorizedError('the log-in challenge is invalid, expired or already used: log in again', 'invalid-challenge');
      const { c, u } = found;
      const locked = lockedForSeconds({ lockedUntil: u.locked_until }, now);
      if (locked > 0) throw lockedError(locked);
      if (u.status !== 'ACTIVE') throw new UnauthorizedError('the log-in challenge is invalid, expired or already used: log in again', 'invalid-challenge');

      const enrolling = c.totp_secret !== null;
      // An enrolment challenge is void once the user has a secret; a code challenge once the secret was reset.
      if (enrolling === (u.totp_secret !== null)) throw new UnauthorizedError('the log-in challenge is invalid, expired or already used: log in again', 'invalid-challenge');
      const sealed = enrolling ? { keyId: c.totp_key_id!, blob: c.totp_secret! } : { keyId: u.totp_key_id!, blob: u.totp_secret! };
      const secret = openString(sealed, ring, totpContext(u.id));
      const step = totpStep(secret, input.code.trim(), now);
      // A step at or before the last accepted one is a replayed (or older) code.
      if (step === null || step <= u.totp_last_step) {
        const f = await recordFailure(u.id, meta, 'totp');
        if (f.locked) throw lockedError(f.seconds);
        throw new UnauthorizedError(step === null ? 'the code is wrong' : 'this code was already used: wait for the next one', 'invalid-code');
      }

      return dbs.system(async (tx) => {
        // Single use, even when two requests race with the same challenge.
        const used = await tx.updateTable('login_challenges').set({ used_at: now })
          .where('token_hash', '=', challengeHash).where('used_at', 'is', null).executeTakeFirst();
        const claimed = await tx.updateTable('users').set({
          totp_last_step: step, failed_logins: 0, locked_until: null, last_login_at: now,
          ...(enrolling ? { totp_key_id: sealed.keyId, totp_secret: sealed.blob, updated_at: now } : {}),
        }).where('id', '=', u.id).where('totp_last_step', '<', step)
          .where('totp_secret', enrolling ? 'is' : 'is not', null).executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1 || Number(claimed.numUpdatedRows) !== 1) {
          throw new UnauthorizedError('the log-in challenge or code was already used: log in again', 'invalid-challenge');
        }
        const session = await createSession(tx, u, meta.ip, now);
        await recordAudit(tx, origin(meta, u), {
          tenantId: u.tenant_id, enterpriseId: u.enterprise_id, action: enrolling ? 'login_totp_enrolled' : 'login',
          entityType: 'user', entityId: u.id,
        });
        return { ...session, user: sessionUser(u) };
      });
    },

    /** Resolves `Authorization: Bearer` (session or API key) or `X-API-Key` to a principal: one query. */
    async authenticate(credential: { bearer?: string; apiKey?: string }): Promise<Principal | null> {
      const now = core.now();
      const keySecret = credential.apiKey ?? (credential.bearer?.startsWith(API_KEY_PREFIX) ? credential.bearer : undefined);
      if (keySecret) {
        const parsed = parseApiKey(keySecret);
        if (!parsed) return null;
        const k = await repo.principalOfApiKey(dbs.db, parsed.id, parsed.hash, now);
        return k ? { kind: 'api_key', id: k.id, name: k.name, role: k.role, tenantId: k.tenant_id, enterpriseId: k.enterprise_id } : null;
      }
      if (!credential.bearer) return null;
      const u = await repo.principalOfSession(dbs.db, hashToken(credential.bearer), now);
      return u ? { kind: 'user', id: u.id, name: u.name, role: u.role, tenantId: u.tenant_id, enterpriseId: u.enterprise_id } : null;
    },

    /** The caller as the console shows it. */
    async me(principal: Principal, bearer: string | undefined): Promise<{ kind: Principal['kind']; user: Omit<SessionUser, 'email'> & { email: string | null }; expiresAt: Date | null }> {
      if (principal.kind !== 'user') {
        return { kind: principal.kind, expiresAt: null, user: { id: principal.id, email: null, name: principal.name, role: principal.role,
          tenantId: principal.tenantId, enterpriseId: principal.enterpriseId, permissions: permissionsOf(principal.role) } };
      }
      return dbs.system(async (tx) => {
        const u = await tx.selectFrom('users').selectAll().where('id', '=', principal.id).executeTakeFirstOrThrow() as repo.UserRow;
        const s = bearer ? await tx.selectFrom('user_sessions').select('expires_at').where('token_hash', '=', hashToken(bearer)).executeTakeFirst() : undefined;
        return { kind: 'user' as const, user: sessionUser(u), expiresAt: s?.expires_at ?? null };
      });
    },

    /** Revokes the session of this bearer token. */
    async logout(bearer: string, meta: RequestMeta): Promise<void> {
      const now = core.now();
      await dbs.system(async (tx) => {
        const s = await tx.updateTable('user_sessions').set({ revoked_at: now })
          .where('token_hash', '=', hashToken(bearer)).where('revoked_at', 'is', null)
          .returning(['user_id', 'tenant_id', 'enterprise_id']).executeTakeFirst();
        if (!s) return;
        await recordAudit(tx, { actor: { type: 'user', id: s.user_id }, requestId: meta.requestId, ip: meta.ip },
          { tenantId: s.tenant_id, enterpriseId: s.enterprise_id, action: 'logout', entityType: 'user', entityId: s.user_id });
      });
    },

    /**
     * Issues a single-use reset token (30 minutes) for an e-mail and mails it when SMTP is configured. Returns
     * null for unknown or disabled users; the HTTP route answers 202 either way. `mailed` settles when the
     * e-mail was handed to the SMTP server (false: not configured or failed, which is logged).
     */
    async issuePasswordReset(emailIn: string, meta: RequestMeta, purpose: 'reset' | 'invite' = 'reset'):
      Promise<{ userId: string; token: string; expiresAt: Date; mailed: Promise<boolean> } | null> {
      const now = core.now();
      const email = normalizeEmail(emailIn);
      const issued = await dbs.system(async (tx) => {
        const u = await repo.findUserByEmail(tx, email);
        if (!u || u.status !== 'ACTIVE') return null;
        // A new token voids older unused ones: only the latest e-mail works.
        await tx.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', u.id).where('used_at', 'is', null).execute();
        const { token, hash } = newToken('cmpr_');
        const expiresAt = new Date(now.getTime() + RESET_MINUTES * 60_000);
        await tx.insertInto('password_resets').values({ token_hash: hash, user_id: u.id, expires_at: expiresAt, created_at: now }).execute();
        await recordAudit(tx, origin(meta, u), { tenantId: u.tenant_id, enterpriseId: u.enterprise_id, action: 'password_reset_requested', entityType: 'user', entityId: u.id });
        return { userId: u.id, email: u.email, token, expiresAt };
      });
      if (!issued) return null;
      const link = `${config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`}/reset-password?token=${encodeURIComponent(issued.token)}`;
      const text = purpose === 'invite'
        ? `An OpenCMP account was created for you. Set your password within ${RESET_MINUTES} minutes:\n\n${link}\n\nor use this token: ${issued.token}\n`
        : `Someone asked to reset the password of your OpenCMP account. If it was you, set a new one within ${RESET_MINUTES} minutes:\n\n${link}\n\nor use this token: ${issued.token}\n\nIf it was not you, ignore this e-mail.\n`;
      const mailed = mailer.send({ to: issued.email, subject: purpose === 'invite' ? 'Your OpenCMP account' : 'Reset your OpenCMP password', text })
        .catch((err) => {
          core.log.warn({ err: { message: (err as Error).message }, userId: issued.userId }, 'password reset e-mail could not be sent');
          return false;
        });
      return { userId: issued.userId, token: issued.token, expiresAt: issued.expiresAt, mailed };
    },

    /** Sets a new password with a reset token: the token is used up, the lock lifted, every session revoked. */
    async confirmPasswordReset(input: { token: string; newPassword: string }, meta: RequestMeta): Promise<void> {
      const now = core.now();
      const tokenHash = hashToken(input.token);
      const r = await dbs.system((tx) => tx.selectFrom('password_resets').innerJoin('users', 'users.id', 'password_resets.user_id')
        .select(['password_resets.user_id', 'password_resets.expires_at', 'password_resets.used_at', 'users.email'])
        .where('password_resets.token_hash', '=', tokenHash).executeTakeFirst());
      if (!r || r.used_at || r.expires_at <= now) throw ValidationError.field('token', 'is invalid, expired or already used');
      const problem = passwordProblem(input.newPassword, r.email);
      if (problem) throw ValidationError.field('newPassword', problem);
      const passwordHash = await hashPassword(input.newPassword);
      await dbs.system(async (tx) => {
        const used = await tx.updateTable('password_resets').set({ used_at: now })
          .where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
        if (Number(used.numUpdatedRows) !== 1) throw ValidationError.field('token', 'is invalid, expired or already used');
        const u = await tx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: now, failed_logins: 0, locked_until: null, updated_at: now })
          .where('id', '=', r.user_id).returningAll().executeTakeFirstOrThrow() as repo.UserRow;
        const revoked = await repo.revokeSessions(tx, u.id, now);
        const actor = origin(meta, u);
        await recordAudit(tx, actor, { tenantId: u.tenant_id, enterpriseId: u.enterprise_id, action: 'password_reset', entityType: 'user', entityId: u.id, after: { sessionsRevoked: revoked } });
        await recordUserEvent(tx, IDENTITY_EVENTS.passwordReset, { userId: u.id, email: u.email, role: u.role, tenantId: u.tenant_id, enterpriseId: u.enterprise_id, status: u.status }, actor.actor);
      });
    },

    /**
     * A logged-in user changes its own password: the current one must be right (a wrong one counts as a failed
     * log-in), and every other session ends.
     */
    async changePassword(principal: Principal, bearer: string | undefined, input: { currentPassword: string; newPassword: string }, meta: RequestMeta): Promise<void> {
      if (principal.kind !== 'user') throw new ForbiddenError('only users have passwords; API keys are replaced instead');
      const now = core.now();
      const u = await dbs.system((tx) => tx.selectFrom('users').selectAll().where('id', '=', principal.id).executeTakeFirstOrThrow()) as repo.UserRow;
      const locked = lockedForSeconds({ lockedUntil: u.locked_until }, now);
      if (locked > 0) throw lockedError(locked);
      if (!(await verifyPassword(u.password_hash, input.currentPassword))) {
        const f = await recordFailure(u.id, meta, 'password');
        if (f.locked) throw lockedError(f.seconds);
        throw ValidationError.field('currentPassword', 'is wrong');
      }
      const problem = passwordProblem(input.newPassword, u.email);
      if (problem) throw ValidationError.field('newPassword', problem);
      const passwordHash = await hashPassword(input.newPassword);
      const keep = bearer ? hashToken(bearer) : '';
      await dbs.system(async (tx) => {
        await tx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: now, failed_logins: 0, updated_at: now }).where('id', '=', u.id).execute();
        const others = await tx.updateTable('user_sessions').set({ revoked_at: now })
          .where('user_id', '=', u.id).where('revoked_at', 'is', null).where('token_hash', '<>', keep).executeTakeFirst();
        await recordAudit(tx, origin(meta, u), { tenantId: u.tenant_id, enterpriseId: u.enterprise_id, action: 'password_changed', entityType: 'user', entityId: u.id,
          after: { otherSessionsRevoked: Number(others.numUpdatedRows) } });
      });
    },

    /**
     * Creates a user unless one with this e-mail exists (then returns its id, unchanged): safe for seeders to
     * run again. Runs as the platform, so callers check who may create what (the users service does).
     */
    async ensureUser(input: EnsureUserInput, meta: RequestMeta = { requestId: `system-${Date.now()}`, ip: null }, tx?: Tx): Promise<{ id: string; created: boolean }> {
      const email = normalizeEmail(input.email);
      if (input.password !== undefined) {
        const problem = passwordProblem(input.password, email);
        if (problem) throw ValidationError.field('password', problem);
      }
      const findUser = (t: Tx) => t.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      // argon2id is deliberately slow: skip it when the user is already there (a seeder run again). The check is
      // repeated inside the transaction below, which decides.
      const known = await (tx ? findUser(tx) : dbs.system(findUser));
      if (known) return { id: known.id, created: false };
      const passwordHash = input.password !== undefined ? await hashPassword(input.password) : NO_PASSWORD;
      const run = async (t: Tx) => {
        const existing = await findUser(t);
        if (existing) return { id: existing.id, created: false };
        const id = randomUUID();
        const now = core.now();
        await repo.insertUser(t, {
          id, email, name: input.name, role: input.role, tenantId: input.tenantId, enterpriseId: input.enterpriseId,
          passwordHash, totp: input.totpSecret ? sealTotp(id, input.totpSecret) : null, now,
        });
        const payload: UserEventPayload = { userId: id, email, role: input.role, tenantId: input.tenantId, enterpriseId: input.enterpriseId, status: 'ACTIVE' };
        const actor = { type: 'system' as const, id: null, name: 'identity.ensureUser' };
        await recordAudit(t, { actor, requestId: meta.requestId, ip: meta.ip }, {
          tenantId: input.tenantId, enterpriseId: input.enterpriseId, action: 'create', entityType: 'user', entityId: id,
          after: { email, name: input.name, role: input.role, totpEnrolled: Boolean(input.totpSecret) },
        });
        await recordUserEvent(t, IDENTITY_EVENTS.userCreated, payload, actor);
        return { id, created: true };
      };
      try {
        return await (tx ? run(tx) : dbs.system(run));
      } catch (e) {
        throw mapUserWriteError(e);
      }
    },

    /** `cmp create-admin`: a new host admin with a TOTP secret to put in an authenticator app. */
    async createHostAdmin(input: { email: string; password: string; name: string }): Promise<{ id: string; email: string; totpSecret: string; otpauthUrl: string }> {
      const totpSecret = newTotpSecret();
      const email = normalizeEmail(input.email);
      const r = await service.ensureUser({ ...input, email, role: 'host_admin', tenantId: null, enterpriseId: null, totpSecret });
      if (!r.created) throw new ConflictError(`a user with the e-mail ${email} exists already`, [{ field: 'email', reason: 'is taken' }]);
      return { id: r.id, email, totpSecret, otpauthUrl: otpauthUrl(totpSecret, email) };
    },

    /**
     * Follows the accounts module's status events: while a tenant or enterprise is suspended or terminated, its
     * users cannot log in and its sessions and API keys do not authenticate. Idempotent, and an older event
     * delivered late never overrides a newer one.
     */
    async onAccountStatus(event: StoredEvent): Promise<void> {
      const [, object, verb] = event.type.split('.');
      const status = verb === 'reactivated' ? 'ACTIVE' : verb === 'suspended' ? 'SUSPENDED' : verb === 'terminated' ? 'TERMINATED' : null;
      if (!status || (object !== 'tenant' && object !== 'enterprise')) return;
      const tenantId = object === 'tenant' ? event.aggregateId : event.tenantId;
      if (!tenantId) return;
      await repo.applyScopeStatus(dbs.db, { tenantId, scopeId: event.aggregateId, status, eventId: event.id, now: core.now() });
    },

    /**
     * Daily housekeeping: deletes used or expired challenges and reset tokens (after a day) and ended sessions
     * (after 30 days, kept that long for investigations).
     */
    async purgeExpired(now: Date): Promise<{ challenges: number; resets: number; sessions: number }> {
      const day = new Date(now.getTime() - 24 * 3600_000);
      const month = new Date(now.getTime() - 30 * 24 * 3600_000);
      return dbs.system(async (tx) => {
        const c = await tx.deleteFrom('login_challenges').where('expires_at', '<', day).executeTakeFirst();
        const r = await tx.deleteFrom('password_resets').where('expires_at', '<', day).executeTakeFirst();
        const s = await tx.deleteFrom('user_sessions')
          .where((eb) => eb.or([eb('expires_at', '<', month), eb('revoked_at', '<', month)])).executeTakeFirst();
        return { challenges: Number(c.numDeletedRows), resets: Number(r.numDeletedRows), sessions: Number(s.numDeletedRows) };
      });
    },

    /**
     * Key rotation: re-seals TOTP secrets still sealed with an older ENCRYPTION_KEYS entry under the primary
     * key, in batches. When it reports 0 left, the old key can be removed from ENCRYPTION_KEYS.
     */
    async resealTotpSecrets(batch = 500): Promise<{ resealed: number }> {
      let resealed = 0;
      for (;;) {
        const n = await dbs.system(async (tx) => {
          const rows = await tx.selectFrom('users').select(['id', 'totp_key_id', 'totp_secret'])
            .where('totp_key_id', '<>', ring.primary).limit(batch).forUpdate().skipLocked().execute();
          for (const r of rows) {
            const secret = openString({ keyId: r.totp_key_id!, blob: r.totp_secret! }, ring, totpContext(r.id));
            const fresh = sealTotp(r.id, secret);
            await tx.updateTable('users').set({ totp_key_id: fresh.keyId, totp_secret: fresh.blob }).where('id', '=', r.id).execute();
          }
          return rows.length;
        });
        resealed += n;
        if (n < batch) return { resealed };
      }
    },

    sealTotp,
    recordUserEvent,
  };
  return service;
}
export type AuthService = ReturnType<typeof createAuthService>;

/** Database refusals of a user write, as the API's errors. */
export function mapUserWriteError(e: unknown): unknown {
  const err = e as { code?: string; constraint?: string; message?: string };
  if (err.code === '23505' && /users_email/.test(`${err.constraint} ${err.message}`)) {
    return new ConflictError('a user with this e-mail address exists already', [{ field: 'email', reason: 'is taken' }]);
  }
  if (err.code === '23503' && /enterprise/.test(`${err.constraint} ${err.message}`)) {
    return ValidationError.field('enterpriseId', 'is not an enterprise of this tenant');
  }
  if (err.code === '23503' && /tenant/.test(`${err.constraint} ${err.message}`)) {
    return ValidationError.field('tenantId', 'is not a tenant');
  }
  if (err.code === '23514' && /users_role_level/.test(`${err.constraint} ${err.message}`)) {
    return ValidationError.field('role', 'does not fit the tenant/enterprise given (host roles have neither, tenant roles no enterprise, enterprise roles both)');
  }
  if (err.code === '23514' && /email/.test(`${err.constraint} ${err.message}`)) {
    return ValidationError.field('email', 'is not an e-mail address');
  }
  return e;
}
