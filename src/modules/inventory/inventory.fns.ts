/**
 * Pure inventory rules: the vendor output file's columns, the check of one row, Luhn, MSISDN ranges, the stock
 * report's CSV. No I/O, no clock.
 */

export interface RowError {
  line: number;
  field: string;
  reason: string;
}

/** The columns of a vendor output file (header names, case-insensitive). */
export const SIM_FILE_COLUMNS = ['iccid', 'imsi', 'ki', 'opc', 'puk1', 'puk2', 'pin1', 'eid', 'matching_id'] as const;
export type SimFileColumn = (typeof SIM_FILE_COLUMNS)[number];
const REQUIRED: SimFileColumn[] = ['iccid', 'imsi', 'ki'];
const ALIASES: Record<string, SimFileColumn> = { matchingid: 'matching_id', 'matching id': 'matching_id', activation_code: 'matching_id' };

/** A row that passed every check, ready to be sealed and staged. */
export interface SimRow {
  line: number;
  iccid: string;
  imsi: string;
  ki: string;
  opc: string | null;
  puk1: string | null;
  puk2: string | null;
  pin1: string | null;
  eid: string | null;
  matchingId: string | null;
}

/**
 * Maps the header line to column positions. Unknown columns are refused (a typo would silently drop data),
 * missing required ones too.
 */
export function parseHeader(header: string[]): { columns: Partial<Record<SimFileColumn, number>>; errors: RowError[] } {
  const columns: Partial<Record<SimFileColumn, number>> = {};
  const errors: RowError[] = [];
  header.forEach((raw, i) => {
    const name = raw.trim().toLowerCase().replace(/^\ufeff/, '');
    const col = (SIM_FILE_COLUMNS as readonly string[]).includes(name) ? (name as SimFileColumn) : ALIASES[name];
    if (!col) errors.push({ line: 1, field: raw.trim() || `column ${i + 1}`, reason: `is not a known column (expected ${SIM_FILE_COLUMNS.join(', ')})` });
    else if (columns[col] !== undefined) errors.push({ line: 1, field: col, reason: 'appears twice in the header' });
    else columns[col] = i;
  });
  for (const req of REQUIRED) if (columns[req] === undefined) errors.push({ line: 1, field: req, reason: 'column is missing from the header' });
  return { columns, errors };
}

/** Luhn (mod 10) check over a digit string, the check digit included. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit to append to `body` (for test data and tools). */
export function luhnCheckDigit(body: string): string {
  for (let c = 0; c <= 9; c++) if (luhnValid(body + c)) return String(c);
  throw new Error('unreachable');
}

const DIGITS = /^[0-9]+$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;

export interface RowRules {
  /** The tenant's home networks (MCC-MNC, 5 or 6 digits); an IMSI must start with one of them. */
  plmns: readonly string[];
  /** eSIM products need the SM-DP+ matching id on every row. */
  esim: boolean;
}

/**
 * Checks one data row; returns the clean row or every problem it has (a row can have several).
 * Duplicates are found later, across the whole file and the inventory, by the database.
 */
