import type { ReactNode } from 'react';
import type { Permission } from '../auth';

/** The left navigation's sections, in display order. A page names one of them. */
export const SECTIONS = ['Overview', 'Customers', 'Catalog', 'Inventory', 'Orders', 'SIMs', 'Provisioning', 'Usage', 'Billing', 'Administration'] as const;
export type Section = (typeof SECTIONS)[number];

/** One screen of the console: its route, who may open it, and (optionally) its entry in the navigation. */
export interface PageDef {
  /** Route path (react-router syntax): '/enterprises', '/enterprises/:id'. */
  path: string;
  element: ReactNode;
  /** The permission (src/platform/auth/roles.ts) a user needs to see the entry and open the page. */
  permission?: import('../auth').Permission;
  /** The navigation entry; pages without one (details, forms) are reached by links. */
  nav?: { label: string; section: Section; order?: number };
  /**
   * The page works inside one tenant (most do). A host admin must pick a tenant in the top bar first;
   * `false` for host-level pages such as the tenant list.
   */
  tenantScoped?: boolean;
}

export type { Permission };
