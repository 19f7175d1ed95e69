import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import { NotFoundError, ValidationError, type App } from '../../platform/http';
import type { CatalogService } from './catalog.service';
import type { TmfKind } from './catalog.tables';
import { OFFER_KINDS } from './catalog.schemas';
import { bundleToProductOffering, offeringPrices, TMF_BASE, tmfPage, toProductOffering, selectFields } from './tmf620.fns';

/**
 * TMF620 Product Catalog Management v4: productOffering (the catalog's offers), productOfferingPrice (read-only
 * views of an offer version's prices: edit them through the offering), and category, catalog and
 * productSpecification (documents). POST -> 201 with href/id/lastUpdate/lifecycleStatus/name; lists take
 * ?fields=, attribute filters, offset and limit (X-Total-Count); PATCH merges; DELETE -> 204; unknown id -> 404.
 */
export function registerTmf620Routes(app: App, svc: CatalogService): void {
  const read = { permission: 'catalog:read' as const };
  const write = { permission: 'catalog:write' as const };
  const tags = ['TMF620'];
  const anyQuery = z.record(z.string(), z.string()).optional();
  const idParam = z.object({ id: z.string().min(1) });
  const uuid = (id: string, kind: string) => {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new NotFoundError(kind, id);
    return id;
  };
  const list = (reply: FastifyReply, items: Record<string, unknown>[], query: Record<string, unknown>) => {
    const { total, page } = tmfPage(items, query);
    return reply.header('x-total-count', String(total)).header('x-result-count', String(page.length)).send(page);
  };
  const offeringBody = z.object({
    name: z.string().min(1),
    code: z.string().optional(),
    description: z.string().optional(),
    offerKind: z.enum(OFFER_KINDS).optional(),
    lifecycleStatus: z.string().optional(),
    validFor: z.object({ startDateTime: z.string().nullable().optional(), endDateTime: z.string().nullable().optional() }).optional(),
    category: z.array(z.object({ id: z.string() }).loose()).optional(),
    specification: z.record(z.string(), z.unknown()).optional(),
    '@type': z.string().optional(),
  }).loose();

  // productOffering
  app.get(`${TMF_BASE}/productOffering`, { config: read, schema: { tags, summary: 'List productOffering', querystring: anyQuery } }, async (req, reply) => {
    const offers = (await svc.offersForTmf(req.ctx)).map(toProductOffering) as Record<string, unknown>[];
    const bundles = (await svc.allBundles(req.ctx)).map(bundleToProductOffering) as Record<string, unknown>[];
    return list(reply, [...offers, ...bundles], req.query ?? {});
  });
  app.get(`${TMF_BASE}/productOffering/:id`, { config: read, schema: { tags, summary: 'Retrieve a productOffering', params: idParam, querystring: anyQuery } }, async (req) => {
    const id = uuid(req.params.id, 'productOffering');
    const bundle = (await svc.allBundles(req.ctx)).find((b) => b.id === id);
    if (bundle) return selectFields(bundleToProductOffering(bundle), req.query?.fields);
    const [o] = await svc.offersForTmf(req.ctx, id);
    return selectFields(toProductOffering(o), req.query?.fields);
  });
  app.post(`${TMF_BASE}/productOffering`, { config: write, schema: { tags, summary: 'Create a productOffering', body: offeringBody } }, async (req, reply) => {
    const id = await svc.createOffering(req.ctx, req.body);
    const [o] = await svc.offersForTmf(req.ctx, id);
    const out = toProductOffering(o);
    return reply.code(201).header('location', out.href).send(out);
  });
  app.patch(`${TMF_BASE}/productOffering/:id`, { config: write, schema: { tags, summary: 'Update a productOffering (merge patch)', params: idParam, body: offeringBody.partial() } }, async (req) => {
    const id = uuid(req.params.id, 'productOffering');
    await svc.patchOffering(req.ctx, id, req.body);
    const [o] = await svc.offersForTmf(req.ctx, id);
    return toProductOffering(o);
  });
  app.delete(`${TMF_BASE}/productOffering/:id`, { config: write, schema: { tags, summary: 'Delete a productOffering not in use', params: idParam } }, async (req, reply) => {
    await svc.deleteOffer(req.ctx, uuid(req.params.id, 'productOffering'));
    return reply.code(204).send();
  });

  // productOfferingPrice (read-only)
  const prices = async (ctx: Parameters<CatalogService['offersForTmf']>[0]) =>
    (await svc.offersForTmf(ctx)).flatMap((o) => offeringPrices(o, o.currentVersion ?? o.latestVersion));
  app.get(`${TMF_BASE}/productOfferingPrice`, { config: read, schema: { tags, summary: 'List productOfferingPrice', querystring: anyQuery } }, async (req, reply) =>
    list(reply, await prices(req.ctx), req.query ?? {}));
  app.get(`${TMF_BASE}/productOfferingPrice/:id`, { config: read, schema: { tags, summary: 'Retrieve a productOfferingPrice', params: idParam, querystring: anyQuery } }, async (req) => {
    const offerId = req.params.id.split('.')[0];
    uuid(offerId, 'productOfferingPrice');
    const [o] = await svc.offersForTmf(req.ctx, offerId).catch(() => { throw new NotFoundError('productOfferingPrice', req.params.id); });
    const found = offeringPrices(o, o.currentVersion ?? o.latestVersion).find((p) => p.id === req.params.id);
    if (!found) throw new NotFoundError('productOfferingPrice', req.params.id);
    return selectFields(found, req.query?.fields);
  });
  for (const method of ['POST', 'PATCH', 'DELETE'] as const) {
    app.route({
      method, url: method === 'POST' ? `${TMF_BASE}/productOfferingPrice` : `${TMF_BASE}/productOfferingPrice/:id`, config: write,
      schema: { tags, summary: `${method} productOfferingPrice: not supported (edit prices through their productOffering)`, hide: true },
      handler: async (req, reply) => reply.code(405).type('application/problem+json').send({
        type: 'https://opencmp.dev/problems/method-not-allowed', title: 'Method Not Allowed', status: 405, requestId: req.id, instance: req.url,
        detail: 'productOfferingPrice is a view of an offer version; change prices with PATCH productOffering/{id} (specification) or /api/v1/catalog/offers/{id}',
      }),
    });
  }

  // category, catalog, productSpecification: documents
  const resourceBody = z.object({ name: z.string().min(1), lifecycleStatus: z.string().optional() }).loose();
  const toTmf = (kind: TmfKind, r: { id: string; name: string; lifecycle_status: string; doc: Record<string, unknown>; updated_at: Date }) => ({
    ...r.doc, id: r.id, href: `${TMF_BASE}/${kind}/${r.id}`, name: r.name, lifecycleStatus: r.lifecycle_status,
    lastUpdate: new Date(r.updated_at).toISOString(), '@type': kind[0].toUpperCase() + kind.slice(1),
  });
  const docOf = (body: Record<string, unknown>) => {
    const { id, href, lastUpdate, name, lifecycleStatus, ...doc } = body;
    void id; void href; void lastUpdate; void name; void lifecycleStatus;
    return doc;
  };
  for (const kind of ['category', 'catalog', 'productSpecification'] as const) {
    const url = `${TMF_BASE}/${kind}`;
    app.get(url, { config: read, schema: { tags, summary: `List ${kind}`, querystring: anyQuery } }, async (req, reply) =>
      list(reply, (await svc.listResources(req.ctx, kind)).map((r) => toTmf(kind, r)), req.query ?? {}));
    app.get(`${url}/:id`, { config: read, schema: { tags, summary: `Retrieve a ${kind}`, params: idParam, querystring: anyQuery } }, async (req) =>
      selectFields(toTmf(kind, await svc.getResource(req.ctx, kind, uuid(req.params.id, kind))), req.query?.fields));
    app.post(url, { config: write, schema: { tags, summary: `Create a ${kind}`, body: resourceBody } }, async (req, reply) => {
      if (kind === 'category' && req.body.parentId !== undefined && typeof req.body.parentId !== 'string') throw ValidationError.field('parentId', 'must be a category id');
      const r = await svc.saveResource(req.ctx, kind, null, { name: req.body.name, lifecycleStatus: req.body.lifecycleStatus ?? 'In design', doc: docOf(req.body) });
      const out = toTmf(kind, r);
      return reply.code(201).header('location', out.href).send(out);
    });
    app.patch(`${url}/:id`, { config: write, schema: { tags, summary: `Update a ${kind} (merge patch)`, params: idParam, body: resourceBody.partial() } }, async (req) => {
      const before = await svc.getResource(req.ctx, kind, uuid(req.params.id, kind));
      const r = await svc.saveResource(req.ctx, kind, before.id, {
        name: req.body.name ?? before.name, lifecycleStatus: req.body.lifecycleStatus ?? before.lifecycle_status, doc: { ...before.doc, ...docOf(req.body) },
      });
      return toTmf(kind, r);
    });
    app.delete(`${url}/:id`, { config: write, schema: { tags, summary: `Delete a ${kind}`, params: idParam } }, async (req, reply) => {
      await svc.deleteResource(req.ctx, kind, uuid(req.params.id, kind));
      return reply.code(204).send();
    });
  }
}
