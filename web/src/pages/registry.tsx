/**
 * The registry of console pages: every screen of every module, its route, the permission it needs and its
 * navigation entry. A module adds its screens by exporting a `PageDef[]` from web/src/pages/<module>/index.tsx
 * and listing it below; the layout builds the navigation and the router from this list alone.
 */
import type { Permission } from '../auth';
import { SECTIONS, type PageDef, type Section } from './types';
import { homePages } from './home';
import { accountsPages } from './accounts';
import { catalogPages } from './catalog';
import { identityPages } from './identity';
import { platformPages } from './platform';
import { inventoryPages } from './inventory';
import { ordersPages } from './orders';
import { simsPages } from './sims';

export const pages: PageDef[] = [
  ...homePages,
  ...accountsPages,
  ...catalogPages,
  ...inventoryPages,
  ...ordersPages,
  ...simsPages,
  ...identityPages,
  ...platformPages,
];

export interface NavSection {
  section: Section;
  entries: { path: string; label: string }[];
}

/** The navigation a user sees: entries whose permission they hold, grouped by section in SECTIONS order. */
export function navSections(can: (p: Permission | undefined) => boolean): NavSection[] {
  return SECTIONS.map((section) => ({
    section,
    entries: pages
      .filter((p) => p.nav?.section === section && can(p.permission))
      .sort((a, b) => (a.nav!.order ?? 100) - (b.nav!.order ?? 100))
      .map((p) => ({ path: p.path, label: p.nav!.label })),
  })).filter((s) => s.entries.length > 0);
}
