import { useState } from 'react';
import { api, idempotencyKeyFor, newIdempotencyKey } from '../../api';
import { ROLE_LABELS, useAuth, type Role } from '../../auth';
import { ROLES, ROLE_LEVEL, canGrant } from '../../../../src/platform/auth/roles';
import { DataTable } from '../../components/DataTable';
import { CheckboxField, Form, FieldRow, SelectField, TextField, rules, useForm, type Option } from '../../components/Form';
import { Page, Panel } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { enterpriseOptions } from './enterprise-picker';
import type { User } from './types';

/** The roles the signed-in user may hand out, limited to the level the console works at. */
export function grantableRoles(granter: Role, withTenant: boolean): Option[] {
  return ROLES.filter((r) => canGrant(granter, r) && (withTenant ? ROLE_LEVEL[r] !== 'host' : ROLE_LEVEL[r] === 'host'))
    .map((r) => ({ value: r, label: ROLE_LABELS[r] }));
}

export function UserList() {
  const auth = useAuth();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [role, setRole] = useState('');
  const canManage = auth.can('users:manage');
  // Tenant staff see which enterprise an enterprise user belongs to.
  const enterprises = useLoad(
    (signal) => (auth.tenantId && !auth.user!.enterpriseId ? enterpriseOptions(signal) : Promise.resolve([])),
    [auth.tenantId, auth.user!.enterpriseId],
  );
  const enterpriseName = (id: string | null) => (id ? enterprises.data?.find((o) => o.value === id)?.label.replace(/ \([^)]*\)$/, '') ?? id.slice(0, 8) : null);
  const done = () => { setAdding(false); setEditing(null); setReloadKey((k) => k + 1); };
  return (
    <Page
      title="Users"
      subtitle="People who sign in to this console, with their role."
      actions={canManage && !adding && <button type="button" className="btn btn-primary" onClick={() => { setEditing(null); setAdding(true); }}>New user</button>}
    >
      {adding && <Panel title="New user"><UserCreateForm onDone={done} onCancel={() => setAdding(false)} /></Panel>}
      {editing && <Panel title={`Edit ${editing.name}`}><UserEditForm key={editing.id} user={editing} onDone={done} onCancel={() => setEditing(null)} /></Panel>}
      <DataTable<User>
        load={(p, signal) => api.list('users', p, signal)}
        filters={{ role }}
        reloadKey={reloadKey}
        searchParam="email"
        searchPlaceholder="Search e-mail…"
        defaultSort="email"
        rowKey={(u) => u.id}
        toolbar={
          <select aria-label="Filter by role" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="">All roles</option>
            {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
          </select>
        }
        columns={[
          { header: 'Name', key: 'name', sort: 'name' },
          { header: 'E-mail', key: 'email', sort: 'email' },
          { header: 'Role', render: (u) => ROLE_LABELS[u.role] ?? u.role },
          ...(auth.user!.enterpriseId ? [] : [{ header: 'Enterprise', render: (u: User) => enterpriseName(u.enterpriseId) ?? <span className="muted">—</span> }]),
          { header: 'Status', render: (u) => <StatusBadge status={u.lockedUntil && new Date(u.lockedUntil) > new Date() ? 'LOCKED' : u.status} /> },
          { header: 'Authenticator', render: (u) => (u.totpEnrolled ? 'enrolled' : <span className="muted">at next sign-in</span>) },
          { header: 'Last sign-in', render: (u) => formatDateTime(u.lastLoginAt) },
          {
            header: '', align: 'right',
            render: (u) => canManage && u.id !== auth.user!.id && canGrant(auth.user!.role, u.role)
              ? <button type="button" className="btn btn-sm" onClick={() => { setAdding(false); setEditing(u); }}>Edit</button> : null,
          },
        ]}
      />
    </Page>
  );
}

type UserValues = { email: string; name: string; role: string; enterpriseId: string; password: string };

function UserCreateForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const auth = useAuth();
  const me = auth.user!;
  const [key] = useState(newIdempotencyKey);
  const roles = grantableRoles(me.role, Boolean(auth.tenantId));
  const enterprises = useLoad((signal) => (me.enterpriseId ? Promise.resolve([]) : enterpriseOptions(signal)), [me.enterpriseId]);
  const form = useForm<UserValues>({
    initial: { email: '', name: '', role: roles[roles.length - 1]?.value ?? '', enterpriseId: me.enterpriseId ?? '', password: '' },
    validate: (v) => ({
      email: rules.required(v.email) ?? rules.email(v.email.trim()),
      name: rules.required(v.name),
      role: rules.required(v.role),
      enterpriseId: ROLE_LEVEL[v.role as Role] === 'enterprise' ? rules.required(v.enterpriseId) : undefined,
      password: v.password && v.password.length < 12 ? 'must be at least 12 characters' : undefined,
    }),
    onSubmit: async (v) => {
      const body = {
        email: v.email.trim().toLowerCase(), name: v.name.trim(), role: v.role,
        ...(ROLE_LEVEL[v.role as Role] === 'enterprise' ? { enterpriseId: v.enterpriseId } : {}),
        ...(v.password ? { password: v.password } : {}),
      };
      await api.post('users', body, { idempotencyKey: idempotencyKeyFor(key, body) });
      onDone();
    },
  });
  const needsEnterprise = ROLE_LEVEL[form.values.role as Role] === 'enterprise';
  return (
    <Form form={form} submitLabel="Create user" onCancel={onCancel}>
      <FieldRow>
        <TextField field={form.field('name')} label="Name" required autoFocus />
        <TextField field={form.field('email')} label="E-mail" type="email" required />
      </FieldRow>
      <FieldRow>
        <SelectField field={form.field('role')} label="Role" required options={roles} />
        {needsEnterprise && !me.enterpriseId && (
          <SelectField field={form.field('enterpriseId')} label="Enterprise" required emptyLabel="— choose —" options={enterprises.data ?? []} />
        )}
      </FieldRow>
      <TextField field={form.field('password')} label="Initial password" type="password" autoComplete="new-password"
        hint="Optional: leave empty to send the user an invitation to set one. They enrol an authenticator at first sign-in." />
    </Form>
  );
}

type EditValues = { name: string; role: string; status: string; resetTotp: boolean };

function UserEditForm({ user, onDone, onCancel }: { user: User; onDone: () => void; onCancel: () => void }) {
  const auth = useAuth();
  // A user keeps their level: enterprise users stay in their enterprise, tenant users in the tenant.
  const roles = grantableRoles(auth.user!.role, Boolean(auth.tenantId)).filter((r) => ROLE_LEVEL[r.value as Role] === ROLE_LEVEL[user.role]);
  const form = useForm<EditValues>({
    initial: { name: user.name, role: user.role, status: user.status, resetTotp: false },
    validate: (v) => ({ name: rules.required(v.name) }),
    onSubmit: async (v) => {
      await api.patch(`users/${user.id}`, { name: v.name.trim(), role: v.role, status: v.status, ...(v.resetTotp ? { resetTotp: true } : {}) });
      onDone();
    },
  });
  return (
    <Form form={form} submitLabel="Save changes" onCancel={onCancel}>
      <FieldRow>
        <TextField field={form.field('name')} label="Name" required />
        <SelectField field={form.field('role')} label="Role" options={roles} />
      </FieldRow>
      <SelectField field={form.field('status')} label="Status" options={[{ value: 'ACTIVE', label: 'Active' }, { value: 'DISABLED', label: 'Disabled (cannot sign in)' }]} />
      <CheckboxField field={form.field('resetTotp')} label="Reset the authenticator" hint="The user enrols a new authenticator at the next sign-in (lost phone)." />
    </Form>
  );
}
