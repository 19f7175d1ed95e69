import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError, pageQuery, type App } from '../../platform/http';
import { scopeOf } from '../../platform/auth';
import type { InventoryService } from './inventory.service';
import type { LoadService } from './loads.service';
import type { StockService } from './stock.service';
import * as s from './inventory.schemas';

const idParam = z.object({ id: z.string().uuid() });
const tags = ['inventory'];

export function registerInventoryRoutes(app: App, svc: { inventory: InventoryService; loads: LoadService; stock: StockService }): void {
  const { inventory, loads, stock } = svc;

  app.get('/api/v1/sim-products', {
    config: { permission: 'catalog:read' },
    schema: { tags, summary: 'SIM products: host-wide and the tenant\'s own', response: { 200: z.object({ items: z.array(s.simProduct) }) } },
  }, async (req) => ({ items: await inventory.listProducts(req.ctx) }));

  app.post('/api/v1/sim-products', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Create a SIM product (host admin without X-Tenant-Id: host-wide)', body: s.createSimProduct, response: { 201: s.simProduct } },
  }, async (req, reply) => reply.code(201).send(await inventory.createProduct(req.ctx, req.body)));

  app.patch('/api/v1/sim-products/:id', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Rename or (de)activate a SIM product', params: idParam, body: s.updateSimProduct, response: { 200: s.simProduct } },
  }, async (req) => inventory.updateProduct(req.ctx, req.params.id, req.body));

  app.get('/api/v1/apns', {
    config: { permission: 'catalog:read' },
    schema: { tags, summary: 'APNs of the tenant (an enterprise sees those open to it)', response: { 200: z.object({ items: z.array(s.apn) }) } },
  }, async (req) => ({ items: await inventory.listApns(req.ctx) }));

  app.post('/api/v1/apns', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Create an APN', body: s.createApn, response: { 201: s.apn } },
  }, async (req, reply) => reply.code(201).send(await inventory.createApn(req.ctx, req.body)));

  app.patch('/api/v1/apns/:id', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Change an APN or its assignments to enterprises and plans', params: idParam, body: s.updateApn, response: { 200: s.apn } },
  }, async (req) => inventory.updateApn(req.ctx, req.params.id, req.body));

  // The vendor file arrives as the raw request body (text/csv), streamed: it is never held in memory whole.
  app.register(async (scoped) => {
    const r = scoped.withTypeProvider<ZodTypeProvider>();
    for (const type of ['text/csv', 'application/octet-stream', 'text/plain']) {
      r.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
    }
    r.post('/api/v1/inventory/loads', {
      config: { permission: 'inventory:write' },
      schema: {
        tags, summary: 'Load a vendor output file (CSV body: iccid, imsi, ki, opc, puk1, puk2, pin1, eid, matching_id)',
        description: 'All or nothing. 201 with the load when every row is good; 422 problem+json listing every bad row (line, field, reason) otherwise, and no SIM is added.',
        querystring: s.loadQuery, response: { 201: s.loadReportWithErrors },
      },
    }, async (req, reply) => {
      const report = await loads.loadSims(req.ctx, { simProductId: req.query.simProductId, fileName: req.query.fileName ?? null, source: req.body as Readable });
      if (report.status !== 'LOADED') {
        throw new AppError(422, 'inventory-load-rejected', `the file was not loaded: ${report.errorCount} problem(s) in ${report.totalRows} row(s)`,
          report.errors.map((e) => ({ field: e.field, reason: e.reason, line: e.line }) as { field: string; reason: string }),
          { loadId: report.id, errorCount: report.errorCount, totalRows: report.totalRows });
      }
      return reply.code(201).send(report);
    });
  });

  app.get('/api/v1/inventory/loads', {
    config: { permission: 'inventory:read' },
    schema: { tags, summary: 'Inventory loads, newest first', querystring: pageQuery, response: { 200: z.object({ items: z.array(s.loadReport), nextCursor: z.string().nullable() }) } },
  }, async (req) => loads.listLoads(req.ctx, req.query));

  app.get('/api/v1/inventory/loads/:id', {
    config: { permission: 'inventory:read' },
    schema: { tags, summary: 'One load with its progress (while running) and its first 1000 bad rows', params: idParam, response: { 200: s.loadReportWithErrors } },
  }, async (req) => loads.getLoad(req.ctx, req.params.id));

  app.get('/api/v1/inventory/loads/:id/errors.csv', {
    config: { permission: 'inventory:read' },
    schema: { tags, summary: 'Every bad row of a load as CSV (line, field, reason)', params: idParam },
  }, async (req, reply) => {
    await loads.getLoad(req.ctx, req.params.id); // 404 for an unknown load
    const esc = (v: string | number) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    let out = 'line,field,reason\r\n';
    let after: { line: number; field: string; reason: string } | undefined;
    for (;;) {
      const page = await loads.listLoadErrors(req.ctx, req.params.id, { limit: 10_000, after });
      for (const e of page) out += `${e.line},${esc(e.field)},${esc(e.reason)}\r\n`;
      if (page.length < 10_000) break;
      after = page.at(-1);
    }
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="load-${req.params.id}-errors.csv"`).send(out);
  });

  app.get('/api/v1/inventory/sims', {
    config: { permission: 'inventory:read' },
    schema: { tags, summary: 'SIMs in the inventory (never their Ki/OPc)', querystring: pageQuery.extend(s.simListQuery.shape), response: { 200: s.simPage } },
  }, async (req) => {
    const { limit, cursor, sort, ...filter } = req.query;
    return inventory.listSims(scopeOf(req.ctx), { limit, cursor, sort }, filter);
  });

  app.get('/api/v1/msisdn-pools', {
    config: { permission: 'inventory:read' },
    schema: { tags, summary: 'MSISDN pools with counts by state', response: { 200: z.object({ items: z.array(s.msisdnPool) }) } },
  }, async (req) => ({ items: await inventory.listMsisdnPools(req.ctx) }));

  app.post('/api/v1/msisdn-pools', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Create an MSISDN pool', body: s.createMsisdnPool, response: { 201: s.msisdnPool } },
  }, async (req, reply) => reply.code(201).send(await inventory.createMsisdnPool(req.ctx, req.body)));

  app.post('/api/v1/msisdn-pools/:id/numbers', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Load numbers (ranges and/or a list) into a pool, all or nothing', params: idParam, body: s.loadMsisdns,
      response: { 201: z.object({ poolId: z.string().uuid(), loaded: z.number().int() }) } },
  }, async (req, reply) => reply.code(201).send(await inventory.loadMsisdns(req.ctx, req.params.id, req.body)));

  app.get('/api/v1/inventory/stock-report.csv', {
    config: { permission: 'inventory:read' },
    schema: { tags, summary: 'Stock report: SIMs by tenant, product, stock state and lifecycle state (CSV)' },
  }, async (req, reply) => {
    const { csv } = await stock.stockReport(req.ctx);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="stock-report.csv"').send(csv);
  });

  app.get('/api/v1/inventory/stock-report/target', {
    config: { permission: 'inventory:read' },
    schema: { tags, summary: 'The tenant\'s SFTP target of the daily stock report (without its key)', response: { 200: s.stockTarget } },
  }, async (req) => stock.getTarget(req.ctx));

  app.put('/api/v1/inventory/stock-report/target', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Set the SFTP target of the daily stock report', body: s.putStockTarget, response: { 200: s.stockTarget } },
  }, async (req) => stock.putTarget(req.ctx, req.body));

  app.post('/api/v1/inventory/stock-report/deliveries', {
    config: { permission: 'inventory:write' },
    schema: { tags, summary: 'Deliver today\'s stock report to the SFTP target now', response: { 201: z.object({ file: z.string(), bytes: z.number().int() }) } },
  }, async (req, reply) => reply.code(201).send(await stock.deliverStockReport(req.ctx)));
}
