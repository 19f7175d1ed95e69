/** Status words as coloured pills; the colour follows what the status means, whatever module it comes from. */
const TONES: Record<string, 'ok' | 'warn' | 'bad' | 'info' | 'off'> = {
  ACTIVE: 'ok', APPROVED: 'ok', COMPLETED: 'ok', DONE: 'ok', SUCCEEDED: 'ok', ENABLED: 'ok', PAID: 'ok',
  SUSPENDED: 'warn', SUSPEND: 'warn', PENDING: 'info', IN_PROGRESS: 'info', PROCESSING: 'info', SUBMITTED: 'info',
  READY: 'info', WARM: 'info', 'TEST-ACTIVE': 'info', TEST_ACTIVE: 'info', RUNNING: 'info', OPEN: 'info', NEW: 'info',
  FAILED: 'bad', REJECTED: 'bad', DEAD: 'bad', ERROR: 'bad', OVERDUE: 'bad', LOCKED: 'bad',
  TERMINATED: 'off', TERMINATE: 'off', DISABLED: 'off', REVOKED: 'off', EXPIRED: 'off', CANCELLED: 'off', CANCELED: 'off',
};

export function StatusBadge({ status, title }: { status: string | null | undefined; title?: string }) {
  if (!status) return <span className="muted">—</span>;
  const tone = TONES[status.toUpperCase()] ?? 'info';
  return <span className={`badge badge-${tone}`} title={title}>{status.replace(/_/g, ' ')}</span>;
}