export function checkRow(cells: string[], line: number, columns: Partial<Record<SimFileColumn, number>>, rules: RowRules):
  { row: SimRow; errors?: undefined } | { row?: undefined; errors: RowError[] } {
  const get = (c: SimFileColumn): string => {
    const i = columns[c];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const errors: RowError[] = [];
  const bad = (field: string, reason: string) => errors.push({ line, field, reason });

  const iccid = get('iccid');
  if (!iccid) bad('iccid', 'is missing');
  else if (!DIGITS.test(iccid) || iccid.length < 19 || iccid.length > 20) bad('iccid', 'must be 19 or 20 digits');
  else if (!luhnValid(iccid)) bad('iccid', 'has a wrong Luhn check digit');

  const imsi = get('imsi');
  if (!imsi) bad('imsi', 'is missing');
  else if (!DIGITS.test(imsi) || imsi.length !== 15) bad('imsi', 'must be 15 digits');
  else if (!rules.plmns.some((p) => imsi.startsWith(p))) {
    bad('imsi', rules.plmns.length ? `does not start with one of the tenant's MCC-MNCs (${rules.plmns.join(', ')})` : 'cannot be checked: the tenant has no MCC-MNC configured');
  }

  const ki = get('ki');
  if (!ki) bad('ki', 'is missing');
  else if (!HEX32.test(ki)) bad('ki', 'must be 32 hexadecimal digits');
  const opc = get('opc');
  if (opc && !HEX32.test(opc)) bad('opc', 'must be 32 hexadecimal digits');

  const puk1 = get('puk1'), puk2 = get('puk2'), pin1 = get('pin1');
  if (puk1 && !/^[0-9]{8}$/.test(puk1)) bad('puk1', 'must be 8 digits');
  if (puk2 && !/^[0-9]{8}$/.test(puk2)) bad('puk2', 'must be 8 digits');
  if (pin1 && !/^[0-9]{4,8}$/.test(pin1)) bad('pin1', 'must be 4 to 8 digits');

  const eid = get('eid');
  if (eid && !/^[0-9]{32}$/.test(eid)) bad('eid', 'must be 32 digits');
  const matchingId = get('matching_id');
  if (matchingId && !/^[0-9A-Za-z-]{1,255}$/.test(matchingId)) bad('matching_id', 'must be letters, digits and dashes (at most 255)');
  if (rules.esim && !matchingId) bad('matching_id', 'is required for an eSIM product');

  if (errors.length) return { errors };
  return {
    row: {
      line, iccid, imsi, ki: ki.toLowerCase(), opc: opc ? opc.toLowerCase() : null,
      puk1: puk1 || null, puk2: puk2 || null, pin1: pin1 || null, eid: eid || null, matchingId: matchingId || null,
    },
  };
}

/** Expands MSISDN ranges and lists into distinct numbers, refusing bad ones and ranges too large for one call. */
export function expandMsisdns(input: { ranges?: { from: string; to: string }[]; list?: string[] }, max = 1_000_000):
  { msisdns: string[]; errors: { field: string; reason: string }[] } {
  const out = new Set<string>();
  const errors: { field: string; reason: string }[] = [];
  const valid = (m: string) => /^[1-9][0-9]{6,14}$/.test(m);
  (input.ranges ?? []).forEach((r, i) => {
    if (!valid(r.from)) return errors.push({ field: `ranges.${i}.from`, reason: 'must be an E.164 number of 7 to 15 digits without +' });
    if (!valid(r.to)) return errors.push({ field: `ranges.${i}.to`, reason: 'must be an E.164 number of 7 to 15 digits without +' });
    if (r.from.length !== r.to.length) return errors.push({ field: `ranges.${i}`, reason: 'from and to must have the same number of digits' });
    const from = BigInt(r.from), to = BigInt(r.to);
    if (to < from) return errors.push({ field: `ranges.${i}.to`, reason: 'must not be below from' });
    if (to - from + 1n + BigInt(out.size) > BigInt(max)) return errors.push({ field: `ranges.${i}`, reason: `more than ${max} numbers in one call` });
    for (let n = from; n <= to; n++) out.add(n.toString());
  });
  (input.list ?? []).forEach((m, i) => {
    const v = m.trim().replace(/^\+/, '');
    if (!valid(v)) errors.push({ field: `list.${i}`, reason: 'must be an E.164 number of 7 to 15 digits' });
    else out.add(v);
  });
  if (out.size > max) errors.push({ field: 'list', reason: `more than ${max} numbers in one call` });
  return { msisdns: [...out].sort(), errors };
}

/** When a released number becomes free again. */
export function quarantineUntil(releasedAt: Date, quarantineDays: number): Date {
  return new Date(releasedAt.getTime() + quarantineDays * 86_400_000);
}

export interface StockLine {
  tenantCode: string;
  productId: string;
  productName: string;
  formFactor: string;
  stockState: string;
  state: string;
  count: number;
}

/** The stock report as CSV (RFC 4180, CRLF line ends). Only counts: no secrets can be in it by construction. */
export function stockReportCsv(lines: StockLine[], generatedAt: Date): string {
  const esc = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const out = ['tenant,product_id,product_name,form_factor,stock_state,lifecycle_state,count,generated_at'];
  const sorted = [...lines].sort((a, b) =>
    a.tenantCode.localeCompare(b.tenantCode) || a.productName.localeCompare(b.productName) ||
    a.stockState.localeCompare(b.stockState) || a.state.localeCompare(b.state));
  for (const l of sorted) {
    out.push([l.tenantCode, l.productId, l.productName, l.formFactor, l.stockState, l.state, l.count, generatedAt.toISOString()].map(esc).join(','));
  }
  return out.join('\r\n') + '\r\n';
}
