import { describe, expect, it } from 'vitest';
import { classifyUsage, compileUsageTypeMappings, compileZones, finalUsageTypeOf, zoneOf } from './classify.fns';

describe('classification (§3.1)', () => {
  const issues: { path: string; reason: string; detail: string }[] = [];
  const zones = compileZones(
    [
      { id: 'HOME', networks: ['262-01'] },
      { id: 'DE', networks: ['262'] },
      { id: 'EU', networks: ['2'] },
      { id: 'WORLD', networks: ['*'] },
    ],
    issues,
  );

  it('takes the exact network, else the longest prefix, else the default', () => {
    expect(issues).toEqual([]);
    expect(zoneOf(zones, '26201')).toBe('HOME');
    expect(zoneOf(zones, '26207')).toBe('DE');
    expect(zoneOf(zones, '20801')).toBe('EU');
    expect(zoneOf(zones, '310260')).toBe('WORLD');
    expect(zoneOf(zones, undefined)).toBe('WORLD');
  });

  it('has no zone without a default entry', () => {
    const noDefault = compileZones([{ id: 'HOME', networks: ['26201'] }], []);
    expect(zoneOf(noDefault, '310260')).toBeNull();
    expect(zoneOf(compileZones([], []), '310260')).toBe('*');
  });

  it('maps a zone-specific row before the "*" row, and nothing else', () => {
    const mappings = compileUsageTypeMappings(
      [
        { initialUsageType: 'DATA', zone: 'HOME', finalUsageType: 'DATA_HOME' },
        { initialUsageType: 'DATA', zone: '*', finalUsageType: 'DATA_ROAMING' },
      ],
      new Set(['HOME']),
      [],
    );
    expect(finalUsageTypeOf(mappings, 'DATA', 'HOME')).toBe('DATA_HOME');
    expect(finalUsageTypeOf(mappings, 'DATA', 'EU')).toBe('DATA_ROAMING');
    expect(finalUsageTypeOf(mappings, 'SMS_MO', 'HOME')).toBeNull();
  });

  it('reports bad and duplicate networks', () => {
    const found: { path: string; reason: string; detail: string }[] = [];
    compileZones([{ id: 'A', networks: ['26201', 'x1'] }, { id: 'B', networks: ['26201'] }], found);
    expect(found.map((i) => i.reason)).toEqual(['BAD_NETWORK', 'DUPLICATE_NETWORK']);
  });

  it('classifies a usage once per (initial usage type, network), with the final usage type\'s index', () => {
    const mappings = compileUsageTypeMappings([{ initialUsageType: 'DATA', zone: 'HOME', finalUsageType: 'DATA_HOME' }], new Set(['HOME']), []);
    const classifier = { zones, mappings, typeIndex: new Map([['DATA_HOME', 0]]), memo: new Map() };
    const home = classifyUsage(classifier, 'DATA', '26201');
    expect(home).toEqual({ zone: 'HOME', finalUsageType: 'DATA_HOME', type: 0 });
    expect(classifyUsage(classifier, 'DATA', '26201')).toBe(home);
    expect(classifyUsage(classifier, 'DATA', '20801')).toEqual({ zone: 'EU', finalUsageType: null, type: -1 });
    expect(classifyUsage(classifier, 'SMS_MO', '26201')).toEqual({ zone: 'HOME', finalUsageType: null, type: -1 });
    const noDefault = { ...classifier, zones: compileZones([{ id: 'HOME', networks: ['26201'] }], []), memo: new Map() };
    expect(classifyUsage(noDefault, 'DATA', '310260')).toEqual({ zone: null, finalUsageType: null, type: -1 });
  });
});
