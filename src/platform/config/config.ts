import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * The whole configuration of a process: one zod schema, read from the environment and an optional JSON file
 * (CMP_CONFIG_FILE; environment wins). Parsed once at start; every bad value is listed, then the process stops.
 */
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const DEV_SECRET = 'dev-only-secret-key-change-me-0123456789';
const DEV_KEYS = '1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development').describe('production refuses the built-in development keys'),
  HOST: z.string().default('127.0.0.1').describe('address the HTTP server binds to'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080).describe('HTTP port'),
  PUBLIC_URL: z.string().url().optional().describe('external base URL, used in links and callbacks'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe('PostgreSQL server; when absent the embedded PGlite database in DATA_DIR is used'),
  DATA_DIR: z.string().default('./data').describe('folder of the embedded database and local files'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10).describe('PostgreSQL connections per process'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('JSON log level'),
  SECRET_KEY: z
    .string()
    .min(32, 'must be at least 32 characters')
    .default(DEV_SECRET)
    .describe('signs tokens and webhooks; set your own in production'),
  ENCRYPTION_KEYS: z
    .string()
    .default(DEV_KEYS)
    .describe('data keys for encryption at rest, "id:base64(32 bytes)" comma-separated, the first encrypts'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600).describe('requests per minute per API key or user'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5).describe('failed log-ins before the account locks'),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15).describe('how long a locked account stays locked'),
  WORKERS: bool.default(true).describe('run the outbox and job workers in this process'),
  WORKER_POLL_MS: z.coerce.number().int().min(10).default(500).describe('how often an idle worker looks for due events and jobs'),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8).describe('attempts before an event delivery is parked as dead'),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500).describe('event deliveries a worker claims per round (batch subscribers take them in one call)'),
  SMTP_URL: z.string().optional().describe('smtp://host:port for e-mail'),
});

/** Cross-field rules: production must not run on the keys published in this repository. */
const checkedSchema = configSchema.superRefine((c, ctx) => {
  if (c.NODE_ENV !== 'production') return;
  if (c.SECRET_KEY === DEV_SECRET) ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: 'must be set in production (the default is public)' });
  if (c.ENCRYPTION_KEYS === DEV_KEYS) ctx.addIssue({ code: 'custom', path: ['ENCRYPTION_KEYS'], message: 'must be set in production (the default is public)' });
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let fileValues: Record<string, unknown> = {};
  const file = env.CMP_CONFIG_FILE;
  if (file) {
    if (!existsSync(file)) throw new ConfigError([`CMP_CONFIG_FILE: file ${file} does not exist`]);
    try {
      fileValues = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError([`CMP_CONFIG_FILE: ${(e as Error).message}`]);
    }
  }
  const merged: Record<string, unknown> = { ...fileValues };
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') merged[key] = v;
  }
  const parsed = checkedSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}

let current: Config | undefined;
export function getConfig(): Config {
  current ??= loadConfig();
  return current;
}
export function setConfig(config: Config): void {
  current = config;
}
