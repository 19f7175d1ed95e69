import { useState } from 'react';
import { Link } from 'react-router';
import { api, newIdempotencyKey } from '../../api';
import { useAuth } from '../../auth';
import { DataTable } from '../../components/DataTable';
import { Alert, Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../format';

export interface Delivery {
  id: number; eventId: string; eventType: string; targetId: string; targetName: string | null; simId: string | null; status: string;
  attempts: number; maxAttempts: number; nextAttemptAt: string | null; lastError: string | null; lastResultCode: string | null; updatedAt: string;
}

/** Provisioning deliveries that gave up: each blocks its SIM's lane for its target until re-driven or discarded. */
export function DeadLetters() {
  const auth = useAuth();
  const [reload, setReload] = useState(0);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const run = async (d: Delivery, what: 'retry' | 'cancel') => {
    setMessage(null);
    try {
      if (what === 'retry') await api.post(`provisioning/deliveries/${d.id}/retry`, {}, { idempotencyKey: newIdempotencyKey() });
      else {
        const reason = window.prompt(`Why discard delivery ${d.id}?`);
        if (!reason) return;
        await api.post(`provisioning/deliveries/${d.id}/cancel`, { reason }, { idempotencyKey: newIdempotencyKey() });
      }
      setMessage({ tone: 'success', text: `Delivery ${d.id} ${what === 'retry' ? 're-driven' : 'discarded'}.` });
      setReload((n) => n + 1);
    } catch (e) {
      setMessage({ tone: 'error', text: (e as Error).message });
    }
  };
  return (
    <Page title="Dead letters" subtitle="Provisioning deliveries that gave up. Re-drive one (new attempts, same event) or discard it with a reason.">
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      <DataTable<Delivery>
        load={(p, signal) => api.list('provisioning/deliveries', { ...p, status: 'DEAD' }, signal)}
        defaultSort="-id"
        reloadKey={reload}
        rowKey={(d) => String(d.id)}
        empty="No dead deliveries."
        columns={[
          { header: '#', key: 'id' },
          { header: 'Event', render: (d) => d.eventType },
          { header: 'Target', render: (d) => d.targetName },
          { header: 'SIM', render: (d) => d.simId ? <Link to={`/sims/${d.simId}`}>{d.simId.slice(0, 8)}</Link> : '—' },
          { header: 'Status', render: (d) => <StatusBadge status={d.status} /> },
          { header: 'Attempts', render: (d) => `${d.attempts}/${d.maxAttempts}` },
          { header: 'Last error', render: (d) => d.lastError ?? '—' },
          { header: 'Updated', render: (d) => formatDateTime(d.updatedAt) },
          ...(auth.can('provisioning:manage') ? [{
            header: 'Actions',
            render: (d: Delivery) => (
              <span>
                <button className="btn" onClick={(e) => { e.stopPropagation(); void run(d, 'retry'); }}>Re-drive</button>{' '}
                <button className="btn" onClick={(e) => { e.stopPropagation(); void run(d, 'cancel'); }}>Discard</button>
              </span>
            ),
          }] : []),
        ]}
      />
    </Page>
  );
}
