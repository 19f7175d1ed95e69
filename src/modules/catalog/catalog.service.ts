import type { Core } from '../../platform/core';
import type { Tx, TenantScope } from '../../platform/db';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, type RequestContext } from '../../platform/auth';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError, type PageQuery } from '../../platform/http';
import { sql } from 'kysely';
import { formatMicros } from '../../platform/money';
import { applyImpacts, compileCatalog, rateUsage, validateCatalog, type RatingBalances, type RatingCatalogDefinition } from '../rating';
import * as repo from './catalog.repo';
import { CATALOG_EVENTS } from './catalog.events';
import {
  applyOverrides,
  diffSpecs,
  isInSalesWindow,
  parseBundleSpec,
  parseOfferSpec,
  parseOverrides,
  toCsv,
  zodErrors,
  type SpecContext,
} from './catalog.fns';
import { type BundleSpec, type OfferKind, type OfferSpec, type PriceOverrides, zoneInput } from './catalog.schemas';
import { compileOffers, ownAllowanceBuckets, type CompileOffer } from './compile.fns';
import { catalogFileSchema, csvToCatalogFile, parseCsv, type CatalogFile, type LoadError } from './load.fns';
import { ALLOWED, danglingAfter, evaluateOrderLine, evaluateTransition, type Attributes, type RuleDecision, type RuleItem } from './rules.fns';
import type { TmfKind } from './catalog.tables';

/**
 * How many subscriptions (SIMs, account offer instances) reference each of the given offer or bundle ids.
 * The catalog does not read other modules' tables: inventory/lifecycle register one with
 * `catalog.registerSubscriptionCounter` (inventory: sims.plan_offer_id). Runs in the catalog's transaction.
 */
export type SubscriptionCounter = (tx: Tx, scope: TenantScope, ids: readonly string[]) => Promise<ReadonlyMap<string, number>>;

type OfferRow = NonNullable<Awaited<ReturnType<typeof repo.getOffer>>>;
type VersionRow = NonNullable<Awaited<ReturnType<typeof repo.getVersion>>>;
type BundleRow = NonNullable<Awaited<ReturnType<typeof repo.getBundle>>>;

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function versionView(v: VersionRow) {
  return {
    id: v.id, offerId: v.offer_id, version: v.version, status: v.status, basedOn: v.based_on,
    effectiveFrom: iso(v.effective_from), effectiveTo: iso(v.effective_to), approvedAt: iso(v.approved_at), activatedAt: iso(v.activated_at),
    createdAt: iso(v.created_at)!, updatedAt: iso(v.updated_at)!, spec: v.spec,
  };
}
export type VersionView = ReturnType<typeof versionView>;

function offerView(o: OfferRow, versions: VersionRow[], now: Date) {
  const mine = versions.filter((v) => v.offer_id === o.id);
  const latest = mine.reduce((a, b) => (b.version > a.version ? b : a));
  const current = mine.find((v) => v.effective_from && v.effective_from <= now && (!v.effective_to || v.effective_to > now)) ?? null;
  return {
    id: o.id, code: o.code, name: o.name, kind: o.kind, status: o.status, retiredAt: iso(o.retired_at),
    createdAt: iso(o.created_at)!, updatedAt: iso(o.updated_at)!,
    currentVersion: current?.version ?? null, latestVersion: latest.version, latestStatus: latest.status,
    _current: current, _latest: latest, _versions: mine,
  };
}
export type OfferView = Omit<ReturnType<typeof offerView>, '_current' | '_latest' | '_versions'>;
const publicOffer = (v: ReturnType<typeof offerView>): OfferView => {
  const { _current, _latest, _versions, ...rest } = v;
  void _current; void _latest; void _versions;
  return rest;
};

function bundleView(b: BundleRow) {
  return { id: b.id, code: b.code, name: b.name, level: b.level, status: b.status, spec: b.spec, createdAt: iso(b.created_at)!, updatedAt: iso(b.updated_at)! };
}

/** A resolved offer version, as the lifecycle, orders and rating callers consume it. */
export interface ResolvedOffer {
  offerId: string;
  code: string;
  kind: OfferKind;
  offerStatus: 'ACTIVE' | 'RETIRED';
  version: number;
  versionStatus: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  spec: OfferSpec;
}

