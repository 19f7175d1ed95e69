-- Identity's copy of the status of tenants and enterprises, fed by the accounts module's status events
-- (accounts.tenant.suspended / reactivated / terminated and the same for enterprises). Users and API keys of a
-- suspended or terminated tenant or enterprise cannot log in or authenticate. A row per scope (the tenant
-- itself, or one enterprise); event_id keeps the newest event, so a late, older event cannot undo a newer one.
create table identity_scope_status (
  tenant_id   uuid not null,
  scope_id    uuid not null,          -- = tenant_id for the tenant itself, else the enterprise id
  status      text not null check (status in ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  event_id    bigint not null,
  updated_at  timestamptz not null default now(),
  primary key (tenant_id, scope_id)
);
select cmp_protect_tenant_table('identity_scope_status');
