-- Lifecycle: the history of every SIM change (state, plan, APN, MSISDN, IMEI lock, suspension holds), the
-- suspension holds per party, test-mode limits, account-level suspensions and bulk jobs. The SIM row itself
-- belongs to inventory (0400); lifecycle changes it only through inventory's exported functions.

-- One requested change of one SIM: SCHEDULED (for a future date) -> PENDING (the network is applying it)
-- -> COMPLETED or FAILED (rolled back, with the reason); CANCELLED for a scheduled change withdrawn.
create table sim_changes (
  tenant_id      uuid not null references tenants(id),
  id             uuid not null default gen_random_uuid(),
  sim_id         uuid not null,
  enterprise_id  uuid,
  kind           text not null check (kind in ('STATE', 'PLAN', 'APN', 'MSISDN', 'IMEI_LOCK', 'HOLD')),
  action         text not null,
  from_state     text,
  to_state       text,
  from_value     jsonb,
  to_value       jsonb,
  party          text check (party in ('ENTERPRISE', 'TENANT', 'DUNNING', 'SYSTEM')),
  status         text not null check (status in ('SCHEDULED', 'PENDING', 'COMPLETED', 'FAILED', 'CANCELLED')),
  scheduled_for  timestamptz,
  requested_at   timestamptz not null,
  applied_at     timestamptz,
  settled_at     timestamptz,
  requested_by   jsonb,
  reason         text,
  outcome        text,
  bulk_job_id    uuid,
  primary key (tenant_id, id)
);
create index sim_changes_sim on sim_changes (tenant_id, sim_id, requested_at desc);
create index sim_changes_due on sim_changes (scheduled_for) where status = 'SCHEDULED';
-- At most one change in flight per SIM: the network applies them one after another.
create unique index sim_changes_one_pending on sim_changes (tenant_id, sim_id) where status = 'PENDING';
select cmp_protect_tenant_table('sim_changes', 'enterprise_id');

-- Who holds a SIM suspended. The SIM is SUSPEND while any hold remains; a party lifts only its own.
create table sim_holds (
  tenant_id      uuid not null references tenants(id),
  sim_id         uuid not null,
  party          text not null check (party in ('ENTERPRISE', 'TENANT', 'DUNNING', 'SYSTEM')),
  enterprise_id  uuid,
  reason         text,
  change_id      uuid,
  placed_at      timestamptz not null,
  placed_by      jsonb,
  primary key (tenant_id, sim_id, party)
);
select cmp_protect_tenant_table('sim_holds', 'enterprise_id');

-- Test mode: the limits a TEST_ACTIVE SIM carries and what it used; reaching one activates the SIM.
create table sim_test_limits (
  tenant_id        uuid not null references tenants(id),
  sim_id           uuid not null,
  enterprise_id    uuid,
  data_bytes_limit bigint check (data_bytes_limit > 0),
  sms_limit        int check (sms_limit > 0),
  days_limit       int check (days_limit > 0),
  started_at       timestamptz not null,
  ends_at          timestamptz,
  data_bytes_used  bigint not null default 0,
  sms_used         int not null default 0,
  ended_at         timestamptz,
  end_reason       text,
  primary key (tenant_id, sim_id)
);
create index sim_test_limits_days on sim_test_limits (ends_at) where ended_at is null;
select cmp_protect_tenant_table('sim_test_limits', 'enterprise_id');

-- An account (enterprise) suspended by credit control: no new activations while the row exists.
create table account_suspensions (
  tenant_id      uuid not null references tenants(id),
  enterprise_id  uuid not null,
  party          text not null default 'DUNNING',
  reason         text,
  since          timestamptz not null,
  primary key (tenant_id, enterprise_id)
);
select cmp_protect_tenant_table('account_suspensions', 'enterprise_id');

-- Bulk actions: one job, one item per SIM (or per identifier that matched none), each with its outcome.
create table bulk_jobs (
  tenant_id      uuid not null references tenants(id),
  id             uuid not null default gen_random_uuid(),
  enterprise_id  uuid,
  action         text not null,
  params         jsonb not null default '{}',
  source         text not null check (source in ('LIST', 'CSV', 'FILTER')),
  status         text not null default 'QUEUED' check (status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED')),
  total          int not null default 0,
  processed      int not null default 0,
  succeeded      int not null default 0,
  failed         int not null default 0,
  scheduled_for  timestamptz,
  created_by     jsonb,
  created_at     timestamptz not null,
  started_at     timestamptz,
  finished_at    timestamptz,
  detail         text,
  primary key (tenant_id, id)
);
create index bulk_jobs_queued on bulk_jobs (created_at) where status in ('QUEUED', 'RUNNING');
select cmp_protect_tenant_table('bulk_jobs', 'enterprise_id');

create table bulk_job_items (
  tenant_id      uuid not null,
  job_id         uuid not null,
  seq            int not null,
  enterprise_id  uuid,
  identifier     text not null,
  sim_id         uuid,
  outcome        text not null default 'QUEUED' check (outcome in ('QUEUED', 'ACCEPTED', 'REFUSED')),
  change_id      uuid,
  error          text,
  primary key (tenant_id, job_id, seq),
  foreign key (tenant_id, job_id) references bulk_jobs (tenant_id, id)
);
create index bulk_job_items_queued on bulk_job_items (tenant_id, job_id, seq) where outcome = 'QUEUED';
select cmp_protect_tenant_table('bulk_job_items', 'enterprise_id');
