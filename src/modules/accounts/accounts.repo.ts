import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db';
import type {
  AccountContactsTable, AccountAddressesTable, BillingProfilesTable, BusinessUnitsTable, EnterprisesTable,
  OnboardingRequestsTable, TenantsTable,
} from './accounts.tables';
import './accounts.tables';

/** SQL of the accounts module. Every function runs in the caller's transaction (and so under its RLS scope). */

export type TenantRow = Selectable<TenantsTable>;
export type EnterpriseRow = Selectable<EnterprisesTable>;
export type BusinessUnitRow = Selectable<BusinessUnitsTable>;
export type BillingProfileRow = Selectable<BillingProfilesTable>;
export type ContactRow = Selectable<AccountContactsTable>;
export type AddressRow = Selectable<AccountAddressesTable>;
export type OnboardingRow = Selectable<OnboardingRequestsTable>;

// Tenants (host level; the caller runs in dbs.system or in the tenant's own scope).

export function insertTenant(tx: Tx, row: Insertable<TenantsTable>) {
  return tx.insertInto('tenants').values(row).returningAll().executeTakeFirstOrThrow();
}
export function updateTenant(tx: Tx, id: string, changes: Updateable<TenantsTable>) {
  return tx.updateTable('tenants').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export function findTenant(tx: Tx, id: string, lock = false) {
  let q = tx.selectFrom('tenants').selectAll().where('id', '=', id);
  if (lock) q = q.forNoKeyUpdate();
  return q.executeTakeFirst();
}
export function findTenantByCode(tx: Tx, code: string) {
  return tx.selectFrom('tenants').selectAll().where('code', '=', code).executeTakeFirst();
}
export function tenantsQuery(tx: Tx, f: { status?: string; q?: string }) {
  let q = tx.selectFrom('tenants').selectAll();
  if (f.status) q = q.where('status', '=', f.status as never);
  if (f.q) q = q.where((eb) => eb.or([eb('name', 'ilike', `%${escapeLike(f.q!)}%`), eb('code', '=', f.q!)]));
  return q;
}

// Enterprises.

export function insertEnterprise(tx: Tx, row: Insertable<EnterprisesTable>) {
  return tx.insertInto('enterprises').values(row).returningAll().executeTakeFirstOrThrow();
}
export function updateEnterprise(tx: Tx, id: string, changes: Updateable<EnterprisesTable>) {
  return tx.updateTable('enterprises').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
/** With `lock`, the row is locked until commit: changes to one enterprise's tree are serialised on it. */
export function findEnterprise(tx: Tx, id: string, lock = false) {
  let q = tx.selectFrom('enterprises').selectAll().where('id', '=', id);
  if (lock) q = q.forNoKeyUpdate();
  return q.executeTakeFirst();
}
export function findEnterpriseByCustomerId(tx: Tx, customerId: string, lock = false) {
  let q = tx.selectFrom('enterprises').selectAll().where('customer_id', '=', customerId);
  if (lock) q = q.forNoKeyUpdate();
  return q.executeTakeFirst();
}
export function enterprisesQuery(tx: Tx, f: { status?: string; q?: string }) {
  let q = tx.selectFrom('enterprises').selectAll();
  if (f.status) q = q.where('status', '=', f.status as never);
  if (f.q) q = q.where((eb) => eb.or([eb('name', 'ilike', `%${escapeLike(f.q!)}%`), eb('customer_id', '=', f.q!)]));
  return q;
}

// Business units.

export function insertBusinessUnit(tx: Tx, row: Insertable<BusinessUnitsTable>) {
  return tx.insertInto('business_units').values(row).returningAll().executeTakeFirstOrThrow();
}
export function updateBusinessUnit(tx: Tx, id: string, changes: Updateable<BusinessUnitsTable>) {
  return tx.updateTable('business_units').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export function findBusinessUnit(tx: Tx, id: string) {
  return tx.selectFrom('business_units').selectAll().where('id', '=', id).executeTakeFirst();
}
export function findBusinessUnitByUnitId(tx: Tx, unitId: string) {
  return tx.selectFrom('business_units').selectAll().where('unit_id', '=', unitId).executeTakeFirst();
}
/** Every unit of one enterprise with its parent: the whole tree, for cycle checks. */
export async function unitParents(tx: Tx, enterpriseId: string): Promise<Map<string, string | null>> {
  const rows = await tx.selectFrom('business_units').select(['id', 'parent_id']).where('enterprise_id', '=', enterpriseId).execute();
  return new Map(rows.map((r) => [r.id, r.parent_id]));
}
export function businessUnitsQuery(tx: Tx, enterpriseId: string, f: { status?: string; q?: string; parentId?: string | null }) {
  let q = tx.selectFrom('business_units').selectAll().where('enterprise_id', '=', enterpriseId);
  if (f.status) q = q.where('status', '=', f.status as never);
  if (f.q) q = q.where((eb) => eb.or([eb('name', 'ilike', `%${escapeLike(f.q!)}%`), eb('unit_id', '=', f.q!)]));
  if (f.parentId === null) q = q.where('parent_id', 'is', null);
  else if (f.parentId) q = q.where('parent_id', '=', f.parentId);
  return q;
}
/** Statuses of a unit and all its ancestor units, nearest first. */
export async function unitAncestorStatuses(tx: Tx, unitId: string): Promise<{ id: string; status: string; enterprise_id: string; tenant_id: string }[]> {
  const r = await sql<{ id: string; status: string; enterprise_id: string; tenant_id: string }>`
    with recursive up(id, parent_id, status, enterprise_id, tenant_id, depth) as (
      select id, parent_id, status, enterprise_id, tenant_id, 0 from business_units where id = ${unitId}
      union all
      select b.id, b.parent_id, b.status, b.enterprise_id, b.tenant_id, up.depth + 1
        from business_units b join up on b.tenant_id = up.tenant_id and b.id = up.parent_id where up.depth < 10000)
    select id, status, enterprise_id, tenant_id from up order by depth`.execute(tx);
  return r.rows;
}

// Billing profiles.

export function insertBillingProfile(tx: Tx, row: Insertable<BillingProfilesTable>) {
  return tx.insertInto('billing_profiles').values(row).returningAll().executeTakeFirstOrThrow();
}
export function updateBillingProfile(tx: Tx, id: string, changes: Updateable<BillingProfilesTable>) {
  return tx.updateTable('billing_profiles').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export function findBillingProfile(tx: Tx, id: string, lock = false) {
  let q = tx.selectFrom('billing_profiles').selectAll().where('id', '=', id);
  if (lock) q = q.forNoKeyUpdate();
  return q.executeTakeFirst();
}
export function findBillingProfileByNumber(tx: Tx, billingAccountNumber: string) {
  return tx.selectFrom('billing_profiles').selectAll().where('billing_account_number', '=', billingAccountNumber).executeTakeFirst();
}
export function billingProfilesQuery(tx: Tx, enterpriseId: string, f: { status?: string; businessUnitId?: string }) {
  let q = tx.selectFrom('billing_profiles').selectAll().where('enterprise_id', '=', enterpriseId);
  if (f.status) q = q.where('status', '=', f.status as never);
  if (f.businessUnitId) q = q.where('business_unit_id', '=', f.businessUnitId);
  return q;
}

// Contacts and addresses: replaced as a whole list per owner (enterprise, or business unit of it).

export interface PartyOwner {
  tenantId: string;
  enterpriseId: string;
  businessUnitId: string | null;
}
type NewContact = Pick<ContactRow, 'role' | 'name' | 'email' | 'phone'>;
type NewAddress = Pick<AddressRow, 'kind' | 'lines' | 'city' | 'postcode' | 'region' | 'country'>;

function ownerFilter<Q extends { where: (...a: any[]) => Q }>(q: Q, o: PartyOwner): Q {
  q = q.where('enterprise_id', '=', o.enterpriseId);
  return o.businessUnitId ? q.where('business_unit_id', '=', o.businessUnitId) : q.where('business_unit_id', 'is', null);
}

export async function replaceContacts(tx: Tx, o: PartyOwner, contacts: NewContact[]): Promise<void> {
  await ownerFilter(tx.deleteFrom('account_contacts'), o).execute();
  if (contacts.length === 0) return;
  await tx.insertInto('account_contacts').values(contacts.map((c, i) => ({
    tenant_id: o.tenantId, enterprise_id: o.enterpriseId, business_unit_id: o.businessUnitId, position: i,
    role: c.role, name: c.name, email: c.email, phone: c.phone,
  }))).execute();
}
export async function replaceAddresses(tx: Tx, o: PartyOwner, addresses: NewAddress[]): Promise<void> {
  await ownerFilter(tx.deleteFrom('account_addresses'), o).execute();
  if (addresses.length === 0) return;
  await tx.insertInto('account_addresses').values(addresses.map((a) => ({
    tenant_id: o.tenantId, enterprise_id: o.enterpriseId, business_unit_id: o.businessUnitId, ...a,
  }))).execute();
}
/** Replaces the one contact of a role (the primary contact) and leaves the others. */
export async function replaceContactOfRole(tx: Tx, o: PartyOwner, contact: NewContact): Promise<void> {
  await ownerFilter(tx.deleteFrom('account_contacts'), o).where('role', '=', contact.role).execute();
  const next = await ownerFilter(tx.selectFrom('account_contacts').select(sql<number>`coalesce(max(position) + 1, 0)`.as('p')), o).executeTakeFirst();
  await tx.insertInto('account_contacts').values({
    tenant_id: o.tenantId, enterprise_id: o.enterpriseId, business_unit_id: o.businessUnitId, position: next?.p ?? 0,
    role: contact.role, name: contact.name, email: contact.email, phone: contact.phone,
  }).execute();
}
/** Replaces the one address of a kind and leaves the others. */
export async function replaceAddressOfKind(tx: Tx, o: PartyOwner, address: NewAddress): Promise<void> {
  await ownerFilter(tx.deleteFrom('account_addresses'), o).where('kind', '=', address.kind).execute();
  await tx.insertInto('account_addresses').values({ tenant_id: o.tenantId, enterprise_id: o.enterpriseId, business_unit_id: o.businessUnitId, ...address }).execute();
}

/** Contacts and addresses of several owners at once: enterprises (their own, not their units') or units. */
export async function partiesOf(tx: Tx, level: 'enterprise' | 'business_unit', ids: string[]): Promise<{ contacts: ContactRow[]; addresses: AddressRow[] }> {
  if (ids.length === 0) return { contacts: [], addresses: [] };
  const col = level === 'enterprise' ? 'enterprise_id' : 'business_unit_id';
  let cq = tx.selectFrom('account_contacts').selectAll().where(col, 'in', ids);
  let aq = tx.selectFrom('account_addresses').selectAll().where(col, 'in', ids);
  if (level === 'enterprise') {
    cq = cq.where('business_unit_id', 'is', null);
    aq = aq.where('business_unit_id', 'is', null);
  }
  const contacts = await cq.orderBy('position').orderBy('id').execute();
  const addresses = await aq.orderBy('kind').execute();
  return { contacts, addresses };
}

// Onboarding requests.

export function insertOnboardingRequest(tx: Tx, row: Insertable<OnboardingRequestsTable>) {
  return tx.insertInto('onboarding_requests').values(row).returningAll().executeTakeFirstOrThrow();
}
export function findOnboardingRequest(tx: Tx, id: string, lock = false) {
  let q = tx.selectFrom('onboarding_requests').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}
export function updateOnboardingRequest(tx: Tx, id: string, changes: Updateable<OnboardingRequestsTable>) {
  return tx.updateTable('onboarding_requests').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export function onboardingRequestsQuery(tx: Tx, f: { status?: string; kind?: string }) {
  let q = tx.selectFrom('onboarding_requests').selectAll();
  if (f.status) q = q.where('status', '=', f.status as never);
  if (f.kind) q = q.where('kind', '=', f.kind as never);
  return q;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
