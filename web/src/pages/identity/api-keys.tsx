import { useState } from 'react';
import { api, idempotencyKeyFor, newIdempotencyKey } from '../../api';
import { ROLE_LABELS, useAuth, type Role } from '../../auth';
import { ROLE_LEVEL } from '../../../../src/platform/auth/roles';
import { DataTable } from '../../components/DataTable';
import { Form, FieldRow, SelectField, TextField, rules, useForm } from '../../components/Form';
import { Alert, Page, Panel } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { enterpriseOptions } from './enterprise-picker';
import { grantableRoles } from './users';
import type { ApiKey, CreatedApiKey } from './types';

function keyStatus(k: ApiKey): string {
  if (k.revokedAt) return 'REVOKED';
  if (k.expiresAt && new Date(k.expiresAt) < new Date()) return 'EXPIRED';
  return 'ACTIVE';
}

/** API keys for machine clients (CRM, provisioning callbacks). The secret is shown once, when the key is made. */
export function ApiKeyList() {
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [includeRevoked, setIncludeRevoked] = useState(false);

  const revoke = async (k: ApiKey) => {
    if (!window.confirm(`Revoke the key "${k.name}"? Clients using it stop working at once.`)) return;
    setError(null);
    try {
      await api.delete(`api-keys/${k.id}`);
      setReloadKey((n) => n + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Page
      title="API keys"
      subtitle="Keys let your systems call the API (header X-API-Key). Each key acts with one role."
      actions={!adding && <button type="button" className="btn btn-primary" onClick={() => { setCreated(null); setAdding(true); }}>New API key</button>}
    >
      {created && (
        <div className="secret-once" role="status" data-testid="api-key-secret">
          <strong>Copy the secret of “{created.name}” now — it is not shown again.</strong>
          <div className="secret-row">
            <code>{created.secret}</code>
            <button type="button" className="btn btn-sm" onClick={() => navigator.clipboard?.writeText(created.secret)}>Copy</button>
            <button type="button" className="btn btn-sm" onClick={() => setCreated(null)}>Done</button>
          </div>
        </div>
      )}
      {adding && (
        <Panel title="New API key">
          <ApiKeyForm onCreated={(k) => { setAdding(false); setCreated(k); setReloadKey((n) => n + 1); }} onCancel={() => setAdding(false)} />
        </Panel>
      )}
      {error && <Alert>{error}</Alert>}
      <DataTable<ApiKey>
        load={(p, signal) => api.list('api-keys', p, signal)}
        reloadKey={reloadKey}
        filters={{ includeRevoked: includeRevoked ? 'true' : undefined }}
        toolbar={<label className="check"><input type="checkbox" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} /> Show revoked keys</label>}
        defaultSort="-createdAt"
        rowKey={(k) => k.id}
        empty="No API keys yet."
        columns={[
          { header: 'Name', key: 'name', sort: 'name' },
          { header: 'Role', render: (k) => ROLE_LABELS[k.role] ?? k.role },
          { header: 'Key id', render: (k) => <code>{k.id.slice(0, 8)}</code> },
          { header: 'Status', render: (k) => <StatusBadge status={keyStatus(k)} /> },
          { header: 'Last used', render: (k) => formatDateTime(k.lastUsedAt) },
          { header: 'Expires', render: (k) => (k.expiresAt ? formatDateTime(k.expiresAt) : 'never') },
          { header: 'Created', sort: 'createdAt', render: (k) => formatDateTime(k.createdAt) },
          { header: '', align: 'right', render: (k) => (k.revokedAt ? null : <button type="button" className="btn btn-sm btn-danger" onClick={() => revoke(k)}>Revoke</button>) },
        ]}
      />
    </Page>
  );
}

type KeyValues = { name: string; role: string; enterpriseId: string; expiresAt: string };

function ApiKeyForm({ onCreated, onCancel }: { onCreated: (k: CreatedApiKey) => void; onCancel: () => void }) {
  const auth = useAuth();
  const me = auth.user!;
  const [key] = useState(newIdempotencyKey);
  const roles = grantableRoles(me.role, true);
  const enterprises = useLoad((signal) => (me.enterpriseId ? Promise.resolve([]) : enterpriseOptions(signal)), [me.enterpriseId]);
  const form = useForm<KeyValues>({
    initial: { name: '', role: roles[0]?.value ?? '', enterpriseId: me.enterpriseId ?? '', expiresAt: '' },
    validate: (v) => ({
      name: rules.required(v.name) ?? rules.maxLength(100)(v.name),
      role: rules.required(v.role),
      enterpriseId: ROLE_LEVEL[v.role as Role] === 'enterprise' ? rules.required(v.enterpriseId) : undefined,
      expiresAt: v.expiresAt && new Date(v.expiresAt) <= new Date() ? 'must be in the future' : undefined,
    }),
    onSubmit: async (v) => {
      const body = {
        name: v.name.trim(), role: v.role,
        ...(ROLE_LEVEL[v.role as Role] === 'enterprise' ? { enterpriseId: v.enterpriseId } : {}),
        ...(v.expiresAt ? { expiresAt: new Date(v.expiresAt).toISOString() } : {}),
      };
      onCreated(await api.post<CreatedApiKey>('api-keys', body, { idempotencyKey: idempotencyKeyFor(key, body) }));
    },
  });
  const needsEnterprise = ROLE_LEVEL[form.values.role as Role] === 'enterprise';
  return (
    <Form form={form} submitLabel="Create key" onCancel={onCancel}>
      <FieldRow>
        <TextField field={form.field('name')} label="Name" required autoFocus hint="What uses it, e.g. CRM integration" />
        <SelectField field={form.field('role')} label="Role" required options={roles} />
      </FieldRow>
      <FieldRow>
        {needsEnterprise && !me.enterpriseId && (
          <SelectField field={form.field('enterpriseId')} label="Enterprise" required emptyLabel="— choose —" options={enterprises.data ?? []} />
        )}
        <TextField field={form.field('expiresAt')} label="Expires" type="datetime-local" hint="Optional" />
      </FieldRow>
    </Form>
  );
}
