import { describe, expect, it } from 'vitest';
import { checkRow, expandMsisdns, luhnCheckDigit, luhnValid, parseHeader, quarantineUntil, stockReportCsv } from './inventory.fns';

const KI = '000102030405060708090a0b0c0d0e0f';
const header = parseHeader(['ICCID', 'IMSI', 'Ki', 'OPc', 'PUK1', 'PUK2', 'PIN1']).columns;
const rules = { plmns: ['00101', '310260'], esim: false };
const iccid = (body: string) => body + luhnCheckDigit(body);

describe('Luhn', () => {
  it('accepts a real ICCID and refuses a changed digit', () => {
    expect(luhnValid('89014103211118510720')).toBe(true);
    expect(luhnValid('89014103211118510721')).toBe(false);
    expect(luhnCheckDigit('8901410321111851072')).toBe('0');
  });
});

describe('parseHeader', () => {
  it('maps known columns case-insensitively and refuses unknown or missing ones', () => {
    expect(header).toMatchObject({ iccid: 0, imsi: 1, ki: 2, opc: 3 });
    const bad = parseHeader(['iccid', 'ki', 'colour', 'ki']);
    expect(bad.errors).toEqual([
      { line: 1, field: 'colour', reason: expect.stringContaining('not a known column') },
      { line: 1, field: 'ki', reason: 'appears twice in the header' },
      { line: 1, field: 'imsi', reason: 'column is missing from the header' },
    ]);
  });
});

describe('checkRow', () => {
  const good = [iccid('894400000000000001'), '001010000000001', KI, KI.toUpperCase(), '12345678', '87654321', '1234'];

  it('accepts a good row and normalises hex to lower case', () => {
    const r = checkRow(good, 2, header, rules);
    expect(r.errors).toBeUndefined();
    expect(r.row).toMatchObject({ line: 2, imsi: '001010000000001', ki: KI, opc: KI, puk1: '12345678', pin1: '1234' });
  });

  it('reports every problem of a row with its line and field', () => {
    const r = checkRow(['89440000000001', '3102609', 'xyz', 'abc', '12', '', '1'], 7, header, rules);
    expect(r.errors?.map((e) => e.field)).toEqual(['iccid', 'imsi', 'ki', 'opc', 'puk1', 'pin1']);
    expect(r.errors?.every((e) => e.line === 7)).toBe(true);
  });

  it('refuses a wrong check digit, a short ICCID and an IMSI of another network', () => {
    const wrongLuhn = good[0].slice(0, -1) + ((Number(good[0].at(-1)) + 1) % 10);
    expect(checkRow([wrongLuhn, ...good.slice(1)], 3, header, rules).errors).toEqual([{ line: 3, field: 'iccid', reason: 'has a wrong Luhn check digit' }]);
    expect(checkRow(['894400000000001', ...good.slice(1)], 3, header, rules).errors?.[0].reason).toBe('must be 19 or 20 digits');
    expect(checkRow([good[0], '234150000000001', ...good.slice(2)], 3, header, rules).errors?.[0]).toMatchObject({ field: 'imsi', reason: expect.stringContaining('00101, 310260') });
  });

  it('needs the matching id for eSIM products and checks the EID', () => {
    const cols = parseHeader(['iccid', 'imsi', 'ki', 'eid', 'matching_id']).columns;
    const row = [good[0], good[1], KI, '123', ''];
    expect(checkRow(row, 2, cols, { ...rules, esim: true }).errors?.map((e) => e.field)).toEqual(['eid', 'matching_id']);
    expect(checkRow([good[0], good[1], KI, '8'.repeat(32), 'K2-AB12-CD34'], 2, cols, { ...rules, esim: true }).row?.matchingId).toBe('K2-AB12-CD34');
  });
});

describe('expandMsisdns', () => {
  it('expands ranges and lists into distinct sorted numbers', () => {
    const r = expandMsisdns({ ranges: [{ from: '4915100000098', to: '4915100000101' }], list: ['+4915100000100', '4915100000200'] });
    expect(r.errors).toEqual([]);
    expect(r.msisdns).toEqual(['4915100000098', '4915100000099', '4915100000100', '4915100000101', '4915100000200']);
  });
  it('refuses bad numbers, reversed and oversized ranges', () => {
    const r = expandMsisdns({ ranges: [{ from: '4915100000010', to: '4915100000001' }, { from: '491510000000', to: '491519999999' }], list: ['12ab'] }, 1000);
    expect(r.errors.map((e) => e.field)).toEqual(['ranges.0.to', 'ranges.1', 'list.0']);
  });
});

describe('quarantine and stock report', () => {
  it('frees a number after the quarantine period', () => {
    expect(quarantineUntil(new Date('2026-01-01T00:00:00Z'), 90).toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });
  it('writes counts as CSV with quoting', () => {
    const csv = stockReportCsv([
      { tenantCode: 'b', productId: 'p2', productName: 'Nano, industrial', formFactor: '4FF', stockState: 'AVAILABLE', state: 'WARM', count: 3 },
      { tenantCode: 'a', productId: 'p1', productName: 'eSIM', formFactor: 'ESIM', stockState: 'ALLOCATED', state: 'ACTIVE', count: 1 },
    ], new Date('2026-01-02T03:04:05Z'));
    expect(csv.split('\r\n')).toEqual([
      'tenant,product_id,product_name,form_factor,stock_state,lifecycle_state,count,generated_at',
      'a,p1,eSIM,ESIM,ALLOCATED,ACTIVE,1,2026-01-02T03:04:05.000Z',
      'b,p2,"Nano, industrial",4FF,AVAILABLE,WARM,3,2026-01-02T03:04:05.000Z',
      '',
    ]);
  });
});
