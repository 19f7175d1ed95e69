-- Identity: users, login challenges, sessions, password resets and API keys.
--
-- Users live at three levels: host (tenant_id and enterprise_id null), tenant (tenant_id set) and enterprise
-- (both set). Host rows have no tenant, so `id` alone is the primary key and users is not a Citus
-- distributed table (it is small; a reference table there). The tenant policy of cmp_protect_tenant_table
-- still does the right thing: `tenant_id = cmp_tenant_id()` is never true for a host row (null), so a tenant
-- scope sees only its own tenant's users and never host admins, and cannot write a host row; the enterprise
-- policy hides tenant-level users (enterprise_id null) and other enterprises' users from an enterprise scope.
-- Host administration and log-in lookups by e-mail run through dbs.system.

create table users (
  id             uuid primary key default gen_random_uuid(),
  tenant_id      uuid references tenants(id),
  enterprise_id  uuid,
  email          text not null check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+$'),
  name           text not null,
  role           text not null check (role in ('host_admin', 'tenant_admin', 'tenant_csr', 'tenant_finance', 'enterprise_admin', 'enterprise_user')),
  status         text not null default 'ACTIVE' check (status in ('ACTIVE', 'DISABLED')),
  password_hash  text not null,                 -- argon2id, PHC string
  totp_key_id    text,                          -- ENCRYPTION_KEYS id that sealed totp_secret
  totp_secret    bytea,                         -- AES-256-GCM sealed base32 secret; null until enrolled
  totp_last_step bigint not null default 0,     -- last accepted TOTP time step: a code is never accepted twice
  failed_logins  int not null default 0,
  locked_until   timestamptz,
  password_changed_at timestamptz not null default now(),
  last_login_at  timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  -- The level of the role decides which of tenant/enterprise must be set.
  constraint users_role_level check (case
    when role = 'host_admin' then tenant_id is null and enterprise_id is null
    when role in ('tenant_admin', 'tenant_csr', 'tenant_finance') then tenant_id is not null and enterprise_id is null
    else tenant_id is not null and enterprise_id is not null end),
  constraint users_totp_sealed check ((totp_secret is null) = (totp_key_id is null)),
  foreign key (tenant_id, enterprise_id) references enterprises (tenant_id, id)
);
-- E-mail addresses are stored lower-case, so this is the case-insensitive unique index.
create unique index users_email on users (email);
create index users_tenant on users (tenant_id, enterprise_id, created_at);
select cmp_protect_tenant_table('users', 'enterprise_id');

-- The step between password and TOTP: a random token (stored as its sha256) valid for minutes, used once.
-- During first login it carries the freshly generated TOTP secret (sealed) until the first code confirms it.
create table login_challenges (
  token_hash     text primary key,
  user_id        uuid not null references users(id) on delete cascade,
  totp_key_id    text,
  totp_secret    bytea,
  expires_at     timestamptz not null,
  used_at        timestamptz,
  created_at     timestamptz not null default now()
);
create index login_challenges_user on login_challenges (user_id);
-- Only the platform (dbs.system) touches challenges: with RLS forced and no policy, a tenant scope sees none.
alter table login_challenges enable row level security;
alter table login_challenges force row level security;

-- Sessions: opaque bearer tokens, stored as sha256, with an absolute expiry; logout and resets revoke them.
create table user_sessions (
  token_hash     text primary key,
  user_id        uuid not null references users(id) on delete cascade,
  tenant_id      uuid,
  enterprise_id  uuid,
  expires_at     timestamptz not null,
  revoked_at     timestamptz,
  ip             text,
  created_at     timestamptz not null default now()
);
create index user_sessions_user on user_sessions (user_id) where revoked_at is null;
select cmp_protect_tenant_table('user_sessions', 'enterprise_id');

-- Password reset tokens: sha256 of a random token, single use, short expiry.
create table password_resets (
  token_hash     text primary key,
  user_id        uuid not null references users(id) on delete cascade,
  expires_at     timestamptz not null,
  used_at        timestamptz,
  created_at     timestamptz not null default now()
);
create index password_resets_user on password_resets (user_id);
alter table password_resets enable row level security;
alter table password_resets force row level security;

-- API keys for machine clients (tenant CRM, provisioning callbacks): bound to a tenant, optionally one
-- enterprise, with a role. The secret `cmpk_<id>_<random>` is shown once; only its sha256 is kept.
create table api_keys (
  tenant_id      uuid not null references tenants(id),
  id             uuid not null default gen_random_uuid(),
  enterprise_id  uuid,
  name           text not null,
  role           text not null check (role in ('tenant_admin', 'tenant_csr', 'tenant_finance', 'enterprise_admin', 'enterprise_user')),
  secret_hash    text not null,
  created_by     text,
  expires_at     timestamptz,
  revoked_at     timestamptz,
  last_used_at   timestamptz,
  created_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint api_keys_role_level check ((role in ('enterprise_admin', 'enterprise_user')) = (enterprise_id is not null)),
  foreign key (tenant_id, enterprise_id) references enterprises (tenant_id, id)
);
-- authenticate() finds a key by the id embedded in its secret.
create index api_keys_id on api_keys (id);
select cmp_protect_tenant_table('api_keys', 'enterprise_id');
