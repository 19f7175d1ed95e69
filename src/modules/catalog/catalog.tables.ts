import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the tables the catalog owns (migrations/0300_catalog_base.sql). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface CatalogZonesTable {
  tenant_id: string;
  id: Generated<string>;
  code: string;
  name: string;
  plmns: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CatalogOffersTable {
  tenant_id: string;
  id: Generated<string>;
  code: string;
  name: string;
  kind: 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT';
  status: Generated<'ACTIVE' | 'RETIRED'>;
  retired_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type VersionStatus = 'DRAFT' | 'APPROVED' | 'ACTIVE' | 'RETIRED';
export interface CatalogOfferVersionsTable {
  tenant_id: string;
  id: Generated<string>;
  offer_id: string;
  version: number;
  status: Generated<VersionStatus>;
  spec: Json<Record<string, unknown>>;
  based_on: number | null;
  effective_from: NullableTimestamp;
  effective_to: NullableTimestamp;
  approved_at: NullableTimestamp;
  activated_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CatalogBundlesTable {
  tenant_id: string;
  id: Generated<string>;
  code: string;
  name: string;
  level: 'SUBSCRIBER' | 'ACCOUNT';
  status: Generated<'ACTIVE' | 'RETIRED'>;
  spec: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CatalogPriceAgreementsTable {
  tenant_id: string;
  id: Generated<string>;
  enterprise_id: string;
  offer_id: string;
  name: string;
  overrides: Json<Record<string, unknown>>;
  valid_from: Timestamp;
  valid_to: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type TmfKind = 'category' | 'catalog' | 'productSpecification';
export interface CatalogTmfResourcesTable {
  tenant_id: string;
  id: Generated<string>;
  kind: TmfKind;
  name: string;
  lifecycle_status: Generated<string>;
  doc: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CatalogTemplatesTable {
  id: Generated<string>;
  code: string;
  name: string;
  description: string | null;
  kind: 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT';
  spec: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/schema' {
  interface Database {
    catalog_zones: CatalogZonesTable;
    catalog_offers: CatalogOffersTable;
    catalog_offer_versions: CatalogOfferVersionsTable;
    catalog_bundles: CatalogBundlesTable;
    catalog_price_agreements: CatalogPriceAgreementsTable;
    catalog_tmf_resources: CatalogTmfResourcesTable;
    catalog_templates: CatalogTemplatesTable;
  }
}
