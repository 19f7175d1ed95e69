import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, idempotencyKeyFor, newIdempotencyKey, type Page as ApiPage } from '../../api';
import { useAuth } from '../../auth';
import { Form, FieldRow, SelectField, TextField, rules, useForm } from '../../components/Form';
import { Alert, Details, Empty, Page, Panel, Spinner } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';
import { useLoad } from '../../hooks';
import { ACCOUNT_STATUSES, type BusinessUnit, type Enterprise } from './types';
import { BillingProfilesPanel } from './billing-profiles';
import { buildTree, descendants, flatten } from './tree';
import { HistoryLink } from '../platform/audit';
import { ContactsAndAddresses } from './contact-fields';

/** Every business unit of an enterprise (the tree is small; pages through the list until done). */
export async function loadAllUnits(enterpriseId: string, signal?: AbortSignal): Promise<BusinessUnit[]> {
  const all: BusinessUnit[] = [];
  let cursor: string | null = null;
  do {
    const page: ApiPage<BusinessUnit> = await api.list<BusinessUnit>(`enterprises/${enterpriseId}/business-units`, { limit: 500, cursor }, signal);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export function BusinessUnitsPanel({ enterpriseId }: { enterpriseId: string }) {
  const auth = useAuth();
  const [adding, setAdding] = useState(false);
  const units = useLoad((signal) => loadAllUnits(enterpriseId, signal), [enterpriseId]);
  const tree = flatten(buildTree(units.data ?? []));
  return (
    <Panel
      title="Business units"
      actions={auth.can('accounts:write') && !adding && <button type="button" className="btn btn-sm" onClick={() => setAdding(true)}>Add business unit</button>}
    >
      {adding && (
        <UnitForm
          enterpriseId={enterpriseId} units={units.data ?? []}
          onDone={() => { setAdding(false); units.reload(); }} onCancel={() => setAdding(false)}
        />
      )}
      {units.error && <Alert>{units.error.detail}</Alert>}
      {units.loading && !units.data ? <Spinner /> : tree.length === 0 ? <Empty>No business units yet.</Empty> : (
        <ul className="tree" role="tree" aria-label="Business units">
          {tree.map((n) => (
            <li key={n.unit.id} role="treeitem" aria-level={n.depth + 1} style={{ paddingLeft: `${n.depth * 1.5}rem` }}>
              <span className="tree-branch" aria-hidden>{n.depth > 0 ? '└' : '•'}</span>
              <Link to={`/business-units/${n.unit.id}`}>{n.unit.name}</Link>
              <code className="muted">{n.unit.unitId}</code>
              <StatusBadge status={n.unit.status} />
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

type UnitValues = { name: string; unitId: string; parentId: string; status: string };

const validateUnit = (v: UnitValues) => ({
  name: rules.required(v.name) ?? rules.maxLength(200)(v.name),
  unitId: rules.pattern(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'must be 1-64 letters, digits or . _ / - and start with a letter or digit')(v.unitId.trim()),
});

function UnitForm({ enterpriseId, units, onDone, onCancel }: {
  enterpriseId: string; units: BusinessUnit[]; onDone: () => void; onCancel: () => void;
}) {
  const [key] = useState(newIdempotencyKey);
  const form = useForm<UnitValues>({
    initial: { name: '', unitId: '', parentId: '', status: 'ACTIVE' },
    validate: validateUnit,
    onSubmit: async (v) => {
      const body = { name: v.name.trim(), ...(v.unitId.trim() ? { unitId: v.unitId.trim() } : {}), ...(v.parentId ? { parentId: v.parentId } : {}) };
      await api.post(`enterprises/${enterpriseId}/business-units`, body, { idempotencyKey: idempotencyKeyFor(key, body) });
      onDone();
    },
  });
  return (
    <div className="inline-form">
      <Form form={form} submitLabel="Add business unit" onCancel={onCancel}>
        <FieldRow>
          <TextField field={form.field('name')} label="Name" required autoFocus />
          <TextField field={form.field('unitId')} label="Unit id" hint="The id of this unit in your CRM. Empty: the new id." />
        </FieldRow>
        <SelectField
          field={form.field('parentId')} label="Parent" emptyLabel="— directly under the enterprise —"
          options={flatten(buildTree(units)).map((n) => ({ value: n.unit.id, label: `${'\u00a0\u00a0'.repeat(n.depth)}${n.unit.name}` }))}
        />
      </Form>
    </div>
  );
}

export function BusinessUnitDetail() {
  const { id } = useParams();
  const auth = useAuth();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const unit = useLoad((signal) => api.get<BusinessUnit>(`business-units/${id}`, undefined, signal), [id]);
  const enterprise = useLoad(
    (signal) => (unit.data ? api.get<Enterprise>(`enterprises/${unit.data.enterpriseId}`, undefined, signal) : Promise.resolve(undefined)),
    [unit.data?.enterpriseId],
  );
  const siblings = useLoad(
    (signal) => (unit.data ? loadAllUnits(unit.data.enterpriseId, signal) : Promise.resolve([])),
    [unit.data?.enterpriseId],
  );
  if (unit.error) return <Page title="Business unit"><Alert>{unit.error.detail}</Alert></Page>;
  const u = unit.data;
  if (!u) return <Spinner />;
  const e = enterprise.data;
  const parent = siblings.data?.find((s) => s.id === u.parentId);
  return (
    <Page
      title={u.name}
      subtitle={<>Business unit <code>{u.unitId}</code></>}
      crumbs={[{ label: 'Enterprises', to: '/enterprises' }, { label: e?.name ?? 'Enterprise', to: `/enterprises/${u.enterpriseId}` }]}
      actions={<>
        <HistoryLink entityType="business_unit" entityId={u.id} />
        {auth.can('accounts:write') && !editing && <button type="button" className="btn" onClick={() => setEditing(true)}>Edit</button>}
      </>}
    >
      {editing ? (
        <Panel title="Edit business unit">
          <UnitEditForm unit={u} units={siblings.data ?? []} onDone={() => { setEditing(false); unit.reload(); }} onCancel={() => setEditing(false)} />
        </Panel>
      ) : (
        <Panel title="Details">
          <Details items={[
            ['Status', <StatusBadge status={u.status} />],
            ['Unit id', u.unitId],
            ['Enterprise', <Link to={`/enterprises/${u.enterpriseId}`}>{e?.name ?? u.enterpriseId}</Link>],
            ['Parent', parent ? <Link to={`/business-units/${parent.id}`}>{parent.name}</Link> : 'the enterprise'],
            ['Created', formatDateTime(u.createdAt)],
            ['Id', <code>{u.id}</code>],
          ]} />
          <ContactsAndAddresses contacts={u.contacts ?? []} addresses={u.addresses ?? []} />
          <button type="button" className="btn btn-link" onClick={() => navigate(`/enterprises/${u.enterpriseId}`)}>Back to the enterprise</button>
        </Panel>
      )}
      <BillingProfilesPanel enterpriseId={u.enterpriseId} businessUnitId={u.id} />
    </Page>
  );
}

function UnitEditForm({ unit, units, onDone, onCancel }: { unit: BusinessUnit; units: BusinessUnit[]; onDone: () => void; onCancel: () => void }) {
  const blocked = descendants(units, unit.id);
  const form = useForm<UnitValues>({
    initial: { name: unit.name, unitId: unit.unitId, parentId: unit.parentId ?? '', status: unit.status },
    validate: validateUnit,
    onSubmit: async (v) => {
      await api.patch(`business-units/${unit.id}`, { name: v.name.trim(), parentId: v.parentId || null, status: v.status });
      onDone();
    },
  });
  return (
    <Form form={form} submitLabel="Save changes" onCancel={onCancel}>
      <FieldRow>
        <TextField field={form.field('name')} label="Name" required />
        <SelectField field={form.field('status')} label="Status" options={ACCOUNT_STATUSES.map((s) => ({ value: s, label: s }))} />
      </FieldRow>
      <SelectField
        field={form.field('parentId')} label="Parent" emptyLabel="— directly under the enterprise —" hint="Moving a unit moves its whole branch."
        options={flatten(buildTree(units)).filter((n) => !blocked.has(n.unit.id)).map((n) => ({ value: n.unit.id, label: `${'\u00a0\u00a0'.repeat(n.depth)}${n.unit.name}` }))}
      />
    </Form>
  );
}
