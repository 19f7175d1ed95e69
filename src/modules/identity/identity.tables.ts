import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../../platform/auth';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface UsersTable {
  id: Generated<string>;
  tenant_id: string | null;
  enterprise_id: string | null;
  email: string;
  name: string;
  role: Role;
  status: Generated<'ACTIVE' | 'DISABLED'>;
  password_hash: string;
  totp_key_id: string | null;
  totp_secret: Buffer | null;
  totp_last_step: Generated<number>;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  password_changed_at: Timestamp;
  last_login_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LoginChallengesTable {
  token_hash: string;
  user_id: string;
  totp_key_id: string | null;
  totp_secret: Buffer | null;
  expires_at: Date;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface UserSessionsTable {
  token_hash: string;
  user_id: string;
  tenant_id: string | null;
  enterprise_id: string | null;
  expires_at: Date;
  revoked_at: NullableTimestamp;
  ip: string | null;
  created_at: Timestamp;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  expires_at: Date;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface ApiKeysTable {
  tenant_id: string;
  id: string;
  enterprise_id: string | null;
  name: string;
  role: Role;
  secret_hash: string;
  created_by: string | null;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface IdentityScopeStatusTable {
  tenant_id: string;
  scope_id: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'TERMINATED';
  event_id: number;
  updated_at: Timestamp;
}

declare module '../../platform/db/schema' {
  interface Database {
    identity_scope_status: IdentityScopeStatusTable;
    users: UsersTable;
    login_challenges: LoginChallengesTable;
    user_sessions: UserSessionsTable;
    password_resets: PasswordResetsTable;
    api_keys: ApiKeysTable;
  }
}
