import { useEffect, useState } from 'react';
import { api, type FieldError } from '../../api';
import { useDebounced } from '../../hooks';
import type { OfferKind } from './types';

export interface Validation {
  valid: boolean;
  errors: FieldError[];
  warnings: FieldError[];
}

/**
 * The offer document editor: JSON text checked as the user types, first for syntax in the browser, then by the
 * server's own validation (the same checks a save runs, including the rating engine's), listing every problem.
 */
export function SpecEditor({ kind, text, onChange, offerId }: { kind: OfferKind; text: string; onChange: (text: string) => void; offerId?: string }) {
  const debounced = useDebounced(text, 400);
  const [result, setResult] = useState<Validation | null>(null);
  const [syntax, setSyntax] = useState<string | null>(null);

  useEffect(() => {
    let spec: unknown;
    try {
      spec = JSON.parse(debounced);
      setSyntax(null);
    } catch (err) {
      setSyntax((err as Error).message);
      setResult(null);
      return;
    }
    const ctl = new AbortController();
    api.post<Validation>('catalog/offers/validate', { kind, spec, ...(offerId ? { offerId } : {}) }, { signal: ctl.signal })
      .then((r) => { if (!ctl.signal.aborted) setResult(r); })
      .catch(() => { /* shown on save */ });
    return () => ctl.abort();
  }, [debounced, kind, offerId]);

  return (
    <div className="spec-editor">
      <label htmlFor="offer-spec">Offer document (JSON)</label>
      <textarea id="offer-spec" className="code" rows={24} spellCheck={false} value={text} onChange={(e) => onChange(e.target.value)}
        aria-invalid={Boolean(syntax) || (result ? !result.valid : false)} style={{ width: '100%', fontFamily: 'monospace', fontSize: 12 }} />
      <div data-testid="spec-validation" aria-live="polite">
        {syntax && <div className="alert alert-error" role="alert">JSON: {syntax}</div>}
        {!syntax && result?.valid && <div className="alert alert-success">The document is valid.</div>}
        {!syntax && result && !result.valid && (
          <div className="alert alert-error" role="alert">
            <strong>{result.errors.length} problem(s):</strong>
            <ul>{result.errors.map((e, i) => <li key={i}><code>{e.field}</code>: {e.reason}</li>)}</ul>
          </div>
        )}
        {!syntax && result && result.warnings.length > 0 && (
          <div className="alert alert-warning"><ul>{result.warnings.map((e, i) => <li key={i}><code>{e.field}</code>: {e.reason}</li>)}</ul></div>
        )}
      </div>
    </div>
  );
}

/** A starting document for a new offer of each kind. */
export function starterSpec(kind: OfferKind): string {
  const tariff = (unitType: string, unit: number, charge: string, eligible = false) => ({ unitType, currency: 'EUR', initialUnit: unit, initialCharge: charge, additionalUnit: unit, additionalCharge: charge, ...(eligible ? { eligibleForNonCurrency: true } : {}) });
  const plan = (id: string, unitType: string, unit: number, charge: string, eligible = false) => ({ id, unitType, currency: 'EUR', currencySets: [{ currency: 'EUR', timeTypes: { ANY: [tariff(unitType, unit, charge, eligible)] } }] });
  const spec = kind === 'ACCOUNT'
    ? { name: 'Enterprise pool', currency: 'EUR', allowances: [{ id: 'pool', unitType: 'OCTET', amount: 1073741824, usageTypes: ['DATA'], pooling: 'ENTERPRISE' }], recurringCharges: [{ code: 'PLATFORM', amount: '50.00' }] }
    : {
      name: kind === 'PRIMARY' ? 'IoT 10 MB' : 'Data top-up 100 MB',
      currency: 'EUR',
      usageTypes: ['DATA'],
      ...(kind === 'SUPPLEMENTARY' ? { expiry: { duration: { value: 30, unit: 'DAY' } } } : {}),
      tariffPlans: [plan('data', 'OCTET', 1048576, '0.50', true)],
      usageItems: [{ usageType: 'DATA', tariffPlan: 'data' }],
      allowances: [{ id: 'data', unitType: 'OCTET', amount: 10485760, usageTypes: ['DATA'] }],
      recurringCharges: kind === 'PRIMARY' ? [{ code: 'MRC', amount: '2.50', frequency: 'MONTHLY', simStates: ['ACTIVE'] }] : [],
      oneTimeCharges: kind === 'PRIMARY' ? [{ code: 'ACT', kind: 'ACTIVATION', amount: '1.00' }] : [{ code: 'PACK', kind: 'ONE_TIME', amount: '5.00' }],
    };
  return JSON.stringify(spec, null, 2);
}