export function createCatalogService(core: Pick<Core, 'dbs' | 'bus' | 'now'>) {
  const { dbs, bus } = core;
  const counters: SubscriptionCounter[] = [];

  const audit = (tx: Tx, ctx: RequestContext, action: string, entityType: string, entityId: string, before: unknown, after: unknown) =>
    recordAudit(tx, originOf(ctx), { tenantId: ctx.tenantId, action, entityType, entityId, before, after });
  const emit = (tx: Tx, ctx: RequestContext, type: string, aggregateType: string, aggregateId: string, payload: unknown) =>
    bus.record(tx, { type, tenantId: ctx.tenantId, aggregateType, aggregateId, payload }, actorOf(ctx));
  const inTx = <T>(scope: TenantScope, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>) => (tx ? fn(tx) : dbs.tenant(scope, fn));

  /** A unique index caught a concurrent change the checks before it could not see: 409, not 500. */
  async function unique<T>(p: Promise<T>, message: string, field?: string): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new ConflictError(message, field ? [{ field, reason: 'is already used' }] : []);
      throw err;
    }
  }

  async function specContext(tx: Tx): Promise<SpecContext> {
    return { zones: new Set((await repo.listZones(tx)).map((z) => z.code)) };
  }

  async function countSubscriptions(tx: Tx, scope: TenantScope, ids: string[]): Promise<Map<string, number>> {
    const total = new Map<string, number>();
    for (const c of counters) for (const [id, n] of await c(tx, scope, ids)) total.set(id, (total.get(id) ?? 0) + n);
    return total;
  }

  /** Offer and bundle ids named by rules must exist in this tenant's catalog. */
  async function checkRuleRefs(tx: Tx, rules: OfferSpec['rules'], prefix: string, selfId?: string): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    for (const name of ['prerequisite', 'exclusion', 'transition'] as const) {
      const r = rules[name];
      if (!r) continue;
      const offers = new Set((await repo.getOffersByIds(tx, r.offers)).map((o) => o.id));
      r.offers.forEach((id, i) => {
        if (!offers.has(id)) errors.push({ field: `${prefix}.rules.${name}.offers.${i}`, reason: `no offer ${id} in this catalog` });
        if (id === selfId && name !== 'transition') errors.push({ field: `${prefix}.rules.${name}.offers.${i}`, reason: 'an offer cannot name itself' });
      });
      const bundles = new Set((await repo.getBundlesByIds(tx, r.bundles)).map((b) => b.id));
      r.bundles.forEach((id, i) => { if (!bundles.has(id)) errors.push({ field: `${prefix}.rules.${name}.bundles.${i}`, reason: `no bundle ${id} in this catalog` }); });
    }
    return errors;
  }

  async function validSpec(tx: Tx, kind: OfferKind, input: unknown, selfId?: string, prefix = 'spec'): Promise<OfferSpec> {
    const parsed = parseOfferSpec(kind, input, await specContext(tx), prefix);
    if (!parsed.ok) throw new ValidationError('the offer is not valid', parsed.errors);
    const refErrors = await checkRuleRefs(tx, parsed.value.rules, prefix, selfId);
    if (refErrors.length) throw new ValidationError('the offer is not valid', refErrors);
    return parsed.value;
  }

  async function loadOffer(tx: Tx, id: string): Promise<ReturnType<typeof offerView>> {
    const o = await repo.getOffer(tx, id);
    if (!o) throw new NotFoundError('offer', id);
    return offerView(o, await repo.listVersions(tx, [id]), core.now());
  }

  async function detail(tx: Tx, id: string) {
    const v = await loadOffer(tx, id);
    return {
      ...publicOffer(v),
      versions: v._versions.map((x) => { const { spec, ...rest } = versionView(x); void spec; return rest; }),
      current: v._current ? versionView(v._current) : null,
      latest: versionView(v._latest),
    };
  }

  async function createOfferTx(tx: Tx, ctx: RequestContext, input: { code: string; kind: OfferKind; spec: unknown }, prefix = 'spec') {
    const spec = await validSpec(tx, input.kind, input.spec, undefined, prefix);
    if (await repo.getOfferByCode(tx, input.code)) throw new ConflictError(`an offer with code ${input.code} exists`, [{ field: 'code', reason: 'is already used' }]);
    const offer = await unique(repo.insertOffer(tx, ctx.tenantId!, { code: input.code, name: spec.name, kind: input.kind }), `an offer with code ${input.code} exists`, 'code');
    const version = await repo.insertVersion(tx, ctx.tenantId!, { offer_id: offer.id, version: 1, spec, based_on: null });
    await audit(tx, ctx, 'create', 'catalog_offer', offer.id, null, { code: offer.code, kind: offer.kind, spec });
    await emit(tx, ctx, CATALOG_EVENTS.offerCreated, 'catalog_offer', offer.id, { offerId: offer.id, code: offer.code, kind: offer.kind });
    await emit(tx, ctx, CATALOG_EVENTS.versionCreated, 'catalog_offer', offer.id, { offerId: offer.id, code: offer.code, version: 1 });
    return { offer, version };
  }

  /** Edits the version being worked on; when there is none (all activated), the change becomes a new draft. */
  async function editTx(tx: Tx, ctx: RequestContext, id: string, specInput: unknown) {
    const current = await loadOffer(tx, id);
    const spec = await validSpec(tx, current.kind, specInput, id);
    const open = await repo.openVersion(tx, id);
    let version: VersionRow;
    if (open?.status === 'APPROVED') {
      throw new ConflictError(`version ${open.version} is approved and frozen: activate it, or create a new version after it`);
    } else if (open) {
      version = await repo.updateVersion(tx, open.id, { spec });
      await audit(tx, ctx, 'update', 'catalog_offer_version', version.id, open.spec, spec);
    } else {
      const latest = current._latest;
      version = await unique(repo.insertVersion(tx, ctx.tenantId!, { offer_id: id, version: latest.version + 1, spec, based_on: latest.version }), 'another change to this offer was saved at the same time; reload and retry');
      await audit(tx, ctx, 'create', 'catalog_offer_version', version.id, null, spec);
      await emit(tx, ctx, CATALOG_EVENTS.versionCreated, 'catalog_offer', id, { offerId: id, code: current.code, version: version.version });
    }
    if (spec.name !== current.name && !current._current) await repo.updateOffer(tx, id, { name: spec.name });
    await emit(tx, ctx, CATALOG_EVENTS.offerUpdated, 'catalog_offer', id, { offerId: id, code: current.code, version: version.version });
    return version;
  }

  async function approveTx(tx: Tx, ctx: RequestContext, id: string, version: number) {
    const offer = await loadOffer(tx, id);
    const v = await repo.getVersion(tx, id, version);
    if (!v) throw new NotFoundError(`version ${version} of offer`, id);
    if (v.status !== 'DRAFT') throw new ConflictError(`version ${version} is ${v.status}; only a DRAFT can be approved`);
    // Zones or referenced offers may have changed since the draft was saved: validate again, and compile.
    const spec = await validSpec(tx, offer.kind, v.spec, id);
    const issues = validateCatalog(compileOffers(await repo.listZones(tx), [{ id, code: offer.code, kind: offer.kind, version, spec }], 'check'))
      .filter((i) => i.severity === 'ERROR');
    if (issues.length) throw new ValidationError('the offer does not compile for rating', issues.map((i) => ({ field: `spec.${i.path}`, reason: `${i.reason}: ${i.detail}` })));
    const updated = await repo.updateVersion(tx, v.id, { status: 'APPROVED', approved_at: core.now() });
    await audit(tx, ctx, 'approve', 'catalog_offer_version', v.id, { status: v.status }, { status: 'APPROVED' });
    await emit(tx, ctx, CATALOG_EVENTS.versionApproved, 'catalog_offer', id, { offerId: id, code: offer.code, version });
    return updated;
  }

  async function activateTx(tx: Tx, ctx: RequestContext, id: string, version: number, effectiveFrom?: string) {
    const offer = await loadOffer(tx, id);
    const v = await repo.getVersion(tx, id, version);
    if (!v) throw new NotFoundError(`version ${version} of offer`, id);
    if (v.status !== 'APPROVED') throw new ConflictError(`version ${version} is ${v.status}; only an APPROVED version can be activated`);
    const now = core.now();
    const from = effectiveFrom ? new Date(effectiveFrom) : now;
    // History is never rewritten: a version takes effect now or later, and after the one it supersedes.
    if (from.getTime() < now.getTime() - 60_000) throw ValidationError.field('effectiveFrom', 'must not be in the past (usage already rated stays rated with the version then in force)');
    const previous = await repo.lastActivated(tx, id);
    if (previous && previous.effective_from! >= from) {
      throw ValidationError.field('effectiveFrom', `must be after ${previous.effective_from!.toISOString()}, when version ${previous.version} takes effect`);
    }
    if (previous) {
      await repo.updateVersion(tx, previous.id, { status: 'RETIRED', effective_to: from });
      await audit(tx, ctx, 'supersede', 'catalog_offer_version', previous.id, { status: previous.status, effectiveTo: iso(previous.effective_to) }, { status: 'RETIRED', effectiveTo: from.toISOString() });
    }
    const updated = await unique(repo.updateVersion(tx, v.id, { status: 'ACTIVE', effective_from: from, effective_to: null, activated_at: now }), 'another version of this offer takes effect at that instant', 'effectiveFrom');
    const spec = v.spec as unknown as OfferSpec;
    if (spec.name !== offer.name) await repo.updateOffer(tx, id, { name: spec.name });
    await audit(tx, ctx, 'activate', 'catalog_offer_version', v.id, { status: v.status }, { status: 'ACTIVE', effectiveFrom: from.toISOString() });
    await emit(tx, ctx, CATALOG_EVENTS.versionActivated, 'catalog_offer', id, { offerId: id, code: offer.code, version, effectiveFrom: from.toISOString() });
    return updated;
  }

  async function resolveTx(tx: Tx, offerId: string, at: Date): Promise<ResolvedOffer | null> {
    const o = await repo.getOffer(tx, offerId);
    if (!o) return null;
    const [v] = await repo.versionsAt(tx, at, [offerId]);
    if (!v) return null;
    return {
      offerId, code: o.code, kind: o.kind, offerStatus: o.status, version: v.version, versionStatus: v.status,
      effectiveFrom: iso(v.effective_from), effectiveTo: iso(v.effective_to), spec: v.spec as unknown as OfferSpec,
    };
  }

  /** `enterpriseId` undefined skips the private-offer check (the caller does not sell to one enterprise). */
  function sellability(r: ResolvedOffer | null, enterpriseId: string | null | undefined, at: Date): RuleDecision {
    if (!r) return { allowed: false, rule: 'NOT_SELLABLE', reason: 'the offer has no version in force at that instant' };
    if (r.offerStatus === 'RETIRED') return { allowed: false, rule: 'NOT_SELLABLE', reason: 'the offer is retired: no new sales' };
    if (!isInSalesWindow(r.spec, at)) return { allowed: false, rule: 'NOT_SELLABLE', reason: 'outside the offer\'s sales window' };
    if (r.spec.availableTo && enterpriseId !== undefined && (!enterpriseId || !r.spec.availableTo.includes(enterpriseId))) {
      return { allowed: false, rule: 'NOT_SELLABLE', reason: 'the offer is private to other enterprises' };
    }
    return ALLOWED;
  }

  /** Rule items (offers at `at`, bundles as they are) for the given ids. */
  async function ruleItems(tx: Tx, offerIds: readonly string[], bundleIds: readonly string[], at: Date): Promise<RuleItem[]> {
    const versions = await repo.versionsAt(tx, at, [...offerIds]);
    const bundles = await repo.getBundlesByIds(tx, [...bundleIds]);
    return [
      ...versions.map((v) => ({ id: v.offer_id, type: 'OFFER' as const, rules: (v.spec as unknown as OfferSpec).rules ?? {} })),
      ...bundles.map((b) => ({ id: b.id, type: 'BUNDLE' as const, rules: (b.spec as unknown as BundleSpec).rules ?? {} })),
    ];
  }

  async function compileTx(tx: Tx, opts: { at: Date; offerIds?: string[]; enterpriseId?: string | null; version?: { offerId: string; version: number } }) {
    const offers = opts.offerIds ? await repo.getOffersByIds(tx, opts.offerIds) : await repo.allOffers(tx);
    const byId = new Map(offers.map((o) => [o.id, o]));
    let rows: VersionRow[];
    if (opts.version) {
      const v = await repo.getVersion(tx, opts.version.offerId, opts.version.version);
      if (!v) throw new NotFoundError(`version ${opts.version.version} of offer`, opts.version.offerId);
      rows = [v];
    } else {
      rows = await repo.versionsAt(tx, opts.at, offers.map((o) => o.id));
    }
    const agreements = opts.enterpriseId ? await repo.agreementsAt(tx, opts.enterpriseId, opts.at, rows.map((r) => r.offer_id)) : [];
    const overrides = new Map(agreements.map((a) => [a.offer_id, a.overrides as unknown as PriceOverrides]));
    const compileInput: CompileOffer[] = rows.map((v) => {
      const o = byId.get(v.offer_id)!;
      return { id: o.id, code: o.code, kind: o.kind, version: v.version, spec: applyOverrides(v.spec as unknown as OfferSpec, overrides.get(o.id)) };
    });
    const label = `${opts.at.toISOString()}${opts.enterpriseId ? `/${opts.enterpriseId}` : ''}`;
    return { definition: compileOffers(await repo.listZones(tx), compileInput, label), offers: compileInput, agreements };
  }

  return {
    /** Inventory / lifecycle / orders register how many subscriptions reference an offer or bundle. */
    registerSubscriptionCounter(counter: SubscriptionCounter): void {
      counters.push(counter);
    },

    // Zones -----------------------------------------------------------------------------------------------
    listZones: (ctx: RequestContext) => dbs.tenant(scopeOf(ctx), async (tx) => (await repo.listZones(tx)).map((z) => ({ id: z.id, code: z.code, name: z.name, plmns: z.plmns, updatedAt: iso(z.updated_at)! }))),
    saveZone: (ctx: RequestContext, input: { code: string; name: string; plmns: string[] }) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const before = await repo.getZone(tx, input.code);
      const z = await repo.upsertZone(tx, ctx.tenantId!, input);
      await audit(tx, ctx, before ? 'update' : 'create', 'catalog_zone', z.id, before ?? null, input);
      await emit(tx, ctx, CATALOG_EVENTS.zoneSaved, 'catalog_zone', z.id, { code: z.code });
      return { id: z.id, code: z.code, name: z.name, plmns: z.plmns, updatedAt: iso(z.updated_at)! };
    }),
    deleteZone: (ctx: RequestContext, code: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const z = await repo.getZone(tx, code);
      if (!z) throw new NotFoundError('zone', code);
      const users = await repo.versionsUsingZone(tx, code);
      if (users.length) throw new ConflictError(`zone ${code} is used by ${users.length} offer version(s)`, [], { usedBy: users });
      await repo.deleteZone(tx, code);
      await audit(tx, ctx, 'delete', 'catalog_zone', z.id, z, null);
      await emit(tx, ctx, CATALOG_EVENTS.zoneDeleted, 'catalog_zone', z.id, { code });
    }),

    // Offers ----------------------------------------------------------------------------------------------
    createOffer: (ctx: RequestContext, input: { code: string; kind: OfferKind; spec: unknown }) =>
      dbs.tenant(scopeOf(ctx), async (tx) => detail(tx, (await createOfferTx(tx, ctx, input)).offer.id)),
    listOffers: (ctx: RequestContext, page: PageQuery, filter: repo.OfferListFilter) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const p = await repo.listOffers(tx, page, filter);
      const versions = await repo.listVersions(tx, p.items.map((o) => o.id));
      return { items: p.items.map((o) => publicOffer(offerView(o, versions, core.now()))), nextCursor: p.nextCursor };
    }),
    getOffer: (ctx: RequestContext, id: string) => dbs.tenant(scopeOf(ctx), (tx) => detail(tx, id)),
    editOffer: (ctx: RequestContext, id: string, spec: unknown) => dbs.tenant(scopeOf(ctx), async (tx) => {
      await editTx(tx, ctx, id, spec);
      return detail(tx, id);
    }),
    /** Validates a document without saving it (the editor calls this as the user types). */
    validateOffer: (ctx: RequestContext, kind: OfferKind, spec: unknown, offerId?: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      try {
        const s = await validSpec(tx, kind, spec, offerId);
        const issues = validateCatalog(compileOffers(await repo.listZones(tx), [{ id: offerId ?? '00000000-0000-0000-0000-000000000000', code: 'X', kind, version: 0, spec: s }], 'check'));
        return { valid: !issues.some((i) => i.severity === 'ERROR'), errors: issues.filter((i) => i.severity === 'ERROR').map((i) => ({ field: `spec.${i.path}`, reason: `${i.reason}: ${i.detail}` })), warnings: issues.filter((i) => i.severity === 'WARNING').map((i) => ({ field: `spec.${i.path}`, reason: `${i.reason}: ${i.detail}` })) };
      } catch (err) {
        if (err instanceof ValidationError) return { valid: false, errors: err.errors, warnings: [] };
        throw err;
      }
    }),
    newVersion: (ctx: RequestContext, id: string, from?: number) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const offer = await loadOffer(tx, id);
      if (await repo.openVersion(tx, id)) throw new ConflictError('a draft or approved version already exists: finish or edit it first');
      const base = from ? await repo.getVersion(tx, id, from) : offer._latest;
      if (!base) throw new NotFoundError(`version ${from} of offer`, id);
      const v = await unique(repo.insertVersion(tx, ctx.tenantId!, { offer_id: id, version: offer._latest.version + 1, spec: base.spec, based_on: base.version }), 'another change to this offer was saved at the same time; reload and retry');
      await audit(tx, ctx, 'create', 'catalog_offer_version', v.id, null, { basedOn: base.version });
      await emit(tx, ctx, CATALOG_EVENTS.versionCreated, 'catalog_offer', id, { offerId: id, code: offer.code, version: v.version });
      return versionView(v);
    }),
    getVersion: (ctx: RequestContext, id: string, version: number) => dbs.tenant(scopeOf(ctx), async (tx) => {
      await loadOffer(tx, id);
      const v = await repo.getVersion(tx, id, version);
      if (!v) throw new NotFoundError(`version ${version} of offer`, id);
      return versionView(v);
    }),
    compareVersions: (ctx: RequestContext, id: string, a: number, b: number) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const [va, vb] = [await repo.getVersion(tx, id, a), await repo.getVersion(tx, id, b)];
      if (!va) throw new NotFoundError(`version ${a} of offer`, id);
      if (!vb) throw new NotFoundError(`version ${b} of offer`, id);
      return { offerId: id, from: versionView(va), to: versionView(vb), changes: diffSpecs(va.spec, vb.spec) };
    }),
    approveVersion: (ctx: RequestContext, id: string, version: number) =>
      dbs.tenant(scopeOf(ctx), async (tx) => versionView(await approveTx(tx, ctx, id, version))),
    activateVersion: (ctx: RequestContext, id: string, version: number, effectiveFrom?: string) =>
      dbs.tenant(scopeOf(ctx), async (tx) => versionView(await activateTx(tx, ctx, id, version, effectiveFrom))),
    /** Retiring stops new sales; subscriptions keep their offer and are still rated with its versions. */
    retireOffer: (ctx: RequestContext, id: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const o = await loadOffer(tx, id);
      if (o.status === 'RETIRED') return detail(tx, id);
      await repo.updateOffer(tx, id, { status: 'RETIRED', retired_at: core.now() });
      await audit(tx, ctx, 'retire', 'catalog_offer', id, { status: o.status }, { status: 'RETIRED' });
      await emit(tx, ctx, CATALOG_EVENTS.offerRetired, 'catalog_offer', id, { offerId: id, code: o.code, kind: o.kind });
      return detail(tx, id);
    }),
    deleteOffer: (ctx: RequestContext, id: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const o = await loadOffer(tx, id);
      const n = (await countSubscriptions(tx, scopeOf(ctx), [id])).get(id) ?? 0;
      if (n > 0) throw new ConflictError(`offer ${o.code} is in use by ${n} subscription(s): retire it instead`, [], { subscriptions: n });
      const bundles = await repo.bundlesWithMember(tx, id);
      if (bundles.length) throw new ConflictError(`offer ${o.code} is a member of bundle(s) ${bundles.map((b) => b.code).join(', ')}`);
      await repo.deleteOffer(tx, id);
      await audit(tx, ctx, 'delete', 'catalog_offer', id, { code: o.code, kind: o.kind }, null);
      await emit(tx, ctx, CATALOG_EVENTS.offerDeleted, 'catalog_offer', id, { offerId: id, code: o.code, kind: o.kind });
    }),
    cloneOffer: (ctx: RequestContext, id: string, input: { code: string; name?: string; version?: number }) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const o = await loadOffer(tx, id);
      const src = input.version ? await repo.getVersion(tx, id, input.version) : o._latest;
      if (!src) throw new NotFoundError(`version ${input.version} of offer`, id);
      const spec = { ...(src.spec as object), ...(input.name ? { name: input.name } : {}) };
      const created = await createOfferTx(tx, ctx, { code: input.code, kind: o.kind, spec });
      return detail(tx, created.offer.id);
    }),

    // For other modules (lifecycle, orders, charging) --------------------------------------------------------
    /** The version of an offer in force at `at` (null when none). Pass `tx` to join the caller's transaction. */
    resolveOfferVersion: (scope: TenantScope, offerId: string, at: Date, tx?: Tx): Promise<ResolvedOffer | null> =>
      inTx(scope, tx, (t) => resolveTx(t, offerId, at)),
    /** Whether `enterpriseId` may buy the offer at `at`: a version in force, not retired, in its sales window, not private to others. */
    isSellableTo: (scope: TenantScope, offerId: string, enterpriseId: string | null, at: Date, tx?: Tx): Promise<boolean> =>
      inTx(scope, tx, async (t) => sellability(await resolveTx(t, offerId, at), enterpriseId, at).allowed),
    sellability: (scope: TenantScope, offerId: string, enterpriseId: string | null, at: Date, tx?: Tx): Promise<RuleDecision> =>
      inTx(scope, tx, async (t) => sellability(await resolveTx(t, offerId, at), enterpriseId, at)),
    /**
     * May a SIM move from one primary offer to another at `at`? The target must be a sellable primary offer, and
     * the transition rule of the current bundle (when given and it has one) or of the current offer must allow it.
     * A SIM without a plan (`fromOfferId` null) may take any sellable primary offer.
     */
    checkPlanTransition: (tx: Tx | undefined, scope: TenantScope, fromOfferId: string | null, toOfferId: string, at: Date, opts: { fromBundleId?: string | null; enterpriseId?: string | null } = {}): Promise<RuleDecision> =>
      inTx(scope, tx, async (t) => {
        // fromOfferId null: the SIM has no plan yet, so only the target's sellability counts.
        const from = fromOfferId ? await resolveTx(t, fromOfferId, at) : null;
        const to = await resolveTx(t, toOfferId, at);
        if (!to) return { allowed: false, rule: 'NOT_SELLABLE', reason: `offer ${toOfferId} has no version in force` };
        if (to.kind !== 'PRIMARY') return { allowed: false, rule: 'NOT_PRIMARY', reason: `${to.code} is not a primary offer` };
        const sell = sellability(to, opts.enterpriseId, at);
        if (!sell.allowed) return sell;
        if (!from) return ALLOWED; // a SIM without a plan in force (e.g. the plan's versions all lie ahead) may take any sellable plan
        const bundle = opts.fromBundleId ? (await ruleItems(t, [], [opts.fromBundleId], at))[0] ?? null : null;
        return evaluateTransition({ id: from.offerId, type: 'OFFER', rules: from.spec.rules ?? {} }, { id: to.offerId, type: 'OFFER', rules: to.spec.rules ?? {} }, bundle);
      }),
    /** An order line against the holder's items: exclusion (both ways), attributes, prerequisites. */
    checkOrderLine: (scope: TenantScope, input: { offerId: string; held: string[]; adding: string[]; removing: string[]; attributes: Attributes; at: Date; enterpriseId?: string | null }, tx?: Tx): Promise<RuleDecision> =>
      inTx(scope, tx, async (t) => {
        const target = await resolveTx(t, input.offerId, input.at);
        const sell = sellability(target, input.enterpriseId, input.at);
        if (!sell.allowed) return sell;
        const offersAndBundles = async (ids: string[]) => {
          const offers = new Set((await repo.getOffersByIds(t, ids)).map((o) => o.id));
          return ruleItems(t, ids.filter((i) => offers.has(i)), ids.filter((i) => !offers.has(i)), input.at);
        };
        const candidate: RuleItem = { id: target!.offerId, type: 'OFFER', rules: target!.spec.rules ?? {} };
        const held = await offersAndBundles(input.held);
        const adding = await offersAndBundles(input.adding);
        const decision = evaluateOrderLine({ candidate, held, adding, removing: input.removing, attributes: input.attributes });
        if (!decision.allowed) return decision;
        // What the order removes must not leave a held add-on without its prerequisite.
        const dangling = danglingAfter(held, input.removing, [...adding, candidate]);
        if (dangling) return { allowed: false, rule: 'PREREQUISITE', reason: `${dangling.type.toLowerCase()} ${dangling.id} would be left without its prerequisite; remove it in the same order` };
        return ALLOWED;
      }),
    /**
     * The rating engine's input for the catalog in force at `at` (every offer, or the given ones), with an
     * enterprise's price agreements applied when `enterpriseId` is given. Compile the result with
     * rating's compileCatalog once per version and reuse it.
     */
    compileRatingCatalog: (scope: TenantScope, opts: { at: Date; offerIds?: string[]; enterpriseId?: string | null }, tx?: Tx): Promise<RatingCatalogDefinition> =>
      inTx(scope, tx, async (t) => (await compileTx(t, opts)).definition),
    /** One stored offer version (any status, e.g. a draft being tried out) as the engine's input. */
    compileOfferVersion: (scope: TenantScope, offerId: string, version: number, opts: { enterpriseId?: string | null; at?: Date } = {}, tx?: Tx) =>
      inTx(scope, tx, async (t) => (await compileTx(t, { at: opts.at ?? core.now(), offerIds: [offerId], enterpriseId: opts.enterpriseId, version: { offerId, version } })).definition),

    /** Price calculator: rates sample usage against an offer version and shows how each unit was charged. */
    rateSample: (ctx: RequestContext, offerId: string, input: { at?: string; version?: number; enterpriseId?: string; timeZone: string; usage: { usageType: string; servingNetwork?: string; quantity: number; startedAt?: string }[] }) =>
      dbs.tenant(scopeOf(ctx), async (tx) => {
        const at = input.at ? new Date(input.at) : core.now();
        const offer = await loadOffer(tx, offerId);
        const version = input.version ?? (await repo.versionsAt(tx, at, [offerId]))[0]?.version;
        if (version === undefined) throw ValidationError.field('at', 'the offer has no version in force then; name a version to try a draft');
        const { definition, offers, agreements } = await compileTx(tx, { at, offerIds: [offerId], enterpriseId: input.enterpriseId ?? null, version: { offerId, version } });
        let catalog;
        try {
          catalog = compileCatalog(definition);
        } catch (err) {
          throw new ValidationError('the offer version does not compile for rating', ((err as { issues?: { path: string; reason: string; detail: string }[] }).issues ?? []).map((i) => ({ field: `spec.${i.path}`, reason: `${i.reason}: ${i.detail}` })));
        }
        const o = offers[0];
        const start = at.getTime();
        // No money buckets: the calculator shows prices, it does not pay them (offline rating reports them as unpaid).
        const subscriber = { id: 'sample', currency: o.spec.currency, timeZone: input.timeZone, offers: [{ id: 'sample', offerId, activatedAt: 0 }] };
        const pooled = o.spec.allowances.filter((a) => a.pooling !== 'NONE').map((a) => ({
          id: `pool/${a.id}`, definitionId: `${o.code}/${a.id}`, side: 'SHADOW' as const, amount: a.amount, validFrom: 0, createdAt: 0,
        }));
        let balances: RatingBalances = { allowances: [...ownAllowanceBuckets(o, 'sample', 0, null), ...pooled], money: [] };
        const results = input.usage.map((u, i) => {
          const outcome = rateUsage(catalog, subscriber, balances, { initialUsageType: u.usageType, servingNetwork: u.servingNetwork, quantity: u.quantity, startedAt: u.startedAt ? Date.parse(u.startedAt) : start });
          if (outcome.status === 'REJECTED') return { index: i, status: 'REJECTED' as const, reason: outcome.reason, detail: outcome.detail };
          balances = applyImpacts(balances, outcome);
          return {
            index: i, status: 'RATED' as const, finalUsageType: outcome.finalUsageType, zone: outcome.zone, tariffPlan: outcome.tariffPlanId, quantity: outcome.quantity,
            charge: formatMicros(outcome.charge), chargeMicros: outcome.charge, settlement: formatMicros(outcome.settlementCharge),
            allowanceUsed: outcome.allowanceImpacts.reduce((s, x) => s + x.amount, 0), exhaustion: outcome.exhaustion,
            lines: outcome.lines.map((l) => ({ tariff: l.tariffId, timeType: l.timeType, settlement: l.settlement, initialUnits: l.initialUnits, additionalUnits: l.additionalUnits, billedQuantity: l.billedQuantity, charge: formatMicros(l.payerCharge), currency: subscriber.currency })),
          };
        });
        const total = results.reduce((s, r) => s + (r.status === 'RATED' ? r.chargeMicros : 0), 0);
        return {
          offerId, code: offer.code, version, currency: o.spec.currency, agreement: agreements[0]?.id ?? null,
          results, total: formatMicros(total),
          allowancesLeft: balances.allowances.map((b) => ({ allowance: b.definitionId, side: b.side, remaining: b.amount })),
        };
      }),

    // TMF620 productOffering -------------------------------------------------------------------------------
    /** Offers with the document TMF shows: the version in force, else the newest. */
    offersForTmf: (ctx: RequestContext, id?: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const offers = id ? [await repo.getOffer(tx, id)].filter((o): o is OfferRow => !!o) : await repo.allOffers(tx);
      if (id && offers.length === 0) throw new NotFoundError('productOffering', id);
      const versions = await repo.listVersions(tx, offers.map((o) => o.id));
      return offers.map((o) => {
        const v = offerView(o, versions, core.now());
        const shown = v._current ?? v._latest;
        return { ...publicOffer(v), updatedAt: iso(shown.updated_at > o.updated_at ? shown.updated_at : o.updated_at)!, spec: shown.spec as unknown as OfferSpec, versionId: shown.id };
      });
    }),
    /** TMF POST productOffering: a new offer; lifecycleStatus Active/Launched approves and activates it at once. */
    createOffering: (ctx: RequestContext, body: TmfOfferingInput) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const kind = body.offerKind ?? 'PRIMARY';
      const code = body.code ?? (body.name.toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'OFFER');
      const spec = tmfSpec({}, body);
      const { offer } = await createOfferTx(tx, ctx, { code, kind, spec }, 'specification');
      if (body.lifecycleStatus === 'Active' || body.lifecycleStatus === 'Launched') {
        await approveTx(tx, ctx, offer.id, 1);
        await activateTx(tx, ctx, offer.id, 1);
      }
      return offer.id;
    }),
    /** TMF PATCH productOffering (merge): content changes go to the draft (or a new version); lifecycleStatus moves it. */
    patchOffering: (ctx: RequestContext, id: string, body: Partial<TmfOfferingInput>) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const o = await loadOffer(tx, id);
      const contentKeys = Object.keys(body).filter((k) => !['lifecycleStatus', 'id', 'href', 'lastUpdate', '@type', 'code', 'offerKind'].includes(k));
      if (contentKeys.length) {
        const open = await repo.openVersion(tx, id);
        const baseSpec = (open ?? o._latest).spec as Record<string, unknown>;
        await editTx(tx, ctx, id, tmfSpec(baseSpec, { name: (baseSpec.name as string), ...body }));
      }
      if (body.lifecycleStatus === 'Retired' && o.status !== 'RETIRED') {
        await repo.updateOffer(tx, id, { status: 'RETIRED', retired_at: core.now() });
        await audit(tx, ctx, 'retire', 'catalog_offer', id, { status: o.status }, { status: 'RETIRED' });
        await emit(tx, ctx, CATALOG_EVENTS.offerRetired, 'catalog_offer', id, { offerId: id, code: o.code, kind: o.kind });
      } else if (body.lifecycleStatus === 'Active' || body.lifecycleStatus === 'Launched') {
        const open = await repo.openVersion(tx, id);
        if (open?.status === 'DRAFT') await approveTx(tx, ctx, id, open.version);
        if (open) await activateTx(tx, ctx, id, open.version);
      } else if (body.lifecycleStatus && !['In design', 'Retired', 'Active', 'Launched'].includes(body.lifecycleStatus)) {
        throw ValidationError.field('lifecycleStatus', 'must be In design, Active, Launched or Retired');
      }
    }),

    // Bundles ---------------------------------------------------------------------------------------------
    createBundle: (ctx: RequestContext, input: { code: string; level: 'SUBSCRIBER' | 'ACCOUNT'; spec: unknown }) =>
      dbs.tenant(scopeOf(ctx), async (tx) => bundleView(await createBundleTx(tx, ctx, input))),
    /** Every bundle (TMF620 lists them as productOffering with isBundle). */
    allBundles: (ctx: RequestContext) => dbs.tenant(scopeOf(ctx), async (tx) => (await repo.allBundles(tx)).map(bundleView)),
    listBundles: (ctx: RequestContext, page: PageQuery) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const p = await repo.listBundles(tx, page);
      return { items: p.items.map(bundleView), nextCursor: p.nextCursor };
    }),
    getBundle: (ctx: RequestContext, id: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const b = await repo.getBundle(tx, id);
      if (!b) throw new NotFoundError('bundle', id);
      return bundleView(b);
    }),
    updateBundle: (ctx: RequestContext, id: string, spec: unknown) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const b = await repo.getBundle(tx, id);
      if (!b) throw new NotFoundError('bundle', id);
      const parsed = await validBundle(tx, b.level, spec, id);
      const updated = await repo.updateBundle(tx, id, { spec: parsed, name: parsed.name });
      await audit(tx, ctx, 'update', 'catalog_bundle', id, b.spec, parsed);
      await emit(tx, ctx, CATALOG_EVENTS.bundleUpdated, 'catalog_bundle', id, { bundleId: id, code: b.code });
      return bundleView(updated);
    }),
    deleteBundle: (ctx: RequestContext, id: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const b = await repo.getBundle(tx, id);
      if (!b) throw new NotFoundError('bundle', id);
      const n = (await countSubscriptions(tx, scopeOf(ctx), [id])).get(id) ?? 0;
      if (n > 0) throw new ConflictError(`bundle ${b.code} is in use by ${n} subscription(s)`, [], { subscriptions: n });
      await repo.deleteBundle(tx, id);
      await audit(tx, ctx, 'delete', 'catalog_bundle', id, bundleView(b), null);
      await emit(tx, ctx, CATALOG_EVENTS.bundleDeleted, 'catalog_bundle', id, { bundleId: id, code: b.code });
    }),

    // Enterprise price agreements ---------------------------------------------------------------------------
    createAgreement: (ctx: RequestContext, input: { enterpriseId: string; offerId: string; name: string; overrides: unknown; validFrom: string; validTo?: string | null }) =>
      dbs.tenant(scopeOf(ctx), async (tx) => {
        const offer = await loadOffer(tx, input.offerId);
        const spec = (offer._current ?? offer._latest).spec as unknown as OfferSpec;
        const parsed = parseOverrides(input.overrides, spec);
        if (!parsed.ok) throw new ValidationError('the price agreement is not valid', parsed.errors);
        const from = new Date(input.validFrom);
        const to = input.validTo ? new Date(input.validTo) : null;
        if (to && to <= from) throw ValidationError.field('validTo', 'must be after validFrom');
        const overlap = await repo.overlappingAgreements(tx, input.enterpriseId, input.offerId, from, to);
        if (overlap.length) throw new ConflictError('another agreement for this enterprise and offer overlaps that period', [{ field: 'validFrom', reason: 'overlaps agreement ' + overlap[0].id }]);
        let a;
        try {
          a = await repo.insertAgreement(tx, ctx.tenantId!, { enterprise_id: input.enterpriseId, offer_id: input.offerId, name: input.name, overrides: parsed.value, valid_from: from, valid_to: to });
        } catch (err) {
          if ((err as { code?: string }).code === '23503') throw ValidationError.field('enterpriseId', 'no such enterprise in this tenant');
          throw err;
        }
        await audit(tx, ctx, 'create', 'catalog_price_agreement', a.id, null, parsed.value);
        await emit(tx, ctx, CATALOG_EVENTS.agreementCreated, 'catalog_price_agreement', a.id, { agreementId: a.id, enterpriseId: a.enterprise_id, offerId: a.offer_id });
        return agreementView(a);
      }),
    listAgreements: (ctx: RequestContext, filter: { enterpriseId?: string; offerId?: string }) =>
      dbs.tenant(scopeOf(ctx), async (tx) => (await repo.listAgreements(tx, filter)).map(agreementView)),
    deleteAgreement: (ctx: RequestContext, id: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const a = await repo.getAgreement(tx, id);
      if (!a) throw new NotFoundError('price agreement', id);
      await repo.deleteAgreement(tx, id);
      await audit(tx, ctx, 'delete', 'catalog_price_agreement', id, agreementView(a), null);
      await emit(tx, ctx, CATALOG_EVENTS.agreementDeleted, 'catalog_price_agreement', id, { agreementId: id });
    }),

    // TMF620 document resources -------------------------------------------------------------------------------
    listResources: (ctx: RequestContext, kind: TmfKind) => dbs.tenant(scopeOf(ctx), (tx) => repo.listResources(tx, kind)),
    getResource: (ctx: RequestContext, kind: TmfKind, id: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const r = await repo.getResource(tx, kind, id);
      if (!r) throw new NotFoundError(kind, id);
      return r;
    }),
    saveResource: (ctx: RequestContext, kind: TmfKind, id: string | null, r: { name: string; lifecycleStatus: string; doc: Record<string, unknown> }) =>
      dbs.tenant(scopeOf(ctx), async (tx) => {
        const before = id ? await repo.getResource(tx, kind, id) : null;
        if (id && !before) throw new NotFoundError(kind, id);
        const row = before
          ? await repo.updateResource(tx, before.id, { name: r.name, lifecycle_status: r.lifecycleStatus, doc: r.doc })
          : await repo.insertResource(tx, ctx.tenantId!, kind, { name: r.name, lifecycle_status: r.lifecycleStatus, doc: r.doc });
        await audit(tx, ctx, before ? 'update' : 'create', `catalog_${kind}`, row.id, before, row);
        await emit(tx, ctx, CATALOG_EVENTS.resourceSaved, `catalog_${kind}`, row.id, { kind, id: row.id });
        return row;
      }),
    deleteResource: (ctx: RequestContext, kind: TmfKind, id: string) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const r = await repo.getResource(tx, kind, id);
      if (!r) throw new NotFoundError(kind, id);
      await repo.deleteResource(tx, kind, id);
      await audit(tx, ctx, 'delete', `catalog_${kind}`, id, r, null);
      await emit(tx, ctx, CATALOG_EVENTS.resourceDeleted, `catalog_${kind}`, id, { kind, id });
    }),

    // Bulk load ---------------------------------------------------------------------------------------------
    /**
     * Loads a catalog file (JSON document or CSV price list) in one transaction: every entry is validated and
     * every error reported (line or entry, field, reason); if there is any, nothing is saved.
     */
    loadCatalog: (ctx: RequestContext, input: { format: 'json' | 'csv'; content: string; dryRun?: boolean }) =>
      dbs.tenant(scopeOf(ctx), async (tx) => {
        let file: CatalogFile;
        const lineOf = new Map<number, number>();
        if (input.format === 'csv') {
          const r = csvToCatalogFile(input.content);
          if (r.errors.length) throw new LoadValidationError(r.errors);
          file = r.file;
          const firstLines = parseFirstLines(input.content);
          file.offers.forEach((o, i) => { const l = firstLines.get(o.code); if (l) lineOf.set(i, l); });
        } else {
          let raw: unknown;
          try { raw = JSON.parse(input.content); } catch (err) { throw new LoadValidationError([{ field: 'file', reason: `is not JSON: ${(err as Error).message}` }]); }
          const parsed = catalogFileSchema.safeParse(raw);
          if (!parsed.success) throw new LoadValidationError(zodErrors(parsed.error, ''));
          file = parsed.data;
        }
        const report = await loadTx(tx, ctx, file, lineOf);
        if (input.dryRun) throw new DryRun(report);
        return { ...report, dryRun: false } as Record<string, unknown>;
      }).catch((err) => {
        if (err instanceof DryRun) return { ...err.report, dryRun: true } as Record<string, unknown>;
        throw err;
      }),

    /** Revenue-assurance report: one row per offer and priced usage item, with recurring fees and subscriptions. */
    catalogReport: (ctx: RequestContext, at?: Date) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const when = at ?? core.now();
      const offers = await repo.allOffers(tx);
      const versions = await repo.listVersions(tx, offers.map((o) => o.id));
      const counts = await countSubscriptions(tx, scopeOf(ctx), offers.map((o) => o.id));
      const header = ['offer_code', 'offer_name', 'kind', 'offer_status', 'version', 'version_status', 'currency', 'recurring_fees', 'one_time_fees',
        'usage_type', 'zone', 'tariff_plan', 'time_type', 'initial_unit', 'initial_charge', 'additional_unit', 'additional_charge',
        'allowance_units', 'pricing', 'on_exhaustion', 'subscriptions'];
      const rows: (string | number | null)[][] = [];
      for (const o of offers) {
        const view = offerView(o, versions, when);
        const v = view._current ?? view._latest;
        const spec = v.spec as unknown as OfferSpec;
        const rc = spec.recurringCharges.map((c) => `${c.code}=${c.amount}/${c.frequency}`).join(' ');
        const nrc = spec.oneTimeCharges.map((c) => `${c.code}=${c.amount}`).join(' ');
        const base = [o.code, o.name, o.kind, o.status, v.version, v.status, spec.currency, rc, nrc];
        const subs = counts.get(o.id) ?? 0;
        if (spec.usageItems.length === 0) rows.push([...base, '', '', '', '', '', '', '', '', spec.allowances.reduce((s, a) => s + a.amount, 0) || '', 'FEE_ONLY', '', subs]);
        for (const item of spec.usageItems) {
          const plan = spec.tariffPlans.find((p) => p.id === item.tariffPlan)!;
          const set = plan.currencySets.find((s) => s.currency === plan.currency) ?? plan.currencySets[0];
          const allowance = spec.allowances.filter((a) => a.usageTypes.includes(item.usageType) && (!a.zones || !item.zone || a.zones.includes(item.zone)));
          for (const [tt, tariffs] of Object.entries(set.timeTypes)) {
            for (const t of tariffs.filter((x) => !x.settlement)) {
              const units = allowance.reduce((s, a) => s + a.amount, 0);
              rows.push([...base, item.usageType, item.zone ?? '*', plan.id, tt, t.initialUnit, t.initialCharge, t.additionalUnit ?? t.initialUnit, t.additionalCharge ?? t.initialCharge,
                units || '', t.eligibleForNonCurrency && allowance.length ? 'OVERAGE' : 'PAY_AS_YOU_GO', allowance.map((a) => a.onExhaustion).join(' '), subs]);
            }
          }
        }
      }
      return { at: when.toISOString(), header, rows, csv: toCsv(header, rows) };
    }),

    // Host templates -------------------------------------------------------------------------------------------
    listTemplates: (ctx: RequestContext) => (ctx.tenantId ? dbs.tenant(scopeOf(ctx), repo.listTemplates) : dbs.system(repo.listTemplates)).then((rows) => rows.map(templateView)),
    createTemplate: (ctx: RequestContext, input: { code: string; name: string; description?: string; kind: OfferKind; spec: unknown }) => {
      if (ctx.principal.role !== 'host_admin') throw new ForbiddenError('only a host admin defines host-level templates');
      return dbs.system(async (tx) => {
        // Templates are tenant-neutral: no zones of any tenant, no references to tenant offers.
        const parsed = parseOfferSpec(input.kind, input.spec, { zones: new Set() });
        if (!parsed.ok) throw new ValidationError('the template is not valid', parsed.errors);
        const t = await repo.insertTemplate(tx, { code: input.code, name: input.name, description: input.description ?? null, kind: input.kind, spec: parsed.value })
          .catch((err) => { if ((err as { code?: string }).code === '23505') throw new ConflictError(`a template with code ${input.code} exists`, [{ field: 'code', reason: 'is already used' }]); throw err; });
        await recordAudit(tx, originOf(ctx), { tenantId: null, action: 'create', entityType: 'catalog_template', entityId: t.id, after: input });
        await bus.record(tx, { type: CATALOG_EVENTS.templateCreated, tenantId: null, aggregateType: 'catalog_template', aggregateId: t.id, payload: { code: t.code } }, actorOf(ctx));
        return templateView(t);
      });
    },
    copyTemplate: (ctx: RequestContext, templateId: string, input: { code: string; name?: string }) => dbs.tenant(scopeOf(ctx), async (tx) => {
      const t = await repo.getTemplate(tx, templateId);
      if (!t) throw new NotFoundError('template', templateId);
      const spec = { ...(t.spec as object), ...(input.name ? { name: input.name } : {}) };
      const created = await createOfferTx(tx, ctx, { code: input.code, kind: t.kind, spec });
      return detail(tx, created.offer.id);
    }),
  };

  async function validBundle(tx: Tx, level: 'SUBSCRIBER' | 'ACCOUNT', input: unknown, selfId?: string, prefix = 'spec', codes?: Map<string, string>): Promise<BundleSpec> {
    // Files may name members by offer code.
    if (codes && input && typeof input === 'object' && Array.isArray((input as { members?: unknown }).members)) {
      for (const m of (input as { members: Record<string, unknown>[] }).members) {
        if (typeof m.offerCode === 'string' && !m.offerId) m.offerId = codes.get(m.offerCode) ?? (await repo.getOfferByCode(tx, m.offerCode))?.id ?? m.offerCode;
        delete m.offerCode;
      }
    }
    const ids = ((input as { members?: { offerId?: unknown }[] })?.members ?? []).map((m) => m?.offerId).filter((x): x is string => typeof x === 'string' && /^[0-9a-f-]{36}$/i.test(x));
    const kinds = new Map((await repo.getOffersByIds(tx, ids)).map((o) => [o.id, o.kind]));
    const parsed = parseBundleSpec(level, input, kinds, prefix);
    if (!parsed.ok) throw new ValidationError('the bundle is not valid', parsed.errors);
    const refErrors = await checkRuleRefs(tx, parsed.value.rules, prefix, selfId);
    if (refErrors.length) throw new ValidationError('the bundle is not valid', refErrors);
    return parsed.value;
  }

  async function createBundleTx(tx: Tx, ctx: RequestContext, input: { code: string; level: 'SUBSCRIBER' | 'ACCOUNT'; spec: unknown }, prefix = 'spec', codes?: Map<string, string>) {
    const spec = await validBundle(tx, input.level, input.spec, undefined, prefix, codes);
    const exists = (await repo.allBundles(tx)).some((b) => b.code === input.code);
    if (exists) throw new ConflictError(`a bundle with code ${input.code} exists`, [{ field: 'code', reason: 'is already used' }]);
    const b = await unique(repo.insertBundle(tx, ctx.tenantId!, { code: input.code, name: spec.name, level: input.level, spec }), `a bundle with code ${input.code} exists`, 'code');
    await audit(tx, ctx, 'create', 'catalog_bundle', b.id, null, spec);
    await emit(tx, ctx, CATALOG_EVENTS.bundleCreated, 'catalog_bundle', b.id, { bundleId: b.id, code: b.code });
    return b;
  }

  /** Applies a whole file, collecting every entry's errors; throws them all at the end so the transaction rolls back. */
  async function loadTx(tx: Tx, ctx: RequestContext, file: CatalogFile, lineOf: Map<number, number>) {
    const errors: LoadError[] = [];
    const collect = async (at: string, line: number | undefined, fn: () => Promise<unknown>) => {
      try {
        // A savepoint per entry: one bad entry must not hide the next one's errors (the whole load still rolls back).
        await sql`savepoint sp_load`.execute(tx);
        await fn();
        await sql`release savepoint sp_load`.execute(tx);
      } catch (err) {
        await sql`rollback to savepoint sp_load`.execute(tx);
        if (!(err instanceof ValidationError || err instanceof ConflictError || err instanceof NotFoundError)) throw err;
        const list = err.errors.length ? err.errors : [{ field: '', reason: err.message }];
        for (const e of list) errors.push({ ...(line ? { line } : {}), field: [at, e.field].filter(Boolean).join('.'), reason: e.reason });
      }
    };
    const report = { zones: 0, offersCreated: 0, versionsCreated: 0, activated: 0, bundles: 0 };
    for (const [i, z] of file.zones.entries()) {
      await collect(`zones.${i}`, undefined, async () => {
        const parsed = zoneInput.safeParse(z);
        if (!parsed.success) throw new ValidationError('bad zone', zodErrors(parsed.error, ''));
        await repo.upsertZone(tx, ctx.tenantId!, parsed.data);
        report.zones++;
      });
    }
    const codes = new Map<string, string>();
    for (const [i, o] of file.offers.entries()) {
      await collect(`offers.${i}`, lineOf.get(i), async () => {
        const existing = await repo.getOfferByCode(tx, o.code);
        let offerId: string;
        let version: number;
        if (existing) {
          if (existing.kind !== o.kind) throw ValidationError.field('kind', `offer ${o.code} exists as ${existing.kind}`);
          const v = await editTx(tx, ctx, existing.id, o.spec);
          offerId = existing.id; version = v.version;
          report.versionsCreated++;
        } else {
          const created = await createOfferTx(tx, ctx, o);
          offerId = created.offer.id; version = 1;
          report.offersCreated++;
        }
        codes.set(o.code, offerId);
        if (o.activateFrom) {
          await approveTx(tx, ctx, offerId, version);
          await activateTx(tx, ctx, offerId, version, o.activateFrom);
          report.activated++;
        }
      });
    }
    for (const [i, b] of file.bundles.entries()) {
      await collect(`bundles.${i}`, undefined, async () => {
        await createBundleTx(tx, ctx, b, 'spec', codes);
        report.bundles++;
      });
    }
    if (errors.length) throw new LoadValidationError(errors);
    await emit(tx, ctx, CATALOG_EVENTS.catalogLoaded, 'catalog', ctx.tenantId!, { offers: file.offers.length, bundles: file.bundles.length, zones: file.zones.length });
    await audit(tx, ctx, 'load', 'catalog', ctx.tenantId!, null, report);
    return report;
  }
}

