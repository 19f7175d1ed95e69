import { z } from 'zod';
import type { App } from '../../platform/http';
import { UnauthorizedError } from '../../platform/http';
import type { ProvisioningService } from './provisioning.service';
import * as s from './provisioning.schemas';

/** Targets, deliveries (dead letters, re-drive, discard), inbound network notices and reconciliation. */
export function registerProvisioningRoutes(app: App, svc: ProvisioningService): void {
  const tags = ['provisioning'];
  const read = { permission: 'provisioning:read' as const };
  const manage = { permission: 'provisioning:manage' as const };

  app.get('/api/v1/provisioning/targets', { config: read, schema: { tags, summary: 'List provisioning targets', response: { 200: z.array(s.target) } } },
    async (req) => svc.listTargets(req.ctx));
  app.post('/api/v1/provisioning/targets', { config: manage, schema: { tags, summary: 'Create a target (REST, SFTP or Cisco Control Center)', body: s.targetBody, response: { 201: s.target } } },
    async (req, reply) => reply.code(201).send(await svc.createTarget(req.ctx, req.body)));
  app.get('/api/v1/provisioning/targets/:id', { config: read, schema: { tags, summary: 'A target (secrets are never returned)', params: s.idParams, response: { 200: s.target } } },
    async (req) => svc.getTarget(req.ctx, req.params.id));
  app.patch('/api/v1/provisioning/targets/:id', { config: manage, schema: { tags, summary: 'Change a target', params: s.idParams, body: s.targetPatch, response: { 200: s.target } } },
    async (req) => svc.updateTarget(req.ctx, req.params.id, req.body));
  app.get('/api/v1/provisioning/targets/:id/reconciliation', {
    config: read, schema: { tags, summary: "Compare the platform's SIM states with what the target holds", params: s.idParams, response: { 200: s.reconciliationReport } },
  }, async (req) => svc.reconciliation(req.ctx, req.params.id));

  app.get('/api/v1/provisioning/deliveries', {
    config: read, schema: { tags, summary: 'List deliveries (status=DEAD is the dead-letter view)', querystring: s.deliveryQuery, response: { 200: s.deliveryPage } },
  }, async (req) => {
    const { limit, cursor, sort, ...f } = req.query;
    return svc.listDeliveries(req.ctx, f, { limit, cursor, sort });
  });
  app.get('/api/v1/provisioning/deliveries/:id', { config: read, schema: { tags, summary: 'A delivery', params: s.deliveryParams, response: { 200: s.deliveryDetail } } },
    async (req) => svc.getDelivery(req.ctx, req.params.id));
  app.post('/api/v1/provisioning/deliveries/:id/retry', {
    config: manage, schema: { tags, summary: 'Re-drive a DEAD delivery (new attempts, same event)', params: s.deliveryParams, response: { 200: s.delivery } },
  }, async (req) => svc.redrive(req.ctx, req.params.id));
  app.post('/api/v1/provisioning/deliveries/:id/cancel', {
    config: manage, schema: { tags, summary: 'Discard a DEAD delivery (recorded with user and reason); its lane moves on', params: s.deliveryParams, body: s.discardBody, response: { 200: s.delivery } },
  }, async (req) => svc.discard(req.ctx, req.params.id, req.body.reason));
  app.get('/api/v1/provisioning/sims/:simId', {
    config: read, schema: { tags, summary: "A SIM's provisioning per target: last event, status, attempts, last error, keys", params: s.simParams, response: { 200: s.simProvisioning } },
  }, async (req) => svc.simProvisioning(req.ctx, req.params.simId));

  app.post('/api/v1/provisioning/notifications', {
    config: { permission: 'network:callback' },
    schema: { tags, summary: 'Inbound network notice (API key with network:callback): PROVISIONING_RESULT, QUOTA_EXHAUSTED, IMEI_CHANGED, USAGE', body: z.record(z.string(), z.unknown()), response: { 200: s.notificationResult } },
  }, async (req) => svc.receiveFromApi(req.ctx, req.body));
  app.get('/api/v1/provisioning/notifications', {
    config: read, schema: { tags, summary: 'Inbound notices (status=UNMATCHED: the parked ones)', querystring: s.notificationQuery, response: { 200: s.notificationPage } },
  }, async (req) => {
    const { limit, cursor, sort, ...f } = req.query;
    return svc.listNotifications(req.ctx, f, { limit, cursor, sort });
  });
  app.post('/api/v1/provisioning/notifications/:id/replay', {
    config: manage, schema: { tags, summary: 'Process a parked notice again', params: s.idParams, response: { 200: s.notificationResult } },
  }, async (req) => svc.replayNotification(req.ctx, req.params.id));

  // The signed webhook: the body must be verified byte for byte, so this route keeps it raw.
  app.register(async (scoped) => {
    scoped.removeContentTypeParser('application/json');
    scoped.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scoped.post('/api/v1/provisioning/webhooks/:id', {
      config: { public: true },
      schema: { tags, summary: 'Inbound network notice signed with the target\'s HMAC secret (X-Signature: sha256=<hex>)', security: [], params: s.idParams, response: { 200: s.notificationResult } },
    }, async (req) => {
      const sig = req.headers['x-signature'];
      const r = await svc.receiveSigned((req.params as { id: string }).id, String(req.body ?? ''), typeof sig === 'string' ? sig : undefined);
      if (!r) throw new UnauthorizedError('the signature does not match this target');
      return r;
    });
  });
}
