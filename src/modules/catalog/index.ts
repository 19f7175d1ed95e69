import type { Core } from '../../platform/core';
import type { App } from '../../platform/http';
import { createCatalogService } from './catalog.service';
import { registerCatalogRoutes } from './catalog.routes';
import { registerTmf620Routes } from './tmf620.routes';

/**
 * The catalog module: offers (primary, supplementary, account) with effective-dated versions, tariffs and
 * calendars in the rating engine's own shapes, allowances (per SIM or pooled), charges, commitments, bundles,
 * rules, enterprise price agreements, bulk loads, the revenue-assurance report and host templates.
 * API: /api/v1/catalog/... and TMF620 under /tmf-api/productCatalogManagement/v4/. See docs/catalog.md.
 *
 * For other modules: resolveOfferVersion, isSellableTo, checkPlanTransition, checkOrderLine,
 * compileRatingCatalog / compileOfferVersion (the rating engine's input), registerSubscriptionCounter.
 */
export function createCatalogModule(core: Core) {
  const service = createCatalogService(core);
  return {
    name: 'catalog',
    ...service,
    register(app: App): void {
      registerCatalogRoutes(app, service);
      registerTmf620Routes(app, service);
    },
  };
}
export type CatalogModule = ReturnType<typeof createCatalogModule>;
export type { CatalogService, ResolvedOffer, SubscriptionCounter, VersionView, OfferView } from './catalog.service';
export type { OfferSpec, OfferSpecInput, BundleSpec, PriceOverrides, OfferKind } from './catalog.schemas';
export type { RuleDecision } from './rules.fns';
export { CATALOG_EVENTS, type CatalogEventType } from './catalog.events';
export { compileOffers, finalUsageType, ownAllowanceBuckets, poolContributions, type CompileOffer, type CompileZone } from './compile.fns';
