/** The catalog's domain events (`catalog.<object>.<past tense>`); payloads carry ids and what changed. */
export const CATALOG_EVENTS = {
  offerCreated: 'catalog.offer.created',
  offerUpdated: 'catalog.offer.updated',
  offerRetired: 'catalog.offer.retired',
  offerDeleted: 'catalog.offer.deleted',
  versionCreated: 'catalog.version.created',
  versionApproved: 'catalog.version.approved',
  versionActivated: 'catalog.version.activated',
  bundleCreated: 'catalog.bundle.created',
  bundleUpdated: 'catalog.bundle.updated',
  bundleDeleted: 'catalog.bundle.deleted',
  zoneSaved: 'catalog.zone.saved',
  zoneDeleted: 'catalog.zone.deleted',
  agreementCreated: 'catalog.agreement.created',
  agreementDeleted: 'catalog.agreement.deleted',
  resourceSaved: 'catalog.resource.saved',
  resourceDeleted: 'catalog.resource.deleted',
  catalogLoaded: 'catalog.catalog.loaded',
  templateCreated: 'catalog.template.created',
} as const;
export type CatalogEventType = (typeof CATALOG_EVENTS)[keyof typeof CATALOG_EVENTS];

export interface OfferEventPayload { offerId: string; code: string; kind: string }
export interface VersionEventPayload { offerId: string; code: string; version: number; effectiveFrom?: string | null }
export interface LoadEventPayload { offers: number; bundles: number; zones: number }
