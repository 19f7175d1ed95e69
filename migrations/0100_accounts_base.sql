-- Accounts: tenants (host level), enterprises and nested business units. Every module keys its tenant data
-- on (tenant_id, id) so the schema can be distributed by tenant_id.

create table tenants (
  id          uuid primary key default gen_random_uuid(),
  code        text not null unique check (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  name        text not null,
  status      text not null default 'ACTIVE' check (status in ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  -- Home networks (MCC-MNC) whose IMSIs this tenant may load, e.g. {'00101','310260'}.
  plmns       text[] not null default '{}',
  currency    char(3) not null default 'EUR',
  time_zone   text not null default 'UTC',
  settings    jsonb not null default '{}',
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants using (id = cmp_tenant_id()) with check (id = cmp_tenant_id());

create table enterprises (
  tenant_id   uuid not null references tenants(id),
  id          uuid not null default gen_random_uuid(),
  customer_id text not null,            -- the tenant CRM's id for this customer
  name        text not null,
  status      text not null default 'ACTIVE' check (status in ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, customer_id)
);
select cmp_protect_tenant_table('enterprises', 'id');

create table business_units (
  tenant_id     uuid not null,
  id            uuid not null default gen_random_uuid(),
  enterprise_id uuid not null,
  parent_id     uuid,                   -- null: directly under the enterprise
  unit_id       text not null,          -- the tenant CRM's id for this business unit
  name          text not null,
  status        text not null default 'ACTIVE' check (status in ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, unit_id),
  foreign key (tenant_id, enterprise_id) references enterprises (tenant_id, id),
  foreign key (tenant_id, parent_id) references business_units (tenant_id, id)
);
create index business_units_enterprise on business_units (tenant_id, enterprise_id);
select cmp_protect_tenant_table('business_units', 'enterprise_id');
