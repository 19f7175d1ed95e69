import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Core } from '../../platform/core';
import type { Tx } from '../../platform/db';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, type RequestContext } from '../../platform/auth';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, paginate, type Page, type PageQuery } from '../../platform/http';
import { formatMicros, parseMicros } from '../../platform/money';
import * as repo from './accounts.repo';
import type { AccountStatus } from './accounts.tables';
import { canonicalTimeZone, effectiveStatus, statusChangeError, statusVerb, wouldCreateCycle } from './accounts.fns';
import type { AccountObject } from './accounts.events';
import {
  billingProfileCreate, billingProfileUpdate, businessUnitCreate, businessUnitUpdate, enterpriseCreate, enterpriseUpdate,
  tenantCreate, tenantUpdate,
  type BillingProfileCreate, type BillingProfileUpdate, type BillingProfileView, type BusinessUnitCreate, type BusinessUnitUpdate,
  type BusinessUnitView, type EnterpriseCreate, type EnterpriseUpdate, type EnterpriseView, type TenantCreate, type TenantUpdate,
  type TenantView,
} from './accounts.schemas';

export type AccountLevel = 'tenant' | 'enterprise' | 'business_unit';
export interface AccountStatusInfo {
  /** The account's own status. */
  status: AccountStatus;
  /** The status that applies, taking its ancestors into account (a unit of a suspended enterprise is SUSPENDED). */
  effectiveStatus: AccountStatus;
}

type Deps = Pick<Core, 'dbs' | 'bus' | 'now'>;

/**
 * Tenants, enterprises, business units and billing profiles. Every function takes the caller's context and,
 * optionally, a transaction to join (the onboarding processor applies a request inside its own transaction);
 * without one it opens a transaction in the caller's RLS scope. Every mutation writes its audit record and its
 * domain event in that transaction.
 */
