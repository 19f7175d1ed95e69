import type { OrderState } from './orders.tables';

/**
 * Pure order rules: which state may follow which, what each action needs, the TMF622 state names and the
 * allocation list as CSV.
 */

export type OrderAction = 'approve' | 'reject' | 'cancel' | 'allocate' | 'fail' | 'complete';

/** The state an action leads to from a given state, or null when it is not allowed there. */
const MOVES: Record<OrderAction, Partial<Record<OrderState, OrderState>>> = {
  approve: { AWAITING_APPROVAL: 'PENDING' },
  reject: { AWAITING_APPROVAL: 'CANCELLED' },
  // Cancellation is possible only while nothing is allocated.
  cancel: { AWAITING_APPROVAL: 'CANCELLED', PENDING: 'CANCELLED' },
  allocate: { PENDING: 'IN_PROGRESS' },
  fail: { PENDING: 'FAILED' },
  complete: { IN_PROGRESS: 'COMPLETED' },
};

export function nextState(state: OrderState, action: OrderAction): OrderState | null {
  return MOVES[action][state] ?? null;
}

/** Why an action is refused in a state, in words a user understands. */
export function refusal(state: OrderState, action: OrderAction): string {
  if (action === 'cancel' && (state === 'IN_PROGRESS' || state === 'COMPLETED')) return `the order's SIMs are allocated already (state ${state}); it can no longer be cancelled`;
  if (action === 'approve' || action === 'reject') return `only an order awaiting approval can be ${action === 'approve' ? 'approved' : 'rejected'} (state ${state})`;
  return `an order in state ${state} cannot be ${({ cancel: 'cancelled', allocate: 'allocated', fail: 'failed', complete: 'completed' } as const)[action as 'cancel']}`;
}

/** The order's state as TMF622 names it. */
export function tmfState(state: OrderState): string {
  return ({
    AWAITING_APPROVAL: 'pending', PENDING: 'acknowledged', IN_PROGRESS: 'inProgress', COMPLETED: 'completed',
    FAILED: 'failed', CANCELLED: 'cancelled',
  } as const)[state];
}

export interface AllocationLine {
  iccid: string;
  imsi: string;
  msisdn: string | null;
  eid: string | null;
  matchingId: string | null;
}

/** The allocation list for logistics (identifiers only; secrets are never part of it). */
export function allocationCsv(orderId: string, lines: AllocationLine[]): string {
  const out = ['order_id,iccid,imsi,msisdn,eid,matching_id'];
  for (const l of lines) out.push([orderId, l.iccid, l.imsi, l.msisdn ?? '', l.eid ?? '', l.matchingId ?? ''].join(','));
  return out.join('\r\n') + '\r\n';
}
