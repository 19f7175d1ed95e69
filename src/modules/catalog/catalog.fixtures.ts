import type { OfferSpecInput } from './catalog.schemas';

/**
 * Test support (not part of the module's surface): offer documents an IoT tenant would write.
 * Zones used: HOME (26201, 26202), EU (MCC prefixes 208, 214), WORLD (*).
 */
export const ZONES = [
  { code: 'HOME', name: 'Home network', plmns: ['262-01', '262-02'] },
  { code: 'EU', name: 'EU roaming', plmns: ['208', '214'] },
  { code: 'WORLD', name: 'Rest of world', plmns: ['*'] },
];

export const MB = 1024 * 1024;

/** 24-hour single time type plan: data per KB after the allowance, eligible for allowances. */
export function iotPlan(overrides: Partial<OfferSpecInput> = {}, opts: { allowanceMb?: number; pooling?: 'NONE' | 'BUSINESS_UNIT' | 'ENTERPRISE'; onExhaustion?: 'OVERAGE' | 'THROTTLE' | 'BLOCK'; perMb?: string } = {}): OfferSpecInput {
  const allowance = opts.allowanceMb ?? 10;
  return {
    name: 'IoT 10 MB',
    currency: 'EUR',
    paymentMode: 'POSTPAID',
    usageTypes: ['DATA', 'SMS_MO'],
    tariffPlans: [
      {
        id: 'data-home', unitType: 'OCTET', currency: 'EUR',
        currencySets: [{ currency: 'EUR', timeTypes: { ANY: [{ unitType: 'OCTET', currency: 'EUR', initialUnit: MB, initialCharge: opts.perMb ?? '0.50', additionalUnit: MB, additionalCharge: opts.perMb ?? '0.50', eligibleForNonCurrency: true }] } }],
      },
      {
        id: 'data-roam', unitType: 'OCTET', currency: 'EUR',
        currencySets: [{ currency: 'EUR', timeTypes: { ANY: [{ unitType: 'OCTET', currency: 'EUR', initialUnit: MB, initialCharge: '2.00', additionalUnit: MB, additionalCharge: '2.00' }] } }],
      },
      {
        id: 'sms', unitType: 'EVENT', currency: 'EUR',
        currencySets: [{ currency: 'EUR', timeTypes: { ANY: [{ unitType: 'EVENT', currency: 'EUR', initialUnit: 1, initialCharge: '0.05' }] } }],
      },
    ],
    usageItems: [
      { usageType: 'DATA', zone: 'HOME', tariffPlan: 'data-home' },
      { usageType: 'DATA', zone: 'EU', tariffPlan: 'data-roam' },
      { usageType: 'SMS_MO', tariffPlan: 'sms' },
    ],
    allowances: [{ id: 'data', unitType: 'OCTET', amount: allowance * MB, usageTypes: ['DATA'], zones: ['HOME'], pooling: opts.pooling ?? 'NONE', onExhaustion: opts.onExhaustion ?? 'OVERAGE' }],
    recurringCharges: [{ code: 'MRC', amount: '2.50', frequency: 'MONTHLY', timing: 'IN_ADVANCE', prorated: true, simStates: ['ACTIVE', 'SUSPEND'] }],
    oneTimeCharges: [{ code: 'ACT', kind: 'ACTIVATION', amount: '1.00' }, { code: 'SIM', kind: 'SIM_CARD', amount: '3.00' }],
    ...overrides,
  };
}

/** A supplementary EU roaming pack: 100 MB in the EU for 30 days. */
export function roamingPack(overrides: Partial<OfferSpecInput> = {}): OfferSpecInput {
  return {
    name: 'EU roaming 100 MB',
    currency: 'EUR',
    usageTypes: ['DATA'],
    expiry: { duration: { value: 30, unit: 'DAY' } },
    tariffPlans: [{
      id: 'eu', unitType: 'OCTET', currency: 'EUR',
      currencySets: [{ currency: 'EUR', timeTypes: { ANY: [{ unitType: 'OCTET', currency: 'EUR', initialUnit: MB, initialCharge: '1.00', additionalUnit: MB, additionalCharge: '1.00', eligibleForNonCurrency: true }] } }],
    }],
    usageItems: [{ usageType: 'DATA', zone: 'EU', tariffPlan: 'eu' }],
    allowances: [{ id: 'eu-data', unitType: 'OCTET', amount: 100 * MB, usageTypes: ['DATA'], zones: ['EU'] }],
    oneTimeCharges: [{ code: 'PACK', kind: 'ONE_TIME', amount: '5.00' }],
    ...overrides,
  };
}
