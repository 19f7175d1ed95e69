import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';
import { createAccountsService } from './accounts.service';
import { createOnboardingService, ONBOARDING_CALLBACK, ONBOARDING_PROCESSOR } from './onboarding.service';
import { registerAccountsRoutes } from './accounts.routes';
import { ACCOUNTS_EVENTS } from './accounts.events';

/**
 * The accounts module: the hierarchy host → tenants → enterprises → business units (nested), billing profiles,
 * contacts and addresses, and asynchronous onboarding from the tenant CRM.
 *
 * Other modules use `getAccountStatus(tx, 'enterprise' | 'business_unit' | 'tenant', id)` to refuse work for
 * suspended or terminated accounts, and react to `accounts.<object>.suspended` / `.reactivated` / `.terminated`.
 */
export function createAccountsModule(core: Core) {
  const accounts = createAccountsService(core);
  const onboarding = createOnboardingService(core, accounts);

  // The CRM's requests are applied by the outbox worker; the outcome is then POSTed to the CRM's callback.
  core.bus.subscribe(ONBOARDING_PROCESSOR, ACCOUNTS_EVENTS.onboardingRequested, (e) => onboarding.process(e));
  core.bus.subscribe(`${ONBOARDING_CALLBACK}.completed`, ACCOUNTS_EVENTS.onboardingCompleted, (e) => onboarding.deliverCallback(e));
  core.bus.subscribe(`${ONBOARDING_CALLBACK}.rejected`, ACCOUNTS_EVENTS.onboardingRejected, (e) => onboarding.deliverCallback(e));

  return {
    name: 'accounts',
    ...accounts,
    onboarding: {
      submit: onboarding.submit,
      get: onboarding.get,
      list: onboarding.list,
    },
    register(app: App): void {
      registerAccountsRoutes(app, accounts, onboarding);
    },
  };
}
export type AccountsModule = ReturnType<typeof createAccountsModule>;

export { ACCOUNTS_EVENTS, type AccountsEventType, type AccountChangedPayload, type AccountStatusChangedPayload, type OnboardingOutcomePayload } from './accounts.events';
export type { AccountLevel, AccountStatusInfo, AccountsService } from './accounts.service';
export type { AccountStatus } from './accounts.tables';
export type { TenantView, EnterpriseView, BusinessUnitView, BillingProfileView } from './accounts.schemas';
export { signBody } from './accounts.fns';
