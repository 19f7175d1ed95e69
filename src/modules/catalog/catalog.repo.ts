import { sql } from 'kysely';
import type { Tx } from '../../platform/db';
import { paginate, type PageQuery } from '../../platform/http';
import type { TmfKind, VersionStatus } from './catalog.tables';
import './catalog.tables';

/** SQL of the catalog, nothing else. Every function runs in the caller's (tenant-scoped) transaction. */

const json = (v: unknown) => JSON.stringify(v);

// Zones ------------------------------------------------------------------------------------------------------

export const listZones = (tx: Tx) => tx.selectFrom('catalog_zones').selectAll().orderBy('code').execute();
export const getZone = (tx: Tx, code: string) => tx.selectFrom('catalog_zones').selectAll().where('code', '=', code).executeTakeFirst();
export async function upsertZone(tx: Tx, tenantId: string, z: { code: string; name: string; plmns: string[] }) {
  return tx.insertInto('catalog_zones')
    .values({ tenant_id: tenantId, code: z.code, name: z.name, plmns: z.plmns })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doUpdateSet({ name: z.name, plmns: z.plmns, updated_at: new Date() }))
    .returningAll().executeTakeFirstOrThrow();
}
export const deleteZone = (tx: Tx, code: string) => tx.deleteFrom('catalog_zones').where('code', '=', code).executeTakeFirst();
/** Offer versions (not retired) whose usage items or allowances name the zone. */
export async function versionsUsingZone(tx: Tx, code: string) {
  const r = await sql<{ offer_id: string; version: number }>`
    select offer_id, version from catalog_offer_versions
     where status <> 'RETIRED'
       and (jsonb_path_exists(spec, '$.usageItems[*] ? (@.zone == $z)', jsonb_build_object('z', ${code}::text))
         or jsonb_path_exists(spec, '$.allowances[*].zones[*] ? (@ == $z)', jsonb_build_object('z', ${code}::text)))`.execute(tx);
  return r.rows;
}

// Offers -----------------------------------------------------------------------------------------------------

export const getOffer = (tx: Tx, id: string) => tx.selectFrom('catalog_offers').selectAll().where('id', '=', id).executeTakeFirst();
export const getOfferByCode = (tx: Tx, code: string) => tx.selectFrom('catalog_offers').selectAll().where('code', '=', code).executeTakeFirst();
export const getOffersByIds = (tx: Tx, ids: string[]) =>
  ids.length ? tx.selectFrom('catalog_offers').selectAll().where('id', 'in', ids).execute() : Promise.resolve([]);
export const allOffers = (tx: Tx) => tx.selectFrom('catalog_offers').selectAll().orderBy('code').execute();

