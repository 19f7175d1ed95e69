import { z } from 'zod';
import { pageOf, pageQuery } from '../../platform/http/pagination';

/** Request and response shapes of the provisioning API (they also generate its OpenAPI description). */

const id = z.string().uuid();
const iso = z.string();

export const targetBody = z.object({
  name: z.string().trim().min(1).max(100),
  kind: z.enum(['REST', 'SFTP', 'CISCO_CC']),
  config: z.record(z.string(), z.unknown()).describe('REST: baseUrl, auth, requests, success, stateMap, read; SFTP: host, port, username, remoteDir, columns; CISCO_CC: baseUrl, username'),
  secret: z.string().max(20_000).nullish().describe('password, token, API key or SSH private key (sealed; never returned)'),
  inboundSecret: z.string().min(16).max(200).nullish().describe('HMAC secret the target signs webhook calls with (sealed; never returned)'),
  eventTypes: z.array(z.string().max(100)).min(1).max(50),
  gate: z.enum(['ALL', 'MAPPED_OFFERS']).optional().describe('MAPPED_OFFERS: deliver only for SIMs whose offer has a profile mapped for this target'),
  offerProfiles: z.record(z.string(), z.string().max(200)).optional().describe("offer id -> the target's profile / rate plan name"),
  capabilities: z.array(z.string().max(50)).max(20).optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  batchSize: z.number().int().min(1).max(10_000).optional(),
  enabled: z.boolean().optional(),
});
export const targetPatch = targetBody.omit({ kind: true }).partial();
export const target = z.object({
  id, name: z.string(), kind: z.string(), config: z.record(z.string(), z.unknown()), hasSecret: z.boolean(), hasInboundSecret: z.boolean(),
  eventTypes: z.array(z.string()), gate: z.string(), offerProfiles: z.record(z.string(), z.string()), capabilities: z.array(z.string()),
  maxAttempts: z.number(), batchSize: z.number(), enabled: z.boolean(), createdAt: iso, updatedAt: iso,
});
export const idParams = z.object({ id });
export const deliveryParams = z.object({ id: z.coerce.number().int().positive() });
export const simParams = z.object({ simId: id });

export const delivery = z.object({
  id: z.number(), eventId: z.string(), eventSeq: z.number(), eventType: z.string(), targetId: z.string(), targetName: z.string().nullable(),
  simId: z.string().nullable(), lane: z.string(), changeId: z.string().nullable(), status: z.string(), attempts: z.number(), maxAttempts: z.number(),
  nextAttemptAt: iso.nullable(), lastError: z.string().nullable(), lastResultCode: z.string().nullable(), externalRef: z.string().nullable(),
  createdAt: iso, updatedAt: iso, finishedAt: iso.nullable(), discardedBy: z.unknown(), discardReason: z.string().nullable(),
});
export const deliveryDetail = delivery.extend({ waitingBehind: z.number().describe('deliveries of the same lane waiting behind this DEAD one') });
export const deliveryQuery = pageQuery.extend({
  status: z.enum(['PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'DEAD', 'SKIPPED', 'DISCARDED']).optional(),
  targetId: id.optional(), simId: id.optional(), eventType: z.string().max(100).optional(),
});
export const discardBody = z.object({ reason: z.string().trim().min(1).max(500) });
export const simProvisioning = z.array(delivery.extend({ keys: z.array(z.object({ name: z.string(), value: z.string(), retiredAt: iso.nullable() })) }));

export const notificationResult = z.object({ id: z.string(), status: z.string(), simId: z.string().nullable(), detail: z.string().nullable(), duplicate: z.boolean() });
export const notificationQuery = pageQuery.extend({ status: z.enum(['APPLIED', 'UNMATCHED', 'IGNORED', 'FAILED']).optional() });
export const notification = z.object({
  id: z.string(), source: z.string(), senderEventId: z.string(), type: z.string(), payload: z.unknown(), status: z.string(),
  simId: z.string().nullable(), detail: z.string().nullable(), receivedAt: iso,
});
export const reconciliationReport = z.object({
  targetId: z.string(), targetName: z.string(), at: iso, checked: z.number(), matching: z.number(),
  differences: z.array(z.object({ simId: z.string(), iccid: z.string(), platformState: z.string(), expected: z.string().nullable(), actual: z.string().nullable(), problem: z.string() })),
});
export const deliveryPage = pageOf(delivery);
export const notificationPage = pageOf(notification);
