import { z } from 'zod';
import { ROLES } from '../../platform/auth';
import { pageQuery, pageOf } from '../../platform/http/pagination';

/** Request and response shapes of the identity API (they also generate its OpenAPI description). */

const role = z.enum(ROLES);
const email = z.string().trim().min(3).max(254).regex(/^[^@\s]+@[^@\s]+$/, 'must be an e-mail address');
const id = z.string().uuid();

export const loginBody = z.object({ email: z.string().max(254), password: z.string().max(1024) });
export const loginResponse = z.discriminatedUnion('status', [
  z.object({ status: z.literal('mfa_required'), challenge: z.string() }),
  z.object({ status: z.literal('mfa_enrollment_required'), challenge: z.string(), otpauthUrl: z.string(), secret: z.string() }),
]);

export const mfaBody = z.object({ challenge: z.string().min(1).max(200), code: z.string().min(1).max(16) });

export const sessionUser = z.object({
  id, email: z.string().nullable(), name: z.string(), role, tenantId: z.string().nullable(), enterpriseId: z.string().nullable(),
  permissions: z.array(z.string()),
});
export const sessionResponse = z.object({ token: z.string(), expiresAt: z.date(), user: sessionUser });
export const meResponse = z.object({ kind: z.enum(['user', 'api_key', 'system']), user: sessionUser, expiresAt: z.date().nullable() });

export const resetRequestBody = z.object({ email: z.string().max(254) });
export const changePasswordBody = z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) });
export const resetConfirmBody = z.object({ token: z.string().min(1).max(200), newPassword: z.string().max(1024) });

export const user = z.object({
  id, email: z.string(), name: z.string(), role, tenantId: z.string().nullable(), enterpriseId: z.string().nullable(),
  status: z.enum(['ACTIVE', 'DISABLED']), totpEnrolled: z.boolean(), lockedUntil: z.date().nullable(), lastLoginAt: z.date().nullable(),
  createdAt: z.date(), updatedAt: z.date(),
});
export const userList = pageOf(user);
export const userListQuery = pageQuery.extend({
  role: role.optional(), status: z.enum(['ACTIVE', 'DISABLED']).optional(), enterpriseId: id.optional(),
  email: z.string().max(254).optional().describe('part of the e-mail address'),
});
export const createUserBody = z.object({
  email, name: z.string().trim().min(1).max(200), role,
  enterpriseId: id.nullish().describe('required for enterprise roles (an enterprise admin may omit it: its own)'),
  password: z.string().max(1024).optional().describe('omit to send an invitation (password-reset e-mail) instead'),
});
export const updateUserBody = z.object({
  name: z.string().trim().min(1).max(200).optional(), role: role.optional(), status: z.enum(['ACTIVE', 'DISABLED']).optional(),
  resetTotp: z.boolean().optional().describe('forget the TOTP secret: the next log-in enrols a new one'),
  unlock: z.boolean().optional().describe('lift a log-in lockout now'),
}).strict();
export const idParams = z.object({ id: z.string().max(64) });

export const apiKey = z.object({
  id, name: z.string(), role, tenantId: z.string(), enterpriseId: z.string().nullable(), createdBy: z.string().nullable(),
  createdAt: z.date(), expiresAt: z.date().nullable(), revokedAt: z.date().nullable(), lastUsedAt: z.date().nullable(),
});
export const apiKeyCreated = apiKey.extend({ secret: z.string().describe('shown only in this response: send it as X-API-Key or Bearer') });
export const apiKeyList = pageOf(apiKey);
export const apiKeyListQuery = pageQuery.extend({ includeRevoked: z.enum(['true', 'false']).transform((v) => v === 'true').optional() });
export const createApiKeyBody = z.object({
  name: z.string().trim().min(1).max(200), role, enterpriseId: id.nullish(),
  expiresAt: z.coerce.date().nullish(),
});
