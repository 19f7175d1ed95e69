import SftpClient from 'ssh2-sftp-client';
import type { Core } from '../../platform/core';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, systemContext, type RequestContext } from '../../platform/auth';
import { open, seal, type KeyRing } from '../../platform/crypto';
import { AppError, NotFoundError, ValidationError } from '../../platform/http';
import { stockReportCsv, type StockLine } from './inventory.fns';
import * as repo from './inventory.repo';
import { INVENTORY_EVENTS } from './inventory.events';

export interface StockReportTarget {
  host: string;
  port: number;
  username: string;
  remoteDir: string;
  hostKeySha256: string | null;
  enabled: boolean;
  lastDeliveredAt: Date | null;
  lastFile: string | null;
  lastError: string | null;
}

const sftpContext = (tenantId: string) => `sftp:${tenantId}`;

/**
 * The stock report (SIMs by product, stock state, lifecycle state and tenant) as CSV by API, and as a daily file
 * delivered to each tenant's ERP drop box over SFTP.
 */
export function createStockService(core: Core, ring: () => KeyRing) {
  /** Tenant-scoped callers get their tenant; a host admin without X-Tenant-Id gets every tenant. */
  async function stockLines(tenantId: string | null): Promise<StockLine[]> {
    const run = async (tx: Parameters<Parameters<typeof core.dbs.system>[0]>[0]) => {
      const counts = await repo.stockCounts(tx, tenantId);
      const products = new Map((await repo.listProducts(tx, { includeHost: true, tenantScoped: true })).map((p) => [p.id, p]));
      return counts.map((c) => {
        const p = c.product_id ? products.get(c.product_id) : undefined;
        return { tenantCode: c.tenant_code, productId: c.product_id ?? '', productName: p?.name ?? '', formFactor: p?.form_factor ?? '', stockState: c.stock_state, state: c.state, count: c.count };
      });
    };
    return tenantId ? core.dbs.tenant({ tenantId }, run) : core.dbs.system(run);
  }

  async function stockReport(ctx: RequestContext): Promise<{ lines: StockLine[]; csv: string }> {
    const lines = await stockLines(ctx.tenantId ? scopeOf(ctx).tenantId : null);
    return { lines, csv: stockReportCsv(lines, core.now()) };
  }

  async function getTarget(ctx: RequestContext): Promise<StockReportTarget> {
    const scope = { tenantId: scopeOf(ctx).tenantId };
    return core.dbs.tenant(scope, async (tx) => {
      const t = await tx.selectFrom('stock_report_targets').selectAll().executeTakeFirst();
      if (!t) throw new NotFoundError('stock report SFTP target');
      return toTarget(t);
    });
  }

  /** Sets the tenant's SFTP target. The private key is sealed at rest and never returned. */
  async function putTarget(ctx: RequestContext, input: { host: string; port: number; username: string; privateKey?: string; remoteDir: string; hostKeySha256?: string | null; enabled: boolean }): Promise<StockReportTarget> {
    const scope = { tenantId: scopeOf(ctx).tenantId };
    return core.dbs.tenant(scope, async (tx) => {
      const before = await tx.selectFrom('stock_report_targets').selectAll().forUpdate().executeTakeFirst();
      if (!before && !input.privateKey) throw ValidationError.field('privateKey', 'is required when the target is first set');
      const sealed = input.privateKey ? seal(input.privateKey, ring(), sftpContext(scope.tenantId)) : null;
      const values = {
        host: input.host, port: input.port, username: input.username, remote_dir: input.remoteDir,
        host_key_sha256: input.hostKeySha256?.toLowerCase() ?? null, enabled: input.enabled, updated_at: core.now(),
        ...(sealed ? { private_key_enc: sealed.blob, key_id: sealed.keyId } : {}),
      };
      const t = before
        ? await tx.updateTable('stock_report_targets').set(values).returningAll().executeTakeFirstOrThrow()
        : await tx.insertInto('stock_report_targets').values({ ...values, tenant_id: scope.tenantId, private_key_enc: sealed!.blob, key_id: sealed!.keyId }).returningAll().executeTakeFirstOrThrow();
      await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: before ? 'update' : 'create', entityType: 'stock_report_target', entityId: scope.tenantId,
        before: before ? toTarget(before) : undefined, after: { ...toTarget(t), privateKeyChanged: Boolean(sealed) } });
      return toTarget(t);
    });
  }

  /** Builds today's report for one tenant and uploads it (to a temporary name, then renamed, so the ERP never reads half a file). */
  async function deliverStockReport(ctx: RequestContext): Promise<{ file: string; bytes: number }> {
    const tenantId = scopeOf(ctx).tenantId;
    const target = await core.dbs.tenant({ tenantId }, (tx) => tx.selectFrom('stock_report_targets').selectAll().executeTakeFirst());
    if (!target) throw new NotFoundError('stock report SFTP target');
    const { code } = await core.dbs.tenant({ tenantId }, (tx) => repo.tenantProfile(tx, tenantId));
    const now = core.now();
    const file = `stock-${code}-${now.toISOString().slice(0, 10)}.csv`;
    const csv = stockReportCsv(await stockLines(tenantId), now);
    const dir = target.remote_dir.replace(/\/+$/, '') || '.';
    const client = new SftpClient('cmp-stock-report');
    let error: string | null = null;
    try {
      await client.connect({
        host: target.host, port: target.port, username: target.username, readyTimeout: 10_000,
        privateKey: open({ keyId: target.key_id, blob: target.private_key_enc }, ring(), sftpContext(tenantId)),
        ...(target.host_key_sha256 ? { hostHash: 'sha256', hostVerifier: (hash: string) => hash.toLowerCase() === target.host_key_sha256 } : {}),
      });
      await client.put(Buffer.from(csv, 'utf8'), `${dir}/${file}.part`);
      if (await client.exists(`${dir}/${file}`)) await client.delete(`${dir}/${file}`);
      await client.rename(`${dir}/${file}.part`, `${dir}/${file}`);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      await client.end().catch(() => undefined);
    }
    await core.dbs.tenant({ tenantId }, async (tx) => {
      await tx.updateTable('stock_report_targets').set(error ? { last_error: error.slice(0, 2000) } : { last_delivered_at: now, last_file: file, last_error: null }).execute();
      await recordAudit(tx, originOf(ctx), { tenantId, action: error ? 'deliver_failed' : 'deliver', entityType: 'stock_report_target', entityId: tenantId, after: { file, error } });
      if (!error) {
        await core.bus.record(tx, { type: INVENTORY_EVENTS.stockReportDelivered, tenantId, aggregateType: 'stock_report', aggregateId: file, payload: { file, bytes: Buffer.byteLength(csv) } }, actorOf(ctx));
      }
    });
    if (error) throw new AppError(502, 'sftp-delivery-failed', `stock report delivery to ${target.host}:${target.port} failed: ${error}`);
    return { file, bytes: Buffer.byteLength(csv) };
  }

  /** The daily schedule: every tenant with an enabled target gets its file; one failure does not stop the others. */
  async function deliverAll(): Promise<{ delivered: number; failed: number }> {
    const tenants = await core.dbs.system((tx) => tx.selectFrom('stock_report_targets').select('tenant_id').where('enabled', '=', true).execute());
    let delivered = 0, failed = 0;
    const problems: string[] = [];
    for (const t of tenants) {
      try {
        await deliverStockReport(systemContext(t.tenant_id, null, 'stock report schedule'));
        delivered++;
      } catch (e) {
        failed++;
        problems.push(`${t.tenant_id}: ${(e as Error).message}`);
      }
    }
    if (failed) throw new Error(`${failed} stock report delivery(ies) failed: ${problems.join('; ')}`);
    return { delivered, failed };
  }

  return { stockReport, getTarget, putTarget, deliverStockReport, deliverAll };
}

function toTarget(t: { host: string; port: number; username: string; remote_dir: string; host_key_sha256: string | null; enabled: boolean; last_delivered_at: Date | null; last_file: string | null; last_error: string | null }): StockReportTarget {
  return {
    host: t.host, port: t.port, username: t.username, remoteDir: t.remote_dir, hostKeySha256: t.host_key_sha256, enabled: t.enabled,
    lastDeliveredAt: t.last_delivered_at, lastFile: t.last_file, lastError: t.last_error,
  };
}
export type StockService = ReturnType<typeof createStockService>;
