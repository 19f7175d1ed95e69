import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../platform/http';
import { UnauthorizedError } from '../../platform/http/errors';
import type { AuthService, RequestMeta } from './auth.service';
import type { UsersService } from './users.service';
import type { ApiKeysService } from './api-keys.service';
import * as s from './identity.schemas';

const meta = (req: FastifyRequest): RequestMeta => ({ requestId: String(req.id), ip: req.ip ?? null });
const bearerOf = (req: FastifyRequest) => {
  const h = req.headers.authorization;
  return h?.toLowerCase().startsWith('bearer ') ? h.slice(7).trim() : undefined;
};
/** /auth/me and /auth/logout serve every role, so they are public routes that insist on a principal. */
const principalOf = (req: FastifyRequest) => {
  if (!req.principal) throw new UnauthorizedError(bearerOf(req) || req.headers['x-api-key'] ? 'the credentials are invalid, expired or revoked' : 'authentication is required');
  return req.principal;
};

export function registerIdentityRoutes(app: App, svc: { auth: AuthService; users: UsersService; apiKeys: ApiKeysService }): void {
  const { auth, users, apiKeys } = svc;
  const tags = ['identity'];

  // Responses carrying a session token or API key secret are not kept for Idempotency-Key replays in clear.
  app.post('/api/v1/auth/login', {
    config: { public: true, sensitiveResponse: true },
    schema: { tags, summary: 'Log in, step 1: e-mail and password', security: [], body: s.loginBody, response: { 200: s.loginResponse } },
  }, async (req) => auth.login(req.body, meta(req)));

  app.post('/api/v1/auth/mfa', {
    config: { public: true, sensitiveResponse: true },
    schema: { tags, summary: 'Log in, step 2: the TOTP code; opens a session', security: [], body: s.mfaBody, response: { 200: s.sessionResponse } },
  }, async (req) => auth.verifyMfa(req.body, meta(req)));

  app.get('/api/v1/auth/me', {
    config: { public: true },
    schema: { tags, summary: 'The caller: user, role, tenant, enterprise and permissions', response: { 200: s.meResponse } },
  }, async (req) => auth.me(principalOf(req), bearerOf(req)));

  app.post('/api/v1/auth/logout', {
    config: { public: true },
    schema: { tags, summary: 'End the session of this bearer token', response: { 204: z.null() } },
  }, async (req, reply) => {
    const p = principalOf(req);
    const bearer = bearerOf(req);
    if (p.kind === 'user' && bearer) await auth.logout(bearer, meta(req));
    return reply.code(204).send(null);
  });

  app.post('/api/v1/auth/password', {
    config: { public: true },
    schema: { tags, summary: 'Change your own password (ends your other sessions)', body: s.changePasswordBody, response: { 204: z.null() } },
  }, async (req, reply) => {
    await auth.changePassword(principalOf(req), bearerOf(req), req.body, meta(req));
    return reply.code(204).send(null);
  });

  app.post('/api/v1/auth/password-reset/request', {
    config: { public: true },
    schema: { tags, summary: 'Send a password-reset e-mail (always 202: it does not tell whether the address exists)', security: [],
      body: s.resetRequestBody, response: { 202: z.object({ status: z.literal('accepted') }) } },
  }, async (req, reply) => {
    const issued = await auth.issuePasswordReset(req.body.email, meta(req));
    void issued; // the token travels by e-mail only
    return reply.code(202).send({ status: 'accepted' as const });
  });

  app.post('/api/v1/auth/password-reset/confirm', {
    config: { public: true },
    schema: { tags, summary: 'Set a new password with a reset token; ends every session of the user', security: [],
      body: s.resetConfirmBody, response: { 204: z.null() } },
  }, async (req, reply) => {
    await auth.confirmPasswordReset(req.body, meta(req));
    return reply.code(204).send(null);
  });

  app.get('/api/v1/users', {
    config: { permission: 'users:read' },
    schema: { tags, summary: 'List users (of the caller\'s tenant or enterprise; host admins without X-Tenant-Id: host users)', querystring: s.userListQuery, response: { 200: s.userList } },
  }, async (req) => users.list(req.ctx, req.query));

  app.post('/api/v1/users', {
    config: { permission: 'users:manage' },
    schema: { tags, summary: 'Create a user', body: s.createUserBody, response: { 201: s.user } },
  }, async (req, reply) => reply.code(201).send(await users.create(req.ctx, req.body)));

  app.get('/api/v1/users/:id', {
    config: { permission: 'users:read' },
    schema: { tags, summary: 'Get a user', params: s.idParams, response: { 200: s.user } },
  }, async (req) => users.get(req.ctx, req.params.id));

  app.patch('/api/v1/users/:id', {
    config: { permission: 'users:manage' },
    schema: { tags, summary: 'Change a user: name, role (same level), status; reset its TOTP; lift a lockout', params: s.idParams, body: s.updateUserBody, response: { 200: s.user } },
  }, async (req) => users.update(req.ctx, req.params.id, req.body));

  app.get('/api/v1/api-keys', {
    config: { permission: 'apikeys:manage' },
    schema: { tags, summary: 'List API keys (never their secrets)', querystring: s.apiKeyListQuery, response: { 200: s.apiKeyList } },
  }, async (req) => apiKeys.list(req.ctx, req.query));

  app.post('/api/v1/api-keys', {
    config: { permission: 'apikeys:manage', sensitiveResponse: true },
    schema: { tags, summary: 'Create an API key; the secret is in this response only', body: s.createApiKeyBody, response: { 201: s.apiKeyCreated } },
  }, async (req, reply) => reply.code(201).send(await apiKeys.create(req.ctx, req.body)));

  app.delete('/api/v1/api-keys/:id', {
    config: { permission: 'apikeys:manage' },
    schema: { tags, summary: 'Revoke an API key (it stops working at once)', params: s.idParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    await apiKeys.revoke(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });
}
