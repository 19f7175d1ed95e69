import { useState } from 'react';
import { api, idempotencyKeyFor, newIdempotencyKey } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Form, FieldRow, TextField, rules, useForm } from '../../components/Form';
import { Page, Panel } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import type { Tenant } from './types';

/** Host administration: the tenants of this platform. Picking one in the top bar works inside it. */
export function TenantList() {
  const auth = useAuth();
  const [adding, setAdding] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  return (
    <Page
      title="Tenants"
      subtitle="Operators and MVNOs running their business on this platform."
      actions={!adding && <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>New tenant</button>}
    >
      {adding && (
        <Panel title="New tenant">
          <TenantForm onDone={() => { setAdding(false); setReloadKey((k) => k + 1); }} onCancel={() => setAdding(false)} />
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
            render: (t) => <button type="button" className="btn btn-sm" onClick={() => auth.setTenantId(t.id)} disabled={auth.tenantId === t.id}>
              {auth.tenantId === t.id ? 'Working in' : 'Work in'}
            </button>,
          },
        ]}
      />
    </Page>
  );
}

type TenantValues = { code: string; name: string; plmns: string; currency: string; timeZone: string };

function TenantForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [key] = useState(newIdempotencyKey);
  const form = useForm<TenantValues>({
    initial: { code: '', name: '', plmns: '', currency: 'EUR', timeZone: 'UTC' },
    validate: (v) => ({
      code: rules.required(v.code) ?? rules.pattern(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and -, 2 to 40')(v.code.trim()),
      name: rules.required(v.name),
      plmns: rules.pattern(/^\s*(\d{5,6}\s*(,\s*\d{5,6}\s*)*)?$/, 'MCC-MNC codes of 5 or 6 digits, separated by commas')(v.plmns),
      currency: rules.required(v.currency) ?? rules.pattern(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR')(v.currency.trim()),
    }),
    onSubmit: async (v) => {
      const body = {
        code: v.code.trim(), name: v.name.trim(), currency: v.currency.trim(), timeZone: v.timeZone.trim() || 'UTC',
        plmns: v.plmns.split(',').map((s) => s.trim()).filter(Boolean),
      };
      await api.post('tenants', body, { idempotencyKey: idempotencyKeyFor(key, body), headers: { 'x-tenant-id': '' } });
      onDone();
    },
  });
  return (
    <Form form={form} submitLabel="Create tenant" onCancel={onCancel}>
      <FieldRow>
        <TextField field={form.field('name')} label="Name" required autoFocus />
        <TextField field={form.field('code')} label="Code" required hint="Short, unique, e.g. acme-mobile" />
      </FieldRow>
      <FieldRow>
        <TextField field={form.field('plmns')} label="Home networks" hint="MCC-MNC, comma separated, e.g. 26201, 310260" />
        <TextField field={form.field('currency')} label="Currency" required />
      </FieldRow>
      <TextField field={form.field('timeZone')} label="Time zone" hint="IANA name, default UTC" />
    </Form>
  );
}