export function createAccountsService(deps: Deps) {
  const { dbs, bus, now } = deps;

  /** Runs `fn` in the given transaction or a new one in the caller's scope; database conflicts become 409/422. */
  async function run<T>(ctx: RequestContext, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return tx ? await fn(tx) : await dbs.tenant(scopeOf(ctx), fn);
    } catch (e) {
      throw dbError(e) ?? e;
    }
  }

  /** Audit record and domain events of one change: created, updated/moved, and a status event when it moved. */
  async function recordChange(tx: Tx, ctx: RequestContext, c: {
    object: AccountObject; id: string; tenantId: string; enterpriseId: string | null;
    before: Record<string, unknown> | null; after: Record<string, unknown>; extraEvents?: string[];
  }): Promise<void> {
    const changed = c.before ? Object.keys(c.after).filter((k) => k !== 'updatedAt' && JSON.stringify(c.before![k]) !== JSON.stringify(c.after[k])) : [];
    const verb = c.before ? statusVerb(c.before.status as AccountStatus, c.after.status as AccountStatus) : null;
    const types: string[] = [];
    if (!c.before) types.push('created');
    else if (changed.some((k) => k !== 'status')) types.push('updated');
    if (c.extraEvents) types.push(...c.extraEvents);
    if (verb) types.push(verb);
    if (c.before && types.length === 0) return; // nothing changed: nothing to record
    // The audit action names a pure status change by its verb (suspend, reactivate, terminate).
    const action = !c.before ? 'create' : verb && types.length === 1 ? STATUS_ACTIONS[verb] : 'update';
    await recordAudit(tx, originOf(ctx), {
      tenantId: c.object === 'tenant' ? null : c.tenantId, enterpriseId: c.enterpriseId,
      action, entityType: c.object, entityId: c.id, before: c.before ?? undefined, after: c.after,
    });
    await bus.record(tx, types.map((t) => ({
      type: `accounts.${c.object}.${t}`, tenantId: c.tenantId, aggregateType: c.object, aggregateId: c.id,
      payload: t === verb
        ? { id: c.id, enterpriseId: c.enterpriseId, from: c.before!.status, to: c.after.status }
        : { id: c.id, enterpriseId: c.enterpriseId, after: c.after, ...(c.before ? { changed } : {}) },
    })), actorOf(ctx));
  }

  function checkStatus(field: string, from: AccountStatus, to: AccountStatus | undefined): void {
    if (to === undefined) return;
    const reason = statusChangeError(from, to);
    if (reason) throw ValidationError.field(field, reason);
  }

  async function tenantOf(tx: Tx, tenantId: string): Promise<repo.TenantRow> {
    const t = await repo.findTenant(tx, tenantId);
    if (!t) throw new NotFoundError('tenant', tenantId);
    return t;
  }

  async function enterpriseForWrite(tx: Tx, id: string): Promise<repo.EnterpriseRow> {
    const e = await repo.findEnterprise(tx, id, true);
    if (!e) throw new NotFoundError('enterprise', id);
    return e;
  }

  async function enterpriseViews(tx: Tx, rows: repo.EnterpriseRow[]): Promise<EnterpriseView[]> {
    const p = await repo.partiesOf(tx, 'enterprise', rows.map((r) => r.id));
    return rows.map((r) => enterpriseView(r, p.contacts.filter((c) => c.enterprise_id === r.id), p.addresses.filter((a) => a.enterprise_id === r.id)));
  }
  async function unitViews(tx: Tx, rows: repo.BusinessUnitRow[]): Promise<BusinessUnitView[]> {
    const p = await repo.partiesOf(tx, 'business_unit', rows.map((r) => r.id));
    return rows.map((r) => unitView(r, p.contacts.filter((c) => c.business_unit_id === r.id), p.addresses.filter((a) => a.business_unit_id === r.id)));
  }

  const service = {
    // ---- Tenants: host administration, outside any tenant scope.

    async createTenant(ctx: RequestContext, input: z.input<typeof tenantCreate>): Promise<TenantView> {
      const data = parse(tenantCreate, input);
      hostOnly(ctx);
      return dbs.system(async (tx) => {
        if (await repo.findTenantByCode(tx, data.code)) throw new ConflictError(`tenant code ${data.code} is taken`, [{ field: 'body.code', reason: 'is already used by another tenant' }]);
        const at = now();
        const row = await repo.insertTenant(tx, {
          code: data.code, name: data.name, plmns: data.plmns, currency: data.currency, time_zone: canonicalTimeZone(data.timeZone)!,
          status: data.status, created_at: at, updated_at: at,
        });
        const view = tenantView(row);
        await recordChange(tx, ctx, { object: 'tenant', id: row.id, tenantId: row.id, enterpriseId: null, before: null, after: view });
        return view;
      }).catch((e) => { throw dbError(e) ?? e; });
    },

    async updateTenant(ctx: RequestContext, id: string, input: TenantUpdate): Promise<TenantView> {
      const data = parse(tenantUpdate, input);
      hostOnly(ctx);
      return dbs.system(async (tx) => {
        const before = await repo.findTenant(tx, id, true);
        if (!before) throw new NotFoundError('tenant', id);
        checkStatus('body.status', before.status, data.status);
        const row = await repo.updateTenant(tx, id, {
          ...(data.name !== undefined && { name: data.name }),
          ...(data.plmns !== undefined && { plmns: data.plmns }),
          ...(data.currency !== undefined && { currency: data.currency }),
          ...(data.timeZone !== undefined && { time_zone: canonicalTimeZone(data.timeZone)! }),
          ...(data.status !== undefined && { status: data.status }),
          updated_at: now(),
        });
        const view = tenantView(row);
        await recordChange(tx, ctx, { object: 'tenant', id, tenantId: id, enterpriseId: null, before: tenantView(before), after: view });
        return view;
      });
    },

    async getTenant(ctx: RequestContext, id: string): Promise<TenantView> {
      hostOnly(ctx);
      const row = await dbs.system((tx) => repo.findTenant(tx, id));
      if (!row) throw new NotFoundError('tenant', id);
      return tenantView(row);
    },

    /** The tenant with this code, or null (host level: seeders, host tools). */
    async findTenantByCode(ctx: RequestContext, code: string): Promise<TenantView | null> {
      hostOnly(ctx);
      const row = await dbs.system((tx) => repo.findTenantByCode(tx, code));
      return row ? tenantView(row) : null;
    },

    async listTenants(ctx: RequestContext, q: PageQuery & { status?: string; q?: string }): Promise<Page<TenantView>> {
      hostOnly(ctx);
      const page = await dbs.system((tx) => paginate(repo.tenantsQuery(tx, q), q, { name: 'name', code: 'code', createdAt: 'created_at' }, 'code'));
      return { items: page.items.map(tenantView), nextCursor: page.nextCursor };
    },

    // ---- Enterprises.

    async createEnterprise(ctx: RequestContext, input: EnterpriseCreate, tx?: Tx): Promise<EnterpriseView> {
      const data = parse(enterpriseCreate, input);
      if (ctx.enterpriseId) throw new ForbiddenError('an enterprise cannot create enterprises');
      return run(ctx, tx, async (tx) => {
        const tenantId = scopeOf(ctx).tenantId;
        const tenant = await tenantOf(tx, tenantId);
        if (tenant.status === 'TERMINATED') throw new ConflictError('the tenant is TERMINATED');
        if (data.customerId && (await repo.findEnterpriseByCustomerId(tx, data.customerId))) {
          throw new ConflictError(`customer id ${data.customerId} is taken`, [{ field: 'body.customerId', reason: 'is already used by another enterprise' }]);
        }
        const id = randomUUID();
        const at = now();
        const row = await repo.insertEnterprise(tx, {
          tenant_id: tenantId, id, customer_id: data.customerId ?? id, name: data.name, phone: data.phone ?? null, created_at: at, updated_at: at,
        });
        const owner = { tenantId, enterpriseId: id, businessUnitId: null };
        await repo.replaceContacts(tx, owner, data.contacts.map(contactRow));
        await repo.replaceAddresses(tx, owner, data.addresses.map(addressRow));
        const [view] = await enterpriseViews(tx, [row]);
        await recordChange(tx, ctx, { object: 'enterprise', id, tenantId, enterpriseId: id, before: null, after: view });
        return view;
      });
    },

    async updateEnterprise(ctx: RequestContext, id: string, input: EnterpriseUpdate, tx?: Tx): Promise<EnterpriseView> {
      const data = parse(enterpriseUpdate, input);
      return run(ctx, tx, async (tx) => {
        const row = await enterpriseForWrite(tx, id);
        const [before] = await enterpriseViews(tx, [row]);
        checkStatus('body.status', row.status, data.status);
        if (row.status === 'TERMINATED') throw new ConflictError(`enterprise ${id} is TERMINATED and cannot change`);
        const updated = await repo.updateEnterprise(tx, id, {
          ...(data.name !== undefined && { name: data.name }),
          ...(data.phone !== undefined && { phone: data.phone }),
          ...(data.status !== undefined && { status: data.status }),
          updated_at: now(),
        });
        const owner = { tenantId: row.tenant_id, enterpriseId: id, businessUnitId: null };
        if (data.contacts) await repo.replaceContacts(tx, owner, data.contacts.map(contactRow));
        if (data.addresses) await repo.replaceAddresses(tx, owner, data.addresses.map(addressRow));
        const [after] = await enterpriseViews(tx, [updated]);
        await recordChange(tx, ctx, { object: 'enterprise', id, tenantId: row.tenant_id, enterpriseId: id, before, after });
        return after;
      });
    },

    async getEnterprise(ctx: RequestContext, id: string, tx?: Tx): Promise<EnterpriseView> {
      return run(ctx, tx, async (tx) => {
        const row = await repo.findEnterprise(tx, id);
        if (!row) throw new NotFoundError('enterprise', id);
        return (await enterpriseViews(tx, [row]))[0];
      });
    },

    /** The enterprise the tenant CRM knows by its customer id, or null. */
    async findEnterpriseByCustomerId(ctx: RequestContext, customerId: string, tx?: Tx): Promise<EnterpriseView | null> {
      return run(ctx, tx, async (tx) => {
        const row = await repo.findEnterpriseByCustomerId(tx, customerId);
        return row ? (await enterpriseViews(tx, [row]))[0] : null;
      });
    },

    async listEnterprises(ctx: RequestContext, q: PageQuery & { status?: string; q?: string }): Promise<Page<EnterpriseView>> {
      return run(ctx, undefined, async (tx) => {
        const page = await paginate(repo.enterprisesQuery(tx, q), q, { name: 'name', customerId: 'customer_id', createdAt: 'created_at' }, 'name');
        return { items: await enterpriseViews(tx, page.items), nextCursor: page.nextCursor };
      });
    },

    // ---- Business units.

    async createBusinessUnit(ctx: RequestContext, enterpriseId: string, input: BusinessUnitCreate, tx?: Tx): Promise<BusinessUnitView> {
      const data = parse(businessUnitCreate, input);
      return run(ctx, tx, async (tx) => {
        const ent = await enterpriseForWrite(tx, enterpriseId);
        if (ent.status === 'TERMINATED') throw new ConflictError(`enterprise ${enterpriseId} is TERMINATED`);
        if (data.parentId) {
          const parent = await repo.findBusinessUnit(tx, data.parentId);
          if (!parent || parent.enterprise_id !== enterpriseId) throw ValidationError.field('body.parentId', 'is not a business unit of this enterprise');
          if (parent.status === 'TERMINATED') throw ValidationError.field('body.parentId', 'is TERMINATED');
        }
        if (data.unitId && (await repo.findBusinessUnitByUnitId(tx, data.unitId))) {
          throw new ConflictError(`unit id ${data.unitId} is taken`, [{ field: 'body.unitId', reason: 'is already used by another business unit' }]);
        }
        const id = randomUUID();
        const at = now();
        const row = await repo.insertBusinessUnit(tx, {
          tenant_id: ent.tenant_id, id, enterprise_id: enterpriseId, parent_id: data.parentId ?? null, unit_id: data.unitId ?? id,
          name: data.name, created_at: at, updated_at: at,
        });
        const owner = { tenantId: ent.tenant_id, enterpriseId, businessUnitId: id };
        await repo.replaceContacts(tx, owner, data.contacts.map(contactRow));
        await repo.replaceAddresses(tx, owner, data.addresses.map(addressRow));
        const [view] = await unitViews(tx, [row]);
        await recordChange(tx, ctx, { object: 'business_unit', id, tenantId: ent.tenant_id, enterpriseId, before: null, after: view });
        return view;
      });
    },

    async updateBusinessUnit(ctx: RequestContext, id: string, input: BusinessUnitUpdate, tx?: Tx): Promise<BusinessUnitView> {
      const data = parse(businessUnitUpdate, input);
      return run(ctx, tx, async (tx) => {
        const found = await repo.findBusinessUnit(tx, id);
        if (!found) throw new NotFoundError('business unit', id);
        await enterpriseForWrite(tx, found.enterprise_id); // serialises tree changes of this enterprise
        const row = (await repo.findBusinessUnit(tx, id))!;
        const [before] = await unitViews(tx, [row]);
        checkStatus('body.status', row.status, data.status);
        if (row.status === 'TERMINATED') throw new ConflictError(`business unit ${id} is TERMINATED and cannot change`);
        const moved = data.parentId !== undefined && data.parentId !== row.parent_id;
        if (moved && data.parentId) {
          const parent = await repo.findBusinessUnit(tx, data.parentId);
          if (!parent || parent.enterprise_id !== row.enterprise_id) throw ValidationError.field('body.parentId', 'is not a business unit of this enterprise');
          if (wouldCreateCycle(id, data.parentId, await repo.unitParents(tx, row.enterprise_id))) {
            throw ValidationError.field('body.parentId', 'would make the unit its own ancestor');
          }
        }
        const updated = await repo.updateBusinessUnit(tx, id, {
          ...(data.name !== undefined && { name: data.name }),
          ...(data.status !== undefined && { status: data.status }),
          ...(moved && { parent_id: data.parentId ?? null }),
          updated_at: now(),
        });
        const owner = { tenantId: row.tenant_id, enterpriseId: row.enterprise_id, businessUnitId: id };
        if (data.contacts) await repo.replaceContacts(tx, owner, data.contacts.map(contactRow));
        if (data.addresses) await repo.replaceAddresses(tx, owner, data.addresses.map(addressRow));
        const [after] = await unitViews(tx, [updated]);
        await recordChange(tx, ctx, {
          object: 'business_unit', id, tenantId: row.tenant_id, enterpriseId: row.enterprise_id, before, after, extraEvents: moved ? ['moved'] : [],
        });
        return after;
      });
    },

    async getBusinessUnit(ctx: RequestContext, id: string, tx?: Tx): Promise<BusinessUnitView> {
      return run(ctx, tx, async (tx) => {
        const row = await repo.findBusinessUnit(tx, id);
        if (!row) throw new NotFoundError('business unit', id);
        return (await unitViews(tx, [row]))[0];
      });
    },

    async findBusinessUnitByUnitId(ctx: RequestContext, unitId: string, tx?: Tx): Promise<BusinessUnitView | null> {
      return run(ctx, tx, async (tx) => {
        const row = await repo.findBusinessUnitByUnitId(tx, unitId);
        return row ? (await unitViews(tx, [row]))[0] : null;
      });
    },

    async listBusinessUnits(ctx: RequestContext, enterpriseId: string, q: PageQuery & { status?: string; q?: string; parentId?: string }): Promise<Page<BusinessUnitView>> {
      return run(ctx, undefined, async (tx) => {
        if (!(await repo.findEnterprise(tx, enterpriseId))) throw new NotFoundError('enterprise', enterpriseId);
        const parentId = q.parentId === 'none' ? null : q.parentId;
        const page = await paginate(repo.businessUnitsQuery(tx, enterpriseId, { ...q, parentId }), q,
          { name: 'name', unitId: 'unit_id', createdAt: 'created_at' }, 'name');
        return { items: await unitViews(tx, page.items), nextCursor: page.nextCursor };
      });
    },

    // ---- Billing profiles.

    async createBillingProfile(ctx: RequestContext, enterpriseId: string, input: BillingProfileCreate, tx?: Tx): Promise<BillingProfileView> {
      const data = parse(billingProfileCreate, input);
      return run(ctx, tx, async (tx) => {
        const ent = await enterpriseForWrite(tx, enterpriseId);
        if (ent.status === 'TERMINATED') throw new ConflictError(`enterprise ${enterpriseId} is TERMINATED`);
        if (data.businessUnitId) {
          const unit = await repo.findBusinessUnit(tx, data.businessUnitId);
          if (!unit || unit.enterprise_id !== enterpriseId) throw ValidationError.field('body.businessUnitId', 'is not a business unit of this enterprise');
        }
        if (await repo.findBillingProfileByNumber(tx, data.billingAccountNumber)) {
          throw new ConflictError(`billing account number ${data.billingAccountNumber} is taken`,
            [{ field: 'body.billingAccountNumber', reason: 'is already used by another billing profile' }]);
        }
        const tenant = await tenantOf(tx, ent.tenant_id);
        const at = now();
        const row = await repo.insertBillingProfile(tx, {
          tenant_id: ent.tenant_id, enterprise_id: enterpriseId, business_unit_id: data.businessUnitId ?? null,
          billing_account_number: data.billingAccountNumber, name: data.name ?? ent.name, bill_cycle_day: data.billCycleDay,
          currency: data.currency ?? tenant.currency, time_zone: canonicalTimeZone(data.timeZone ?? tenant.time_zone)!,
          payment_terms_days: data.paymentTermsDays, credit_limit: data.creditLimit == null ? null : parseMicros(data.creditLimit),
          created_at: at, updated_at: at,
        });
        const view = billingProfileView(row);
        await recordChange(tx, ctx, { object: 'billing_profile', id: row.id, tenantId: ent.tenant_id, enterpriseId, before: null, after: view });
        return view;
      });
    },

    async updateBillingProfile(ctx: RequestContext, id: string, input: BillingProfileUpdate, tx?: Tx): Promise<BillingProfileView> {
      const data = parse(billingProfileUpdate, input);
      return run(ctx, tx, async (tx) => {
        const row = await repo.findBillingProfile(tx, id, true);
        if (!row) throw new NotFoundError('billing profile', id);
        checkStatus('body.status', row.status, data.status);
        if (row.status === 'TERMINATED') throw new ConflictError(`billing profile ${id} is TERMINATED and cannot change`);
        const updated = await repo.updateBillingProfile(tx, id, {
          ...(data.name !== undefined && { name: data.name }),
          ...(data.status !== undefined && { status: data.status }),
          ...(data.billCycleDay !== undefined && { bill_cycle_day: data.billCycleDay }),
          ...(data.currency !== undefined && { currency: data.currency }),
          ...(data.timeZone !== undefined && { time_zone: canonicalTimeZone(data.timeZone)! }),
          ...(data.paymentTermsDays !== undefined && { payment_terms_days: data.paymentTermsDays }),
          ...(data.creditLimit !== undefined && { credit_limit: data.creditLimit === null ? null : parseMicros(data.creditLimit) }),
          updated_at: now(),
        });
        const after = billingProfileView(updated);
        await recordChange(tx, ctx, { object: 'billing_profile', id, tenantId: row.tenant_id, enterpriseId: row.enterprise_id, before: billingProfileView(row), after });
        return after;
      });
    },

    async getBillingProfile(ctx: RequestContext, id: string, tx?: Tx): Promise<BillingProfileView> {
      return run(ctx, tx, async (tx) => {
        const row = await repo.findBillingProfile(tx, id);
        if (!row) throw new NotFoundError('billing profile', id);
        return billingProfileView(row);
      });
    },

    async findBillingProfileByNumber(ctx: RequestContext, billingAccountNumber: string, tx?: Tx): Promise<BillingProfileView | null> {
      return run(ctx, tx, async (tx) => {
        const row = await repo.findBillingProfileByNumber(tx, billingAccountNumber);
        return row ? billingProfileView(row) : null;
      });
    },

    async listBillingProfiles(ctx: RequestContext, enterpriseId: string, q: PageQuery & { status?: string; businessUnitId?: string }): Promise<Page<BillingProfileView>> {
      return run(ctx, undefined, async (tx) => {
        if (!(await repo.findEnterprise(tx, enterpriseId))) throw new NotFoundError('enterprise', enterpriseId);
        const page = await paginate(repo.billingProfilesQuery(tx, enterpriseId, q), q,
          { billingAccountNumber: 'billing_account_number', name: 'name', createdAt: 'created_at' }, 'billingAccountNumber');
        return { items: page.items.map(billingProfileView), nextCursor: page.nextCursor };
      });
    },

    // ---- Status for other modules.

    /**
     * The status of a tenant, enterprise or business unit, and the one that applies given its ancestors.
     * With `tx`, reads in the caller's transaction (and RLS scope); without, as the platform. Throws
     * NotFoundError when the account does not exist (or is not visible in the caller's scope).
     */
    async getAccountStatus(tx: Tx | undefined | null, scope: AccountLevel, id: string): Promise<AccountStatusInfo> {
      const read = async (tx: Tx): Promise<AccountStatusInfo> => {
        const chain: AccountStatus[] = [];
        let tenantId = id;
        let enterpriseId = id;
        if (scope === 'business_unit') {
          const units = await repo.unitAncestorStatuses(tx, id);
          if (units.length === 0) throw new NotFoundError('business unit', id);
          chain.push(...units.map((u) => u.status as AccountStatus));
          enterpriseId = units[0].enterprise_id;
        }
        if (scope !== 'tenant') {
          const ent = await repo.findEnterprise(tx, enterpriseId);
          if (!ent) throw new NotFoundError(scope === 'enterprise' ? 'enterprise' : 'business unit', id);
          chain.push(ent.status);
          tenantId = ent.tenant_id;
        }
        const tenant = await repo.findTenant(tx, tenantId);
        if (!tenant) throw new NotFoundError('tenant', id);
        chain.push(tenant.status);
        return { status: chain[0], effectiveStatus: effectiveStatus(chain) };
      };
      return tx ? read(tx) : dbs.system(read);
    },
  };
  return service;
}
export type AccountsService = ReturnType<typeof createAccountsService>;

