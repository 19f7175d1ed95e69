import type { PageDef } from '../types';
import { EnterpriseCreate, EnterpriseDetail, EnterpriseEdit, EnterpriseList } from './enterprises';
import { BusinessUnitDetail } from './business-units';
import { BillingProfileDetail } from './billing-profiles';
import { OnboardingDetail, OnboardingList } from './onboarding';
import { TenantList } from './tenants';

/** Accounts screens: the tenant → enterprise → business unit hierarchy, billing profiles and CRM onboarding. */
export const accountsPages: PageDef[] = [
  { path: '/enterprises', element: <EnterpriseList />, permission: 'accounts:read', nav: { label: 'Enterprises', section: 'Customers', order: 10 } },
  { path: '/enterprises/new', element: <EnterpriseCreate />, permission: 'accounts:write' },
  { path: '/enterprises/:id', element: <EnterpriseDetail />, permission: 'accounts:read' },
  { path: '/enterprises/:id/edit', element: <EnterpriseEdit />, permission: 'accounts:write' },
  { path: '/business-units/:id', element: <BusinessUnitDetail />, permission: 'accounts:read' },
  { path: '/billing-profiles/:id', element: <BillingProfileDetail />, permission: 'accounts:read' },
  { path: '/onboarding', element: <OnboardingList />, permission: 'onboarding:write', nav: { label: 'Onboarding requests', section: 'Customers', order: 20 } },
  { path: '/onboarding/requests/:id', element: <OnboardingDetail />, permission: 'onboarding:write' },
  { path: '/tenants', element: <TenantList />, permission: 'tenants:manage', nav: { label: 'Tenants', section: 'Administration', order: 5 }, tenantScoped: false },
];
