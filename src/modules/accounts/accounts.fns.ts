import { createHmac } from 'node:crypto';
import type { AccountStatus } from './accounts.tables';

/** Pure rules of the account hierarchy: formats, status transitions, the business-unit tree, signatures. */

export const ACCOUNT_STATUSES = ['ACTIVE', 'SUSPENDED', 'TERMINATED'] as const;

/** E.164: a plus, a non-zero country code digit, 7 to 15 digits in all. */
export const E164 = /^\+[1-9][0-9]{6,14}$/;
/** MCC-MNC: 3-digit MCC followed by a 2- or 3-digit MNC. */
export const PLMN = /^[0-9]{5,6}$/;
export const TENANT_CODE = /^[a-z0-9][a-z0-9-]{1,39}$/;
/** The tenant CRM's ids (customer, business unit) and billing account numbers. */
export const EXTERNAL_ID = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

/** ISO 3166-1 alpha-2 codes officially assigned (249). */
const COUNTRIES = new Set(`AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX
MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/));

export function isCountry(code: string): boolean {
  return COUNTRIES.has(code);
}

/** ISO 4217 codes in current use, as the runtime's ICU knows them. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

/**
 * The canonical IANA name of a time zone ("europe/berlin" -> "Europe/Berlin"), or null when Intl does not
 * know it. Offsets such as "+01:00" are refused: a billing calendar needs the zone's rules, not one offset.
 */
export function canonicalTimeZone(tz: string): string | null {
  if (!/^[A-Za-z]/.test(tz)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * Whether a status may change from `from` to `to`: ACTIVE and SUSPENDED go back and forth, anything may be
 * TERMINATED, and TERMINATED is final. Returns the reason it may not, or null.
 */
export function statusChangeError(from: AccountStatus, to: AccountStatus): string | null {
  if (from === to) return null;
  if (from === 'TERMINATED') return 'is TERMINATED, which is final';
  return null;
}

/** The past-tense verb of the event a status change records: accounts.enterprise.suspended etc. */
export function statusVerb(from: AccountStatus, to: AccountStatus): 'suspended' | 'reactivated' | 'terminated' | null {
  if (from === to) return null;
  if (to === 'TERMINATED') return 'terminated';
  if (to === 'SUSPENDED') return 'suspended';
  return 'reactivated';
}

/** The status that applies to an account given its own and its ancestors': the most restrictive one. */
export function effectiveStatus(statuses: AccountStatus[]): AccountStatus {
  if (statuses.includes('TERMINATED')) return 'TERMINATED';
  if (statuses.includes('SUSPENDED')) return 'SUSPENDED';
  return 'ACTIVE';
}

/**
 * Whether hanging `unitId` under `newParentId` would make the unit its own ancestor. `parentOf` maps each
 * unit of the enterprise to its parent (null at the top).
 */
export function wouldCreateCycle(unitId: string, newParentId: string | null, parentOf: ReadonlyMap<string, string | null>): boolean {
  const seen = new Set<string>();
  for (let at: string | null | undefined = newParentId; at; at = parentOf.get(at)) {
    if (at === unitId) return true;
    if (seen.has(at)) return true; // an existing cycle: refuse rather than loop
    seen.add(at);
  }
  return false;
}

/** The HMAC-SHA256 signature of a callback body, as sent in X-CMP-Signature: "sha256=<hex>". */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