export async function insertOffer(tx: Tx, tenantId: string, o: { code: string; name: string; kind: 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT' }) {
  return tx.insertInto('catalog_offers').values({ tenant_id: tenantId, ...o }).returningAll().executeTakeFirstOrThrow();
}
export async function updateOffer(tx: Tx, id: string, set: { name?: string; status?: 'ACTIVE' | 'RETIRED'; retired_at?: Date | null }) {
  return tx.updateTable('catalog_offers').set({ ...set, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export const deleteOffer = (tx: Tx, id: string) => tx.deleteFrom('catalog_offers').where('id', '=', id).executeTakeFirst();

export interface OfferListFilter { kind?: string; status?: string; q?: string; code?: string }
export function listOffers(tx: Tx, page: PageQuery, f: OfferListFilter) {
  let q = tx.selectFrom('catalog_offers').selectAll();
  if (f.kind) q = q.where('kind', '=', f.kind as 'PRIMARY');
  if (f.status) q = q.where('status', '=', f.status as 'ACTIVE');
  if (f.code) q = q.where('code', '=', f.code);
  if (f.q) q = q.where((eb) => eb.or([eb('name', 'ilike', `%${f.q}%`), eb('code', 'ilike', `%${f.q}%`)]));
  return paginate(q, page, { code: 'code', name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' }, 'code');
}

// Versions ---------------------------------------------------------------------------------------------------

export const listVersions = (tx: Tx, offerIds: string[]) =>
  offerIds.length
    ? tx.selectFrom('catalog_offer_versions').selectAll().where('offer_id', 'in', offerIds).orderBy('offer_id').orderBy('version').execute()
    : Promise.resolve([]);
export const getVersion = (tx: Tx, offerId: string, version: number) =>
  tx.selectFrom('catalog_offer_versions').selectAll().where('offer_id', '=', offerId).where('version', '=', version).executeTakeFirst();
/** The version being worked on (draft or approved), locked for the change. */
export const openVersion = (tx: Tx, offerId: string) =>
  tx.selectFrom('catalog_offer_versions').selectAll().where('offer_id', '=', offerId).where('status', 'in', ['DRAFT', 'APPROVED']).forUpdate().executeTakeFirst();
export const latestVersion = (tx: Tx, offerId: string) =>
  tx.selectFrom('catalog_offer_versions').selectAll().where('offer_id', '=', offerId).orderBy('version', 'desc').limit(1).executeTakeFirst();
/** The newest activated version (the one a new activation supersedes). */
export const lastActivated = (tx: Tx, offerId: string) =>
  tx.selectFrom('catalog_offer_versions').selectAll().where('offer_id', '=', offerId).where('effective_from', 'is not', null)
    .orderBy('effective_from', 'desc').limit(1).forUpdate().executeTakeFirst();

/** The versions in force at `at`, one per offer: effective_from <= at < effective_to. */
export function versionsAt(tx: Tx, at: Date, offerIds?: string[]) {
  let q = tx.selectFrom('catalog_offer_versions').selectAll()
    .where('effective_from', '<=', at)
    .where((eb) => eb.or([eb('effective_to', 'is', null), eb('effective_to', '>', at)]));
  if (offerIds) {
    if (offerIds.length === 0) return Promise.resolve([]);
    q = q.where('offer_id', 'in', offerIds);
  }
  return q.execute();
}

export async function insertVersion(tx: Tx, tenantId: string, v: { offer_id: string; version: number; spec: unknown; based_on: number | null }) {
  return tx.insertInto('catalog_offer_versions')
    .values({ tenant_id: tenantId, offer_id: v.offer_id, version: v.version, spec: json(v.spec), based_on: v.based_on })
    .returningAll().executeTakeFirstOrThrow();
}
export async function updateVersion(tx: Tx, id: string, set: {
  spec?: unknown; status?: VersionStatus; effective_from?: Date; effective_to?: Date | null; approved_at?: Date; activated_at?: Date;
}) {
  const { spec, ...rest } = set;
  return tx.updateTable('catalog_offer_versions')
    .set({ ...rest, ...(spec !== undefined ? { spec: json(spec) } : {}), updated_at: new Date() })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

// Bundles ----------------------------------------------------------------------------------------------------

export const getBundle = (tx: Tx, id: string) => tx.selectFrom('catalog_bundles').selectAll().where('id', '=', id).executeTakeFirst();
export const getBundlesByIds = (tx: Tx, ids: string[]) =>
  ids.length ? tx.selectFrom('catalog_bundles').selectAll().where('id', 'in', ids).execute() : Promise.resolve([]);
export const allBundles = (tx: Tx) => tx.selectFrom('catalog_bundles').selectAll().orderBy('code').execute();
export function listBundles(tx: Tx, page: PageQuery) {
  return paginate(tx.selectFrom('catalog_bundles').selectAll(), page, { code: 'code', name: 'name', createdAt: 'created_at' }, 'code');
}
export async function insertBundle(tx: Tx, tenantId: string, b: { code: string; name: string; level: 'SUBSCRIBER' | 'ACCOUNT'; spec: unknown }) {
  return tx.insertInto('catalog_bundles').values({ tenant_id: tenantId, code: b.code, name: b.name, level: b.level, spec: json(b.spec) })
    .returningAll().executeTakeFirstOrThrow();
}
export async function updateBundle(tx: Tx, id: string, set: { name?: string; spec?: unknown; status?: 'ACTIVE' | 'RETIRED' }) {
  const { spec, ...rest } = set;
  return tx.updateTable('catalog_bundles').set({ ...rest, ...(spec !== undefined ? { spec: json(spec) } : {}), updated_at: new Date() })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export const deleteBundle = (tx: Tx, id: string) => tx.deleteFrom('catalog_bundles').where('id', '=', id).executeTakeFirst();
export async function bundlesWithMember(tx: Tx, offerId: string) {
  const r = await sql<{ id: string; code: string }>`
    select id, code from catalog_bundles where spec->'members' @> ${json([{ offerId }])}::jsonb`.execute(tx);
  return r.rows;
}

// Price agreements -------------------------------------------------------------------------------------------

export const getAgreement = (tx: Tx, id: string) => tx.selectFrom('catalog_price_agreements').selectAll().where('id', '=', id).executeTakeFirst();
export function listAgreements(tx: Tx, f: { enterpriseId?: string; offerId?: string }) {
  let q = tx.selectFrom('catalog_price_agreements').selectAll();
  if (f.enterpriseId) q = q.where('enterprise_id', '=', f.enterpriseId);
  if (f.offerId) q = q.where('offer_id', '=', f.offerId);
  return q.orderBy('valid_from').execute();
}
/** Agreements of (enterprise, offer) overlapping [from, to). */
export function overlappingAgreements(tx: Tx, enterpriseId: string, offerId: string, from: Date, to: Date | null) {
  let q = tx.selectFrom('catalog_price_agreements').select('id')
    .where('enterprise_id', '=', enterpriseId).where('offer_id', '=', offerId)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', from)]));
  if (to) q = q.where('valid_from', '<', to);
  return q.execute();
}
export function agreementsAt(tx: Tx, enterpriseId: string, at: Date, offerIds?: string[]) {
  let q = tx.selectFrom('catalog_price_agreements').selectAll()
    .where('enterprise_id', '=', enterpriseId).where('valid_from', '<=', at)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', at)]));
  if (offerIds) q = offerIds.length ? q.where('offer_id', 'in', offerIds) : q.where(sql<boolean>`false`);
  return q.execute();
}
export async function insertAgreement(tx: Tx, tenantId: string, a: {
  enterprise_id: string; offer_id: string; name: string; overrides: unknown; valid_from: Date; valid_to: Date | null;
}) {
  return tx.insertInto('catalog_price_agreements').values({ tenant_id: tenantId, ...a, overrides: json(a.overrides) }).returningAll().executeTakeFirstOrThrow();
}
export const deleteAgreement = (tx: Tx, id: string) => tx.deleteFrom('catalog_price_agreements').where('id', '=', id).executeTakeFirst();

// TMF620 side resources --------------------------------------------------------------------------------------

export const listResources = (tx: Tx, kind: TmfKind) =>
  tx.selectFrom('catalog_tmf_resources').selectAll().where('kind', '=', kind).orderBy('name').orderBy('id').execute();
export const getResource = (tx: Tx, kind: TmfKind, id: string) =>
  tx.selectFrom('catalog_tmf_resources').selectAll().where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
export async function insertResource(tx: Tx, tenantId: string, kind: TmfKind, r: { name: string; lifecycle_status: string; doc: unknown }) {
  return tx.insertInto('catalog_tmf_resources').values({ tenant_id: tenantId, kind, name: r.name, lifecycle_status: r.lifecycle_status, doc: json(r.doc) })
    .returningAll().executeTakeFirstOrThrow();
}
export async function updateResource(tx: Tx, id: string, r: { name: string; lifecycle_status: string; doc: unknown }) {
  return tx.updateTable('catalog_tmf_resources').set({ name: r.name, lifecycle_status: r.lifecycle_status, doc: json(r.doc), updated_at: new Date() })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}
export const deleteResource = (tx: Tx, kind: TmfKind, id: string) =>
  tx.deleteFrom('catalog_tmf_resources').where('kind', '=', kind).where('id', '=', id).executeTakeFirst();

// Host templates ---------------------------------------------------------------------------------------------

export const listTemplates = (tx: Tx) => tx.selectFrom('catalog_templates').selectAll().orderBy('code').execute();
export const getTemplate = (tx: Tx, id: string) => tx.selectFrom('catalog_templates').selectAll().where('id', '=', id).executeTakeFirst();
export async function insertTemplate(tx: Tx, t: { code: string; name: string; description: string | null; kind: 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT'; spec: unknown }) {
  return tx.insertInto('catalog_templates').values({ ...t, spec: json(t.spec) }).returningAll().executeTakeFirstOrThrow();
}
