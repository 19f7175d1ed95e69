import type { PageDef } from '../types';
import { AuditTrail } from './audit';

/** Platform screens: the audit trail. */
export const platformPages: PageDef[] = [
  { path: '/audit', element: <AuditTrail />, permission: 'audit:read', nav: { label: 'Audit trail', section: 'Administration', order: 90 }, tenantScoped: false },
];
