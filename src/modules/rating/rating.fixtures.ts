import type {
  AllowanceBucket,
  CalendarDefinition,
  MoneyBucket,
  RatingBalances,
  RatingCatalogDefinition,
  RatingSubscriber,
  TariffDefinition,
  UsageEvent,
} from './rating.types';

/**
 * Test support (not part of the module's surface): a small IoT catalog and helpers to build subscribers,
 * buckets and usage. Times are UTC; the subscriber's zone is Europe/Berlin.
 */

export const T0 = Date.parse('2024-07-03T10:00:00Z'); // a Wednesday, 12:00 in Berlin
export const DAY = 86_400_000;
export const KB = 1024;
export const MB = 1024 * 1024;

export function tariff(overrides: Partial<TariffDefinition> & Pick<TariffDefinition, 'unitType'>): TariffDefinition {
  return {
    currency: 'EUR',
    initialUnit: 1,
    initialCharge: '0',
    additionalUnit: 1,
    additionalCharge: '0',
    graceUnits: 0,
    ...overrides,
  };
}

export const TYPICAL_CALENDAR: CalendarDefinition = {
  timeTypes: ['PEAK', 'OFF_PEAK', 'WEEKEND'],
  dayTypes: {
    WEEKDAY: [
      { start: '00:00:00', end: '09:00:00', timeType: 'OFF_PEAK' },
      { start: '09:00:00', end: '18:00:00', timeType: 'PEAK' },
      { start: '18:00:00', end: '24:00:00', timeType: 'OFF_PEAK' },
    ],
    WEEKEND: [{ start: '00:00:00', end: '24:00:00', timeType: 'WEEKEND' }],
  },
  weekdays: { MON: 'WEEKDAY', TUE: 'WEEKDAY', WED: 'WEEKDAY', THU: 'WEEKDAY', FRI: 'WEEKDAY', SAT: 'WEEKEND', SUN: 'WEEKEND' },
  exceptions: [{ kind: 'ANNUAL', monthDay: '12-25', dayType: 'WEEKEND' }],
};

