import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, effectiveStatus, isCountry, isCurrency, signBody, statusChangeError, statusVerb, wouldCreateCycle, E164, PLMN } from './accounts.fns';

describe('formats', () => {
  it('accepts IANA time zones in their canonical spelling and refuses offsets and nonsense', () => {
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('+01:00')).toBeNull();
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });

  it('knows ISO 4217 currencies and ISO 3166-1 alpha-2 countries', () => {
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('eur')).toBe(false);
    expect(isCurrency('XYZ')).toBe(false);
    expect(isCountry('DE')).toBe(true);
    expect(isCountry('GB')).toBe(true);
    for (const notAssigned of ['UK', 'EU', 'XK', 'ZZ', 'de', 'DEU']) expect(isCountry(notAssigned)).toBe(false);
  });

  it('matches E.164 numbers and MCC-MNC codes', () => {
    expect(E164.test('+4930123456')).toBe(true);
    expect(E164.test('004930123456')).toBe(false);
    expect(E164.test('+0301234567')).toBe(false);
    expect(E164.test('+1234567890123456')).toBe(false); // 16 digits
    expect(PLMN.test('00101')).toBe(true);
    expect(PLMN.test('310260')).toBe(true);
    expect(PLMN.test('0010')).toBe(false);
    expect(PLMN.test('3102600')).toBe(false);
  });
});

describe('status rules', () => {
  it('lets ACTIVE and SUSPENDED go back and forth, and keeps TERMINATED final', () => {
    expect(statusChangeError('ACTIVE', 'SUSPENDED')).toBeNull();
    expect(statusChangeError('SUSPENDED', 'ACTIVE')).toBeNull();
    expect(statusChangeError('SUSPENDED', 'TERMINATED')).toBeNull();
    expect(statusChangeError('TERMINATED', 'ACTIVE')).toMatch(/final/);
    expect(statusChangeError('TERMINATED', 'TERMINATED')).toBeNull();
    expect(statusVerb('ACTIVE', 'SUSPENDED')).toBe('suspended');
    expect(statusVerb('SUSPENDED', 'ACTIVE')).toBe('reactivated');
    expect(statusVerb('ACTIVE', 'TERMINATED')).toBe('terminated');
    expect(statusVerb('ACTIVE', 'ACTIVE')).toBeNull();
  });

  it('applies the most restrictive status of an account and its ancestors', () => {
    expect(effectiveStatus(['ACTIVE', 'ACTIVE', 'ACTIVE'])).toBe('ACTIVE');
    expect(effectiveStatus(['ACTIVE', 'SUSPENDED', 'ACTIVE'])).toBe('SUSPENDED');
    expect(effectiveStatus(['SUSPENDED', 'ACTIVE', 'TERMINATED'])).toBe('TERMINATED');
  });
});

describe('business-unit tree', () => {
  // a ─ b ─ c, and d on its own
  const parents = new Map<string, string | null>([['a', null], ['b', 'a'], ['c', 'b'], ['d', null]]);
  it('refuses a move under the unit itself or any of its descendants', () => {
    expect(wouldCreateCycle('a', 'a', parents)).toBe(true);
    expect(wouldCreateCycle('a', 'c', parents)).toBe(true);
    expect(wouldCreateCycle('b', 'c', parents)).toBe(true);
  });
  it('allows moves elsewhere, including to the top', () => {
    expect(wouldCreateCycle('c', 'a', parents)).toBe(false);
    expect(wouldCreateCycle('a', 'd', parents)).toBe(false);
    expect(wouldCreateCycle('c', null, parents)).toBe(false);
  });
  it('stops on a tree that already loops instead of spinning', () => {
    const broken = new Map<string, string | null>([['x', 'y'], ['y', 'x'], ['z', null]]);
    expect(wouldCreateCycle('z', 'x', broken)).toBe(true);
  });
});

describe('callback signature', () => {
  it('is the hex HMAC-SHA256 of the exact body', () => {
    const body = '{"requestId":"r1","status":"COMPLETED"}';
    const expected = createHmac('sha256', 'k').update(body).digest('hex');
    expect(signBody('k', body)).toBe(`sha256=${expected}`);
    expect(signBody('k', `${body} `)).not.toBe(`sha256=${expected}`);
  });
});
