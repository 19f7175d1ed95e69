-- Provisioning: per-tenant targets (adapters with sealed credentials), one delivery per (event, target) with
-- retries, per-(target, SIM) lanes and a dead-letter state, the external-key registry, and inbound notices.

create table provisioning_targets (
  tenant_id      uuid not null references tenants(id),
  id             uuid not null default gen_random_uuid(),
  name           text not null,
  kind           text not null check (kind in ('REST', 'SFTP', 'CISCO_CC')),
  config         jsonb not null default '{}',       -- adapter settings, never secrets
  secret_enc     bytea,                             -- credentials (password, token, private key), sealed
  key_id         text,
  inbound_secret_enc bytea,                         -- HMAC secret of the inbound webhook, sealed
  inbound_key_id text,
  event_types    text[] not null default '{}',      -- subscribed event types ('*' suffix allowed)
  gate           text not null default 'ALL' check (gate in ('ALL', 'MAPPED_OFFERS')),
  offer_profiles jsonb not null default '{}',       -- offer id -> the target's profile / rate plan name
  capabilities   text[] not null default '{}',
  max_attempts   int not null default 10 check (max_attempts between 1 and 100),
  batch_size     int not null default 200 check (batch_size between 1 and 10000),
  enabled        boolean not null default true,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
select cmp_protect_tenant_table('provisioning_targets');

-- PENDING -> IN_PROGRESS -> SUCCEEDED | back to PENDING (retry) | DEAD; SKIPPED when gating says no;
-- DISCARDED when an operator gives up on a DEAD one. A lane is (target, SIM): the lowest event_seq not yet
-- finished goes first, and a DEAD one blocks the rest of its lane.
create table provisioning_deliveries (
  tenant_id       uuid not null references tenants(id),
  id              bigint generated always as identity,
  event_id        uuid not null,
  event_seq       bigint not null,          -- the outbox id: the order events were recorded in
  event_type      text not null,
  target_id       uuid not null,
  sim_id          uuid,
  enterprise_id   uuid,
  lane            text not null,
  change_id       uuid,
  status          text not null default 'PENDING'
                  check (status in ('PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'DEAD', 'SKIPPED', 'DISCARDED')),
  attempts        int not null default 0,
  max_attempts    int not null,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  last_result_code text,
  external_ref    text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  finished_at     timestamptz,
  discarded_by    jsonb,
  discard_reason  text,
  primary key (tenant_id, id),
  unique (tenant_id, event_id, target_id),
  foreign key (tenant_id, target_id) references provisioning_targets (tenant_id, id)
);
create index provisioning_deliveries_due on provisioning_deliveries (next_attempt_at, id) where status in ('PENDING', 'IN_PROGRESS');
create index provisioning_deliveries_lane on provisioning_deliveries (tenant_id, target_id, lane, event_seq)
  where status in ('PENDING', 'IN_PROGRESS', 'DEAD');
create index provisioning_deliveries_sim on provisioning_deliveries (tenant_id, sim_id, id);
create index provisioning_deliveries_change on provisioning_deliveries (tenant_id, change_id) where change_id is not null;
create index provisioning_deliveries_dead on provisioning_deliveries (tenant_id, id) where status = 'DEAD';
create index provisioning_deliveries_ref on provisioning_deliveries (tenant_id, target_id, external_ref) where external_ref is not null;
select cmp_protect_tenant_table('provisioning_deliveries', 'enterprise_id');

-- Keys a target generated (subscriber key, device id), sent on later calls and used to match inbound notices.
create table external_keys (
  tenant_id    uuid not null references tenants(id),
  entity_type  text not null,
  entity_id    uuid not null,
  target_id    uuid not null,
  key_name     text not null,
  value        text not null,
  retired_at   timestamptz,
  updated_at   timestamptz not null default now(),
  primary key (tenant_id, entity_type, entity_id, target_id, key_name),
  foreign key (tenant_id, target_id) references provisioning_targets (tenant_id, id)
);
create index external_keys_value on external_keys (tenant_id, target_id, key_name, value);
select cmp_protect_tenant_table('external_keys');

-- Notices from the network, de-duplicated by the sender's event id; UNMATCHED ones are parked for replay.
create table inbound_notifications (
  tenant_id        uuid not null references tenants(id),
  id               uuid not null default gen_random_uuid(),
  source           text not null,           -- target id, or 'api' for API-key callers
  sender_event_id  text not null,
  type             text not null,
  payload          jsonb not null,
  status           text not null check (status in ('APPLIED', 'UNMATCHED', 'IGNORED', 'FAILED')),
  sim_id           uuid,
  detail           text,
  received_at      timestamptz not null,
  processed_at     timestamptz,
  primary key (tenant_id, id),
  unique (tenant_id, source, sender_event_id)
);
create index inbound_notifications_status on inbound_notifications (tenant_id, status, received_at);
select cmp_protect_tenant_table('inbound_notifications');
