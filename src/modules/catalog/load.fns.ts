import { z } from 'zod';
import type { FieldError } from '../../platform/http/errors';
import { isMoneyString } from '../../platform/money';
import { STANDARD_UNIT_TYPES, type OfferSpecInput } from './catalog.schemas';

/**
 * Catalog files. JSON is the whole document (zones, offers with their full spec, bundles); CSV is a flat price
 * list, one row per usage item, grouped into offers by offer_code — enough for pay-as-you-go and simple
 * bundle-of-units plans. Both become the same CatalogFile and go through the same validation.
 */

export interface LoadError extends FieldError {
  /** 1-based line of a CSV row, or the index path of a JSON entry. */
  line?: number;
}

export const catalogFileSchema = z.object({
  zones: z.array(z.object({ code: z.string(), name: z.string(), plmns: z.array(z.string()) })).default([]),
  offers: z.array(z.object({
    code: z.string(),
    kind: z.enum(['PRIMARY', 'SUPPLEMENTARY', 'ACCOUNT']),
    spec: z.unknown(),
    /** Approve and activate at once, from this instant (default: leave the new version as a draft). */
    activateFrom: z.iso.datetime({ offset: true }).optional(),
  })).default([]),
  bundles: z.array(z.object({
    code: z.string(),
    level: z.enum(['SUBSCRIBER', 'ACCOUNT']),
    /** Members may name offers by code (`offerCode`) instead of id, including offers of the same file. */
    spec: z.unknown(),
  })).default([]),
});
export type CatalogFile = z.infer<typeof catalogFileSchema>;

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns rows with their 1-based line numbers. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else { if (ch === '\n') line++; cell += ch; }
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') { cells.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
      cells = []; cell = ''; line++; rowLine = line;
    } else cell += ch;
  }
  cells.push(cell);
  if (cells.some((c) => c !== '')) rows.push({ line: rowLine, cells });
  return rows;
}

export const CSV_COLUMNS = [
  'offer_code', 'offer_name', 'kind', 'currency', 'usage_type', 'zone', 'initial_unit', 'initial_charge',
  'additional_unit', 'additional_charge', 'allowance_units', 'monthly_fee', 'activate_from',
] as const;
const REQUIRED = ['offer_code', 'offer_name', 'kind', 'currency', 'usage_type', 'initial_unit', 'initial_charge'] as const;

/**
 * A CSV price list as a CatalogFile. Row errors (line, field, reason) are collected for every row; offer-level
 * columns must agree on every row of the same offer.
 */
