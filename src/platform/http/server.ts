import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { randomUUID, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { DatabaseService } from '../db/database';
import { can, type Principal, type RequestContext } from '../auth/principal';
import type { Permission } from '../auth/roles';
import { ForbiddenError, UnauthorizedError, ValidationError } from './errors';
import { installProblemHandler, sendProblem } from './problem';
import { redact } from '../audit/audit';
import type { Metrics } from '../metrics/metrics';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route requires. Every route names one, or is marked public. */
    permission?: Permission;
    public?: boolean;
    /** The response carries a secret (session token, API key): an Idempotency-Key replay gets it redacted. */
    sensitiveResponse?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Set on every authenticated route before its handler runs. */
    ctx: RequestContext;
  }
}

/**
 * API paths: the platform's own (/api/) and the TM Forum Open APIs (/tmf-api/, e.g. TMF620). Both get the
 * same permission check, authentication, rate limit and idempotency.
 */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/tmf-api/');
}

export type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

/** Resolves a bearer token or API key to a principal; provided by the identity module. */
export type Authenticator = (credential: { bearer?: string; apiKey?: string }, req: FastifyRequest) => Promise<Principal | null>;

export interface HttpOptions {
  config: Config;
  dbs: DatabaseService;
  log: Logger;
  metrics: Metrics;
  authenticate: () => Authenticator;
  /** Where the built web console lives; served at / when present. */
  webDist?: string;
}

