import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Core } from '../../platform/core';
import type { Tx } from '../../platform/db';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, type RequestContext } from '../../platform/auth';
import type { Actor, StoredEvent } from '../../platform/events';
import { AppError, NotFoundError, paginate, type FieldError, type Page, type PageQuery } from '../../platform/http';
import * as repo from './accounts.repo';
import type { OnboardingKind } from './accounts.tables';
import type { AccountsService } from './accounts.service';
import { ACCOUNTS_EVENTS, type OnboardingOutcomePayload, type OnboardingRequestedPayload } from './accounts.events';
import { signBody } from './accounts.fns';
import type {
  OnboardBillingProfile, OnboardBusinessUnit, OnboardEnterprise, OnboardEnterpriseUpdate, OnboardingAccepted, OnboardingRequestView,
} from './onboarding.schemas';

type Deps = Pick<Core, 'dbs' | 'bus' | 'now' | 'log'> & { config: Pick<Core['config'], 'SECRET_KEY'> };
type Accounts = Pick<AccountsService, 'createEnterprise' | 'updateEnterprise' | 'getEnterprise' | 'createBusinessUnit' | 'createBillingProfile'>;

export const ONBOARDING_PROCESSOR = 'accounts.onboarding-processor';
export const ONBOARDING_CALLBACK = 'accounts.onboarding-callback';
const CALLBACK_TIMEOUT_MS = 10_000;

type Payloads = {
  enterprise: OnboardEnterprise;
  'business-unit': OnboardBusinessUnit;
  'billing-profile': OnboardBillingProfile;
  'enterprise-update': OnboardEnterpriseUpdate;
};

