import { z } from 'zod';
import type { App } from '../../platform/http';
import { NotFoundError, pageOf, pageQuery } from '../../platform/http';
import { scopeOf } from '../../platform/auth';
import type { CatalogService } from './catalog.service';
import {
  activateInput,
  agreementInput,
  agreementOut,
  bundleInput,
  bundleOut,
  offerCreate,
  offerDetailOut,
  offerOut,
  offerPatch,
  OFFER_KINDS,
  rateSampleInput,
  ruleCheckInput,
  ruleDecisionOut,
  templateInput,
  templateOut,
  transitionCheckInput,
  versionOut,
  zoneInput,
  zoneOut,
} from './catalog.schemas';

/** The platform's own catalog API under /api/v1/catalog (TMF620 lives in tmf620.routes.ts). */
export function registerCatalogRoutes(app: App, svc: CatalogService): void {
  const P = '/api/v1/catalog';
  const read = { permission: 'catalog:read' as const };
  const write = { permission: 'catalog:write' as const };
  const tags = ['catalog'];
  const idParam = z.object({ id: z.uuid() });
  const versionParam = z.object({ id: z.uuid(), version: z.coerce.number().int().min(1) });
  const loose = z.record(z.string(), z.unknown());

  // Zones
  app.get(`${P}/zones`, { config: read, schema: { tags, summary: 'Rating zones (home, roaming zones as PLMN lists)', response: { 200: z.object({ items: z.array(zoneOut) }) } } },
    async (req) => ({ items: await svc.listZones(req.ctx) }));
  app.put(`${P}/zones/:code`, { config: write, schema: { tags, summary: 'Create or replace a zone', params: zoneInput.pick({ code: true }), body: zoneInput.omit({ code: true }), response: { 200: zoneOut } } },
    async (req) => svc.saveZone(req.ctx, { ...req.body, code: req.params.code }));
  app.delete(`${P}/zones/:code`, { config: write, schema: { tags, summary: 'Delete a zone no offer uses', params: zoneInput.pick({ code: true }) } },
    async (req, reply) => { await svc.deleteZone(req.ctx, req.params.code); return reply.code(204).send(); });

  // Offers and versions
  app.get(`${P}/offers`, {
    config: read,
    schema: { tags, summary: 'List offers', querystring: pageQuery.extend({ kind: z.enum(OFFER_KINDS).optional(), status: z.enum(['ACTIVE', 'RETIRED']).optional(), q: z.string().optional() }), response: { 200: pageOf(offerOut) } },
  }, async (req) => { const { kind, status, q, ...page } = req.query; return svc.listOffers(req.ctx, page, { kind, status, q }); });
  app.post(`${P}/offers`, { config: write, schema: { tags, summary: 'Create an offer (version 1, draft)', body: offerCreate, response: { 201: offerDetailOut } } },
    async (req, reply) => reply.code(201).send(await svc.createOffer(req.ctx, req.body)));
  app.post(`${P}/offers/validate`, {
    config: read,
    schema: { tags, summary: 'Validate an offer document without saving it', body: z.object({ kind: z.enum(OFFER_KINDS), spec: z.unknown(), offerId: z.uuid().optional() }),
      response: { 200: z.object({ valid: z.boolean(), errors: z.array(z.object({ field: z.string(), reason: z.string() })), warnings: z.array(z.object({ field: z.string(), reason: z.string() })) }) } },
  }, async (req) => svc.validateOffer(req.ctx, req.body.kind, req.body.spec, req.body.offerId));
  app.get(`${P}/offers/:id`, { config: read, schema: { tags, summary: 'An offer with its version history', params: idParam, response: { 200: offerDetailOut } } },
    async (req) => svc.getOffer(req.ctx, req.params.id));
  app.patch(`${P}/offers/:id`, { config: write, schema: { tags, summary: 'Edit the draft (a change to an activated offer makes a new draft version)', params: idParam, body: offerPatch, response: { 200: offerDetailOut } } },
    async (req) => svc.editOffer(req.ctx, req.params.id, req.body.spec));
  app.delete(`${P}/offers/:id`, { config: write, schema: { tags, summary: 'Delete an offer no subscription or bundle uses', params: idParam } },
    async (req, reply) => { await svc.deleteOffer(req.ctx, req.params.id); return reply.code(204).send(); });
  app.post(`${P}/offers/:id/retire`, { config: write, schema: { tags, summary: 'Stop new sales (existing subscriptions stay rated)', params: idParam, response: { 200: offerDetailOut } } },
    async (req) => svc.retireOffer(req.ctx, req.params.id));
  app.post(`${P}/offers/:id/clone`, { config: write, schema: { tags, summary: 'Copy an offer under a new code', params: idParam, body: z.object({ code: z.string(), name: z.string().optional(), version: z.number().int().optional() }), response: { 201: offerDetailOut } } },
    async (req, reply) => reply.code(201).send(await svc.cloneOffer(req.ctx, req.params.id, req.body)));
  app.post(`${P}/offers/:id/versions`, { config: write, schema: { tags, summary: 'Start a new draft version (copy of the latest or of `from`)', params: idParam, body: z.object({ from: z.number().int().min(1).optional() }).default({}), response: { 201: versionOut } } },
    async (req, reply) => reply.code(201).send(await svc.newVersion(req.ctx, req.params.id, req.body?.from)));
  app.get(`${P}/offers/:id/versions/:version`, { config: read, schema: { tags, summary: 'One version', params: versionParam, response: { 200: versionOut } } },
    async (req) => svc.getVersion(req.ctx, req.params.id, req.params.version));
  app.post(`${P}/offers/:id/versions/:version/approve`, { config: write, schema: { tags, summary: 'Freeze a draft (validated and compiled for rating)', params: versionParam, response: { 200: versionOut } } },
    async (req) => svc.approveVersion(req.ctx, req.params.id, req.params.version));
  app.post(`${P}/offers/:id/versions/:version/activate`, { config: write, schema: { tags, summary: 'Put an approved version in force from effectiveFrom', params: versionParam, body: activateInput.default({}), response: { 200: versionOut } } },
    async (req) => svc.activateVersion(req.ctx, req.params.id, req.params.version, req.body?.effectiveFrom));
  app.get(`${P}/offers/:id/compare`, {
    config: read,
    schema: { tags, summary: 'Differences between two versions', params: idParam, querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
      response: { 200: z.object({ offerId: z.string(), from: versionOut, to: versionOut, changes: z.array(z.object({ path: z.string(), change: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })) }) } },
  }, async (req) => svc.compareVersions(req.ctx, req.params.id, req.query.from, req.query.to));
  app.get(`${P}/offers/:id/resolve`, {
    config: read,
    schema: { tags, summary: 'The version in force at an instant', params: idParam, querystring: z.object({ at: z.iso.datetime({ offset: true }).optional() }), response: { 200: loose } },
  }, async (req) => {
    const r = await svc.resolveOfferVersion(scopeOf(req.ctx), req.params.id, req.query.at ? new Date(req.query.at) : new Date());
    if (!r) throw new NotFoundError('version in force of offer', req.params.id);
    return r as unknown as Record<string, unknown>;
  });
  app.post(`${P}/offers/:id/rate`, {
    config: read,
    schema: { tags, summary: 'Price calculator: rate sample usage against a version, unit by unit', params: idParam, body: rateSampleInput, response: { 200: loose } },
  }, async (req) => svc.rateSample(req.ctx, req.params.id, req.body));
  app.get(`${P}/rating-catalog`, {
    config: read,
    schema: { tags, summary: 'The rating engine\'s input for the catalog in force (optionally with an enterprise\'s agreements)', querystring: z.object({ at: z.iso.datetime({ offset: true }).optional(), enterpriseId: z.uuid().optional() }), response: { 200: loose } },
  }, async (req) => svc.compileRatingCatalog(scopeOf(req.ctx), { at: req.query.at ? new Date(req.query.at) : new Date(), enterpriseId: req.query.enterpriseId ?? null }) as unknown as Record<string, unknown>);

  // Rules
  app.post(`${P}/rules/check-order`, { config: read, schema: { tags, summary: 'Evaluate an order line against held items (exclusion, attributes, prerequisites)', body: ruleCheckInput, response: { 200: ruleDecisionOut } } },
    async (req) => svc.checkOrderLine(scopeOf(req.ctx), { ...req.body, at: req.body.at ? new Date(req.body.at) : new Date(), enterpriseId: req.ctx.enterpriseId ?? undefined }));
  app.post(`${P}/rules/check-transition`, { config: read, schema: { tags, summary: 'May a SIM move from one primary offer to another?', body: transitionCheckInput, response: { 200: ruleDecisionOut } } },
    async (req) => svc.checkPlanTransition(undefined, scopeOf(req.ctx), req.body.fromOfferId, req.body.toOfferId, req.body.at ? new Date(req.body.at) : new Date()));

  // Bundles
  app.get(`${P}/bundles`, { config: read, schema: { tags, summary: 'List bundles', querystring: pageQuery, response: { 200: pageOf(bundleOut) } } },
    async (req) => svc.listBundles(req.ctx, req.query));
  app.post(`${P}/bundles`, { config: write, schema: { tags, summary: 'Create a bundle', body: bundleInput, response: { 201: bundleOut } } },
    async (req, reply) => reply.code(201).send(await svc.createBundle(req.ctx, req.body)));
  app.get(`${P}/bundles/:id`, { config: read, schema: { tags, summary: 'One bundle', params: idParam, response: { 200: bundleOut } } },
    async (req) => svc.getBundle(req.ctx, req.params.id));
  app.patch(`${P}/bundles/:id`, { config: write, schema: { tags, summary: 'Replace a bundle\'s content (applies to every holder)', params: idParam, body: z.object({ spec: z.unknown() }), response: { 200: bundleOut } } },
    async (req) => svc.updateBundle(req.ctx, req.params.id, req.body.spec));
  app.delete(`${P}/bundles/:id`, { config: write, schema: { tags, summary: 'Delete a bundle not in use', params: idParam } },
    async (req, reply) => { await svc.deleteBundle(req.ctx, req.params.id); return reply.code(204).send(); });

  // Enterprise price agreements
  app.get(`${P}/agreements`, { config: read, schema: { tags, summary: 'Enterprise price agreements', querystring: z.object({ enterpriseId: z.uuid().optional(), offerId: z.uuid().optional() }), response: { 200: z.object({ items: z.array(agreementOut) }) } } },
    async (req) => ({ items: await svc.listAgreements(req.ctx, req.query) }));
  app.post(`${P}/agreements`, { config: write, schema: { tags, summary: 'Give one enterprise its own prices for an offer', body: agreementInput, response: { 201: agreementOut } } },
    async (req, reply) => reply.code(201).send(await svc.createAgreement(req.ctx, req.body)));
  app.delete(`${P}/agreements/:id`, { config: write, schema: { tags, summary: 'Remove an agreement', params: idParam } },
    async (req, reply) => { await svc.deleteAgreement(req.ctx, req.params.id); return reply.code(204).send(); });

  // Bulk load and report
  app.post(`${P}/loads`, {
    config: write,
    schema: { tags, summary: 'Load a catalog file (JSON document or CSV price list); all or nothing, every error reported',
      body: z.object({ format: z.enum(['json', 'csv']), content: z.string().min(1).max(20_000_000), dryRun: z.boolean().default(false) }), response: { 200: loose } },
  }, async (req) => svc.loadCatalog(req.ctx, req.body));
  app.get(`${P}/report`, {
    config: read,
    schema: { tags, summary: 'Catalog report for revenue assurance (CSV with ?format=csv)', querystring: z.object({ at: z.iso.datetime({ offset: true }).optional(), format: z.enum(['json', 'csv']).default('json') }) },
  }, async (req, reply) => {
    const r = await svc.catalogReport(req.ctx, req.query.at ? new Date(req.query.at) : undefined);
    if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="catalog-report.csv"').send(r.csv);
    return { at: r.at, header: r.header, rows: r.rows };
  });

  // Host templates
  app.get(`${P}/templates`, { config: read, schema: { tags, summary: 'Host-level offer templates', response: { 200: z.object({ items: z.array(templateOut.extend({ spec: loose })) }) } } },
    async (req) => ({ items: await svc.listTemplates(req.ctx) }));
  app.post(`${P}/templates`, { config: write, schema: { tags, summary: 'Define a host-level template (host admin)', body: templateInput, response: { 201: templateOut } } },
    async (req, reply) => reply.code(201).send(await svc.createTemplate(req.ctx, req.body)));
  app.post(`${P}/templates/:id/copy`, { config: write, schema: { tags, summary: 'Copy a template into the tenant\'s catalog as a new offer', params: idParam, body: z.object({ code: z.string(), name: z.string().optional() }), response: { 201: offerDetailOut } } },
    async (req, reply) => reply.code(201).send(await svc.copyTemplate(req.ctx, req.params.id, req.body)));
}
