import type { Core } from '../../platform/core';
import type { App, Authenticator } from '../../platform/http';
import { createMailer, type Mailer } from '../../platform/mail';
import { createAuthService } from './auth.service';
import { createUsersService } from './users.service';
import { createApiKeysService } from './api-keys.service';
import { registerIdentityRoutes } from './identity.routes';

export type { EnsureUserInput, LoginResult, SessionResult, SessionUser, RequestMeta } from './auth.service';
export type { CreateUserInput, UpdateUserInput } from './users.service';
export type { CreateApiKeyInput } from './api-keys.service';
export type { UserView, ApiKeyView } from './identity.repo';
export { IDENTITY_EVENTS, type UserEventPayload, type ApiKeyEventPayload } from './identity.events';

/** The identity module: users, roles, log-in (password + TOTP), sessions, password resets, API keys. */
export function createIdentityModule(core: Core, deps: { mailer?: Mailer } = {}) {
  const mailer = deps.mailer ?? createMailer(core.config, core.log);
  const auth = createAuthService(core, mailer);
  const users = createUsersService(core, auth);
  const apiKeys = createApiKeysService(core);
  const authenticate: Authenticator = (credential) => auth.authenticate(credential);
  // Suspended or terminated tenants and enterprises lose access (accounts owns their status).
  for (const object of ['tenant', 'enterprise']) {
    for (const verb of ['suspended', 'reactivated', 'terminated']) {
      core.bus.subscribe(`identity.scope-status.${object}.${verb}`, `accounts.${object}.${verb}`, auth.onAccountStatus);
    }
  }
  core.scheduler.register({
    name: 'identity.maintenance',
    cron: '17 3 * * *',
    run: async (dueAt) => {
      const purged = await auth.purgeExpired(dueAt);
      const { resealed } = await auth.resealTotpSecrets();
      core.log.info({ purged, resealed }, 'identity maintenance done');
    },
  });
  return {
    name: 'identity',
    authenticate,
    /** Creates a user unless the e-mail exists (idempotent; for seeders and fixtures, no permission checks). */
    ensureUser: auth.ensureUser,
    createHostAdmin: auth.createHostAdmin,
    /** A single-use password-reset token (30 min), e-mailed when SMTP_URL is set; null for unknown users. */
    issuePasswordReset: (email: string) => auth.issuePasswordReset(email, { requestId: `system-${Date.now()}`, ip: null }),
    confirmPasswordReset: auth.confirmPasswordReset,
    /** Re-seals TOTP secrets under the primary ENCRYPTION_KEYS key (also run daily by identity.maintenance). */
    resealTotpSecrets: auth.resealTotpSecrets,
    purgeExpired: auth.purgeExpired,
    /** The handler of accounts' tenant/enterprise status events (subscribed above; exported for tests). */
    onAccountStatus: auth.onAccountStatus,
    login: auth.login,
    verifyMfa: auth.verifyMfa,
    users,
    apiKeys,
    register(app: App): void {
      registerIdentityRoutes(app, { auth, users, apiKeys });
    },
  };
}
export type IdentityModule = ReturnType<typeof createIdentityModule>;
