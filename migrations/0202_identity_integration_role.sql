-- The tenant_integration role: API keys (and, if wanted, users) of a tenant's own systems — the CRM that
-- onboards customers, the network that calls back — with no administration rights.
-- The role columns' checks are named by PostgreSQL (<table>_role_check); replace them and the level rules.
alter table users drop constraint users_role_check;
alter table users add constraint users_role_check check (role in ('host_admin', 'tenant_admin', 'tenant_csr',
  'tenant_finance', 'tenant_integration', 'enterprise_admin', 'enterprise_user'));
alter table users drop constraint users_role_level;
alter table users add constraint users_role_level check (case
  when role = 'host_admin' then tenant_id is null and enterprise_id is null
  when role in ('tenant_admin', 'tenant_csr', 'tenant_finance', 'tenant_integration') then tenant_id is not null and enterprise_id is null
  else tenant_id is not null and enterprise_id is not null end);
alter table api_keys drop constraint api_keys_role_check;
alter table api_keys add constraint api_keys_role_check check (role in ('tenant_admin', 'tenant_csr', 'tenant_finance',
  'tenant_integration', 'enterprise_admin', 'enterprise_user'));
