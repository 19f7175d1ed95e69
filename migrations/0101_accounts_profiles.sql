-- Accounts: the rest of the hierarchy's data. Business units stay inside their enterprise and never form a
-- cycle; billing profiles, contacts and addresses hang off an enterprise or one of its business units; and the
-- tenant CRM's onboarding requests are kept with their outcome.

-- Home networks are MCC-MNC codes of 5 or 6 digits.
alter table tenants add constraint tenants_plmns_format
  check (array_to_string(plmns, ',') ~ '^([0-9]{5,6}(,[0-9]{5,6})*)?$');

-- The enterprise's main phone number (E.164).
alter table enterprises add column phone text check (phone ~ '^\+[1-9][0-9]{6,14}$');

-- A parent unit must belong to the same enterprise: the foreign key includes enterprise_id.
alter table business_units add constraint business_units_enterprise_unit unique (tenant_id, enterprise_id, id);
alter table business_units add constraint business_units_parent_same_enterprise
  foreign key (tenant_id, enterprise_id, parent_id) references business_units (tenant_id, enterprise_id, id);
alter table business_units add constraint business_units_not_own_parent check (parent_id is null or parent_id <> id);
create index business_units_parent on business_units (tenant_id, parent_id);

-- Last line of defence against cycles (the service checks first, under the enterprise's row lock, and answers
-- with a field error): walking up from the new parent must never reach the unit itself.
create or replace function business_units_no_cycle() returns trigger language plpgsql as $$
begin
  if new.parent_id is null then return new; end if;
  if exists (
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 1 from business_units where tenant_id = new.tenant_id and id = new.parent_id
      union all
      select b.id, b.parent_id, up.depth + 1 from business_units b join up on b.tenant_id = new.tenant_id and b.id = up.parent_id
       where up.depth < 10000)
    select 1 from up where id = new.id) then
    raise exception 'business unit % would become its own ancestor', new.id using errcode = '23514';
  end if;
  return new;
end $$;
create trigger business_units_no_cycle before update of parent_id on business_units
  for each row execute function business_units_no_cycle();

-- Billing profiles (TMF666 billing account): on an enterprise, or on one of its business units.
create table billing_profiles (
  tenant_id              uuid not null,
  id                     uuid not null default gen_random_uuid(),
  enterprise_id          uuid not null,
  business_unit_id       uuid,
  billing_account_number text not null check (billing_account_number ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  name                   text not null,
  status                 text not null default 'ACTIVE' check (status in ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  bill_cycle_day         smallint not null check (bill_cycle_day between 1 and 28),
  currency               char(3) not null check (currency ~ '^[A-Z]{3}$'),
  time_zone              text not null,
  payment_terms_days     int not null check (payment_terms_days between 0 and 365),
  credit_limit           bigint check (credit_limit >= 0),   -- micro-units of currency; null: no limit
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, billing_account_number),
  foreign key (tenant_id, enterprise_id) references enterprises (tenant_id, id),
  foreign key (tenant_id, enterprise_id, business_unit_id) references business_units (tenant_id, enterprise_id, id)
);
create index billing_profiles_enterprise on billing_profiles (tenant_id, enterprise_id);
select cmp_protect_tenant_table('billing_profiles', 'enterprise_id');

-- Contacts of an enterprise (business_unit_id null) or of a business unit; at most one primary per owner.
create table account_contacts (
  tenant_id        uuid not null,
  id               uuid not null default gen_random_uuid(),
  enterprise_id    uuid not null,
  business_unit_id uuid,
  role             text not null check (role in ('primary', 'billing', 'technical', 'other')),
  name             text not null,
  email            text,
  phone            text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  position         int not null default 0,
  primary key (tenant_id, id),
  foreign key (tenant_id, enterprise_id) references enterprises (tenant_id, id),
  foreign key (tenant_id, enterprise_id, business_unit_id) references business_units (tenant_id, enterprise_id, id)
);
create index account_contacts_owner on account_contacts (tenant_id, enterprise_id, business_unit_id);
create unique index account_contacts_one_primary on account_contacts
  (tenant_id, enterprise_id, coalesce(business_unit_id, '00000000-0000-0000-0000-000000000000'::uuid)) where role = 'primary';
select cmp_protect_tenant_table('account_contacts', 'enterprise_id');

-- Structured postal addresses, at most one of each kind per owner.
create table account_addresses (
  tenant_id        uuid not null,
  id               uuid not null default gen_random_uuid(),
  enterprise_id    uuid not null,
  business_unit_id uuid,
  kind             text not null check (kind in ('main', 'billing', 'shipping')),
  lines            text[] not null check (cardinality(lines) between 1 and 4),
  city             text not null,
  postcode         text,
  region           text,
  country          char(2) not null check (country ~ '^[A-Z]{2}$'),
  primary key (tenant_id, id),
  foreign key (tenant_id, enterprise_id) references enterprises (tenant_id, id),
  foreign key (tenant_id, enterprise_id, business_unit_id) references business_units (tenant_id, enterprise_id, id)
);
create unique index account_addresses_one_per_kind on account_addresses
  (tenant_id, enterprise_id, coalesce(business_unit_id, '00000000-0000-0000-0000-000000000000'::uuid), kind);
select cmp_protect_tenant_table('account_addresses', 'enterprise_id');

-- Onboarding requests from the tenant CRM: accepted at once (202), processed by the outbox worker, kept with
-- their outcome (created ids or field errors) and the state of the callback to the CRM.
create table onboarding_requests (
  tenant_id        uuid not null references tenants(id),
  id               uuid not null default gen_random_uuid(),
  kind             text not null check (kind in ('enterprise', 'business-unit', 'billing-profile', 'enterprise-update')),
  status           text not null default 'PENDING' check (status in ('PENDING', 'COMPLETED', 'REJECTED')),
  payload          jsonb not null,
  callback_url     text,
  result           jsonb,
  errors           jsonb,
  requested_by     jsonb,
  request_id       text,
  callback_status  text check (callback_status in ('PENDING', 'DELIVERED')),  -- null: no callback asked for
  callback_attempts int not null default 0,
  callback_last_error text,
  callback_delivered_at timestamptz,
  created_at       timestamptz not null default now(),
  processed_at     timestamptz,
  primary key (tenant_id, id)
);
create index onboarding_requests_recent on onboarding_requests (tenant_id, created_at, id);
select cmp_protect_tenant_table('onboarding_requests');
