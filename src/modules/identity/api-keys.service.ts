import { randomUUID } from 'node:crypto';
import type { Core } from '../../platform/core';
import { ROLE_LEVEL, actorOf, canGrant, originOf, scopeOf, type RequestContext, type Role } from '../../platform/auth';
import { recordAudit } from '../../platform/audit';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/http/errors';
import { paginate, type Page, type PageQuery } from '../../platform/http/pagination';
import { IDENTITY_EVENTS, type ApiKeyEventPayload } from './identity.events';
import { hashToken, newApiKeySecret, placeGrant } from './identity.fns';
import * as repo from './identity.repo';
import { mapUserWriteError } from './auth.service';

export interface CreateApiKeyInput {
  name: string;
  role: Role;
  enterpriseId?: string | null;
  expiresAt?: Date | null;
}

/**
 * API keys for machine clients, bound to one tenant (and optionally one enterprise) with a role. The secret is
 * returned once, by `create`; only its sha256 is stored. All work runs under the caller's RLS scope.
 */
export function createApiKeysService(core: Pick<Core, 'dbs' | 'bus' | 'now'>) {
  const { dbs, bus } = core;

  const event = (k: repo.ApiKeyView): ApiKeyEventPayload =>
    ({ apiKeyId: k.id, name: k.name, role: k.role, tenantId: k.tenantId, enterpriseId: k.enterpriseId });

  return {
    async create(ctx: RequestContext, input: CreateApiKeyInput): Promise<repo.ApiKeyView & { secret: string }> {
      if (ROLE_LEVEL[input.role] === 'host') throw ValidationError.field('role', 'API keys act inside a tenant: choose a tenant or enterprise role');
      const scope = scopeOf(ctx);
      const place = placeGrant({ role: ctx.principal.role, tenantId: ctx.tenantId, enterpriseId: ctx.enterpriseId }, input.role, input.enterpriseId);
      const now = core.now();
      if (input.expiresAt && input.expiresAt <= now) throw ValidationError.field('expiresAt', 'must be in the future');
      const id = randomUUID();
      const secret = newApiKeySecret(id);
      try {
        return await dbs.tenant(scope, async (tx) => {
          await tx.insertInto('api_keys').values({
            tenant_id: place.tenantId!, id, enterprise_id: place.enterpriseId, name: input.name, role: input.role,
            secret_hash: hashToken(secret), created_by: `${ctx.principal.kind}:${ctx.principal.id}`, expires_at: input.expiresAt ?? null, created_at: now,
          }).execute();
          const key = (await tx.selectFrom('api_keys').select(repo.apiKeyColumns).where('id', '=', id).executeTakeFirstOrThrow()) as repo.ApiKeyView;
          await recordAudit(tx, originOf(ctx), { tenantId: key.tenantId, enterpriseId: key.enterpriseId, action: 'create', entityType: 'api_key', entityId: id, after: key });
          await bus.record(tx, { type: IDENTITY_EVENTS.apiKeyCreated, tenantId: key.tenantId, aggregateType: 'api_key', aggregateId: id, payload: event(key) }, actorOf(ctx));
          return { ...key, secret };
        });
      } catch (e) {
        throw mapUserWriteError(e);
      }
    },

    async list(ctx: RequestContext, query: PageQuery & { includeRevoked?: boolean }): Promise<Page<repo.ApiKeyView>> {
      return dbs.tenant(scopeOf(ctx), async (tx) => {
        let q = tx.selectFrom('api_keys').select(repo.apiKeyColumns);
        if (!query.includeRevoked) q = q.where('revoked_at', 'is', null);
        return paginate(q, query, { createdAt: 'created_at', name: 'name' }, '-createdAt') as Promise<Page<repo.ApiKeyView>>;
      });
    },

    async revoke(ctx: RequestContext, id: string): Promise<void> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('API key', id);
      const now = core.now();
      await dbs.tenant(scopeOf(ctx), async (tx) => {
        const before = (await tx.selectFrom('api_keys').select(repo.apiKeyColumns).where('id', '=', id).forUpdate().executeTakeFirst()) as repo.ApiKeyView | undefined;
        if (!before || before.revokedAt) throw new NotFoundError('API key', id);
        if (!canGrant(ctx.principal.role, before.role)) throw new ForbiddenError(`a ${ctx.principal.role} cannot revoke a key with the role ${before.role}`);
        await tx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).execute();
        await recordAudit(tx, originOf(ctx), { tenantId: before.tenantId, enterpriseId: before.enterpriseId, action: 'revoke', entityType: 'api_key', entityId: id, before, after: { ...before, revokedAt: now } });
        await bus.record(tx, { type: IDENTITY_EVENTS.apiKeyRevoked, tenantId: before.tenantId, aggregateType: 'api_key', aggregateId: id, payload: event(before) }, actorOf(ctx));
      });
    },
  };
}
export type ApiKeysService = ReturnType<typeof createApiKeysService>;
