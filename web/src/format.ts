/** Display helpers. Money arrives as integer micro-units (10⁻⁶ of the major unit) and is rounded only here. */

export function formatDateTime(v: string | Date | null | undefined): string {
  if (!v) return '—';
  const d = typeof v === 'string' ? new Date(v) : v;
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function formatDate(v: string | Date | null | undefined): string {
  if (!v) return '—';
  const d = typeof v === 'string' ? new Date(v) : v;
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: '2-digit' });
}

/** Micro-units to a currency string with the currency's minor digits, half-even, without float drift. */
export function formatMoney(micros: number | string | null | undefined, currency: string, minorDigits = 2): string {
  if (micros === null || micros === undefined || micros === '') return '—';
  const big = BigInt(micros);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  const unit = 10n ** BigInt(6 - minorDigits);
  let q = abs / unit;
  const r = abs % unit;
  // Half-even: round up past the half, and at exactly half only when that makes the last digit even.
  if (r * 2n > unit || (r * 2n === unit && q % 2n === 1n)) q += 1n;
  const scale = 10n ** BigInt(minorDigits);
  const major = (q / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const minor = minorDigits > 0 ? `.${(q % scale).toString().padStart(minorDigits, '0')}` : '';
  return `${neg && q > 0n ? '-' : ''}${major}${minor} ${currency}`;
}

/** Major-unit text typed by a person ("1234.5") to integer micro-units, or null when it is not a number. */
export function parseMoney(text: string): number | null {
  const m = /^\s*(-)?(\d+)(?:\.(\d{1,6}))?\s*$/.exec(text.replace(/,/g, ''));
  if (!m) return null;
  const micros = BigInt(m[2]) * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'));
  const v = Number(m[1] ? -micros : micros);
  return Number.isSafeInteger(v) ? v : null;
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}
