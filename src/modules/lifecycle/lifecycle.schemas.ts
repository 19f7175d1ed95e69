import { z } from 'zod';
import { pageOf, pageQuery } from '../../platform/http/pagination';
import { PARTIES, SIM_STATES, STATE_ACTIONS, VALUE_ACTIONS } from './lifecycle.fns';

/** Request and response shapes of the SIM lifecycle API (they also generate its OpenAPI description). */

const id = z.string().uuid();
const state = z.enum(SIM_STATES as [string, ...string[]]);
const iso = z.string();
const at = z.string().datetime({ offset: true }).nullish().describe('apply the change at this time instead of now');
const reason = z.string().trim().max(500).nullish();

export const simIdParams = z.object({ id });
export const actionParams = z.object({ id, action: z.enum(STATE_ACTIONS) });
export const changeParams = z.object({ id, changeId: id });
export const jobParams = z.object({ jobId: id });
export const enterpriseParams = z.object({ enterpriseId: id, action: z.enum(['suspend', 'resume', 'terminate']) });

export const simFilter = z.object({
  state: state.optional(),
  planOfferId: id.optional(),
  enterpriseId: id.optional(),
  businessUnitId: id.optional(),
  q: z.string().trim().min(1).max(40).optional().describe('prefix of an ICCID, IMSI, MSISDN or IMEI'),
  pendingOnly: z.coerce.boolean().optional(),
});
export const simListQuery = pageQuery.extend(simFilter.shape);

export const sim = z.object({
  id, iccid: z.string(), imsi: z.string(), msisdn: z.string().nullable(), eid: z.string().nullable(), enterpriseId: z.string().nullable(),
  businessUnitId: z.string().nullable(), orderId: z.string().nullable(), simProductId: z.string().nullable(), state,
  pendingState: state.nullable(), stateChangedAt: iso, planOfferId: z.string().nullable(), apnIds: z.array(z.string()),
  imei: z.string().nullable(), imeiLock: z.boolean(), version: z.number(), createdAt: iso, updatedAt: iso,
});
export const change = z.object({
  id, simId: id, kind: z.string(), action: z.string(), fromState: z.string().nullable(), toState: z.string().nullable(),
  fromValue: z.unknown(), toValue: z.unknown(), party: z.string().nullable(), status: z.string(), scheduledFor: iso.nullable(),
  requestedAt: iso, appliedAt: iso.nullable(), settledAt: iso.nullable(),
  requestedBy: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullish() }).nullable(),
  reason: z.string().nullable(), outcome: z.string().nullable(), bulkJobId: z.string().nullable(),
});
export const simDetail = sim.extend({
  holds: z.array(z.object({ party: z.string(), reason: z.string().nullable(), placedAt: iso })),
  testLimits: z.object({
    dataBytes: z.number().nullable(), sms: z.number().nullable(), days: z.number().nullable(), dataBytesUsed: z.number(), smsUsed: z.number(),
    startedAt: iso, endsAt: iso.nullable(), endedAt: iso.nullable(), endReason: z.string().nullable(),
  }).nullable(),
  openChanges: z.array(change),
});
export const simPage = pageOf(sim);
export const changePage = pageOf(change);
export const changeResult = z.object({ sim, change });

export const testLimits = z.object({
  dataBytes: z.number().int().positive().nullable().optional(),
  sms: z.number().int().positive().nullable().optional(),
  days: z.number().int().positive().max(3650).nullable().optional(),
}).describe('test-activate only: the limits after which the SIM activates by itself (default 10 MiB, 10 SMS, 30 days)');
export const actionBody = z.object({ reason, at, testLimits: testLimits.optional() }).default({});
export const planBody = z.object({ offerId: id, reason, at });
export const apnBody = z.object({ apnIds: z.array(id).min(1).max(20), reason, at });
export const msisdnBody = z.object({ msisdn: z.string().regex(/^[1-9][0-9]{6,14}$/, 'must be an E.164 number without +').nullish().describe('a FREE number of the tenant; omitted: the first free one'), reason, at });
export const imeiBody = z.object({ locked: z.boolean(), imei: z.string().regex(/^[0-9]{14,16}$/, 'must be 14 to 16 digits').nullish(), reason });

export const bulkBody = z.object({
  action: z.enum([...STATE_ACTIONS, ...VALUE_ACTIONS]),
  params: z.object({
    offerId: id.optional(), apnIds: z.array(id).max(20).optional(), testLimits: testLimits.optional(),
  }).optional(),
  reason, at,
  simIds: z.array(z.string().min(1).max(64)).min(1).max(500_000).optional(),
  csv: z.string().max(40_000_000).optional().describe('one identifier (ICCID, IMSI, MSISDN or SIM id) per line, optional header'),
  filter: simFilter.optional(),
});
export const bulkJob = z.object({
  id, action: z.string(), params: z.record(z.string(), z.unknown()), source: z.string(), status: z.string(), total: z.number(),
  processed: z.number(), succeeded: z.number(), failed: z.number(), progress: z.number(), scheduledFor: iso.nullable(),
  createdAt: iso, startedAt: iso.nullable(), finishedAt: iso.nullable(), createdBy: z.unknown(), detail: z.string().nullable(),
});
export const bulkItem = z.object({
  seq: z.number(), identifier: z.string(), simId: z.string().nullable(), outcome: z.string(), changeId: z.string().nullable(),
  changeStatus: z.string().nullable(), detail: z.string().nullable(),
});
export const accountActionBody = z.object({ reason }).default({});
export const cascadeResult = z.object({
  requested: z.number(), accepted: z.number(), refused: z.array(z.object({ simId: z.string(), reason: z.string() })),
});
export const party = z.enum(PARTIES);
