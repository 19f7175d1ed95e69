-- Catalog: offers with effective-dated versions, bundles, rating zones, enterprise price agreements, the
-- TM Forum TMF620 side resources (category, catalog, productSpecification) and host-level templates.
-- An offer version's content is one validated JSON document (`spec`, see src/modules/catalog/catalog.schemas.ts):
-- versions are immutable snapshots once approved, so a snapshot is the natural unit to store, compare and clone.

create table catalog_zones (
  tenant_id  uuid not null references tenants(id),
  id         uuid not null default gen_random_uuid(),
  code       text not null,              -- HOME, EU, ROW ... (used by offers' usage items)
  name       text not null,
  plmns      text[] not null,            -- MCC-MNC, MCC-MNC prefixes, or '*' (every other network)
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, code)
);
select cmp_protect_tenant_table('catalog_zones');

create table catalog_offers (
  tenant_id  uuid not null references tenants(id),
  id         uuid not null default gen_random_uuid(),
  code       text not null,
  name       text not null,
  kind       text not null check (kind in ('PRIMARY', 'SUPPLEMENTARY', 'ACCOUNT')),
  -- RETIRED stops new sales; existing subscriptions keep being rated with their versions.
  status     text not null default 'ACTIVE' check (status in ('ACTIVE', 'RETIRED')),
  retired_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, code)
);
select cmp_protect_tenant_table('catalog_offers');

create table catalog_offer_versions (
  tenant_id      uuid not null,
  id             uuid not null default gen_random_uuid(),
  offer_id       uuid not null,
  version        int not null check (version >= 1),
  -- DRAFT (editable) -> APPROVED (frozen) -> ACTIVE (in force from effective_from) -> RETIRED (superseded at effective_to)
  status         text not null default 'DRAFT' check (status in ('DRAFT', 'APPROVED', 'ACTIVE', 'RETIRED')),
  spec           jsonb not null,
  based_on       int,                    -- the version it was cloned from
  effective_from timestamptz,
  effective_to   timestamptz,
  approved_at    timestamptz,
  activated_at   timestamptz,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, offer_id, version),
  foreign key (tenant_id, offer_id) references catalog_offers (tenant_id, id) on delete cascade,
  check (effective_to is null or effective_from is not null and effective_to >= effective_from),
  check ((status in ('ACTIVE', 'RETIRED')) = (effective_from is not null))
);
-- At most one version being worked on (draft or approved) per offer.
create unique index catalog_offer_versions_open on catalog_offer_versions (tenant_id, offer_id) where status in ('DRAFT', 'APPROVED');
-- Effective dates of activated versions never collide.
create unique index catalog_offer_versions_effective on catalog_offer_versions (tenant_id, offer_id, effective_from) where effective_from is not null;
select cmp_protect_tenant_table('catalog_offer_versions');

create table catalog_bundles (
  tenant_id  uuid not null references tenants(id),
  id         uuid not null default gen_random_uuid(),
  code       text not null,
  name       text not null,
  level      text not null check (level in ('SUBSCRIBER', 'ACCOUNT')),
  status     text not null default 'ACTIVE' check (status in ('ACTIVE', 'RETIRED')),
  spec       jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, code)
);
select cmp_protect_tenant_table('catalog_bundles');

-- Individual case-based rates: one enterprise's own prices for one offer, without copying the offer.
create table catalog_price_agreements (
  tenant_id     uuid not null,
  id            uuid not null default gen_random_uuid(),
  enterprise_id uuid not null,
  offer_id      uuid not null,
  name          text not null,
  overrides     jsonb not null,
  valid_from    timestamptz not null,
  valid_to      timestamptz,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, enterprise_id) references enterprises (tenant_id, id),
  foreign key (tenant_id, offer_id) references catalog_offers (tenant_id, id) on delete cascade,
  check (valid_to is null or valid_to > valid_from)
);
create index catalog_price_agreements_lookup on catalog_price_agreements (tenant_id, enterprise_id, offer_id, valid_from);
select cmp_protect_tenant_table('catalog_price_agreements', 'enterprise_id');

-- TMF620 resources the platform keeps as documents: category, catalog, productSpecification.
create table catalog_tmf_resources (
  tenant_id        uuid not null references tenants(id),
  id               uuid not null default gen_random_uuid(),
  kind             text not null check (kind in ('category', 'catalog', 'productSpecification')),
  name             text not null,
  lifecycle_status text not null default 'In design',
  doc              jsonb not null default '{}',
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index catalog_tmf_resources_kind on catalog_tmf_resources (tenant_id, kind, name);
select cmp_protect_tenant_table('catalog_tmf_resources');

-- Host-level offer templates (platform data: no tenant). Tenants read them and copy one into their catalog.
create table catalog_templates (
  id          uuid primary key default gen_random_uuid(),
  code        text not null unique,
  name        text not null,
  description text,
  kind        text not null check (kind in ('PRIMARY', 'SUPPLEMENTARY', 'ACCOUNT')),
  spec        jsonb not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
revoke insert, update, delete on catalog_templates from cmp_app;
