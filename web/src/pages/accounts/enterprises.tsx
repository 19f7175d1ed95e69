import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, idempotencyKeyFor, newIdempotencyKey } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Form, FieldRow, SelectField, TextField, rules, useForm, type FormState } from '../../components/Form';
import { Alert, Details, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { ACCOUNT_STATUSES, type Enterprise } from './types';
import { BusinessUnitsPanel } from './business-units';
import { BillingProfilesPanel } from './billing-profiles';
import { HistoryLink } from '../platform/audit';
import { ContactAddressFields, ContactsAndAddresses, contactAddressBody, contactAddressInitial, validateContactAddress, type ContactAddressValues } from './contact-fields';

export function EnterpriseList() {
  const auth = useAuth();
  const navigate = useNavigate();
  const [status, setStatus] = useState('');
  return (
    <Page
      title="Enterprises"
      subtitle="Customers of this tenant and their account hierarchy."
      actions={auth.can('accounts:write') && <Link className="btn btn-primary" to="/enterprises/new">New enterprise</Link>}
    >
      <DataTable<Enterprise>
        load={(p, signal) => api.list('enterprises', p, signal)}
        filters={{ status }}
        searchParam="q"
        searchPlaceholder="Search name or customer id…"
        defaultSort="name"
        rowKey={(e) => e.id}
        onRowClick={(e) => navigate(`/enterprises/${e.id}`)}
        empty="No enterprises match."
        toolbar={
          <select aria-label="Filter by status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All statuses</option>
            {ACCOUNT_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        }
        columns={[
          { header: 'Name', sort: 'name', render: (e) => <Link to={`/enterprises/${e.id}`} onClick={(ev) => ev.stopPropagation()}>{e.name}</Link> },
          { header: 'Customer id', key: 'customerId', sort: 'customerId' },
          { header: 'Phone', render: (e) => e.phone ?? <span className="muted">—</span> },
          { header: 'Status', render: (e) => <StatusBadge status={e.status} /> },
          { header: 'Created', sort: 'createdAt', render: (e) => formatDateTime(e.createdAt) },
        ]}
      />
    </Page>
  );
}

type EnterpriseValues = ContactAddressValues & { name: string; customerId: string; phone: string; status: string };

const validateEnterprise = (v: EnterpriseValues) => ({
  name: rules.required(v.name) ?? rules.maxLength(200)(v.name),
  customerId: rules.pattern(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'must be 1-64 letters, digits or . _ / - and start with a letter or digit')(v.customerId.trim()),
  phone: rules.pattern(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +4930123456')(v.phone.trim()),
  ...validateContactAddress(v),
});

function EnterpriseFields({ form, editing }: { form: FormState<EnterpriseValues>; editing?: boolean }) {
  return (
    <>
      <FieldRow>
        <TextField field={form.field('name')} label="Name" required autoFocus={!editing} />
        {editing
          ? <SelectField field={form.field('status')} label="Status" options={ACCOUNT_STATUSES.map((s) => ({ value: s, label: s }))} />
          : <TextField field={form.field('customerId')} label="Customer id" hint="The id of this customer in your CRM; unique in the tenant. Empty: the new id." />}
      </FieldRow>
      <TextField field={form.field('phone')} label="Main phone" type="tel" placeholder="+4930123456" hint="E.164, optional." />
      <ContactAddressFields form={form} />
    </>
  );
}

export function EnterpriseCreate() {
  const navigate = useNavigate();
  const [key] = useState(newIdempotencyKey);
  const form = useForm<EnterpriseValues>({
    initial: { name: '', customerId: '', phone: '', status: 'ACTIVE', ...contactAddressInitial() },
    validate: validateEnterprise,
    onSubmit: async (v) => {
      const body = {
        name: v.name.trim(),
        ...(v.customerId.trim() ? { customerId: v.customerId.trim() } : {}),
        ...(v.phone.trim() ? { phone: v.phone.trim() } : {}),
        ...contactAddressBody(v),
      };
      const created = await api.post<Enterprise>('enterprises', body, { idempotencyKey: idempotencyKeyFor(key, body) });
      navigate(`/enterprises/${created.id}`);
    },
  });
  return (
    <Page title="New enterprise" crumbs={[{ label: 'Enterprises', to: '/enterprises' }]}>
      <Panel>
        <Form form={form} submitLabel="Create enterprise" onCancel={() => navigate('/enterprises')}>
          <EnterpriseFields form={form} />
        </Form>
      </Panel>
    </Page>
  );
}

export function EnterpriseEdit() {
  const { id } = useParams();
  const { data, error } = useLoad((signal) => api.get<Enterprise>(`enterprises/${id}`, undefined, signal), [id]);
  if (error) return <Page title="Edit enterprise"><Alert>{error.detail}</Alert></Page>;
  if (!data) return <Spinner />;
  return <EnterpriseEditForm enterprise={data} />;
}

function EnterpriseEditForm({ enterprise }: { enterprise: Enterprise }) {
  const navigate = useNavigate();
  const form = useForm<EnterpriseValues>({
    initial: { name: enterprise.name, customerId: enterprise.customerId, phone: enterprise.phone ?? '', status: enterprise.status, ...contactAddressInitial(enterprise) },
    validate: validateEnterprise,
    onSubmit: async (v) => {
      await api.patch(`enterprises/${enterprise.id}`, {
        name: v.name.trim(), phone: v.phone.trim() || null, status: v.status, ...contactAddressBody(v, enterprise),
      });
      navigate(`/enterprises/${enterprise.id}`);
    },
  });
  return (
    <Page title={`Edit ${enterprise.name}`} subtitle={<>Customer id <code>{enterprise.customerId}</code></>}
      crumbs={[{ label: 'Enterprises', to: '/enterprises' }, { label: enterprise.name, to: `/enterprises/${enterprise.id}` }]}>
      <Panel>
        <Form form={form} submitLabel="Save changes" onCancel={() => navigate(`/enterprises/${enterprise.id}`)}>
          <EnterpriseFields form={form} editing />
        </Form>
      </Panel>
    </Page>
  );
}

export function EnterpriseDetail() {
  const { id } = useParams();
  const auth = useAuth();
  const { data: e, error } = useLoad((signal) => api.get<Enterprise>(`enterprises/${id}`, undefined, signal), [id]);
  if (error) return <Page title="Enterprise" crumbs={[{ label: 'Enterprises', to: '/enterprises' }]}><Alert>{error.detail}</Alert></Page>;
  if (!e) return <Spinner />;
  return (
    <Page
      title={e.name}
      subtitle={<>Customer id <code>{e.customerId}</code></>}
      crumbs={[{ label: 'Enterprises', to: '/enterprises' }]}
      actions={<>
        <HistoryLink entityType="enterprise" entityId={e.id} />
        {auth.can('accounts:write') && <Link className="btn" to={`/enterprises/${e.id}/edit`}>Edit</Link>}
      </>}
    >
      <Panel title="Details">
        <Details items={[
          ['Status', <StatusBadge status={e.status} />],
          ['Customer id', e.customerId],
          ['Main phone', e.phone],
          ['Created', formatDateTime(e.createdAt)],
          ['Updated', formatDateTime(e.updatedAt)],
          ['Id', <code>{e.id}</code>],
        ]} />
        <ContactsAndAddresses contacts={e.contacts ?? []} addresses={e.addresses ?? []} />
      </Panel>
      <BusinessUnitsPanel enterpriseId={e.id} />
      <BillingProfilesPanel enterpriseId={e.id} />
    </Page>
  );
}
