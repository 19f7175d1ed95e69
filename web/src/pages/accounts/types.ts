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

export interface Enterprise {
  id: string;
  customerId: string;
  name: string;
  status: AccountStatus;
  phone: string | null;
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
  /** Micro-units of `currency`; null: no limit. */
  creditLimit: number | null;
  createdAt: string;
}

export interface OnboardingRequest {
  id: string;
  kind: string;
  status: 'PENDING' | 'COMPLETED' | 'REJECTED';
  payload: unknown;
  result: unknown;
  errors: { field: string; reason: string }[] | null;
  callbackUrl?: string | null;
  callbackStatus: string | null;
  callbackAttempts?: number;
  callbackLastError?: string | null;
  createdAt: string;
  processedAt: string | null;
}
