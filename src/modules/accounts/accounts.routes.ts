import { z } from 'zod';
import type { App } from '../../platform/http';
import { pageOf } from '../../platform/http';
import type { AccountsService } from './accounts.service';
import type { OnboardingService } from './onboarding.service';
import {
  billingProfileCreate, billingProfileListFilter, billingProfileUpdate, billingProfileView, businessUnitCreate, businessUnitListFilter,
  businessUnitUpdate, businessUnitView, enterpriseCreate, enterpriseUpdate, enterpriseView, idParam, listFilter, tenantCreate,
  tenantUpdate, tenantView,
} from './accounts.schemas';
import {
  onboardBillingProfile, onboardBusinessUnit, onboardEnterprise, onboardEnterpriseUpdate, onboardingAccepted, onboardingListFilter,
  onboardingRequestView,
} from './onboarding.schemas';

/** Thin routes: a schema and one service call each. */
export function registerAccountsRoutes(app: App, accounts: AccountsService, onboarding: OnboardingService): void {
  // Tenants: host administration.
  const tenants = { tags: ['tenants'] };
  app.post('/api/v1/tenants', {
    config: { permission: 'tenants:manage' },
    schema: { ...tenants, summary: 'Onboard a tenant', body: tenantCreate, response: { 201: tenantView } },
  }, async (req, reply) => {
    const t = await accounts.createTenant(req.ctx, req.body);
    return reply.code(201).header('location', t.href).send(t);
  });
  app.get('/api/v1/tenants', {
    config: { permission: 'tenants:manage' },
    schema: { ...tenants, summary: 'List tenants', querystring: listFilter, response: { 200: pageOf(tenantView) } },
  }, async (req) => accounts.listTenants(req.ctx, req.query));
  app.get('/api/v1/tenants/:id', {
    config: { permission: 'tenants:manage' },
    schema: { ...tenants, summary: 'Read a tenant', params: idParam, response: { 200: tenantView } },
  }, async (req) => accounts.getTenant(req.ctx, req.params.id));
  app.patch('/api/v1/tenants/:id', {
    config: { permission: 'tenants:manage' },
    schema: { ...tenants, summary: 'Change a tenant (name, PLMNs, currency, time zone, status)', params: idParam, body: tenantUpdate, response: { 200: tenantView } },
  }, async (req) => accounts.updateTenant(req.ctx, req.params.id, req.body));

  // Enterprises (TMF632 organisation).
  const ent = { tags: ['enterprises'] };
  app.get('/api/v1/enterprises', {
    config: { permission: 'accounts:read' },
    schema: { ...ent, summary: 'List enterprises (an enterprise user sees its own)', querystring: listFilter, response: { 200: pageOf(enterpriseView) } },
  }, async (req) => accounts.listEnterprises(req.ctx, req.query));
  app.post('/api/v1/enterprises', {
    config: { permission: 'accounts:write' },
    schema: { ...ent, summary: 'Create an enterprise', body: enterpriseCreate, response: { 201: enterpriseView } },
  }, async (req, reply) => {
    const e = await accounts.createEnterprise(req.ctx, req.body);
    return reply.code(201).header('location', e.href).send(e);
  });
  app.get('/api/v1/enterprises/:id', {
    config: { permission: 'accounts:read' },
    schema: { ...ent, summary: 'Read an enterprise', params: idParam, response: { 200: enterpriseView } },
  }, async (req) => accounts.getEnterprise(req.ctx, req.params.id));
  app.patch('/api/v1/enterprises/:id', {
    config: { permission: 'accounts:write' },
    schema: { ...ent, summary: 'Change an enterprise (contacts and addresses replace the lists)', params: idParam, body: enterpriseUpdate, response: { 200: enterpriseView } },
  }, async (req) => accounts.updateEnterprise(req.ctx, req.params.id, req.body));

  // Business units, nested to any depth.
  const bu = { tags: ['business units'] };
  app.get('/api/v1/enterprises/:id/business-units', {
    config: { permission: 'accounts:read' },
    schema: { ...bu, summary: 'List the business units of an enterprise', params: idParam, querystring: businessUnitListFilter, response: { 200: pageOf(businessUnitView) } },
  }, async (req) => accounts.listBusinessUnits(req.ctx, req.params.id, req.query));
  app.post('/api/v1/enterprises/:id/business-units', {
    config: { permission: 'accounts:write' },
    schema: { ...bu, summary: 'Create a business unit', params: idParam, body: businessUnitCreate, response: { 201: businessUnitView } },
  }, async (req, reply) => {
    const u = await accounts.createBusinessUnit(req.ctx, req.params.id, req.body);
    return reply.code(201).header('location', u.href).send(u);
  });
  app.get('/api/v1/business-units/:id', {
    config: { permission: 'accounts:read' },
    schema: { ...bu, summary: 'Read a business unit', params: idParam, response: { 200: businessUnitView } },
  }, async (req) => accounts.getBusinessUnit(req.ctx, req.params.id));
  app.patch('/api/v1/business-units/:id', {
    config: { permission: 'accounts:write' },
    schema: { ...bu, summary: 'Change or move a business unit', params: idParam, body: businessUnitUpdate, response: { 200: businessUnitView } },
  }, async (req) => accounts.updateBusinessUnit(req.ctx, req.params.id, req.body));

  // Billing profiles (TMF666 billing account).
  const bp = { tags: ['billing profiles'] };
  app.get('/api/v1/enterprises/:id/billing-profiles', {
    config: { permission: 'accounts:read' },
    schema: { ...bp, summary: 'List the billing profiles of an enterprise', params: idParam, querystring: billingProfileListFilter, response: { 200: pageOf(billingProfileView) } },
  }, async (req) => accounts.listBillingProfiles(req.ctx, req.params.id, req.query));
  app.post('/api/v1/enterprises/:id/billing-profiles', {
    config: { permission: 'accounts:write' },
    schema: { ...bp, summary: 'Create a billing profile', params: idParam, body: billingProfileCreate, response: { 201: billingProfileView } },
  }, async (req, reply) => {
    const b = await accounts.createBillingProfile(req.ctx, req.params.id, req.body);
    return reply.code(201).header('location', b.href).send(b);
  });
  app.get('/api/v1/billing-profiles/:id', {
    config: { permission: 'accounts:read' },
    schema: { ...bp, summary: 'Read a billing profile', params: idParam, response: { 200: billingProfileView } },
  }, async (req) => accounts.getBillingProfile(req.ctx, req.params.id));
  app.patch('/api/v1/billing-profiles/:id', {
    config: { permission: 'accounts:write' },
    schema: { ...bp, summary: 'Change a billing profile', params: idParam, body: billingProfileUpdate, response: { 200: billingProfileView } },
  }, async (req) => accounts.updateBillingProfile(req.ctx, req.params.id, req.body));

  // Asynchronous onboarding from the tenant CRM.
  const ob = { tags: ['onboarding'] };
  const accepted = { 202: onboardingAccepted };
  app.post('/api/v1/onboarding/enterprises', {
    config: { permission: 'onboarding:write' },
    schema: { ...ob, summary: 'Onboard an enterprise (asynchronous)', body: onboardEnterprise, response: accepted },
  }, async (req, reply) => reply.code(202).send(await onboarding.submit(req.ctx, 'enterprise', req.body)));
  app.post('/api/v1/onboarding/business-units', {
    config: { permission: 'onboarding:write' },
    schema: { ...ob, summary: 'Onboard a business unit (asynchronous)', body: onboardBusinessUnit, response: accepted },
  }, async (req, reply) => reply.code(202).send(await onboarding.submit(req.ctx, 'business-unit', req.body)));
  app.post('/api/v1/onboarding/billing-profiles', {
    config: { permission: 'onboarding:write' },
    schema: { ...ob, summary: 'Add a billing profile to an enterprise (asynchronous)', body: onboardBillingProfile, response: accepted },
  }, async (req, reply) => reply.code(202).send(await onboarding.submit(req.ctx, 'billing-profile', req.body)));
  app.post('/api/v1/onboarding/enterprise-updates', {
    config: { permission: 'onboarding:write' },
    schema: { ...ob, summary: 'Update an enterprise\'s name, phone, address or primary contact (asynchronous)', body: onboardEnterpriseUpdate, response: accepted },
  }, async (req, reply) => reply.code(202).send(await onboarding.submit(req.ctx, 'enterprise-update', req.body)));
  app.get('/api/v1/onboarding/requests', {
    config: { permission: 'onboarding:write' },
    schema: { ...ob, summary: 'List onboarding requests, newest first', querystring: onboardingListFilter, response: { 200: pageOf(onboardingRequestView) } },
  }, async (req) => onboarding.list(req.ctx, req.query));
  app.get('/api/v1/onboarding/requests/:id', {
    config: { permission: 'onboarding:write' },
    schema: { ...ob, summary: 'Read an onboarding request and its outcome', params: idParam, response: { 200: onboardingRequestView } },
  }, async (req) => onboarding.get(req.ctx, req.params.id));
  app.get('/api/v1/onboarding/callback-secret', {
    config: { permission: 'onboarding:write' },
    schema: {
      ...ob, summary: 'The key the CRM verifies callback signatures with',
      response: { 200: z.object({ secret: z.string(), algorithm: z.literal('HMAC-SHA256'), header: z.literal('X-CMP-Signature') }) },
    },
  }, async (req) => onboarding.callbackSecret(req.ctx));
}
