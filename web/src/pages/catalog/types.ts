/** Catalog shapes as the API returns them (src/modules/catalog/catalog.schemas.ts). */
export type OfferKind = 'PRIMARY' | 'SUPPLEMENTARY' | 'ACCOUNT';
export const OFFER_KINDS: OfferKind[] = ['PRIMARY', 'SUPPLEMENTARY', 'ACCOUNT'];

export interface Offer {
  id: string;
  code: string;
  name: string;
  kind: OfferKind;
  status: 'ACTIVE' | 'RETIRED';
  currentVersion: number | null;
  latestVersion: number;
  latestStatus: string;
  createdAt: string;
  updatedAt: string;
}

export interface Version {
  id: string;
  version: number;
  status: 'DRAFT' | 'APPROVED' | 'ACTIVE' | 'RETIRED';
  basedOn: number | null;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  createdAt: string;
  spec?: Spec;
}

export interface Tariff {
  unitType: string; currency: string; initialUnit: number; initialCharge: string; additionalUnit?: number; additionalCharge?: string;
  graceUnits?: number; eligibleForNonCurrency?: boolean; settlement?: boolean;
}
export interface Spec {
  name: string;
  description?: string;
  currency: string;
  paymentMode: string;
  serviceCategory: string;
  usageTypes: string[];
  salesFrom?: string | null;
  salesTo?: string | null;
  tariffPlans: { id: string; unitType: string; currency: string; calendar?: string; currencySets: { currency: string; timeTypes: Record<string, Tariff[]> }[] }[];
  usageItems: { usageType: string; zone?: string; tariffPlan: string }[];
  allowances: { id: string; unitType: string; amount: number; usageTypes: string[]; zones?: string[]; pooling: string; onExhaustion: string }[];
  recurringCharges: { code: string; amount: string; frequency: string; timing: string; prorated: boolean; simStates: string[] }[];
  oneTimeCharges: { code: string; kind: string; amount: string }[];
  commitment?: Record<string, unknown> | null;
  volumeTiers: { fromSims: number; discountPercent: string }[];
  rules: Record<string, unknown>;
  calendars: Record<string, unknown>;
}

export interface OfferDetail extends Offer {
  versions: Version[];
  current: Version | null;
  latest: Version;
}

export interface Change { path: string; change: string; before?: unknown; after?: unknown }