/** Home, EU (by MCC prefix) and rest of world; data, SMS and voice; a plan, an EU add-on, a pool. */
export function testCatalog(): RatingCatalogDefinition {
  return {
    version: 'v1',
    calendars: { ALL_DAY: { timeTypes: ['ANY'], dayTypes: { D: [{ start: '00:00:00', end: '24:00:00', timeType: 'ANY' }] }, weekdays: { MON: 'D', TUE: 'D', WED: 'D', THU: 'D', FRI: 'D', SAT: 'D', SUN: 'D' }, exceptions: [] }, TYPICAL: TYPICAL_CALENDAR },
    zones: [
      { id: 'HOME', networks: ['26201', '26202'] },
      { id: 'EU', networks: ['208', '214', '222', '262'] },
      { id: 'WORLD', networks: ['*'] },
    ],
    usageTypeMappings: [
      { initialUsageType: 'DATA', zone: 'HOME', finalUsageType: 'DATA_HOME' },
      { initialUsageType: 'DATA', zone: 'EU', finalUsageType: 'DATA_EU' },
      { initialUsageType: 'DATA', zone: 'WORLD', finalUsageType: 'DATA_WORLD' },
      { initialUsageType: 'SMS_MO', zone: '*', finalUsageType: 'SMS' },
      { initialUsageType: 'VOICE_MO', zone: 'HOME', finalUsageType: 'VOICE_HOME' },
    ],
    usageTypeGroups: { DATA_IN_PLAN: ['DATA_HOME', 'DATA_EU'] },
    tariffPlans: [
      {
        id: 'DATA_HOME',
        unitType: 'OCTET',
        currency: 'EUR',
        calendar: 'ALL_DAY',
        currencySets: [
          {
            currency: 'EUR',
            timeTypes: {
              ANY: [
                tariff({ id: 'data-retail', unitType: 'OCTET', initialUnit: KB, initialCharge: '0.01', additionalUnit: KB, additionalCharge: '0.01', eligibleForNonCurrency: true }),
                tariff({ id: 'data-wholesale', unitType: 'OCTET', initialUnit: MB, initialCharge: '0.001', additionalUnit: MB, additionalCharge: '0.001', settlement: true }),
              ],
            },
          },
        ],
      },
      {
        id: 'DATA_EU',
        unitType: 'OCTET',
        currency: 'EUR',
        currencySets: [
          {
            currency: 'EUR',
            timeTypes: {
              ANY: [
                tariff({ id: 'eu-retail', unitType: 'OCTET', initialUnit: KB, initialCharge: '0.02', additionalUnit: KB, additionalCharge: '0.02', eligibleForNonCurrency: true }),
                tariff({ id: 'eu-roaming-fee', unitType: 'OCTET', initialUnit: MB, initialCharge: '0.05', additionalUnit: MB, additionalCharge: '0.05' }),
              ],
            },
          },
        ],
      },
      {
        id: 'DATA_EU_PACK',
        unitType: 'OCTET',
        currency: 'EUR',
        currencySets: [
          { currency: 'EUR', timeTypes: { ANY: [tariff({ id: 'eu-pack', unitType: 'OCTET', initialUnit: KB, initialCharge: '0.005', additionalUnit: KB, additionalCharge: '0.005', eligibleForNonCurrency: true })] } },
        ],
      },
      {
        id: 'DATA_WORLD',
        unitType: 'OCTET',
        currency: 'EUR',
        currencySets: [
          { currency: 'USD', timeTypes: { ANY: [tariff({ id: 'world-usd', unitType: 'OCTET', currency: 'USD', initialUnit: KB, initialCharge: '0.10', additionalUnit: KB, additionalCharge: '0.10' })] } },
          { currency: 'EUR', timeTypes: { ANY: [tariff({ id: 'world-usd-in-eur-set', unitType: 'OCTET', currency: 'USD', initialUnit: KB, initialCharge: '0.10', additionalUnit: KB, additionalCharge: '0.10' })] } },
        ],
      },
      {
        id: 'SMS',
        unitType: 'EVENT',
        currency: 'EUR',
        currencySets: [{ currency: 'EUR', timeTypes: { ANY: [{ id: 'sms', unitType: 'EVENT', currency: 'EUR', initialUnit: 1, initialCharge: '0.05', eligibleForNonCurrency: true }] } }],
      },
      {
        id: 'VOICE_HOME',
        unitType: 'SECOND',
        currency: 'EUR',
        calendar: 'TYPICAL',
        currencySets: [
          {
            currency: 'EUR',
            timeTypes: {
              PEAK: [tariff({ id: 'voice-peak', unitType: 'SECOND', initialUnit: 60, initialCharge: '0.60', additionalUnit: 30, additionalCharge: '0.30', graceUnits: 3 })],
              OFF_PEAK: [tariff({ id: 'voice-off-peak', unitType: 'SECOND', initialUnit: 60, initialCharge: '0.20', additionalUnit: 10, additionalCharge: '0.05', graceUnits: 3 })],
              WEEKEND: [tariff({ id: 'voice-weekend', unitType: 'SECOND', initialUnit: 60, initialCharge: '0.10', additionalUnit: 60, additionalCharge: '0.10', graceUnits: 3 })],
            },
          },
        ],
      },
    ],
    offers: [
      { id: 'IOT_PLAN', kind: 'PRIMARY', usageItems: { DATA_HOME: 'DATA_HOME', DATA_EU: 'DATA_EU', DATA_WORLD: 'DATA_WORLD', SMS: 'SMS', VOICE_HOME: 'VOICE_HOME' } },
      { id: 'EU_PACK', kind: 'SUPPLEMENTARY', usageItems: { DATA_EU: 'DATA_EU_PACK' } },
      { id: 'POOL_OFFER', kind: 'ACCOUNT' },
    ],
    allowanceDefinitions: [
      { id: 'PLAN_DATA', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA_IN_PLAN'] },
      { id: 'ADDON_DATA', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA_EU'] },
      { id: 'POOL_DATA', unitType: 'OCTET', level: 'ACCOUNT', includeUsageTypes: ['DATA_IN_PLAN'] },
      { id: 'THROTTLED_DATA', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA_IN_PLAN'], onExhaustion: 'THROTTLE' },
      { id: 'BLOCKED_DATA', unitType: 'OCTET', level: 'SUBSCRIBER', includeUsageTypes: ['DATA_IN_PLAN'], onExhaustion: 'BLOCK' },
      { id: 'SMS_BUNDLE', unitType: 'EVENT', level: 'SUBSCRIBER', includeUsageTypes: ['SMS'] },
    ],
    moneyBalanceDefinitions: [
      { id: 'ACCOUNT_MAIN', currency: 'EUR', level: 'ACCOUNT', paymentMode: 'POSTPAID' },
      { id: 'WALLET', currency: 'EUR', level: 'SUBSCRIBER', paymentMode: 'PREPAID' },
    ],
    accumulatorDefinitions: [
      { id: 'SESSIONS', level: 'SUBSCRIBER', measure: 'EVENTS' },
      { id: 'DATA_VOLUME', level: 'SUBSCRIBER', measure: 'UNITS', unitType: 'OCTET' },
      { id: 'SPEND', level: 'SUBSCRIBER', measure: 'CURRENCY' },
      { id: 'POOL_VOLUME', level: 'ACCOUNT', measure: 'UNITS', unitType: 'OCTET' },
      { id: 'PEAK_SECONDS', level: 'SUBSCRIBER', measure: 'UNITS', unitType: 'SECOND', includeTimeTypes: ['PEAK'] },
    ],
    exchangeRates: [{ id: 'USD-EUR-2024', from: 'USD', to: 'EUR', rate: '0.923457', validFrom: Date.parse('2024-01-01T00:00:00Z') }],
  };
}

export function subscriber(overrides: Partial<RatingSubscriber> = {}): RatingSubscriber {
  return {
    id: 'sim-1',
    currency: 'EUR',
    timeZone: 'Europe/Berlin',
    offers: [{ id: 'oi-plan', offerId: 'IOT_PLAN', activatedAt: T0 - 30 * DAY }],
    mainBalanceId: 'main',
    ...overrides,
  };
}

export function allowance(id: string, definitionId: string, amount: number, overrides: Partial<AllowanceBucket> = {}): AllowanceBucket {
  return { id, definitionId, side: 'REAL', amount, validFrom: T0 - 30 * DAY, expiresAt: T0 + 30 * DAY, createdAt: T0 - 30 * DAY, ...overrides };
}

export function money(id: string, definitionId: string, amount: number, overrides: Partial<MoneyBucket> = {}): MoneyBucket {
  return { id, definitionId, side: 'REAL', amount, validFrom: T0 - 365 * DAY, expiresAt: null, createdAt: T0 - 365 * DAY, ...overrides };
}

/** A postpaid account main balance with a large credit limit, as most IoT enterprises have. */
export function balances(allowances: AllowanceBucket[] = [], moneyBuckets?: MoneyBucket[]): RatingBalances {
  return { allowances, money: moneyBuckets ?? [money('main', 'ACCOUNT_MAIN', 0, { creditLimit: 1_000_000_000_000 })] };
}

export function data(quantity: number, overrides: Partial<UsageEvent> = {}): UsageEvent {
  return { initialUsageType: 'DATA', servingNetwork: '26201', startedAt: T0, quantity, ...overrides };
}
