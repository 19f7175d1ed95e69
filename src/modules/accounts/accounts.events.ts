import type { AccountStatus, OnboardingKind } from './accounts.tables';

/**
 * The events the accounts module records (in the transaction of the change). A status change records
 * `<object>.suspended`, `.reactivated` or `.terminated`; other changes record `<object>.updated`.
 */
export const ACCOUNTS_EVENTS = {
  tenantCreated: 'accounts.tenant.created',
  tenantUpdated: 'accounts.tenant.updated',
  tenantSuspended: 'accounts.tenant.suspended',
  tenantReactivated: 'accounts.tenant.reactivated',
  tenantTerminated: 'accounts.tenant.terminated',
  enterpriseCreated: 'accounts.enterprise.created',
  enterpriseUpdated: 'accounts.enterprise.updated',
  enterpriseSuspended: 'accounts.enterprise.suspended',
  enterpriseReactivated: 'accounts.enterprise.reactivated',
  enterpriseTerminated: 'accounts.enterprise.terminated',
  businessUnitCreated: 'accounts.business_unit.created',
  businessUnitUpdated: 'accounts.business_unit.updated',
  businessUnitMoved: 'accounts.business_unit.moved',
  businessUnitSuspended: 'accounts.business_unit.suspended',
  businessUnitReactivated: 'accounts.business_unit.reactivated',
  businessUnitTerminated: 'accounts.business_unit.terminated',
  billingProfileCreated: 'accounts.billing_profile.created',
  billingProfileUpdated: 'accounts.billing_profile.updated',
  billingProfileSuspended: 'accounts.billing_profile.suspended',
  billingProfileReactivated: 'accounts.billing_profile.reactivated',
  billingProfileTerminated: 'accounts.billing_profile.terminated',
  onboardingRequested: 'accounts.onboarding.requested',
  onboardingCompleted: 'accounts.onboarding.completed',
  onboardingRejected: 'accounts.onboarding.rejected',
} as const;
export type AccountsEventType = (typeof ACCOUNTS_EVENTS)[keyof typeof ACCOUNTS_EVENTS];

/** The aggregate types the events name (aggregateType) and their objects in event names. */
export type AccountObject = 'tenant' | 'enterprise' | 'business_unit' | 'billing_profile';

/** Payload of `<object>.created` / `.updated`: the resource after the change and, on update, the changed fields. */
export interface AccountChangedPayload<V = Record<string, unknown>> {
  id: string;
  enterpriseId?: string | null;
  after: V;
  changed?: string[];
}

/** Payload of `<object>.suspended` / `.reactivated` / `.terminated`. */
export interface AccountStatusChangedPayload {
  id: string;
  enterpriseId?: string | null;
  from: AccountStatus;
  to: AccountStatus;
}

/** Payload of `accounts.onboarding.requested`. */
export interface OnboardingRequestedPayload {
  requestId: string;
  kind: OnboardingKind;
}

/** Payload of `accounts.onboarding.completed` / `.rejected`. */
export interface OnboardingOutcomePayload {
  requestId: string;
  kind: OnboardingKind;
  status: 'COMPLETED' | 'REJECTED';
  result: Record<string, unknown> | null;
  errors: { field: string; reason: string }[] | null;
}
