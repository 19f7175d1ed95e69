/**
 * The rating engine: pure functions (no I/O, no clock, no database) that online charging, offline rating,
 * re-rating and billing all call. See docs/rating.md.
 *
 *   const catalog = compileCatalog(definition);                      // once per catalog version
 *   const rated = rateUsage(catalog, subscriber, balances, usage);   // offline / re-rating
 *   const sim = prepareSubscriber(catalog, subscriber, balances);    // a run of one SIM's usage:
 *   for (const usage of run) ratePrepared(sim, usage);               //   prepared once, rated many times
 *   const grant = reserveQuota(catalog, subscriber, balances, req);  // online: hold, then commit with rateUsage
 */
export { compileCatalog, validateCatalog, CatalogValidationError } from './catalog.fns';
export type { CatalogIssue, RatingCatalog } from './catalog.fns';
export { rateUsage, ratePrepared } from './rating.fns';
export { prepareSubscriber } from './subscriber.fns';
export type { PreparedSubscriber } from './subscriber.fns';
export { reserveQuota } from './reservation.fns';
export { applyImpacts } from './balances.fns';
export { compileTariff, rateTariff, validateTariff, TariffValidationError } from './tariff.fns';
export type { CompiledTariff, TariffUnits, TariffValidation, TariffValidationReason } from './tariff.fns';
export {
  compileCalendar,
  validateCalendar,
  timeTypeAt,
  timeTypeAtLocal,
  splitSecondsByTimeType,
  CalendarValidationError,
} from './calendar.fns';
export type { CompiledCalendar, CalendarValidation, CalendarValidationReason, TimeTypeAt, TimeTypePiece } from './calendar.fns';
export type * from './rating.types';