export type CatalogService = ReturnType<typeof createCatalogService>;

export interface TmfOfferingInput {
  name: string;
  code?: string;
  description?: string;
  offerKind?: OfferKind;
  lifecycleStatus?: string;
  validFor?: { startDateTime?: string | null; endDateTime?: string | null };
  category?: { id: string }[];
  /** The OpenCMP offer document (tariffs, allowances, charges, rules ...). */
  specification?: Record<string, unknown>;
}

/** The offer document a TMF productOffering body describes, merged over `base`. */
function tmfSpec(base: Record<string, unknown>, body: Partial<TmfOfferingInput>): Record<string, unknown> {
  return {
    ...base,
    ...(body.specification ?? {}),
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.validFor ? { salesFrom: body.validFor.startDateTime ?? null, salesTo: body.validFor.endDateTime ?? null } : {}),
    ...(body.category ? { categories: body.category.map((c) => c.id) } : {}),
  };
}

function agreementView(a: NonNullable<Awaited<ReturnType<typeof repo.getAgreement>>>) {
  return {
    id: a.id, enterpriseId: a.enterprise_id, offerId: a.offer_id, name: a.name, overrides: a.overrides,
    validFrom: iso(a.valid_from)!, validTo: iso(a.valid_to), createdAt: iso(a.created_at)!, updatedAt: iso(a.updated_at)!,
  };
}
function templateView(t: NonNullable<Awaited<ReturnType<typeof repo.getTemplate>>>) {
  return { id: t.id, code: t.code, name: t.name, description: t.description, kind: t.kind, spec: t.spec, createdAt: iso(t.created_at)! };
}

/** A file load's errors: 422 with every (line, field, reason). */
export class LoadValidationError extends ValidationError {
  constructor(readonly loadErrors: LoadError[]) {
    super(`the catalog file has ${loadErrors.length} error(s); nothing was saved`, loadErrors.map((e) => ({ field: e.line ? `line ${e.line}: ${e.field}` : e.field, reason: e.reason })));
    (this as { extra: Record<string, unknown> }).extra = { rows: loadErrors };
  }
}
/** Thrown to roll a dry-run load back after it has been fully checked. */
class DryRun extends Error {
  constructor(readonly report: Record<string, unknown>) { super('dry run'); }
}

function parseFirstLines(csv: string): Map<string, number> {
  const out = new Map<string, number>();
  const rows = parseCsv(csv);
  const header = rows[0]?.cells.map((h) => h.trim().toLowerCase()) ?? [];
  const col = header.indexOf('offer_code');
  for (const r of rows.slice(1)) {
    const code = (r.cells[col] ?? '').trim();
    if (code && !out.has(code)) out.set(code, r.line);
  }
  return out;
}
