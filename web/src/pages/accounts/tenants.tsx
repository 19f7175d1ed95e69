import { useState } from 'react';
import { api, idempotencyKeyFor, newIdempotencyKey } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Form, FieldRow, SelectField, TextField, rules, useForm } from '../../components/Form';
import { Page, Panel } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { ACCOUNT_STATUSES, type Tenant } from './types';

/** Host administration: the tenants of this platform. Picking one in the top bar works inside it. */
export function TenantList() {
  const auth = useAuth();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Tenant | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  return (
    <Page
      title="Tenants"
      subtitle="Operators and MVNOs running their business on this platform."
      actions={!adding && <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>New tenant</button>}
    >
      {adding && (
        <Panel title="New tenant">
          <TenantForm onDone={() => { setAdding(false); setReloadKey((k) => k + 1); auth.tenantsChanged(); }} onCancel={() => setAdding(false)} />
        </Panel>
      )}
      {editing && (
        <Panel title={`Edit ${editing.name}`}>
          <TenantForm key={editing.id} tenant={editing} onDone={() => { setEditing(null); setReloadKey((k) => k + 1); auth.tenantsChanged(); }} onCancel={() => setEditing(null)} />
        </Panel>
      )}
      <DataTable<Tenant>
        load={(p, signal) => api.list('tenants', p, signal)}
        reloadKey={reloadKey}
        searchParam="q"
        defaultSort="name"
        rowKey={(t) => t.id}
        columns={[
          { header: 'Name', key: 'name', sort: 'name' },
          { header: 'Code', render: (t) => <code>{t.code}</code>, sort: 'code' },
          { header: 'Home networks', render: (t) => (t.plmns?.length ? t.plmns.join(', ') : <span className="muted">—</span>) },
          { header: 'Currency', key: 'currency' },
          { header: 'Status', render: (t) => <StatusBadge status={t.status} /> },
          { header: 'Created', render: (t) => formatDateTime(t.createdAt), sort: 'createdAt' },
          {
            header: '', align: 'right',
            render: (t) => (
              <span className="row-actions">
                <button type="button" className="btn btn-sm" onClick={() => { setAdding(false); setEditing(t); }}>Edit</button>
                <button type="button" className="btn btn-sm" onClick={() => auth.setTenantId(t.id)} disabled={auth.tenantId === t.id}>
                  {auth.tenantId === t.id ? 'Working in' : 'Work in'}
                </button>
              </span>
            ),
          },
        ]}
      />
    </Page>
  );
}

type TenantValues = { code: string; name: string; plmns: string; currency: string; timeZone: string; status: string };

/** Creates a tenant, or edits one (`tenant` given: the code stays). */
function TenantForm({ tenant, onDone, onCancel }: { tenant?: Tenant; onDone: () => void; onCancel: () => void }) {
  const [key] = useState(newIdempotencyKey);
  const form = useForm<TenantValues>({
    initial: tenant
      ? { code: tenant.code, name: tenant.name, plmns: tenant.plmns.join(', '), currency: tenant.currency, timeZone: tenant.timeZone, status: tenant.status }
      : { code: '', name: '', plmns: '', currency: 'EUR', timeZone: 'UTC', status: 'ACTIVE' },
    validate: (v) => ({
      code: rules.required(v.code) ?? rules.pattern(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and -, 2 to 40')(v.code.trim()),
      name: rules.required(v.name),
      plmns: rules.pattern(/^\s*(\d{5,6}\s*(,\s*\d{5,6}\s*)*)?$/, 'MCC-MNC codes of 5 or 6 digits, separated by commas')(v.plmns),
      currency: rules.required(v.currency) ?? rules.pattern(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR')(v.currency.trim()),
    }),
    onSubmit: async (v) => {
      const fields = {
        name: v.name.trim(), currency: v.currency.trim(), timeZone: v.timeZone.trim() || 'UTC',
        plmns: v.plmns.split(',').map((s) => s.trim()).filter(Boolean),
      };
      // Host-level calls: no working tenant header.
      if (tenant) {
        await api.patch(`tenants/${tenant.id}`, { ...fields, status: v.status }, { headers: { 'x-tenant-id': '' } });
      } else {
        const body = { code: v.code.trim(), ...fields };
        await api.post('tenants', body, { idempotencyKey: idempotencyKeyFor(key, body), headers: { 'x-tenant-id': '' } });
      }
      onDone();
    },
  });
  return (
    <Form form={form} submitLabel={tenant ? 'Save changes' : 'Create tenant'} onCancel={onCancel}>
      <FieldRow>
        <TextField field={form.field('name')} label="Name" required autoFocus />
        <TextField field={form.field('code')} label="Code" required disabled={Boolean(tenant)} hint={tenant ? undefined : 'Short, unique, e.g. acme-mobile'} />
      </FieldRow>
      <FieldRow>
        <TextField field={form.field('plmns')} label="Home networks" hint="MCC-MNC, comma separated, e.g. 26201, 310260" />
        <TextField field={form.field('currency')} label="Currency" required />
      </FieldRow>
      <FieldRow>
        <TextField field={form.field('timeZone')} label="Time zone" hint="IANA name, default UTC" />
        {tenant && <SelectField field={form.field('status')} label="Status" options={ACCOUNT_STATUSES.map((s) => ({ value: s, label: s }))} />}
      </FieldRow>
    </Form>
  );
}
