import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the tables the accounts module owns (migrations 0100–0199). */
export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'TERMINATED';
type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: Generated<string>;
  code: string;
  name: string;
  status: Generated<AccountStatus>;
  plmns: ColumnType<string[], string[] | undefined, string[]>;
  currency: Generated<string>;
  time_zone: Generated<string>;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Stamp;
  updated_at: Stamp;
}

export interface EnterprisesTable {
  tenant_id: string;
  id: Generated<string>;
  customer_id: string;
  name: string;
  status: Generated<AccountStatus>;
  phone: string | null;
  created_at: Stamp;
  updated_at: Stamp;
}

export interface BusinessUnitsTable {
  tenant_id: string;
  id: Generated<string>;
  enterprise_id: string;
  parent_id: string | null;
  unit_id: string;
  name: string;
  status: Generated<AccountStatus>;
  created_at: Stamp;
  updated_at: Stamp;
}

export interface BillingProfilesTable {
  tenant_id: string;
  id: Generated<string>;
  enterprise_id: string;
  business_unit_id: string | null;
  billing_account_number: string;
  name: string;
  status: Generated<AccountStatus>;
  bill_cycle_day: number;
  currency: string;
  time_zone: string;
  payment_terms_days: number;
  credit_limit: number | null;
  created_at: Stamp;
  updated_at: Stamp;
}

export type ContactRole = 'primary' | 'billing' | 'technical' | 'other';
export interface AccountContactsTable {
  tenant_id: string;
  id: Generated<string>;
  enterprise_id: string;
  business_unit_id: string | null;
  role: ContactRole;
  name: string;
  email: string | null;
  phone: string | null;
  position: number;
}

export type AddressKind = 'main' | 'billing' | 'shipping';
export interface AccountAddressesTable {
  tenant_id: string;
  id: Generated<string>;
  enterprise_id: string;
  business_unit_id: string | null;
  kind: AddressKind;
  lines: string[];
  city: string;
  postcode: string | null;
  region: string | null;
  country: string;
}

export type OnboardingKind = 'enterprise' | 'business-unit' | 'billing-profile' | 'enterprise-update';
export type OnboardingStatus = 'PENDING' | 'COMPLETED' | 'REJECTED';
export interface OnboardingRequestsTable {
  tenant_id: string;
  id: Generated<string>;
  kind: OnboardingKind;
  status: Generated<OnboardingStatus>;
  payload: Json<Record<string, unknown>>;
  callback_url: string | null;
  result: Json<Record<string, unknown> | null>;
  errors: Json<{ field: string; reason: string }[] | null>;
  requested_by: Json<{ type: string; id: string | null; name?: string | null } | null>;
  request_id: string | null;
  callback_status: 'PENDING' | 'DELIVERED' | null;
  callback_attempts: Generated<number>;
  callback_last_error: string | null;
  callback_delivered_at: Date | null;
  created_at: Stamp;
  processed_at: Date | null;
}

declare module '../../platform/db/schema' {
  interface Database {
    tenants: TenantsTable;
    enterprises: EnterprisesTable;
    business_units: BusinessUnitsTable;
    billing_profiles: BillingProfilesTable;
    account_contacts: AccountContactsTable;
    account_addresses: AccountAddressesTable;
    onboarding_requests: OnboardingRequestsTable;
  }
}
