-- Inventory: SIM products (host-wide and per tenant), APNs, inventory loads with their row report, MSISDN pools,
-- and the per-tenant SFTP target of the daily stock report.

-- Host-wide SIM products, offered to every tenant. A catalog-wide reference table (no tenant data): every tenant
-- may read it, only the platform (host admin, system scope) writes it.
create table host_sim_products (
  id            uuid primary key default gen_random_uuid(),
  name          text not null unique,
  form_factor   text not null check (form_factor in ('2FF', '3FF', '4FF', 'MFF2', 'ESIM')),
  vendor        text not null,
  profile_type  text not null,
  active        boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
grant select on host_sim_products to cmp_app;
revoke insert, update, delete on host_sim_products from cmp_app;

-- A tenant's own SIM products.
create table sim_products (
  tenant_id     uuid not null references tenants(id),
  id            uuid not null default gen_random_uuid(),
  name          text not null,
  form_factor   text not null check (form_factor in ('2FF', '3FF', '4FF', 'MFF2', 'ESIM')),
  vendor        text not null,
  profile_type  text not null,
  active        boolean not null default true,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
select cmp_protect_tenant_table('sim_products');

-- APNs of a tenant. An APN with assignments is usable only by the enterprises / plans it is assigned to;
-- one without any is open to every enterprise and plan of the tenant.
create table apns (
  tenant_id      uuid not null references tenants(id),
  id             uuid not null default gen_random_uuid(),
  name           text not null,                 -- the network APN / DNN, e.g. iot.acme.example
  type           text not null check (type in ('PUBLIC', 'PRIVATE')),
  ip_allocation  text not null check (ip_allocation in ('DYNAMIC', 'STATIC')),
  enterprise_ids uuid[] not null default '{}',
  offer_ids      uuid[] not null default '{}',
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
select cmp_protect_tenant_table('apns');

-- One inventory load (a vendor output file). LOADING while the file streams in, then LOADED (every row in) or
-- REJECTED (nothing in; the bad rows are in sim_load_errors).
create table sim_loads (
  tenant_id      uuid not null references tenants(id),
  id             uuid not null default gen_random_uuid(),
  sim_product_id uuid not null,
  file_name      text,
  status         text not null default 'LOADING' check (status in ('LOADING', 'LOADED', 'REJECTED', 'FAILED')),
  total_rows     int not null default 0,
  loaded_rows    int not null default 0,
  error_count    int not null default 0,
  detail         text,                          -- why a load FAILED (not a row problem)
  created_by     text,
  created_at     timestamptz not null default now(),
  finished_at    timestamptz,
  primary key (tenant_id, id)
);
select cmp_protect_tenant_table('sim_loads');

create table sim_load_errors (
  tenant_id  uuid not null,
  load_id    uuid not null,
  line       int not null,
  field      text not null,
  reason     text not null,
  primary key (tenant_id, load_id, line, field, reason),
  foreign key (tenant_id, load_id) references sim_loads (tenant_id, id)
);
select cmp_protect_tenant_table('sim_load_errors');

-- MSISDN pools and their numbers. A released number is QUARANTINED until quarantine_until, then a scheduled job
-- makes it FREE again.
create table msisdn_pools (
  tenant_id        uuid not null references tenants(id),
  id               uuid not null default gen_random_uuid(),
  name             text not null,
  quarantine_days  int not null default 90 check (quarantine_days >= 0),
  created_at       timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
select cmp_protect_tenant_table('msisdn_pools');

create table msisdns (
  tenant_id        uuid not null,
  msisdn           text not null check (msisdn ~ '^[1-9][0-9]{6,14}$'),
  pool_id          uuid not null,
  state            text not null default 'FREE' check (state in ('FREE', 'RESERVED', 'ASSIGNED', 'QUARANTINED')),
  sim_id           uuid,
  order_id         uuid,
  quarantine_until timestamptz,
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, msisdn),
  foreign key (tenant_id, pool_id) references msisdn_pools (tenant_id, id)
);
create index msisdns_free on msisdns (tenant_id, state, msisdn);
create index msisdns_quarantine on msisdns (quarantine_until) where state = 'QUARANTINED';
select cmp_protect_tenant_table('msisdns');

-- Where the daily stock report of a tenant goes (its ERP's SFTP drop box). The private key is sealed like Ki.
create table stock_report_targets (
  tenant_id          uuid not null references tenants(id),
  host               text not null,
  port               int not null default 22 check (port between 1 and 65535),
  username           text not null,
  private_key_enc    bytea not null,
  key_id             text not null,
  remote_dir         text not null default '.',
  host_key_sha256    text,                      -- hex SHA-256 of the server's host key; checked when set
  enabled            boolean not null default true,
  last_delivered_at  timestamptz,
  last_file          text,
  last_error         text,
  updated_at         timestamptz not null default now(),
  primary key (tenant_id)
);
select cmp_protect_tenant_table('stock_report_targets');

create index sims_order on sims (tenant_id, order_id) where order_id is not null;
-- Orders take stock in ICCID order; this partial index makes "the next N available" a short index walk.
create index sims_available on sims (tenant_id, sim_product_id, iccid) where stock_state = 'AVAILABLE';