const STATUS_ACTIONS = { suspended: 'suspend', reactivated: 'reactivate', terminated: 'terminate' } as const;

function hostOnly(ctx: RequestContext): void {
  if (ctx.principal.role !== 'host_admin') throw new ForbiddenError('only host admins manage tenants');
}

/** Validates a service input with its schema (routes have done so already; direct callers have not). */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ field: ['body', ...i.path.map(String)].join('.'), reason: i.message }));
  throw new ValidationError('the request is not valid', errors);
}

/** Unique and check violations that a race slipped past the service's own checks, as field errors. */
export function dbError(e: unknown): AppError | null {
  if (e instanceof AppError) return null;
  const err = e as { code?: string; constraint?: string; message?: string };
  if (err.code === '23505') {
    const field = err.constraint?.includes('customer_id') ? 'customerId'
      : err.constraint?.includes('unit_id') ? 'unitId'
      : err.constraint?.includes('billing_account_number') ? 'billingAccountNumber'
      : err.constraint?.includes('code') ? 'code' : null;
    if (field) return new ConflictError(`${field} is taken`, [{ field: `body.${field}`, reason: 'is already in use' }]);
  }
  if (err.code === '23514' && /own ancestor/.test(err.message ?? '')) return ValidationError.field('body.parentId', 'would make the unit its own ancestor');
  return null;
}

