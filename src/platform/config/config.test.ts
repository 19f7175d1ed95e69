import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, ConfigError } from './config';

describe('configuration', () => {
  it('has working defaults for the embedded database', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PORT).toBe(8080);
    expect(c.WORKERS).toBe(true);
  });

  it('lists every bad value at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', SECRET_KEY: 'short' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'SECRET_KEY']) expect(problems).toContain(key);
    }
  });

  it('refuses the published development keys in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRET_KEY[\s\S]*ENCRYPTION_KEYS/);
    const ok = loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(40), ENCRYPTION_KEYS: `2:${Buffer.alloc(32, 7).toString('base64')}` });
    expect(ok.NODE_ENV).toBe('production');
  });

  it('reads an optional JSON file, with the environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cmp-cfg-'));
    const file = join(dir, 'cmp.json');
    writeFileSync(file, JSON.stringify({ PORT: 9000, LOG_LEVEL: 'debug' }));
    const c = loadConfig({ CMP_CONFIG_FILE: file, LOG_LEVEL: 'warn' });
    expect(c.PORT).toBe(9000);
    expect(c.LOG_LEVEL).toBe('warn');
    expect(() => loadConfig({ CMP_CONFIG_FILE: join(dir, 'missing.json') })).toThrow(/does not exist/);
  });
});
