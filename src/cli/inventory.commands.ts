import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Config } from '../platform/config';
import { systemContext } from '../platform/auth';
import { createPlatform } from '../app';

/** `cmp load-sims` and `cmp rotate-keys`: inventory work for operators. */
export function registerInventoryCommands(program: Command, config: () => Config): void {
  program.command('load-sims')
    .description('load a vendor output file (CSV: iccid, imsi, ki, opc, puk1, puk2, pin1, eid, matching_id) into a tenant\'s stock, all or nothing')
    .requiredOption('--tenant <code>', 'tenant code')
    .requiredOption('--product <id>', 'SIM product id (the tenant\'s or a host-wide one)')
    .argument('<file>', 'the CSV file')
    .action(async (file: string, opts: { tenant: string; product: string }) => {
      const platform = await createPlatform({ config: config(), workers: false });
      try {
        const tenant = await platform.modules.accounts.findTenantByCode(systemContext(null, null, 'cmp load-sims'), opts.tenant);
        if (!tenant) throw new Error(`no tenant with code ${opts.tenant}`);
        const size = statSync(file).size;
        const bar = new cliProgress.SingleBar({
          format: 'loading |{bar}| {percentage}% | {rows} rows | {mib}/{total_mib} MiB | {duration}s',
          hideCursor: true,
        }, cliProgress.Presets.shades_classic);
        const mib = (b: number) => (b / 2 ** 20).toFixed(1);
        bar.start(size, 0, { rows: 0, mib: '0.0', total_mib: mib(size) });
        const report = await platform.modules.inventory.loadSims(systemContext(tenant.id, null, 'cmp load-sims'), {
          simProductId: opts.product, fileName: basename(file), source: createReadStream(file, { highWaterMark: 1 << 20 }),
          onProgress: (p) => bar.update(p.bytes, { rows: p.rows, mib: mib(p.bytes) }),
        });
        bar.update(size, { rows: report.totalRows, mib: mib(size) });
        bar.stop();
        if (report.status === 'LOADED') {
          console.log(`loaded ${report.loadedRows} SIMs (load ${report.id})`);
        } else {
          console.error(`REJECTED: nothing was loaded; ${report.errorCount} problem(s) in ${report.totalRows} row(s) (load ${report.id})`);
          for (const e of report.errors) console.error(`  line ${e.line}  ${e.field}: ${e.reason}`);
          if (report.errorCount > report.errors.length) console.error(`  … ${report.errorCount - report.errors.length} more: GET /api/v1/inventory/loads/${report.id}/errors.csv`);
          process.exitCode = 1;
        }
      } finally {
        await platform.close();
      }
    });

  program.command('rotate-keys')
    .description('re-seal every SIM Ki/OPc and SFTP key under the first key of ENCRYPTION_KEYS (safe to interrupt and rerun)')
    .action(async () => {
      const platform = await createPlatform({ config: config(), workers: false });
      try {
        const n = await platform.modules.inventory.rotateKeys({ onProgress: (done) => process.stdout.write(`\rre-sealed ${done} SIMs`) });
        console.log(`\nre-sealed ${n} value(s) under key ${config().ENCRYPTION_KEYS.split(':')[0]}`);
      } finally {
        await platform.close();
      }
    });
}
