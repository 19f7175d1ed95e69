-- Inventory: the SIM record. Inventory owns this table; lifecycle changes state only through inventory's
-- exported service functions, and keeps its own history tables.

create table sims (
  tenant_id        uuid not null references tenants(id),
  id               uuid not null default gen_random_uuid(),
  iccid            text not null,
  imsi             text not null,
  msisdn           text,
  sim_product_id   uuid,
  eid              text,
  matching_id      text,                 -- SM-DP+ activation matching id (eSIM)
  -- Ki and OPc sealed with AES-256-GCM under a data key named by key_id; never returned by any API.
  ki_enc           bytea not null,
  opc_enc          bytea,
  key_id           text not null,
  puk1             text,
  puk2             text,
  pin1             text,
  batch_id         uuid,                 -- the inventory load that brought it in
  -- Allocation: AVAILABLE in stock, ALLOCATED to an enterprise by an order.
  stock_state      text not null default 'AVAILABLE' check (stock_state in ('AVAILABLE', 'ALLOCATED', 'RETIRED')),
  enterprise_id    uuid,
  business_unit_id uuid,
  order_id         uuid,
  -- Lifecycle state (transition rules live in modules/lifecycle).
  state            text not null default 'WARM'
                   check (state in ('WARM', 'READY', 'TEST_ACTIVE', 'ACTIVE', 'SUSPEND', 'TERMINATE')),
  pending_state    text,                 -- target while the network applies a change
  state_changed_at timestamptz not null default now(),
  plan_offer_id    uuid,                 -- primary offer (catalog)
  apn_ids          uuid[] not null default '{}',
  imei             text,
  imei_lock        boolean not null default false,
  version          int not null default 0,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, iccid),
  unique (tenant_id, imsi)
);
create unique index sims_msisdn on sims (tenant_id, msisdn) where msisdn is not null;
create index sims_enterprise_state on sims (tenant_id, enterprise_id, state);
create index sims_stock on sims (tenant_id, sim_product_id, stock_state);
select cmp_protect_tenant_table('sims', 'enterprise_id');
