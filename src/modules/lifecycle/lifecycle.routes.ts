import type { App } from '../../platform/http';
import { pageOf, pageQuery } from '../../platform/http/pagination';
import type { LifecycleService } from './lifecycle.service';
import type { BulkService } from './bulk.service';
import type { SimState } from './lifecycle.fns';
import * as s from './lifecycle.schemas';

/** SIM reads and actions under /api/v1/sims (inventory serves stock under /api/v1/inventory). */
export function registerLifecycleRoutes(app: App, svc: { lifecycle: LifecycleService; bulk: BulkService }): void {
  const { lifecycle, bulk } = svc;
  const tags = ['sims'];
  const read = { permission: 'sims:read' as const };
  const manage = { permission: 'sims:manage' as const };

  app.get('/api/v1/sims', {
    config: read,
    schema: { tags, summary: 'List SIMs (filters: state, plan, enterprise, business unit, ICCID/IMSI/MSISDN/IMEI prefix)', querystring: s.simListQuery, response: { 200: s.simPage } },
  }, async (req) => {
    const { limit, cursor, sort, ...f } = req.query;
    return lifecycle.listSims(req.ctx, { ...f, state: f.state as SimState | undefined }, { limit, cursor, sort });
  });

  app.post('/api/v1/sims/bulk', {
    config: manage,
    schema: { tags, summary: 'Start a bulk action for a list, a CSV or a filter of SIMs (a job with progress)', body: s.bulkBody, response: { 202: s.bulkJob } },
  }, async (req, reply) => reply.code(202).send(await bulk.createJob(req.ctx, {
    ...req.body, filter: req.body.filter ? { ...req.body.filter, state: req.body.filter.state as SimState | undefined } : undefined,
  })));

  app.get('/api/v1/sims/bulk', {
    config: read, schema: { tags, summary: 'List bulk jobs', querystring: pageQuery, response: { 200: pageOf(s.bulkJob) } },
  }, async (req) => bulk.listJobs(req.ctx, req.query));

  app.get('/api/v1/sims/bulk/:jobId', {
    config: read, schema: { tags, summary: 'A bulk job and its progress', params: s.jobParams, response: { 200: s.bulkJob } },
  }, async (req) => bulk.getJob(req.ctx, req.params.jobId));

  app.get('/api/v1/sims/bulk/:jobId/items', {
    config: read, schema: { tags, summary: 'Per-SIM outcome of a bulk job', params: s.jobParams, querystring: pageQuery, response: { 200: pageOf(s.bulkItem) } },
  }, async (req) => bulk.items(req.ctx, req.params.jobId, req.query));

  app.get('/api/v1/sims/bulk/:jobId/result.csv', {
    config: read, schema: { tags, summary: 'Download the result of a bulk job (CSV)', params: s.jobParams },
  }, async (req, reply) => reply.type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="bulk-${req.params.jobId}.csv"`)
    .send(await bulk.resultCsv(req.ctx, req.params.jobId)));

  app.post('/api/v1/sims/accounts/:enterpriseId/:action', {
    config: manage,
    schema: { tags, summary: 'Account-wide cascade (tenant staff): suspend every SIM as dunning, resume those, or terminate all', params: s.enterpriseParams, body: s.accountActionBody, response: { 200: s.cascadeResult } },
  }, async (req) => lifecycle.accountAction(req.ctx, req.params.enterpriseId, req.params.action, req.body?.reason));

  app.get('/api/v1/sims/:id', {
    config: read, schema: { tags, summary: 'A SIM: state, pending change, holds, test limits', params: s.simIdParams, response: { 200: s.simDetail } },
  }, async (req) => lifecycle.getSim(req.ctx, req.params.id));

  app.get('/api/v1/sims/:id/history', {
    config: read, schema: { tags, summary: 'Every change of a SIM: from, to, when, who, why, provisioning outcome', params: s.simIdParams, querystring: pageQuery, response: { 200: s.changePage } },
  }, async (req) => lifecycle.history(req.ctx, req.params.id, req.query));

  app.post('/api/v1/sims/:id/actions/:action', {
    config: manage,
    schema: { tags, summary: 'ready, test-activate, activate, suspend, resume or terminate a SIM (asynchronous: 202 with the pending change)', params: s.actionParams, body: s.actionBody, response: { 202: s.changeResult } },
  }, async (req, reply) => reply.code(202).send(await lifecycle.stateAction(req.ctx, req.params.id, req.params.action, req.body ?? {})));

  app.post('/api/v1/sims/:id/plan', {
    config: manage, schema: { tags, summary: 'Change the primary plan (catalog transition rules apply)', params: s.simIdParams, body: s.planBody, response: { 202: s.changeResult } },
  }, async (req, reply) => reply.code(202).send(await lifecycle.changePlan(req.ctx, req.params.id, req.body)));

  app.post('/api/v1/sims/:id/apns', {
    config: manage, schema: { tags, summary: 'Change the APNs', params: s.simIdParams, body: s.apnBody, response: { 202: s.changeResult } },
  }, async (req, reply) => reply.code(202).send(await lifecycle.changeApns(req.ctx, req.params.id, req.body)));

  app.post('/api/v1/sims/:id/msisdn', {
    config: manage, schema: { tags, summary: 'Change the MSISDN (the old one goes to quarantine)', params: s.simIdParams, body: s.msisdnBody, response: { 202: s.changeResult } },
  }, async (req, reply) => reply.code(202).send(await lifecycle.changeMsisdn(req.ctx, req.params.id, req.body)));

  app.post('/api/v1/sims/:id/imei-lock', {
    config: manage, schema: { tags, summary: 'Lock the SIM to a device (IMEI) or unlock it', params: s.simIdParams, body: s.imeiBody, response: { 202: s.changeResult } },
  }, async (req, reply) => reply.code(202).send(await lifecycle.setImeiLock(req.ctx, req.params.id, req.body)));

  app.delete('/api/v1/sims/:id/changes/:changeId', {
    config: manage, schema: { tags, summary: 'Cancel a scheduled change', params: s.changeParams, response: { 200: s.change } },
  }, async (req) => lifecycle.cancelScheduled(req.ctx, req.params.id, req.params.changeId));
}
