import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, idempotencyKeyFor, newIdempotencyKey } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Form, FieldRow, SelectField, TextField, rules, useForm } from '../../components/Form';
import { Alert, Details, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { ACCOUNT_STATUSES, type BillingProfile, type Enterprise } from './types';
import { HistoryLink } from '../platform/audit';

/** Billing profiles of an enterprise, or of one of its business units. */
export function BillingProfilesPanel({ enterpriseId, businessUnitId }: { enterpriseId: string; businessUnitId?: string }) {
  const auth = useAuth();
  const [adding, setAdding] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  return (
    <Panel
      title="Billing profiles"
      actions={auth.can('accounts:write') && !adding && <button type="button" className="btn btn-sm" onClick={() => setAdding(true)}>Add billing profile</button>}
    >
      {adding && (
        <div className="inline-form">
          <ProfileForm
            enterpriseId={enterpriseId} businessUnitId={businessUnitId}
            onDone={() => { setAdding(false); setReloadKey((k) => k + 1); }} onCancel={() => setAdding(false)}
          />
        </div>
      )}
      <DataTable<BillingProfile>
        load={(p, signal) => api.list(`enterprises/${enterpriseId}/billing-profiles`, p, signal)}
        filters={businessUnitId ? { businessUnitId } : undefined}
        reloadKey={reloadKey}
        pageSize={10}
        rowKey={(b) => b.id}
        empty="No billing profiles yet."
        columns={[
          { header: 'Account number', sort: 'billingAccountNumber', render: (b) => <Link to={`/billing-profiles/${b.id}`}>{b.billingAccountNumber}</Link> },
          { header: 'Name', key: 'name', sort: 'name' },
          { header: 'Cycle day', align: 'right', render: (b) => b.billCycleDay },
          { header: 'Currency', key: 'currency' },
          { header: 'Terms', align: 'right', render: (b) => `${b.paymentTermsDays} days` },
          { header: 'Credit limit', align: 'right', render: (b) => (b.creditLimit == null ? 'none' : formatAmount(b.creditLimit, b.currency)) },
          { header: 'Status', render: (b) => <StatusBadge status={b.status} /> },
        ]}
      />
    </Panel>
  );
}

type ProfileValues = {
  name: string; billingAccountNumber: string; billCycleDay: string; currency: string; timeZone: string;
  paymentTermsDays: string; creditLimit: string; status: string;
};

const AMOUNT = /^\d+(\.\d{1,6})?$/;

const validateProfile = (v: ProfileValues) => ({
  name: rules.maxLength(200)(v.name),
  billingAccountNumber: rules.required(v.billingAccountNumber)
    ?? rules.pattern(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'must be 1-64 letters, digits or . _ / - and start with a letter or digit')(v.billingAccountNumber.trim()),
  billCycleDay: rules.required(v.billCycleDay) ?? rules.integer(1, 28)(v.billCycleDay),
  currency: rules.pattern(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')(v.currency.trim()),
  paymentTermsDays: rules.required(v.paymentTermsDays) ?? rules.integer(0, 365)(v.paymentTermsDays),
  creditLimit: rules.pattern(AMOUNT, 'must be an amount such as 1500.00 (empty: no limit)')(v.creditLimit.trim().replace(/,/g, '')),
});

/** The body fields both create and update send; empty currency and time zone take the tenant's. */
function toBody(v: ProfileValues) {
  return {
    ...(v.name.trim() ? { name: v.name.trim() } : {}),
    billCycleDay: Number(v.billCycleDay),
    ...(v.currency.trim() ? { currency: v.currency.trim() } : {}),
    ...(v.timeZone.trim() ? { timeZone: v.timeZone.trim() } : {}),
    paymentTermsDays: Number(v.paymentTermsDays),
    creditLimit: v.creditLimit.trim() ? v.creditLimit.trim().replace(/,/g, '') : null,
  };
}

/** A decimal amount as the API sends it ("1500.5") shown with grouping and the currency's two decimals. */
export function formatAmount(decimal: string, currency: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!m) return `${decimal} ${currency}`;
  const frac = (m[3] ?? '').padEnd(2, '0');
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac} ${currency}`;
}

const TIME_ZONES = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
})();

function ProfileFields({ form, editing }: { form: ReturnType<typeof useForm<ProfileValues>>; editing?: boolean }) {
  return (
    <>
      <FieldRow>
        <TextField field={form.field('billingAccountNumber')} label="Billing account number" required disabled={editing} autoFocus={!editing}
          hint={editing ? undefined : 'Unique in the tenant, e.g. the number in your billing system.'} />
        <TextField field={form.field('name')} label="Name" hint="Optional label." />
      </FieldRow>
      <FieldRow>
        <TextField field={form.field('billCycleDay')} label="Bill cycle day" type="number" required hint="1–28" />
        <TextField field={form.field('paymentTermsDays')} label="Payment terms (days)" type="number" required />
      </FieldRow>
      <FieldRow>
        <TextField field={form.field('currency')} label="Currency" hint="ISO 4217, e.g. EUR. Empty: the tenant's." />
        {TIME_ZONES.length
          ? <SelectField field={form.field('timeZone')} label="Time zone" emptyLabel="— the tenant's —" options={['UTC', ...TIME_ZONES.filter((z) => z !== 'UTC')].map((z) => ({ value: z, label: z }))} />
          : <TextField field={form.field('timeZone')} label="Time zone" hint="IANA name, e.g. Europe/Berlin. Empty: the tenant's." />}
      </FieldRow>
      <FieldRow>
        <TextField field={form.field('creditLimit')} label="Credit limit" placeholder="1500.00" hint="In the profile's currency; empty for no limit." />
        {editing && <SelectField field={form.field('status')} label="Status" options={ACCOUNT_STATUSES.map((s) => ({ value: s, label: s }))} />}
      </FieldRow>
    </>
  );
}

function ProfileForm({ enterpriseId, businessUnitId, onDone, onCancel }: {
  enterpriseId: string; businessUnitId?: string; onDone: () => void; onCancel: () => void;
}) {
  const [key] = useState(newIdempotencyKey);
  const form = useForm<ProfileValues>({
    initial: { name: '', billingAccountNumber: '', billCycleDay: '1', currency: '', timeZone: '', paymentTermsDays: '30', creditLimit: '', status: 'ACTIVE' },
    validate: validateProfile,
    onSubmit: async (v) => {
      const body = { billingAccountNumber: v.billingAccountNumber.trim(), ...toBody(v), ...(businessUnitId ? { businessUnitId } : {}) };
      await api.post(`enterprises/${enterpriseId}/billing-profiles`, body, { idempotencyKey: idempotencyKeyFor(key, body) });
      onDone();
    },
  });
  return (
    <Form form={form} submitLabel="Add billing profile" onCancel={onCancel}>
      <ProfileFields form={form} />
    </Form>
  );
}

export function BillingProfileDetail() {
  const { id } = useParams();
  const auth = useAuth();
  const [editing, setEditing] = useState(false);
  const profile = useLoad((signal) => api.get<BillingProfile>(`billing-profiles/${id}`, undefined, signal), [id]);
  const enterprise = useLoad(
    (signal) => (profile.data ? api.get<Enterprise>(`enterprises/${profile.data.enterpriseId}`, undefined, signal) : Promise.resolve(undefined)),
    [profile.data?.enterpriseId],
  );
  if (profile.error) return <Page title="Billing profile"><Alert>{profile.error.detail}</Alert></Page>;
  const b = profile.data;
  if (!b) return <Spinner />;
  return (
    <Page
      title={`Billing account ${b.billingAccountNumber}`}
      subtitle={b.name}
      crumbs={[{ label: 'Enterprises', to: '/enterprises' }, { label: enterprise.data?.name ?? 'Enterprise', to: `/enterprises/${b.enterpriseId}` }]}
      actions={<>
        <HistoryLink entityType="billing_profile" entityId={b.id} />
        {auth.can('accounts:write') && !editing && <button type="button" className="btn" onClick={() => setEditing(true)}>Edit</button>}
      </>}
    >
      {editing ? (
        <Panel title="Edit billing profile">
          <ProfileEditForm profile={b} onDone={() => { setEditing(false); profile.reload(); }} onCancel={() => setEditing(false)} />
        </Panel>
      ) : (
        <Panel title="Details">
          <Details items={[
            ['Status', <StatusBadge status={b.status} />],
            ['Account number', b.billingAccountNumber],
            ['Enterprise', <Link to={`/enterprises/${b.enterpriseId}`}>{enterprise.data?.name ?? b.enterpriseId}</Link>],
            ['Business unit', b.businessUnitId ? <Link to={`/business-units/${b.businessUnitId}`}>{b.businessUnitId.slice(0, 8)}</Link> : null],
            ['Bill cycle day', b.billCycleDay],
            ['Currency', b.currency],
            ['Time zone', b.timeZone],
            ['Payment terms', `${b.paymentTermsDays} days`],
            ['Credit limit', b.creditLimit == null ? 'no limit' : formatAmount(b.creditLimit, b.currency)],
            ['Created', formatDateTime(b.createdAt)],
          ]} />
        </Panel>
      )}
    </Page>
  );
}

function ProfileEditForm({ profile, onDone, onCancel }: { profile: BillingProfile; onDone: () => void; onCancel: () => void }) {
  const form = useForm<ProfileValues>({
    initial: {
      name: profile.name, billingAccountNumber: profile.billingAccountNumber, billCycleDay: String(profile.billCycleDay),
      currency: profile.currency, timeZone: profile.timeZone, paymentTermsDays: String(profile.paymentTermsDays),
      creditLimit: profile.creditLimit ?? '', status: profile.status,
    },
    validate: validateProfile,
    onSubmit: async (v) => {
      await api.patch(`billing-profiles/${profile.id}`, { ...toBody(v), status: v.status });
      onDone();
    },
  });
  return (
    <Form form={form} submitLabel="Save changes" onCancel={onCancel}>
      <ProfileFields form={form} editing />
    </Form>
  );
}
