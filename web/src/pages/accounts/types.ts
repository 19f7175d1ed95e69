/** Shapes of the accounts API (src/modules/accounts/accounts.schemas.ts) as the console uses them. */
export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'TERMINATED';
export const ACCOUNT_STATUSES: AccountStatus[] = ['ACTIVE', 'SUSPENDED', 'TERMINATED'];

export interface Tenant {
  id: string;
  code: string;
  name: string;
  status: AccountStatus;
  plmns: string[];
  currency: string;
  timeZone: string;
  createdAt: string;
}

export interface Contact {
  role: 'primary' | 'billing' | 'technical' | 'other';
  name: string;
  email: string | null;
  phone: string | null;
}

export interface Address {
  kind: 'main' | 'billing' | 'shipping';
  lines: string[];
  city: string;
  postcode: string | null;
  region: string | null;
  country: string;
}

export interface Enterprise {
  id: string;
  customerId: string;
  name: string;
  status: AccountStatus;
  phone: string | null;
  contacts: Contact[];
  addresses: Address[];
  createdAt: string;
  updatedAt: string;
}

export interface BusinessUnit {
  id: string;
  enterpriseId: string;
  parentId: string | null;
  unitId: string;
  name: string;
  status: AccountStatus;
  contacts: Contact[];
  addresses: Address[];
  createdAt: string;
}

export interface BillingProfile {
  id: string;
  enterpriseId: string;
  businessUnitId: string | null;
  billingAccountNumber: string;
  name: string;
  status: AccountStatus;
  billCycleDay: number;
  currency: string;
  timeZone: string;
  paymentTermsDays: number;
  /** Decimal text in major units of `currency` ("1500.00"); null: no limit. */
  creditLimit: string | null;
  createdAt: string;
}

export interface OnboardingRequest {
  id: string;
  kind: 'enterprise' | 'business-unit' | 'billing-profile' | 'enterprise-update';
  status: 'PENDING' | 'COMPLETED' | 'REJECTED';
  /** The request as the CRM submitted it. */
  request: Record<string, unknown>;
  /** The ids created or changed (COMPLETED). */
  result: Record<string, unknown> | null;
  /** Why it was rejected (REJECTED). */
  errors: { field: string; reason: string }[] | null;
  callback: { url: string; status: 'PENDING' | 'DELIVERED'; attempts: number; lastError: string | null; deliveredAt: string | null } | null;
  createdAt: string;
  processedAt: string | null;
}
