import { useCallback, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api';

export type FormValues = Record<string, unknown>;
export type FormErrors = Record<string, string | undefined>;

export interface UseFormOptions<V extends FormValues> {
  initial: V;
  /** Client-side checks, run on blur and submit: field name → reason (undefined when fine). */
  validate?: (values: V) => FormErrors;
  /** Called with valid values. Throw (ApiError) to show the server's reasons on the fields. */
  onSubmit: (values: V) => Promise<unknown> | unknown;
}

export interface FormState<V extends FormValues> {
  values: V;
  errors: FormErrors;
  /** The problem's detail when the server refused the submit (shown above the buttons). */
  formError: string | null;
  submitting: boolean;
  set: <K extends keyof V>(name: K, value: V[K]) => void;
  setValues: (values: V) => void;
  /** Props for an input bound to `name`: value, onChange, onBlur, error, id. */
  field: (name: keyof V & string) => BoundField;
  handleSubmit: (e?: FormEvent) => Promise<void>;
}

export interface BoundField {
  id: string;
  name: string;
  value: unknown;
  error?: string;
  onChange: (value: unknown) => void;
  onBlur: () => void;
}

/**
 * Form state with inline validation: a field shows its client-side reason once it was left or the form was
 * submitted; reasons from the server's problem+json (errors[].field `body.x`) land on field `x`, the detail
 * above the buttons. Editing a field clears its server reason.
 */
export function useForm<V extends FormValues>(opts: UseFormOptions<V>): FormState<V> {
  const [values, setValuesState] = useState<V>(opts.initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const baseId = useId();
  const optsRef = useRef(opts);
  optsRef.current = opts;

  const clientErrors = opts.validate ? opts.validate(values) : {};
  const errors: FormErrors = {};
  for (const [k, v] of Object.entries(clientErrors)) if (v && (touched[k] || submitted)) errors[k] = v;
  for (const [k, v] of Object.entries(serverErrors)) if (v && !errors[k]) errors[k] = v;

  const set = useCallback(<K extends keyof V>(name: K, value: V[K]) => {
    setValuesState((prev) => ({ ...prev, [name]: value }));
    setServerErrors((prev) => (prev[name as string] ? { ...prev, [name as string]: undefined } : prev));
  }, []);

  const field = (name: keyof V & string): BoundField => ({
    id: `${baseId}-${name}`,
    name,
    value: values[name],
    error: errors[name],
    onChange: (value) => set(name, value as V[typeof name]),
    onBlur: () => setTouched((t) => (t[name] ? t : { ...t, [name]: true })),
  });

  const handleSubmit = async (e?: FormEvent) => {
    e?.preventDefault();
    setSubmitted(true);
    const { validate, onSubmit } = optsRef.current;
    const found = validate ? Object.values(validate(values)).some(Boolean) : false;
    if (found) {
      setFormError('Please correct the highlighted fields.');
      return;
    }
    setSubmitting(true);
    setFormError(null);
    setServerErrors({});
    try {
      await onSubmit(values);
    } catch (err) {
      if (err instanceof ApiError) {
        setServerErrors(err.fieldErrors);
        setFormError(err.detail);
      } else {
        setFormError((err as Error).message || 'Something went wrong.');
      }
    } finally {
      setSubmitting(false);
    }
  };

  return { values, errors, formError, submitting, set, setValues: setValuesState, field, handleSubmit };
}

/** A form with the problem detail and the buttons at the bottom. */
export function Form<V extends FormValues>({ form, children, submitLabel = 'Save', onCancel, className }: {
  form: FormState<V>;
  children: ReactNode;
  submitLabel?: string;
  onCancel?: () => void;
  className?: string;
}) {
  return (
    <form className={`form ${className ?? ''}`} onSubmit={form.handleSubmit} noValidate>
      {children}
      {form.formError && <div className="alert alert-error form-error" role="alert">{form.formError}</div>}
      <div className="form-actions">
        {/* Keeping focus on mousedown stops the field's blur from showing its error and shifting the button
            away before the click lands; the submit then shows every reason at once. */}
        <button type="submit" className="btn btn-primary" disabled={form.submitting} onMouseDown={(e) => e.preventDefault()}>
          {form.submitting ? 'Saving…' : submitLabel}
        </button>
        {onCancel && <button type="button" className="btn" onClick={onCancel} disabled={form.submitting} onMouseDown={(e) => e.preventDefault()}>Cancel</button>}
      </div>
    </form>
  );
}

/** Label, control, hint and inline error, wired for screen readers. */
export function Field({ id, label, hint, error, required, children }: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      {/* The required mark is CSS, so the label's accessible name stays the plain label. */}
      <label htmlFor={id} className={required ? 'required' : undefined}>{label}</label>
      {children}
      {error ? <div className="field-error" id={`${id}-error`} role="alert">{error}</div>
        : hint ? <div className="field-hint" id={`${id}-hint`}>{hint}</div> : null}
    </div>
  );
}

type Common = { label: ReactNode; hint?: ReactNode; required?: boolean; disabled?: boolean; placeholder?: string; autoFocus?: boolean };

export function TextField({ field, type = 'text', autoComplete, ...p }: Common & {
  field: BoundField;
  type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'datetime-local' | 'tel' | 'url';
  autoComplete?: string;
}) {
  return (
    <Field id={field.id} label={p.label} hint={p.hint} error={field.error} required={p.required}>
      <input
        id={field.id} name={field.name} type={type} value={field.value == null ? '' : String(field.value)}
        onChange={(e) => field.onChange(e.target.value)} onBlur={field.onBlur}
        aria-invalid={Boolean(field.error)} aria-describedby={field.error ? `${field.id}-error` : p.hint ? `${field.id}-hint` : undefined}
        disabled={p.disabled} placeholder={p.placeholder} autoFocus={p.autoFocus} autoComplete={autoComplete}
      />
    </Field>
  );
}

export function TextArea({ field, rows = 3, ...p }: Common & { field: BoundField; rows?: number }) {
  return (
    <Field id={field.id} label={p.label} hint={p.hint} error={field.error} required={p.required}>
      <textarea
        id={field.id} name={field.name} rows={rows} value={field.value == null ? '' : String(field.value)}
        onChange={(e) => field.onChange(e.target.value)} onBlur={field.onBlur} aria-invalid={Boolean(field.error)}
        disabled={p.disabled} placeholder={p.placeholder}
      />
    </Field>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField({ field, options, emptyLabel, ...p }: Common & { field: BoundField; options: Option[]; emptyLabel?: string }) {
  return (
    <Field id={field.id} label={p.label} hint={p.hint} error={field.error} required={p.required}>
      <select
        id={field.id} name={field.name} value={field.value == null ? '' : String(field.value)}
        onChange={(e) => field.onChange(e.target.value)} onBlur={field.onBlur} aria-invalid={Boolean(field.error)} disabled={p.disabled}
      >
        {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </Field>
  );
}

export function CheckboxField({ field, label, hint, disabled }: { field: BoundField; label: ReactNode; hint?: ReactNode; disabled?: boolean }) {
  return (
    <div className="field field-check">
      <label htmlFor={field.id}>
        <input id={field.id} name={field.name} type="checkbox" checked={Boolean(field.value)} disabled={disabled}
          onChange={(e) => field.onChange(e.target.checked)} onBlur={field.onBlur} />
        {label}
      </label>
      {field.error ? <div className="field-error" role="alert">{field.error}</div> : hint ? <div className="field-hint">{hint}</div> : null}
    </div>
  );
}

/** Lays fields out in two columns on wide screens. */
export function FieldRow({ children }: { children: ReactNode }) {
  return <div className="field-row">{children}</div>;
}

/** Small validators for `validate`. Each returns a reason or undefined. */
export const rules = {
  required: (v: unknown) => (v === undefined || v === null || String(v).trim() === '' ? 'is required' : undefined),
  maxLength: (n: number) => (v: unknown) => (v != null && String(v).length > n ? `must be at most ${n} characters` : undefined),
  pattern: (re: RegExp, reason: string) => (v: unknown) => (v != null && v !== '' && !re.test(String(v)) ? reason : undefined),
  email: (v: unknown) => (v != null && v !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(v)) ? 'must be an e-mail address' : undefined),
  integer: (min?: number, max?: number) => (v: unknown) => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) return 'must be a whole number';
    if (min !== undefined && n < min) return `must be at least ${min}`;
    if (max !== undefined && n > max) return `must be at most ${max}`;
    return undefined;
  },
  /** Runs checks in order and returns the first reason. */
  all: (...checks: ((v: unknown) => string | undefined)[]) => (v: unknown) => {
    for (const c of checks) {
      const r = c(v);
      if (r) return r;
    }
    return undefined;
  },
};
