import type { PageDef } from '../types';
import { OfferCreate, OfferDetailPage, OfferList } from './offers';
import { BundleList, CatalogReport, ZoneList } from './other';

/** Catalog screens: offers (with plans, tariffs, allowances, charges, rules), versions, bundles, zones, report. */
export const catalogPages: PageDef[] = [
  { path: '/catalog/offers', element: <OfferList />, permission: 'catalog:read', nav: { label: 'Offers', section: 'Catalog', order: 10 } },
  { path: '/catalog/offers/new', element: <OfferCreate />, permission: 'catalog:write' },
  { path: '/catalog/offers/:id', element: <OfferDetailPage />, permission: 'catalog:read' },
  // One navigation entry; the catalog's other screens are reached through its tab bar (CatalogTabs).
  { path: '/catalog/bundles', element: <BundleList />, permission: 'catalog:read' },
  { path: '/catalog/zones', element: <ZoneList />, permission: 'catalog:read' },
  { path: '/catalog/report', element: <CatalogReport />, permission: 'catalog:read' },
];
