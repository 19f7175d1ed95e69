-- Platform base: the application role, tenancy helpers, the transactional outbox, audit trail,
-- idempotency keys and job schedules.

-- Tenant work runs as cmp_app (SET LOCAL ROLE inside each transaction). Roles are cluster-wide, so this
-- tolerates another database of the same cluster having created it first.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'cmp_app') then
    begin
      create role cmp_app nologin;
    exception when duplicate_object or unique_violation then null;
    end;
  end if;
end $$;
do $$ begin execute format('grant cmp_app to %I', current_user); exception when others then null; end $$;

grant usage on schema public to cmp_app;
alter default privileges in schema public grant select, insert, update, delete on tables to cmp_app;
alter default privileges in schema public grant usage, select on sequences to cmp_app;

-- The request's tenant and enterprise, set per transaction by the access layer. Empty means "none":
-- a tenant policy then matches no row, so forgetting to set the scope shows nothing rather than everything.
create or replace function cmp_tenant_id() returns uuid language sql stable as
$$ select nullif(current_setting('cmp.tenant_id', true), '')::uuid $$;
create or replace function cmp_enterprise_id() returns uuid language sql stable as
$$ select nullif(current_setting('cmp.enterprise_id', true), '')::uuid $$;

-- Transactional outbox: domain events written in the same transaction as the change they describe.
create table outbox_events (
  id           bigint generated always as identity primary key,
  tenant_id    uuid,
  event_id     uuid not null default gen_random_uuid() unique,
  type         text not null,
  aggregate_type text not null,
  aggregate_id text not null,
  payload      jsonb not null,
  actor        jsonb,
  occurred_at  timestamptz not null default now()
);
create index outbox_events_aggregate on outbox_events (tenant_id, aggregate_type, aggregate_id, id);

-- One delivery per (event, subscriber). Workers claim due rows with FOR UPDATE SKIP LOCKED.
create table outbox_deliveries (
  id            bigint generated always as identity primary key,
  event_id      bigint not null references outbox_events(id),
  tenant_id     uuid,
  subscriber    text not null,
  status        text not null default 'PENDING' check (status in ('PENDING', 'DONE', 'DEAD')),
  attempts      int not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error    text,
  delivered_at  timestamptz,
  updated_at    timestamptz not null default now(),
  unique (event_id, subscriber)
);
create index outbox_deliveries_due on outbox_deliveries (next_attempt_at, id) where status = 'PENDING';
create index outbox_deliveries_dead on outbox_deliveries (tenant_id, id) where status = 'DEAD';

-- Append-only audit trail: who, what (entity, action, before/after), when, from where.
create table audit_log (
  id           bigint generated always as identity,
  tenant_id    uuid,
  enterprise_id uuid,
  actor_type   text not null,
  actor_id     text,
  actor_name   text,
  action       text not null,
  entity_type  text not null,
  entity_id    text,
  before       jsonb,
  after        jsonb,
  request_id   text,
  ip           text,
  at           timestamptz not null default now(),
  primary key (id)
);
create index audit_log_scope on audit_log (tenant_id, enterprise_id, at desc);
create index audit_log_entity on audit_log (tenant_id, entity_type, entity_id);
create or replace function audit_log_append_only() returns trigger language plpgsql as
$$ begin raise exception 'audit_log is append-only'; end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();

alter table outbox_events enable row level security;
alter table outbox_events force row level security;
create policy tenant_isolation on outbox_events
  using (tenant_id = cmp_tenant_id()) with check (tenant_id = cmp_tenant_id());
alter table outbox_deliveries enable row level security;
alter table outbox_deliveries force row level security;
create policy tenant_isolation on outbox_deliveries
  using (tenant_id = cmp_tenant_id()) with check (tenant_id = cmp_tenant_id());
alter table audit_log enable row level security;
alter table audit_log force row level security;
create policy tenant_isolation on audit_log
  using (tenant_id = cmp_tenant_id() and (cmp_enterprise_id() is null or enterprise_id = cmp_enterprise_id()))
  with check (tenant_id = cmp_tenant_id());

-- Idempotency-Key: the first response to a key is stored and replayed for retries with the same body.
create table idempotency_keys (
  scope        text not null,       -- principal (user or API key id)
  key          text not null,
  tenant_id    uuid,
  method       text not null,
  path         text not null,
  request_hash text not null,
  status_code  int,
  response     jsonb,
  created_at   timestamptz not null default now(),
  primary key (scope, key)
);
create index idempotency_keys_age on idempotency_keys (created_at);

-- Scheduled jobs: one row per schedule; the process that locks the row when due runs it, once.
create table job_schedules (
  name         text primary key,
  cron         text not null,
  next_run_at  timestamptz not null,
  last_run_at  timestamptz,
  last_status  text,
  last_error   text,
  runs         int not null default 0,
  failures     int not null default 0
);

-- The one way a migration protects a tenant table: FORCE RLS with the tenant policy and, for tables whose
-- rows belong to one enterprise, a restrictive enterprise policy (an enterprise-scoped request sees only
-- its own enterprise's rows; a tenant-scoped one sees the whole tenant).
--   select cmp_protect_tenant_table('sims', 'enterprise_id');
create or replace function cmp_protect_tenant_table(tbl regclass, enterprise_column text default null)
returns void language plpgsql as $$
begin
  execute format('alter table %s enable row level security', tbl);
  execute format('alter table %s force row level security', tbl);
  execute format('create policy tenant_isolation on %s using (tenant_id = cmp_tenant_id()) with check (tenant_id = cmp_tenant_id())', tbl);
  if enterprise_column is not null then
    execute format('create policy enterprise_isolation on %s as restrictive
                      using (cmp_enterprise_id() is null or %I = cmp_enterprise_id())
                      with check (cmp_enterprise_id() is null or %I = cmp_enterprise_id())', tbl, enterprise_column, enterprise_column);
  end if;
end $$;
