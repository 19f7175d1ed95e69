import { z } from 'zod';
import { isMoneyString } from '../../platform/money';
import { pageQuery } from '../../platform/http';
import { ACCOUNT_STATUSES, E164, EXTERNAL_ID, PLMN, TENANT_CODE, canonicalTimeZone, isCountry, isCurrency } from './accounts.fns';

/**
 * Request and response schemas of the accounts API. Names follow TM Forum where it is natural (TMF632
 * organisation and contact medium, TMF666 billing account), kept flat and simple.
 */

export const accountStatus = z.enum(ACCOUNT_STATUSES);
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const uuid = z.uuid('must be a uuid');

export const externalId = z.string().regex(EXTERNAL_ID, 'must be 1-64 letters, digits or . _ / - and start with a letter or digit');
export const phone = z.string().regex(E164, 'must be an E.164 number such as +4930123456');
export const currency = z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as EUR');
export const timeZone = z.string().refine((v) => canonicalTimeZone(v) !== null, 'must be an IANA time zone such as Europe/Berlin');
export const moneyAmount = z.string()
  .refine((v) => isMoneyString(v), 'must be a decimal amount in major units with at most 6 decimals, such as "1500.00"')
  .refine((v) => !v.startsWith('-'), 'must not be negative');

export const contact = z.object({
  role: z.enum(['primary', 'billing', 'technical', 'other']).describe('what the contact is for'),
  name: text(200),
  email: z.email('must be an e-mail address').max(254).optional(),
  phone: phone.optional(),
});
export const address = z.object({
  kind: z.enum(['main', 'billing', 'shipping']).default('main'),
  lines: z.array(text(200)).min(1, 'needs at least one line').max(4, 'has at most 4 lines'),
  city: text(100),
  postcode: text(20).optional(),
  region: text(100).optional(),
  country: z.string().refine(isCountry, 'must be an ISO 3166-1 alpha-2 country code such as DE'),
});
export type ContactInput = z.infer<typeof contact>;
export type AddressInput = z.infer<typeof address>;

/** At most one primary contact and one address of each kind per owner. */
export const contacts = z.array(contact).max(20).superRefine((list, ctx) => {
  const primaries = list.map((c, i) => [c.role, i] as const).filter(([r]) => r === 'primary');
  if (primaries.length > 1) ctx.addIssue({ code: 'custom', path: [primaries[1][1], 'role'], message: 'only one contact may be primary' });
});
export const addresses = z.array(address).max(3).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((a, i) => {
    if (seen.has(a.kind)) ctx.addIssue({ code: 'custom', path: [i, 'kind'], message: `there is already a ${a.kind} address` });
    seen.add(a.kind);
  });
});

// Tenants (host administration).

export const tenantCreate = z.object({
  code: z.string().regex(TENANT_CODE, 'must be 2-40 lower-case letters, digits or -, starting with a letter or digit'),
  name: text(200),
  plmns: z.array(z.string().regex(PLMN, 'must be an MCC-MNC of 5 or 6 digits such as 00101')).max(50)
    .refine((l) => new Set(l).size === l.length, 'must not repeat a PLMN').default([]),
  currency: currency.default('EUR'),
  timeZone: timeZone.default('UTC'),
  status: accountStatus.default('ACTIVE'),
});
export const tenantUpdate = tenantCreate.omit({ code: true }).partial().extend({
  plmns: tenantCreate.shape.plmns.optional(),
  currency: currency.optional(),
  timeZone: timeZone.optional(),
  status: accountStatus.optional(),
});
export type TenantCreate = z.infer<typeof tenantCreate>;
export type TenantUpdate = z.infer<typeof tenantUpdate>;

// Enterprises and business units.

export const enterpriseCreate = z.object({
  customerId: externalId.optional().describe('the tenant CRM\'s id of this customer; defaults to the new id'),
  name: text(200),
  phone: phone.optional(),
  contacts: contacts.default([]),
  addresses: addresses.default([]),
});
export const enterpriseUpdate = z.object({
  name: text(200).optional(),
  phone: phone.nullable().optional(),
  status: accountStatus.optional(),
  contacts: contacts.optional().describe('replaces the whole list'),
  addresses: addresses.optional().describe('replaces the whole list'),
});
export type EnterpriseCreate = z.input<typeof enterpriseCreate>;
export type EnterpriseUpdate = z.infer<typeof enterpriseUpdate>;