function contactRow(c: { role: repo.ContactRow['role']; name: string; email?: string; phone?: string }) {
  return { role: c.role, name: c.name, email: c.email?.toLowerCase() ?? null, phone: c.phone ?? null };
}
function addressRow(a: { kind: repo.AddressRow['kind']; lines: string[]; city: string; postcode?: string; region?: string; country: string }) {
  return { kind: a.kind, lines: a.lines, city: a.city, postcode: a.postcode ?? null, region: a.region ?? null, country: a.country };
}
const contactOut = (c: repo.ContactRow) => ({ role: c.role, name: c.name, email: c.email, phone: c.phone });
const addressOut = (a: repo.AddressRow) => ({ kind: a.kind, lines: a.lines, city: a.city, postcode: a.postcode, region: a.region, country: a.country });

function tenantView(r: repo.TenantRow): TenantView {
  return {
    id: r.id, href: `/api/v1/tenants/${r.id}`, code: r.code, name: r.name, status: r.status, plmns: r.plmns, currency: r.currency,
    timeZone: r.time_zone, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
function enterpriseView(r: repo.EnterpriseRow, contacts: repo.ContactRow[], addresses: repo.AddressRow[]): EnterpriseView {
  return {
    id: r.id, href: `/api/v1/enterprises/${r.id}`, customerId: r.customer_id, name: r.name, status: r.status, phone: r.phone,
    contacts: contacts.map(contactOut), addresses: addresses.map(addressOut), createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
function unitView(r: repo.BusinessUnitRow, contacts: repo.ContactRow[], addresses: repo.AddressRow[]): BusinessUnitView {
  return {
    id: r.id, href: `/api/v1/business-units/${r.id}`, enterpriseId: r.enterprise_id, parentId: r.parent_id, unitId: r.unit_id, name: r.name,
    status: r.status, contacts: contacts.map(contactOut), addresses: addresses.map(addressOut), createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
function billingProfileView(r: repo.BillingProfileRow): BillingProfileView {
  return {
    id: r.id, href: `/api/v1/billing-profiles/${r.id}`, enterpriseId: r.enterprise_id, businessUnitId: r.business_unit_id,
    billingAccountNumber: r.billing_account_number, name: r.name, status: r.status, billCycleDay: r.bill_cycle_day, currency: r.currency,
    timeZone: r.time_zone, paymentTermsDays: r.payment_terms_days, creditLimit: r.credit_limit === null ? null : formatMicros(r.credit_limit),
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
