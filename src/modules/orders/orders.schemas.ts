import { z } from 'zod';
import { pageOf } from '../../platform/http';

export const orderState = z.enum(['AWAITING_APPROVAL', 'PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED']);

export const deliveryAddress = z.object({
  name: z.string().trim().min(1).max(200).describe('recipient'),
  street: z.string().trim().min(1).max(200),
  postcode: z.string().trim().min(1).max(20),
  city: z.string().trim().min(1).max(100),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
  phone: z.string().max(30).optional(),
});

export const placeOrder = z.object({
  enterpriseId: z.string().uuid().optional().describe('required for tenant users; enterprise users order for their own enterprise'),
  businessUnitId: z.string().uuid(),
  simProductId: z.string().uuid(),
  quantity: z.number().int().min(1).max(100_000),
  offerId: z.string().uuid().nullable().optional().describe('the plan (primary catalog offer) the SIMs get'),
  apnIds: z.array(z.string().uuid()).max(10).optional(),
  deliveryAddress: deliveryAddress.nullable().optional().describe('required for physical SIMs'),
  externalId: z.string().max(100).nullable().optional().describe('your purchase order number'),
  note: z.string().max(1000).nullable().optional(),
});

export const order = z.object({
  id: z.string().uuid(),
  enterpriseId: z.string().uuid(),
  businessUnitId: z.string().uuid(),
  simProductId: z.string().uuid(),
  esim: z.boolean(),
  quantity: z.number().int(),
  offerId: z.string().uuid().nullable(),
  apnIds: z.array(z.string().uuid()),
  deliveryAddress: deliveryAddress.nullable(),
  externalId: z.string().nullable(),
  note: z.string().nullable(),
  state: orderState,
  stateReason: z.string().nullable(),
  trackingRef: z.string().nullable(),
  placedBy: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable().optional() }),
  createdAt: z.date(),
  updatedAt: z.date(),
  completedAt: z.date().nullable(),
});
export const orderWithHistory = order.extend({
  history: z.array(z.object({
    seq: z.number().int(), fromState: orderState.nullable(), toState: orderState, reason: z.string().nullable(), actor: z.unknown(), at: z.date(),
  })),
});
export const orderPage = pageOf(order);
export const orderListQuery = z.object({ state: orderState.optional(), enterpriseId: z.string().uuid().optional() });

export const allocation = z.object({
  orderId: z.string().uuid(),
  state: orderState,
  items: z.array(z.object({
    id: z.string().uuid(), iccid: z.string(), imsi: z.string(), msisdn: z.string().nullable(), eid: z.string().nullable(), matchingId: z.string().nullable(),
  })),
});

export const orderSettings = z.object({
  requireApproval: z.boolean().describe('orders wait for a tenant user to approve them'),
  initialSimState: z.enum(['WARM', 'READY']).describe('the lifecycle state allocated SIMs start in'),
  assignMsisdns: z.boolean().describe('give each allocated SIM an MSISDN from the pools'),
});

export const reasonBody = z.object({ reason: z.string().trim().min(1).max(500) });
export const optionalReasonBody = z.object({ reason: z.string().trim().max(500).optional() }).optional();
export const completeBody = z.object({ trackingRef: z.string().trim().max(200).optional() }).optional();
