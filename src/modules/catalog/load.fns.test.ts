import { describe, expect, it } from 'vitest';
import { csvToCatalogFile, parseCsv } from './load.fns';

const HEADER = 'offer_code,offer_name,kind,currency,usage_type,zone,initial_unit,initial_charge,additional_unit,additional_charge,allowance_units,monthly_fee,activate_from';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF and blank lines, keeping line numbers', () => {
    const rows = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",2\n');
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 4, cells: ['multi\nline', '2'] },
    ]);
  });
});

describe('csvToCatalogFile', () => {
  it('groups rows into offers with one plan per usage item', () => {
    const { file, errors } = csvToCatalogFile([
      HEADER,
      'IOT5,IoT 5 MB,PRIMARY,EUR,DATA,HOME,1048576,0.40,1048576,0.40,5242880,1.50,',
      'IOT5,IoT 5 MB,PRIMARY,EUR,SMS_MO,,1,0.05,,,,1.50,',
    ].join('\n'));
    expect(errors).toEqual([]);
    expect(file.offers).toHaveLength(1);
    const spec = file.offers[0].spec as { usageTypes: string[]; usageItems: unknown[]; allowances: { amount: number }[]; recurringCharges: { amount: string }[] };
    expect(spec.usageTypes).toEqual(['DATA', 'SMS_MO']);
    expect(spec.usageItems).toEqual([{ usageType: 'DATA', zone: 'HOME', tariffPlan: 'DATA-HOME' }, { usageType: 'SMS_MO', tariffPlan: 'SMS_MO-ALL' }]);
    expect(spec.allowances[0].amount).toBe(5242880);
    expect(spec.recurringCharges).toEqual([{ code: 'MONTHLY_FEE', amount: '1.50' }]);
  });

  it('reports every bad row with its line and field', () => {
    const { errors } = csvToCatalogFile([
      HEADER,
      'A,Offer A,PRIMARY,EUR,DATA,,0,0.1,,,,,',
      'B,Offer B,GOLD,EUR,DATA,,1,0.1234567,,,,,',
      'A,Renamed,PRIMARY,EUR,SMS_MO,,1,0.05,,,,,',
      'C,Offer C,PRIMARY,EUR,DATA,,1,0.1,1,,,,',
    ].join('\n'));
    expect(errors).toEqual([
      { line: 2, field: 'initial_unit', reason: 'must be a whole number >= 1' },
      { line: 3, field: 'kind', reason: 'must be PRIMARY, SUPPLEMENTARY or ACCOUNT' },
      { line: 3, field: 'initial_charge', reason: 'must be a decimal amount with at most 6 decimals, e.g. "0.01"' },
      { line: 5, field: 'additional_unit', reason: 'additional_unit and additional_charge go together' },
    ]);
  });

  it('refuses offer-level columns that disagree across rows', () => {
    const { errors } = csvToCatalogFile([HEADER, 'A,Offer A,PRIMARY,EUR,DATA,,1,0.1,1,0.1,,,', 'A,Renamed,PRIMARY,EUR,SMS_MO,,1,0.05,,,,,'].join('\n'));
    expect(errors).toEqual([{ line: 3, field: 'offer_name', reason: 'differs from line 2 of offer A ("Offer A")' }]);
  });

  it('refuses a header without the required columns or with unknown ones', () => {
    const { errors } = csvToCatalogFile('offer_code,price\nA,1\n');
    expect(errors.map((e) => e.field)).toEqual(['offer_name', 'kind', 'currency', 'usage_type', 'initial_unit', 'initial_charge', 'price']);
  });
});
