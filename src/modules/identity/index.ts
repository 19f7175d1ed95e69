import type { Core } from '../../platform/core';
import type { App, Authenticator } from '../../platform/http';

/** The identity module: users, roles, login (password + TOTP), sessions, API keys. (Skeleton.) */
export function createIdentityModule(core: Core) {
  void core;
  const authenticate: Authenticator = async () => null;
  return {
    name: 'identity',
    authenticate,
    async createHostAdmin(input: { email: string; password: string; name: string }): Promise<{ id: string; email: string }> {
      void input;
      throw new Error('not implemented yet');
    },
    register(app: App): void {
      void app;
    },
  };
}
export type IdentityModule = ReturnType<typeof createIdentityModule>;
