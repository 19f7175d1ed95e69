import { createPlatform, type Platform } from '../../src/app';
import { loadConfig } from '../../src/platform/config';
import { openTestDatabase } from './db';

export interface TestPlatform {
  platform: Platform;
  app: Platform['app'];
  close: () => Promise<void>;
}

/** The real platform on a fresh database, workers off (tests drive them), for app.inject() or listen(). */
export async function startTestPlatform(env: Record<string, string> = {}, opts: { now?: () => Date } = {}): Promise<TestPlatform> {
  const { dbs, close } = await openTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WORKERS: 'false', RATE_LIMIT_PER_MINUTE: '100000', ...env });
  const platform = await createPlatform({ config, dbs, workers: false, now: opts.now });
  await platform.app.ready();
  return {
    platform,
    app: platform.app,
    close: async () => {
      await platform.app.close();
      await close();
    },
  };
}