export const businessUnitCreate = z.object({
  unitId: externalId.optional().describe('the tenant CRM\'s id of this unit; defaults to the new id'),
  name: text(200),
  parentId: uuid.optional().describe('the parent business unit; absent: directly under the enterprise'),
  contacts: contacts.default([]),
  addresses: addresses.default([]),
});
export const businessUnitUpdate = z.object({
  name: text(200).optional(),
  status: accountStatus.optional(),
  parentId: uuid.nullable().optional().describe('moves the unit; null: directly under the enterprise'),
  contacts: contacts.optional(),
  addresses: addresses.optional(),
});
export type BusinessUnitCreate = z.input<typeof businessUnitCreate>;
export type BusinessUnitUpdate = z.infer<typeof businessUnitUpdate>;

// Billing profiles (TMF666 billing account).

export const billingProfileFields = {
  billingAccountNumber: externalId.describe('unique within the tenant'),
  name: text(200).optional(),
  billCycleDay: z.number().int().min(1).max(28).describe('day of the month the bill cycle closes, 1-28'),
  currency: currency.optional().describe('ISO 4217; defaults to the tenant\'s'),
  timeZone: timeZone.optional().describe('IANA zone the bill cycle resolves in; defaults to the tenant\'s'),
  paymentTermsDays: z.number().int().min(0).max(365).default(30),
  creditLimit: moneyAmount.nullable().optional().describe('decimal in major units; null or absent: no limit'),
};
export const billingProfileCreate = z.object({
  ...billingProfileFields,
  businessUnitId: uuid.optional().describe('attach to one business unit of the enterprise'),
});
export const billingProfileUpdate = z.object({
  name: text(200).optional(),
  status: accountStatus.optional(),
  billCycleDay: billingProfileFields.billCycleDay.optional(),
  currency: currency.optional(),
  timeZone: timeZone.optional(),
  paymentTermsDays: z.number().int().min(0).max(365).optional(),
  creditLimit: moneyAmount.nullable().optional(),
});
export type BillingProfileCreate = z.input<typeof billingProfileCreate>;
export type BillingProfileUpdate = z.infer<typeof billingProfileUpdate>;

// Responses.

export const contactView = z.object({ role: z.string(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable() });
export const addressView = z.object({
  kind: z.string(), lines: z.array(z.string()), city: z.string(), postcode: z.string().nullable(), region: z.string().nullable(), country: z.string(),
});
export const tenantView = z.object({
  id: z.string(), href: z.string(), code: z.string(), name: z.string(), status: accountStatus, plmns: z.array(z.string()),
  currency: z.string(), timeZone: z.string(), createdAt: z.date(), updatedAt: z.date(),
});
export const enterpriseView = z.object({
  id: z.string(), href: z.string(), customerId: z.string(), name: z.string(), status: accountStatus, phone: z.string().nullable(),
  contacts: z.array(contactView), addresses: z.array(addressView), createdAt: z.date(), updatedAt: z.date(),
});
export const businessUnitView = z.object({
  id: z.string(), href: z.string(), enterpriseId: z.string(), parentId: z.string().nullable(), unitId: z.string(), name: z.string(),
  status: accountStatus, contacts: z.array(contactView), addresses: z.array(addressView), createdAt: z.date(), updatedAt: z.date(),
});
export const billingProfileView = z.object({
  id: z.string(), href: z.string(), enterpriseId: z.string(), businessUnitId: z.string().nullable(), billingAccountNumber: z.string(),
  name: z.string(), status: accountStatus, billCycleDay: z.number(), currency: z.string(), timeZone: z.string(),
  paymentTermsDays: z.number(), creditLimit: z.string().nullable().describe('decimal in major units'), createdAt: z.date(), updatedAt: z.date(),
});
export type TenantView = z.infer<typeof tenantView>;
export type EnterpriseView = z.infer<typeof enterpriseView>;
export type BusinessUnitView = z.infer<typeof businessUnitView>;
export type BillingProfileView = z.infer<typeof billingProfileView>;

// List queries.

export const listFilter = pageQuery.extend({
  status: accountStatus.optional(),
  q: z.string().min(1).max(200).optional().describe('name contains (case-insensitive), or exact external id'),
});
export const businessUnitListFilter = listFilter.extend({
  parentId: z.string().optional().describe('children of this unit; "none" for the top level'),
});
export const billingProfileListFilter = pageQuery.extend({ status: accountStatus.optional(), businessUnitId: uuid.optional() });
export const idParam = z.object({ id: uuid });
