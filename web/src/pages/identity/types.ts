import type { Role } from '../../auth';

/** Shapes of the identity API (src/modules/identity) as the console uses them. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'ACTIVE' | 'DISABLED';
  tenantId: string | null;
  enterpriseId: string | null;
  totpEnrolled: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  tenantId: string;
  enterpriseId: string | null;
  createdBy: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** POST /api-keys answers the key once with its secret. */
export interface CreatedApiKey extends ApiKey {
  secret: string;
}
