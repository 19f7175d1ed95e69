/** Events the orders module records (`orders.<object>.<past tense>`); payloads carry identifiers, not state. */
export const ORDER_EVENTS = {
  /** Accepted and to be fulfilled: the tenant IT system (provisioning) and the allocator pick it up. */
  placed: 'orders.order.placed',
  awaitingApproval: 'orders.order.awaiting_approval',
  approved: 'orders.order.approved',
  rejected: 'orders.order.rejected',
  cancelled: 'orders.order.cancelled',
  /** SIMs and MSISDNs are allocated; the allocation list is ready for logistics. */
  allocated: 'orders.order.allocated',
  failed: 'orders.order.failed',
  completed: 'orders.order.completed',
} as const;

export interface OrderEventPayload {
  orderId: string;
  enterpriseId: string;
  businessUnitId: string;
  /** The order's state when the event was recorded. */
  state: string;
  esim: boolean;
  quantity: number;
}
