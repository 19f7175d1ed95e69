import { z } from 'zod';
import { pageQuery } from '../../platform/http';
import { address, billingProfileFields, contact, contacts, addresses, externalId, phone } from './accounts.schemas';

/**
 * Onboarding requests from the tenant CRM. The CRM names things by its own ids (customerId, unitId,
 * billingAccountNumber). Everything that can be checked without the database is checked here, so a request
 * that is accepted (202) can only be rejected later for what the database knows: duplicates, unknown parents.
 */

const callbackUrl = z.string().max(2000).refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    return false;
  }
}, 'must be an http(s) URL without credentials').optional().describe('the outcome is POSTed here, signed (X-CMP-Signature)');

const onboardingBillingProfile = z.object(billingProfileFields);

export const onboardEnterprise = z.object({
  customerId: externalId.describe('the CRM\'s customer id; must be new in the tenant'),
  name: z.string().trim().min(1).max(200),
  phone: phone.optional(),
  contacts: contacts.default([]),
  addresses: addresses.default([]),
  billingProfiles: z.array(onboardingBillingProfile).max(10).default([]).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((b, i) => {
      if (seen.has(b.billingAccountNumber)) ctx.addIssue({ code: 'custom', path: [i, 'billingAccountNumber'], message: 'is repeated in this request' });
      seen.add(b.billingAccountNumber);
    });
  }),
  callbackUrl,
});

export const onboardBusinessUnit = z.object({
  customerId: externalId.describe('the enterprise, by the CRM\'s customer id'),
  unitId: externalId.describe('the CRM\'s id of the new unit; must be new in the tenant'),
  name: z.string().trim().min(1).max(200),
  parentUnitId: externalId.optional().describe('the parent unit, by the CRM\'s unit id; absent: directly under the enterprise'),
  contacts: contacts.default([]),
  addresses: addresses.default([]),
  callbackUrl,
}).refine((b) => b.parentUnitId !== b.unitId, { path: ['parentUnitId'], message: 'must not be the unit itself' });

export const onboardBillingProfile = onboardingBillingProfile.extend({
  customerId: externalId.describe('the enterprise, by the CRM\'s customer id'),
  unitId: externalId.optional().describe('attach to this business unit of the enterprise (CRM unit id)'),
  callbackUrl,
});

export const onboardEnterpriseUpdate = z.object({
  customerId: externalId.describe('the enterprise, by the CRM\'s customer id'),
  name: z.string().trim().min(1).max(200).optional(),
  phone: phone.optional(),
  address: address.optional().describe('replaces the enterprise\'s address of the same kind (default main)'),
  primaryContact: contact.omit({ role: true }).optional().describe('replaces the primary contact'),
  callbackUrl,
}).refine((b) => b.name !== undefined || b.phone !== undefined || b.address !== undefined || b.primaryContact !== undefined, {
  path: ['address'], message: 'the request changes nothing: give at least one of name, phone, address, primaryContact',
});

export type OnboardEnterprise = z.infer<typeof onboardEnterprise>;
export type OnboardBusinessUnit = z.infer<typeof onboardBusinessUnit>;
export type OnboardBillingProfile = z.infer<typeof onboardBillingProfile>;
export type OnboardEnterpriseUpdate = z.infer<typeof onboardEnterpriseUpdate>;

export const onboardingKind = z.enum(['enterprise', 'business-unit', 'billing-profile', 'enterprise-update']);
export const onboardingStatus = z.enum(['PENDING', 'COMPLETED', 'REJECTED']);

export const onboardingAccepted = z.object({
  requestId: z.string(), status: z.literal('PENDING'), href: z.string().describe('where to read the outcome'),
});
export const onboardingRequestView = z.object({
  id: z.string(), href: z.string(), kind: onboardingKind, status: onboardingStatus,
  request: z.record(z.string(), z.unknown()).describe('the request as submitted'),
  result: z.record(z.string(), z.unknown()).nullable().describe('the ids created or changed (COMPLETED)'),
  errors: z.array(z.object({ field: z.string(), reason: z.string() })).nullable().describe('why it was rejected (REJECTED)'),
  callback: z.object({
    url: z.string(), status: z.enum(['PENDING', 'DELIVERED']), attempts: z.number(), lastError: z.string().nullable(), deliveredAt: z.date().nullable(),
  }).nullable(),
  createdAt: z.date(), processedAt: z.date().nullable(),
});
export type OnboardingAccepted = z.infer<typeof onboardingAccepted>;
export type OnboardingRequestView = z.infer<typeof onboardingRequestView>;

export const onboardingListFilter = pageQuery.extend({ status: onboardingStatus.optional(), kind: onboardingKind.optional() });
