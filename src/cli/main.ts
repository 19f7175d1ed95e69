#!/usr/bin/env node
import { Command } from 'commander';
import { loadConfig, configSchema, ConfigError } from '../platform/config';
import { DatabaseService, migrate } from '../platform/db';
import { createPlatform } from '../app';
import { seedDemo } from './seed-demo';
import { registerInventoryCommands } from './inventory.commands';

/** The `cmp` command for operators. */
const program = new Command('cmp').description('OpenCMP connectivity management platform').showHelpAfterError();

function config() {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

program.command('serve')
  .description('run the API, the web console and the workers')
  .option('--demo', 'create the demo tenant, enterprise and users if they are missing')
  .option('--no-workers', 'do not run the outbox and schedule workers in this process')
  .action(async (opts: { demo?: boolean; workers: boolean }) => {
    const cfg = config();
    const platform = await createPlatform({ config: cfg, workers: opts.workers && cfg.WORKERS });
    if (opts.demo) await seedDemo(platform, (line) => console.log(line));
    const address = await platform.app.listen({ host: cfg.HOST, port: cfg.PORT });
    console.log(`OpenCMP is listening on ${address} (database: ${platform.core.dbs.kind})`);
    console.log(`  web console ${address}/   API docs ${address}/docs   OpenAPI ${address}/openapi.json`);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      platform.core.log.info({ signal }, 'shutting down: finishing requests and work in hand');
      await platform.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  });

program.command('migrate')
  .description('apply the database migrations that are not applied yet')
  .action(async () => {
    const cfg = config();
    const dbs = await DatabaseService.open({ url: cfg.DATABASE_URL, dataDir: `${cfg.DATA_DIR}/pglite` });
    const applied = await migrate(dbs, (m) => console.log(m));
    console.log(applied.length ? `applied ${applied.length} migration(s)` : 'the database is up to date');
    await dbs.close();
  });

program.command('seed-demo')
  .description('create the demo host admin, tenant "Demo Telecom", enterprise, business units and users')
  .action(async () => {
    const platform = await createPlatform({ config: config(), workers: false });
    await seedDemo(platform, (line) => console.log(line));
    await platform.close();
  });

program.command('create-admin')
  .description('create a host admin user (prints a TOTP enrolment secret)')
  .requiredOption('--email <email>', 'login e-mail')
  .requiredOption('--password <password>', 'initial password (at least 12 characters)')
  .option('--name <name>', 'display name', 'Host Admin')
  .action(async (opts: { email: string; password: string; name: string }) => {
    const platform = await createPlatform({ config: config(), workers: false });
    try {
      const created = await platform.modules.identity.createHostAdmin(opts);
      console.log(`created host admin ${created.email} (${created.id})`);
      console.log(`TOTP secret (add it to an authenticator app; shown only now): ${created.totpSecret}`);
      console.log(`  ${created.otpauthUrl}`);
    } finally {
      await platform.close();
    }
  });

program.command('reset-password')
  .description('issue a single-use password-reset token (30 minutes) for a user, e-mailed when SMTP_URL is set')
  .requiredOption('--email <email>', 'the user\'s e-mail')
  .action(async (opts: { email: string }) => {
    const platform = await createPlatform({ config: config(), workers: false });
    try {
      const issued = await platform.modules.identity.issuePasswordReset(opts.email);
      if (!issued) throw new Error(`no active user with the e-mail ${opts.email}`);
      const mailed = await issued.mailed;
      console.log(`reset token for ${opts.email} (valid until ${issued.expiresAt.toISOString()}${mailed ? ', also e-mailed' : ''}):`);
      console.log(issued.token);
      console.log('use it with POST /api/v1/auth/password-reset/confirm {token, newPassword}');
    } finally {
      await platform.close();
    }
  });

program.command('simulate-network')
  .description('run a simulated network provisioning target (HLR/HSS-style subscriber API, Cisco Control Center-style device API)')
  .option('--port <n>', 'TCP port', '8089')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--latency-ms <ms>', 'delay before every answer', '0')
  .option('--failure-rate <r>', 'share of requests answered 503 (0..1)', '0')
  .option('--token <token>', 'require this bearer token (or Basic password)')
  .action(async (opts: { port: string; host: string; latencyMs: string; failureRate: string; token?: string }) => {
    const { startNetworkSimulator } = await import('../modules/provisioning/network-simulator');
    const failureRate = Number(opts.failureRate);
    if (!(failureRate >= 0 && failureRate <= 1)) { console.error('--failure-rate must be between 0 and 1'); process.exit(2); }
    const sim = await startNetworkSimulator({ port: Number(opts.port), host: opts.host, latencyMs: Number(opts.latencyMs), failureRate, token: opts.token });
    console.log(`network simulator listening on ${sim.url} (latency ${opts.latencyMs} ms, failure rate ${failureRate})`);
    const stop = () => void sim.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program.command('config')
  .description('list every setting with its current value (secrets hidden) and what it does')
  .action(() => {
    const cfg = config() as Record<string, unknown>;
    for (const [key, schema] of Object.entries(configSchema.shape)) {
      const secret = /SECRET|KEYS|PASSWORD/.test(key) || (key === 'DATABASE_URL' && String(cfg[key] ?? '').includes('@'));
      const value = cfg[key] === undefined ? '(unset)' : secret ? '(set, hidden)' : String(cfg[key]);
      const help = (schema as { description?: string }).description ?? '';
      console.log(`${key.padEnd(24)} ${value.padEnd(28)} ${help}`);
    }
  });

registerInventoryCommands(program, config);

program.parseAsync(process.argv).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
