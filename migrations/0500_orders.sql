-- Orders: SIM orders of enterprises, their state history, and each tenant's order settings.

create table order_settings (
  tenant_id          uuid not null references tenants(id),
  -- Orders wait in AWAITING_APPROVAL until a tenant user approves them.
  require_approval   boolean not null default false,
  -- The lifecycle state allocated SIMs start in.
  initial_sim_state  text not null default 'WARM' check (initial_sim_state in ('WARM', 'READY')),
  -- Give every allocated SIM an MSISDN from the tenant's pools.
  assign_msisdns     boolean not null default true,
  updated_at         timestamptz not null default now(),
  primary key (tenant_id)
);
select cmp_protect_tenant_table('order_settings');

create table sim_orders (
  tenant_id         uuid not null references tenants(id),
  id                uuid not null default gen_random_uuid(),
  enterprise_id     uuid not null,
  business_unit_id  uuid not null,
  sim_product_id    uuid not null,
  esim              boolean not null,
  quantity          int not null check (quantity between 1 and 100000),
  offer_id          uuid,
  apn_ids           uuid[] not null default '{}',
  delivery_address  jsonb,
  external_id       text,                 -- the customer's purchase order / TMF622 externalId
  note              text,
  state             text not null check (state in ('AWAITING_APPROVAL', 'PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED')),
  state_reason      text,                 -- why it FAILED or was CANCELLED / rejected
  placed_by         jsonb not null,       -- actor
  tracking_ref      text,                 -- the logistics reference given when the order completed
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  completed_at      timestamptz,
  primary key (tenant_id, id)
);
create index sim_orders_enterprise on sim_orders (tenant_id, enterprise_id, created_at desc);
create index sim_orders_state on sim_orders (tenant_id, state, created_at);
select cmp_protect_tenant_table('sim_orders', 'enterprise_id');

create table sim_order_history (
  tenant_id      uuid not null,
  order_id       uuid not null,
  seq            int not null,
  enterprise_id  uuid not null,
  from_state     text,
  to_state       text not null,
  reason         text,
  actor          jsonb,
  at             timestamptz not null default now(),
  primary key (tenant_id, order_id, seq),
  foreign key (tenant_id, order_id) references sim_orders (tenant_id, id)
);
select cmp_protect_tenant_table('sim_order_history', 'enterprise_id');