export async function createHttpServer(opts: HttpOptions): Promise<App> {
  const { config, dbs, metrics } = opts;
  const app = Fastify({
    loggerInstance: opts.log as unknown as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    trustProxy: true,
    bodyLimit: 50 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array' } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installProblemHandler(app);
  app.decorateRequest('principal', null);
  app.decorateRequest('ctx', null as unknown as RequestContext);

  // Every API route must say what it needs: a permission or `public: true`. Forgetting is a start-up error.
  app.addHook('onRoute', (route) => {
    const url = route.url;
    if (!isApiPath(url)) return;
    const cfg = (route.config ?? {}) as { permission?: Permission; public?: boolean };
    if (!cfg.permission && !cfg.public) throw new Error(`route ${route.method} ${url} declares neither a permission nor public`);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Authentication and the request context, before the request is validated: a caller without the right to a
  // route learns nothing about its schema.
  app.addHook('preValidation', async (req) => {
    const cfg = req.routeOptions.config as { permission?: Permission; public?: boolean } | undefined;
    if (!isApiPath(req.url) || !cfg || (!cfg.permission && !cfg.public)) return;
    const auth = req.headers.authorization;
    const bearer = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
    const apiKey = typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : undefined;
    if (bearer || apiKey) req.principal = await opts.authenticate()({ bearer, apiKey }, req);
    if (cfg.public) return;
    const p = req.principal;
    if (!p) throw new UnauthorizedError(bearer || apiKey ? 'the credentials are invalid, expired or revoked' : 'authentication is required');
    if (!can(p, cfg.permission!)) throw new ForbiddenError(`your role (${p.role}) lacks the permission ${cfg.permission}`);
    let tenantId = p.tenantId;
    const asTenant = req.headers['x-tenant-id'];
    if (p.role === 'host_admin' && typeof asTenant === 'string' && asTenant) {
      if (!/^[0-9a-f-]{36}$/i.test(asTenant)) throw ValidationError.field('header.x-tenant-id', 'must be a tenant id (uuid)');
      tenantId = asTenant;
    }
    req.ctx = { principal: p, tenantId, enterpriseId: p.enterpriseId, requestId: String(req.id), ip: req.ip ?? null };
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (req) => (req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`),
    allowList: (req) => !isApiPath(req.url),
    errorResponseBuilder: (req, ctx) => ({ statusCode: 429, message: `rate limit of ${ctx.max} requests per minute exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s` }),
  });

  installIdempotency(app, dbs);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'OpenCMP API', version: '1', description: 'Connectivity management, catalog, charging and billing.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'session token from POST /api/v1/auth/login' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const web = opts.webDist ?? resolve('web/dist');
  if (existsSync(join(web, 'index.html'))) {
    await app.register(fastifyStatic, { root: web, prefix: '/', wildcard: false });
    app.get('/*', { schema: { hide: true } }, async (req, reply) => {
      if (isApiPath(req.url)) return sendProblem(reply, req, 404, 'not-found', `no route ${req.method} ${req.url}`);
      return reply.sendFile('index.html');
    });
  }
  return app as unknown as App;
}

/**
 * Idempotency-Key on mutations: the first completed response to (caller, key) is stored and replayed for a
 * retry with the same method, path and body; the same key with another request is refused (422); a retry while
 * the first is still running gets 409. Server errors are not stored, so they can be retried.
 */
function installIdempotency(app: FastifyInstance<any, any, any, any, ZodTypeProvider>, dbs: DatabaseService): void {
  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) || !isApiPath(req.url)) return;
    if (key.length < 1 || key.length > 255) throw ValidationError.field('header.idempotency-key', 'must be 1 to 255 characters');
    const scope = req.principal ? `${req.principal.kind}:${req.principal.id}` : `ip:${req.ip}`;
    // A streamed body (a file upload) is not read here: it is identified by its declared length instead.
    const streamed = typeof (req.body as { pipe?: unknown } | null)?.pipe === 'function';
    const bodyKey = streamed ? `stream:${req.headers['content-length'] ?? '?'}` : JSON.stringify(req.body ?? null);
    const hash = createHash('sha256').update(`${req.method} ${req.url}\n${bodyKey}`).digest('hex');
    const inserted = await sql<{ key: string }>`
      insert into idempotency_keys (scope, key, tenant_id, method, path, request_hash)
      values (${scope}, ${key}, ${req.principal?.tenantId ?? null}, ${req.method}, ${req.url}, ${hash})
      on conflict (scope, key) do nothing returning key`.execute(dbs.db);
    if (inserted.rows.length) {
      (req as unknown as { idempotency: { scope: string; key: string } }).idempotency = { scope, key };
      return;
    }
    const prior = await sql<{ request_hash: string; status_code: number | null; response: unknown }>`
      select request_hash, status_code, response from idempotency_keys where scope = ${scope} and key = ${key}`.execute(dbs.db);
    const row = prior.rows[0];
    if (!row) return;
    if (row.request_hash !== hash) {
      return sendProblem(reply, req, 422, 'idempotency-key-reused', 'this Idempotency-Key was used for a different request',
        [{ field: 'header.idempotency-key', reason: 'was used with another method, path or body' }]);
    }
    if (row.status_code === null) return sendProblem(reply, req, 409, 'idempotency-in-progress', 'a request with this Idempotency-Key is still being processed');
    reply.header('idempotent-replayed', 'true');
    const stored = row.response as { body: unknown; contentType?: string };
    // Sent as the stored JSON text: the route's response serializer must not run again on it (dates are strings now).
    const replay = typeof stored.body === 'string' ? stored.body : JSON.stringify(stored.body);
    return reply.code(row.status_code).type(stored.contentType ?? 'application/json').send(replay);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const idem = (req as unknown as { idempotency?: { scope: string; key: string } }).idempotency;
    if (!idem) return payload;
    if (reply.statusCode >= 500) {
      await sql`delete from idempotency_keys where scope = ${idem.scope} and key = ${idem.key}`.execute(dbs.db);
    } else {
      let body: unknown = payload;
      if (typeof payload === 'string') {
        try { body = JSON.parse(payload); } catch { body = payload; }
      }
      if ((req.routeOptions.config as { sensitiveResponse?: boolean } | undefined)?.sensitiveResponse) body = redact(body);
      const contentType = String(reply.getHeader('content-type') ?? 'application/json');
      await sql`update idempotency_keys set status_code = ${reply.statusCode}, response = ${JSON.stringify({ body, contentType })}::jsonb
                 where scope = ${idem.scope} and key = ${idem.key}`.execute(dbs.db);
    }
    return payload;
  });
}