export function csvToCatalogFile(text: string): { file: CatalogFile; errors: LoadError[] } {
  const rows = parseCsv(text);
  const errors: LoadError[] = [];
  const file: CatalogFile = { zones: [], offers: [], bundles: [] };
  if (rows.length === 0) return { file, errors: [{ line: 1, field: 'file', reason: 'is empty' }] };
  const header = rows[0].cells.map((h) => h.trim().toLowerCase());
  for (const col of REQUIRED) if (!header.includes(col)) errors.push({ line: rows[0].line, field: col, reason: 'column is missing from the header' });
  for (const col of header) if (!(CSV_COLUMNS as readonly string[]).includes(col)) errors.push({ line: rows[0].line, field: col, reason: `unknown column (known: ${CSV_COLUMNS.join(', ')})` });
  if (errors.length) return { file, errors };

  const offers = new Map<string, { first: number; kind: string; spec: OfferSpecInput & Required<Pick<OfferSpecInput, 'tariffPlans' | 'usageItems' | 'allowances' | 'usageTypes' | 'recurringCharges'>>; activateFrom?: string; fixed: Record<string, string> }>();
  for (const row of rows.slice(1)) {
    const get = (c: string) => (row.cells[header.indexOf(c)] ?? '').trim();
    const bad = (field: string, reason: string) => errors.push({ line: row.line, field, reason });
    if (row.cells.length !== header.length) bad('row', `has ${row.cells.length} cells, the header ${header.length}`);
    const n0 = errors.length;
    for (const col of REQUIRED) if (!get(col)) bad(col, 'is required');
    const kind = get('kind');
    if (kind && !['PRIMARY', 'SUPPLEMENTARY', 'ACCOUNT'].includes(kind)) bad('kind', 'must be PRIMARY, SUPPLEMENTARY or ACCOUNT');
    const usageType = get('usage_type');
    if (usageType && !/^[A-Z][A-Z0-9_]{0,31}$/.test(usageType)) bad('usage_type', 'upper-case letters, digits and _');
    const int = (col: string, min: number, optional = false) => {
      const v = get(col);
      if (v === '' && optional) return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min) { bad(col, `must be a whole number >= ${min}`); return undefined; }
      return Number(v);
    };
    const amount = (col: string, optional = false) => {
      const v = get(col);
      if (v === '' && optional) return undefined;
      if (!isMoneyString(v)) { bad(col, 'must be a decimal amount with at most 6 decimals, e.g. "0.01"'); return undefined; }
      return v;
    };
    const icu = int('initial_unit', 1);
    const icc = amount('initial_charge');
    const acu = int('additional_unit', 1, true);
    const acc = amount('additional_charge', true);
    if ((acu === undefined) !== (acc === undefined) && errors.length === n0) bad('additional_unit', 'additional_unit and additional_charge go together');
    const allowance = int('allowance_units', 0, true);
    const fee = amount('monthly_fee', true);
    const activateFrom = get('activate_from') || undefined;
    if (activateFrom && Number.isNaN(Date.parse(activateFrom))) bad('activate_from', 'must be an ISO 8601 instant');
    if (errors.length > n0) continue;

    const code = get('offer_code');
    const fixed = { offer_name: get('offer_name'), kind, currency: get('currency'), monthly_fee: get('monthly_fee'), activate_from: get('activate_from') };
    let offer = offers.get(code);
    if (!offer) {
      offer = {
        first: row.line, kind, activateFrom, fixed,
        spec: { name: fixed.offer_name, currency: fixed.currency, usageTypes: [], tariffPlans: [], usageItems: [], allowances: [], recurringCharges: fee ? [{ code: 'MONTHLY_FEE', amount: fee }] : [] },
      };
      offers.set(code, offer);
    } else {
      for (const [col, v] of Object.entries(fixed)) {
        if (v !== offer.fixed[col]) bad(col, `differs from line ${offer.first} of offer ${code} ("${offer.fixed[col]}")`);
      }
    }
    const zone = get('zone') || undefined;
    const planId = `${usageType}-${zone ?? 'ALL'}`;
    const unitType = STANDARD_UNIT_TYPES[usageType] ?? 'EVENT';
    offer.spec.tariffPlans.push({
      id: planId, unitType, currency: fixed.currency,
      currencySets: [{ currency: fixed.currency, timeTypes: { ANY: [{
        unitType, currency: fixed.currency, initialUnit: icu!, initialCharge: icc!,
        ...(acu !== undefined ? { additionalUnit: acu, additionalCharge: acc! } : unitType === 'EVENT' ? {} : { additionalUnit: icu!, additionalCharge: icc! }),
        eligibleForNonCurrency: allowance !== undefined,
      }] } }],
    });
    offer.spec.usageItems.push({ usageType, ...(zone ? { zone } : {}), tariffPlan: planId });
    if (!offer.spec.usageTypes.includes(usageType)) offer.spec.usageTypes.push(usageType);
    if (allowance !== undefined) {
      offer.spec.allowances.push({ id: planId, unitType, amount: allowance, usageTypes: [usageType], ...(zone ? { zones: [zone] } : {}) });
    }
  }
  for (const [code, o] of offers) {
    file.offers.push({ code, kind: o.kind as 'PRIMARY', spec: o.spec, ...(o.activateFrom ? { activateFrom: o.activateFrom } : {}) });
  }
  return { file, errors };
}
