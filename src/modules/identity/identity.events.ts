import type { Role } from '../../platform/auth';

/** Domain events of the identity module (`identity.<object>.<past tense>`). */
export const IDENTITY_EVENTS = {
  userCreated: 'identity.user.created',
  userUpdated: 'identity.user.updated',
  passwordReset: 'identity.user.password_reset',
  apiKeyCreated: 'identity.api_key.created',
  apiKeyRevoked: 'identity.api_key.revoked',
} as const;

export interface UserEventPayload {
  userId: string;
  email: string;
  role: Role;
  tenantId: string | null;
  enterpriseId: string | null;
  status: 'ACTIVE' | 'DISABLED';
  /** identity.user.updated: the fields that changed. */
  changed?: string[];
}

export interface ApiKeyEventPayload {
  apiKeyId: string;
  name: string;
  role: Role;
  tenantId: string;
  enterpriseId: string | null;
}