/** A request the processor cannot apply: the CRM gets these field errors back. */
class Rejection extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.reason}`).join('; '));
  }
}

/**
 * Asynchronous onboarding from the tenant CRM. `submit` stores the request and records
 * `accounts.onboarding.requested` in the same transaction; the outbox worker hands that event to `process`,
 * which applies the request (or rejects it with field errors) in one transaction that also records
 * `accounts.onboarding.completed` / `.rejected`; a second subscriber POSTs the outcome to the CRM's callback
 * URL, and the outbox retries it with backoff until the CRM answers 2xx.
 */
export function createOnboardingService(deps: Deps, accounts: Accounts) {
  const { dbs, bus, now, config } = deps;

  /** The key that signs callbacks of one tenant: derived from SECRET_KEY, so a tenant never learns SECRET_KEY. */
  const callbackSecret = (tenantId: string) => createHmac('sha256', config.SECRET_KEY).update(`cmp-onboarding-callback:${tenantId}`).digest('hex');

  /** The context the processor applies a request in: the tenant's, acting for whoever submitted it. */
  function contextOf(row: repo.OnboardingRow): RequestContext {
    const by = row.requested_by ?? { type: 'system', id: null, name: 'onboarding' };
    return {
      principal: { kind: by.type as Actor['type'], id: by.id ?? 'onboarding', name: by.name ?? 'onboarding', role: 'tenant_admin', tenantId: row.tenant_id, enterpriseId: null },
      tenantId: row.tenant_id, enterpriseId: null, requestId: row.request_id ?? `onboarding-${row.id}`, ip: null,
    };
  }

  async function enterpriseByCustomerId(tx: Tx, customerId: string): Promise<repo.EnterpriseRow> {
    const ent = await repo.findEnterpriseByCustomerId(tx, customerId);
    if (!ent) throw new Rejection([{ field: 'customerId', reason: 'no enterprise has this customer id' }]);
    if (ent.status === 'TERMINATED') throw new Rejection([{ field: 'customerId', reason: 'the enterprise is TERMINATED' }]);
    return ent;
  }

  /** Applies one request; throws Rejection (or a service's 4xx error) when it cannot be. Returns the result ids. */
  const apply: { [K in OnboardingKind]: (tx: Tx, ctx: RequestContext, p: Payloads[K]) => Promise<Record<string, unknown>> } = {
    async enterprise(tx, ctx, p) {
      const errors: FieldError[] = [];
      if (await repo.findEnterpriseByCustomerId(tx, p.customerId)) errors.push({ field: 'customerId', reason: 'is already used by another enterprise' });
      for (const [i, b] of p.billingProfiles.entries()) {
        if (await repo.findBillingProfileByNumber(tx, b.billingAccountNumber)) {
          errors.push({ field: `billingProfiles.${i}.billingAccountNumber`, reason: 'is already used by another billing profile' });
        }
      }
      if (errors.length) throw new Rejection(errors);
      const ent = await accounts.createEnterprise(ctx, { customerId: p.customerId, name: p.name, phone: p.phone, contacts: p.contacts, addresses: p.addresses }, tx);
      const billingProfileIds: string[] = [];
      for (const b of p.billingProfiles) billingProfileIds.push((await accounts.createBillingProfile(ctx, ent.id, b, tx)).id);
      return { enterpriseId: ent.id, customerId: ent.customerId, billingProfileIds };
    },

    async 'business-unit'(tx, ctx, p) {
      const errors: FieldError[] = [];
      const ent = await repo.findEnterpriseByCustomerId(tx, p.customerId);
      if (!ent) errors.push({ field: 'customerId', reason: 'no enterprise has this customer id' });
      else if (ent.status === 'TERMINATED') errors.push({ field: 'customerId', reason: 'the enterprise is TERMINATED' });
      let parentId: string | undefined;
      if (p.parentUnitId) {
        const parent = await repo.findBusinessUnitByUnitId(tx, p.parentUnitId);
        if (!parent) errors.push({ field: 'parentUnitId', reason: 'no business unit has this unit id' });
        else if (ent && parent.enterprise_id !== ent.id) errors.push({ field: 'parentUnitId', reason: 'belongs to another enterprise' });
        else if (parent.status === 'TERMINATED') errors.push({ field: 'parentUnitId', reason: 'the parent unit is TERMINATED' });
        parentId = parent?.id;
      }
      if (await repo.findBusinessUnitByUnitId(tx, p.unitId)) errors.push({ field: 'unitId', reason: 'is already used by another business unit' });
      if (errors.length) throw new Rejection(errors);
      const unit = await accounts.createBusinessUnit(ctx, ent!.id, { unitId: p.unitId, name: p.name, parentId, contacts: p.contacts, addresses: p.addresses }, tx);
      return { businessUnitId: unit.id, unitId: unit.unitId, enterpriseId: ent!.id };
    },

    async 'billing-profile'(tx, ctx, p) {
      const errors: FieldError[] = [];
      const ent = await repo.findEnterpriseByCustomerId(tx, p.customerId);
      if (!ent) errors.push({ field: 'customerId', reason: 'no enterprise has this customer id' });
      else if (ent.status === 'TERMINATED') errors.push({ field: 'customerId', reason: 'the enterprise is TERMINATED' });
      let businessUnitId: string | undefined;
      if (p.unitId) {
        const unit = await repo.findBusinessUnitByUnitId(tx, p.unitId);
        if (!unit) errors.push({ field: 'unitId', reason: 'no business unit has this unit id' });
        else if (ent && unit.enterprise_id !== ent.id) errors.push({ field: 'unitId', reason: 'belongs to another enterprise' });
        businessUnitId = unit?.id;
      }
      if (await repo.findBillingProfileByNumber(tx, p.billingAccountNumber)) {
        errors.push({ field: 'billingAccountNumber', reason: 'is already used by another billing profile' });
      }
      if (errors.length) throw new Rejection(errors);
      const { customerId: _c, unitId: _u, callbackUrl: _cb, ...fields } = p;
      const bp = await accounts.createBillingProfile(ctx, ent!.id, { ...fields, businessUnitId }, tx);
      return { billingProfileId: bp.id, billingAccountNumber: bp.billingAccountNumber, enterpriseId: ent!.id, businessUnitId: bp.businessUnitId };
    },

    async 'enterprise-update'(tx, ctx, p) {
      const ent = await enterpriseByCustomerId(tx, p.customerId);
      const current = await accounts.getEnterprise(ctx, ent.id, tx);
      // The CRM sends one address and the primary contact; the others the enterprise has are kept.
      const addresses = p.address ? [...current.addresses.filter((a) => a.kind !== p.address!.kind), p.address] : undefined;
      const contacts = p.primaryContact ? [{ role: 'primary' as const, ...p.primaryContact }, ...current.contacts.filter((c) => c.role !== 'primary')] : undefined;
      const strip = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as never;
      await accounts.updateEnterprise(ctx, ent.id, {
        ...(p.name !== undefined && { name: p.name }),
        ...(p.phone !== undefined && { phone: p.phone }),
        ...(addresses && { addresses: addresses.map(strip) }),
        ...(contacts && { contacts: contacts.map(strip) }),
      }, tx);
      return { enterpriseId: ent.id, customerId: ent.customer_id };
    },
  };

  function view(r: repo.OnboardingRow): OnboardingRequestView {
    return {
      id: r.id, href: `/api/v1/onboarding/requests/${r.id}`, kind: r.kind, status: r.status, request: r.payload, result: r.result, errors: r.errors,
      callback: r.callback_url && r.callback_status
        ? { url: r.callback_url, status: r.callback_status, attempts: r.callback_attempts, lastError: r.callback_last_error, deliveredAt: r.callback_delivered_at }
        : null,
      createdAt: r.created_at, processedAt: r.processed_at,
    };
  }

  /** What the CRM's callback receives (and what is signed). */
  function outcomeBody(r: repo.OnboardingRow) {
    return {
      requestId: r.id, kind: r.kind, status: r.status, result: r.result, errors: r.errors,
      processedAt: r.processed_at?.toISOString() ?? null, href: `/api/v1/onboarding/requests/${r.id}`,
    };
  }

  const service = {
    /** Stores a request that passed the synchronous checks and queues its processing. */
    async submit<K extends OnboardingKind>(ctx: RequestContext, kind: K, body: Payloads[K]): Promise<OnboardingAccepted> {
      const { callbackUrl, ...payload } = body as Payloads[K] & { callbackUrl?: string };
      return dbs.tenant(scopeOf(ctx), async (tx) => {
        const row = await repo.insertOnboardingRequest(tx, {
          tenant_id: scopeOf(ctx).tenantId, kind, payload: JSON.stringify(payload), callback_url: callbackUrl ?? null,
          callback_status: callbackUrl ? 'PENDING' : null, requested_by: JSON.stringify(actorOf(ctx)), request_id: ctx.requestId,
          result: JSON.stringify(null), errors: JSON.stringify(null), created_at: now(),
        });
        await recordAudit(tx, originOf(ctx), { tenantId: row.tenant_id, action: 'submit', entityType: 'onboarding_request', entityId: row.id, after: { kind, payload, callbackUrl } });
        const event: OnboardingRequestedPayload = { requestId: row.id, kind };
        await bus.record(tx, { type: ACCOUNTS_EVENTS.onboardingRequested, tenantId: row.tenant_id, aggregateType: 'onboarding_request', aggregateId: row.id, payload: event }, actorOf(ctx));
        return { requestId: row.id, status: 'PENDING' as const, href: `/api/v1/onboarding/requests/${row.id}` };
      });
    },

    /**
     * The outbox subscriber: applies a PENDING request once. The request row is locked, so two workers holding
     * the same delivery cannot both apply it; an already processed request is left alone (at-least-once delivery).
     * The apply runs under a savepoint: a rejection undoes its partial work and keeps the REJECTED outcome.
     */
    async process(event: StoredEvent): Promise<void> {
      const { requestId } = event.payload as OnboardingRequestedPayload;
      if (!event.tenantId) return;
      await dbs.tenant({ tenantId: event.tenantId }, async (tx) => {
        const row = await repo.findOnboardingRequest(tx, requestId, true);
        if (!row || row.status !== 'PENDING') return;
        const ctx = contextOf(row);
        let outcome: Pick<OnboardingOutcomePayload, 'status' | 'result' | 'errors'>;
        await sql`savepoint onboarding_apply`.execute(tx);
        try {
          const result = await (apply[row.kind] as (tx: Tx, ctx: RequestContext, p: unknown) => Promise<Record<string, unknown>>)(tx, ctx, row.payload);
          outcome = { status: 'COMPLETED', result, errors: null };
        } catch (e) {
          const errors = rejectionErrors(e);
          if (!errors) throw e; // not the request's fault (database down...): the outbox retries
          await sql`rollback to savepoint onboarding_apply`.execute(tx);
          outcome = { status: 'REJECTED', result: null, errors };
        }
        const done = await repo.updateOnboardingRequest(tx, row.id, {
          status: outcome.status, result: JSON.stringify(outcome.result), errors: JSON.stringify(outcome.errors), processed_at: now(),
        });
        await recordAudit(tx, originOf(ctx), {
          tenantId: row.tenant_id, action: outcome.status === 'COMPLETED' ? 'complete' : 'reject', entityType: 'onboarding_request', entityId: row.id,
          before: { status: row.status }, after: { status: done.status, result: done.result, errors: done.errors },
        });
        const payload: OnboardingOutcomePayload = { requestId: row.id, kind: row.kind, ...outcome };
        await bus.record(tx, {
          type: outcome.status === 'COMPLETED' ? ACCOUNTS_EVENTS.onboardingCompleted : ACCOUNTS_EVENTS.onboardingRejected,
          tenantId: row.tenant_id, aggregateType: 'onboarding_request', aggregateId: row.id, payload,
        }, actorOf(ctx));
      });
    },

    /**
     * The outbox subscriber that tells the CRM: POSTs the outcome as JSON, signed with HMAC-SHA256 of the body
     * (X-CMP-Signature: sha256=<hex>). A failure (network, timeout, non-2xx) throws, so the outbox retries with
     * backoff and finally parks it as a dead delivery an admin can replay.
     */
    async deliverCallback(event: StoredEvent): Promise<void> {
      const { requestId } = event.payload as OnboardingOutcomePayload;
      if (!event.tenantId) return;
      const scope = { tenantId: event.tenantId };
      const row = await dbs.tenant(scope, (tx) => repo.findOnboardingRequest(tx, requestId));
      if (!row?.callback_url || row.callback_status === 'DELIVERED') return;
      const body = JSON.stringify(outcomeBody(row));
      let failure: string | null = null;
      try {
        const res = await fetch(row.callback_url, {
          method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
          headers: {
            'content-type': 'application/json', 'x-cmp-signature': signBody(callbackSecret(row.tenant_id), body),
            'x-cmp-event': event.type, 'x-cmp-delivery-id': event.eventId,
          },
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) failure = `the callback answered HTTP ${res.status}`;
      } catch (e) {
        failure = `the callback failed: ${(e as Error).message}`;
      }
      await dbs.tenant(scope, (tx) => repo.updateOnboardingRequest(tx, row.id, {
        callback_attempts: sql`callback_attempts + 1` as never,
        callback_last_error: failure,
        ...(failure ? {} : { callback_status: 'DELIVERED' as const, callback_delivered_at: now() }),
      }));
      if (failure) throw new Error(failure);
    },

    async get(ctx: RequestContext, id: string): Promise<OnboardingRequestView> {
      const row = await dbs.tenant(scopeOf(ctx), (tx) => repo.findOnboardingRequest(tx, id));
      if (!row) throw new NotFoundError('onboarding request', id);
      return view(row);
    },

    async list(ctx: RequestContext, q: PageQuery & { status?: string; kind?: string }): Promise<Page<OnboardingRequestView>> {
      return dbs.tenant(scopeOf(ctx), async (tx) => {
        const page = await paginate(repo.onboardingRequestsQuery(tx, q), q, { createdAt: 'created_at' }, '-createdAt');
        return { items: page.items.map(view), nextCursor: page.nextCursor };
      });
    },

    /** The secret the tenant's CRM verifies callback signatures with. */
    callbackSecret(ctx: RequestContext): { secret: string; algorithm: 'HMAC-SHA256'; header: 'X-CMP-Signature' } {
      return { secret: callbackSecret(scopeOf(ctx).tenantId), algorithm: 'HMAC-SHA256', header: 'X-CMP-Signature' };
    },
  };
  return service;
}
export type OnboardingService = ReturnType<typeof createOnboardingService>;

/** The field errors of a request's own fault (4xx from the services, with plain field names), or null. */
function rejectionErrors(e: unknown): FieldError[] | null {
  if (e instanceof Rejection) return e.errors;
  if (e instanceof AppError && e.status >= 400 && e.status < 500) {
    return e.errors.length ? e.errors.map((f) => ({ field: f.field.replace(/^body\./, ''), reason: f.reason })) : [{ field: '', reason: e.message }];
  }
  return null;
}
