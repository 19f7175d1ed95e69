import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Transform, pipeline, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { CsvError } from 'csv-parse';
import type { Core } from '../../platform/core';
import { enterScope } from '../../platform/db';
import { recordAudit } from '../../platform/audit';
import { actorOf, originOf, scopeOf, type RequestContext } from '../../platform/auth';
import { seal, type KeyRing } from '../../platform/crypto';
import { NotFoundError, ValidationError, type Page, type PageQuery } from '../../platform/http';
import { checkRow, parseHeader, type RowError, type SimFileColumn } from './inventory.fns';
import * as repo from './inventory.repo';
import * as loads from './loads.repo';
import { INVENTORY_EVENTS } from './inventory.events';

export interface LoadProgress {
  rows: number;
  bytes: number;
}

export interface LoadReport {
  id: string;
  simProductId: string;
  fileName: string | null;
  status: 'LOADING' | 'LOADED' | 'REJECTED' | 'FAILED';
  totalRows: number;
  loadedRows: number;
  errorCount: number;
  detail: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** The first bad rows (all of them through listLoadErrors), ordered by line. */
  errors: RowError[];
  /** While a load runs in this process: rows and bytes read so far. */
  progress?: LoadProgress;
}

const BATCH = 5000;
const REPORT_ERRORS = 1000;

/**
 * UUIDv7-style ids (millisecond time, then a counter and random bits): a million new SIMs append to the right
 * edge of the primary-key index instead of touching random pages of it.
 */
// Built from strings (no Buffer per id): a million ids per load would otherwise be a million small allocations.
let randHex = '', randAt = 0, lastMs = 0, seq = 0;
export function timeOrderedId(now = Date.now()): string {
  if (now <= lastMs) seq++;
  else { lastMs = now; seq = 0; }
  if (randAt + 12 > randHex.length) { randHex = randomBytes(6 * 1024).toString('hex'); randAt = 0; }
  const ms = lastMs.toString(16).padStart(12, '0');
  const hi = (0x7000 | ((seq >> 14) & 0x0fff)).toString(16); // version 7, high counter bits
  const lo = (0x8000 | (seq & 0x3fff)).toString(16); // variant, low counter bits
  const r = randHex.slice(randAt, (randAt += 12));
  return `${ms.slice(0, 8)}-${ms.slice(8)}-${hi}-${lo}-${r}`;
}

/** The Ki/OPc of a SIM are sealed with its id as context, so a blob copied onto another row does not open. */
export const kiContext = (simId: string, what: 'ki' | 'opc') => `sim:${simId}:${what}`;

/**
 * Loads a vendor output file in one transaction: streamed CSV, each row checked by a pure function, Ki/OPc sealed,
 * batches written into `sims` while the next batch is parsed; duplicates (in the file, against the inventory) found
 * by the database in a temporary stage. If any row is bad, this load's SIMs are deleted again before the commit:
 * a rejected load keeps its full row report and adds no SIM; nobody ever sees part of a file.
 */
export function createLoadService(core: Core, ring: () => KeyRing) {
  const running = new Map<string, LoadProgress>();

  async function loadSims(ctx: RequestContext, input: {
    simProductId: string;
    fileName?: string | null;
    source: Readable;
    onProgress?: (p: LoadProgress) => void;
  }): Promise<LoadReport> {
    const scope = { tenantId: scopeOf(ctx).tenantId };
    const keys = ring();
    // Wire the stream before the first await: a readable that flows before the parser is attached loses data.
    const progress: LoadProgress = { rows: 0, bytes: 0 };
    const counter = new Transform({ transform(chunk: Buffer, _enc, cb) { progress.bytes += chunk.length; cb(null, chunk); } });
    input.source.on('error', (e) => counter.destroy(e));
    // A client that goes away mid-upload closes the stream without ending it: fail the load instead of waiting.
    input.source.on('close', () => { if (!input.source.readableEnded) counter.destroy(new Error('the upload was interrupted before the end of the file')); });
    const parser = parse({ info: true, relax_column_count: true, skip_empty_lines: true, bom: true });
    // pipeline carries a failure of the counter (source error, cut-off upload) into the parser, whose reader then
    // throws; the error itself is surfaced there, so the callback has nothing to add.
    pipeline(counter, parser, () => undefined);
    input.source.pipe(counter);
    const { product, tenant, loadId } = await core.dbs.tenant(scope, async (tx) => {
      const product = await repo.findProduct(tx, input.simProductId);
      if (!product) throw ValidationError.field('simProductId', 'is not a SIM product of this tenant or the host');
      if (!product.active) throw ValidationError.field('simProductId', 'is not active');
      const tenant = await repo.tenantProfile(tx, scope.tenantId);
      const load = await tx.insertInto('sim_loads').values({
        tenant_id: scope.tenantId, sim_product_id: product.id, file_name: input.fileName ?? null, created_by: ctx.principal.name,
      }).returning('id').executeTakeFirstOrThrow();
      return { product, tenant, loadId: load.id };
    }).catch((e) => {
      input.source.unpipe(counter);
      input.source.resume(); // drain the refused upload
      throw e;
    });

    running.set(loadId, progress);
    const started = performance.now();
    try {
      await core.dbs.db.transaction().execute(async (tx) => {
        await enterScope(tx, scope);
        await loads.createStage(tx);
        let columns: Partial<Record<SimFileColumn, number>> | null = null;
        let batch: loads.StagedRow[] = [];
        let errors: RowError[] = [];
        let errorCount = 0, total = 0;
        // One batch is written while the next one is parsed and sealed: the database and this process work in
        // parallel. At most one write is in flight; its failure surfaces at the next flush.
        let inFlight: Promise<void> = Promise.resolve();
        let inserted = 0;
        const into = { tenantId: scope.tenantId, loadId, productId: product.id, keyId: keys.primary };
        const flush = async () => {
          await inFlight;
          const rows = batch, errs = errors;
          const target = errorCount === 0 ? into : null; // once a row is bad, stage only (for the duplicate report)
          batch = [];
          errors = [];
          inFlight = (async () => {
            inserted += await loads.writeBatch(tx, rows, target);
            await loads.insertErrors(tx, scope.tenantId, loadId, errs);
          })();
          inFlight.catch(() => undefined); // handled when awaited
          progress.rows = total;
          input.onProgress?.({ ...progress });
        };
        const rules = { plmns: tenant.plmns, esim: product.form_factor === 'ESIM' };
        try {
          for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
            const line = rec.info.lines;
            if (!columns) {
              const h = parseHeader(rec.record);
              if (h.errors.length) {
                errors.push(...h.errors);
                errorCount += h.errors.length;
                break; // without a usable header no row can be read
              }
              columns = h.columns;
              continue;
            }
            total++;
            const checked = checkRow(rec.record, line, columns, rules);
            if (checked.errors) {
              errors.push(...checked.errors);
              errorCount += checked.errors.length;
            } else {
              const r = checked.row;
              const id = timeOrderedId();
              const ki = seal(Buffer.from(r.ki, 'hex'), keys, kiContext(id, 'ki'));
              const opc = r.opc ? seal(Buffer.from(r.opc, 'hex'), keys, kiContext(id, 'opc')).blob : null;
              batch.push({ line, id, iccid: r.iccid, imsi: r.imsi, kiEnc: ki.blob, opcEnc: opc, puk1: r.puk1, puk2: r.puk2, pin1: r.pin1, eid: r.eid, matchingId: r.matchingId });
            }
            if (batch.length >= BATCH || errors.length >= BATCH) await flush();
          }
        } catch (e) {
          if (!(e instanceof CsvError)) throw e;
          // A file the CSV reader cannot follow (e.g. an unclosed quote): report where, load nothing.
          const at = (e as CsvError & { lines?: number }).lines ?? total + 1;
          errors.push({ line: at, field: 'file', reason: `is not valid CSV: ${e.message}` });
          errorCount++;
        }
        await flush();
        await inFlight;
        const staged = performance.now();
        if (!columns && errorCount === 0) {
          errors.push({ line: 1, field: 'file', reason: 'is empty (a header line is expected)' });
          errorCount++;
          await flush();
          await inFlight;
        }
        if (columns) {
          await loads.recordDuplicates(tx, scope.tenantId, loadId);
          errorCount = await loads.countErrors(tx, loadId);
        }
        if (columns && errorCount === 0 && total === 0) {
          await loads.insertErrors(tx, scope.tenantId, loadId, [{ line: 2, field: 'file', reason: 'has no SIM rows' }]);
          errorCount++;
        }

        const checked = performance.now();
        if (errorCount > 0 && inserted > 0) await loads.undoLoad(tx, scope.tenantId, loadId);
        if (errorCount === 0 && inserted !== total) throw new Error(`load ${loadId}: ${inserted} of ${total} rows inserted without a reported error`);
        const loaded = errorCount === 0 ? inserted : 0;
        core.log.debug({ loadId, rows: total, streamMs: Math.round(staged - started), duplicatesMs: Math.round(checked - staged), finishMs: Math.round(performance.now() - checked) }, 'inventory load phases');
        const status = errorCount === 0 ? 'LOADED' : 'REJECTED';
        const summary = { simProductId: product.id, fileName: input.fileName ?? null, status, totalRows: total, loadedRows: loaded, errorCount };
        await tx.updateTable('sim_loads').set({ status, total_rows: total, loaded_rows: loaded, error_count: errorCount, finished_at: core.now() })
          .where('tenant_id', '=', scope.tenantId).where('id', '=', loadId).execute();
        await recordAudit(tx, originOf(ctx), { tenantId: scope.tenantId, action: status === 'LOADED' ? 'load' : 'reject', entityType: 'sim_load', entityId: loadId, after: summary });
        await core.bus.record(tx, {
          type: status === 'LOADED' ? INVENTORY_EVENTS.simsLoaded : INVENTORY_EVENTS.loadRejected,
          tenantId: scope.tenantId, aggregateType: 'sim_load', aggregateId: loadId,
          payload: { loadId, simProductId: product.id, totalRows: total, loadedRows: loaded, errorCount },
        }, actorOf(ctx));
      });
    } catch (e) {
      // Not a row problem (database down, stream cut): nothing was loaded; say so on the load.
      await core.dbs.tenant(scope, (tx) => tx.updateTable('sim_loads')
        .set({ status: 'FAILED', detail: (e instanceof Error ? e.message : String(e)).slice(0, 2000), finished_at: core.now() })
        .where('tenant_id', '=', scope.tenantId).where('id', '=', loadId).execute()).catch(() => undefined);
      throw e;
    } finally {
      running.delete(loadId);
    }
    return getLoad(ctx, loadId);
  }

  async function getLoad(ctx: RequestContext, loadId: string): Promise<LoadReport> {
    const scope = { tenantId: scopeOf(ctx).tenantId };
    return core.dbs.tenant(scope, async (tx) => {
      const l = await tx.selectFrom('sim_loads').selectAll().where('id', '=', loadId).executeTakeFirst();
      if (!l) throw new NotFoundError('SIM load', loadId);
      const errors = await tx.selectFrom('sim_load_errors').select(['line', 'field', 'reason']).where('load_id', '=', loadId)
        .orderBy('line').orderBy('field').orderBy('reason').limit(REPORT_ERRORS).execute();
      const progress = running.get(loadId);
      return {
        id: l.id, simProductId: l.sim_product_id, fileName: l.file_name, status: l.status, totalRows: l.total_rows,
        loadedRows: l.loaded_rows, errorCount: l.error_count, detail: l.detail, createdAt: l.created_at, finishedAt: l.finished_at,
        errors, ...(progress ? { progress: { ...progress } } : {}),
      };
    });
  }

  async function listLoads(ctx: RequestContext, page: PageQuery): Promise<Page<Omit<LoadReport, 'errors'>>> {
    const scope = { tenantId: scopeOf(ctx).tenantId };
    return core.dbs.tenant(scope, async (tx) => {
      const p = await repo.pageLoads(tx, page);
      return {
        nextCursor: p.nextCursor,
        items: p.items.map((l) => ({
          id: l.id, simProductId: l.sim_product_id, fileName: l.file_name, status: l.status, totalRows: l.total_rows,
          loadedRows: l.loaded_rows, errorCount: l.error_count, detail: l.detail, createdAt: l.created_at, finishedAt: l.finished_at,
          ...(running.has(l.id) ? { progress: { ...running.get(l.id)! } } : {}),
        })),
      };
    });
  }

  /** Every bad row of a load, in line order (the CSV download of the row report uses it). */
  async function listLoadErrors(ctx: RequestContext, loadId: string, page: { limit: number; after?: RowError }): Promise<RowError[]> {
    const scope = { tenantId: scopeOf(ctx).tenantId };
    return core.dbs.tenant(scope, async (tx) => {
      let q = tx.selectFrom('sim_load_errors').select(['line', 'field', 'reason']).where('load_id', '=', loadId);
      if (page.after) q = q.where(sql<boolean>`(line, field, reason) > (${page.after.line}, ${page.after.field}, ${page.after.reason})`);
      return q.orderBy('line').orderBy('field').orderBy('reason').limit(page.limit).execute();
    });
  }

  return { loadSims, getLoad, listLoads, listLoadErrors };
}
export type LoadService = ReturnType<typeof createLoadService>;
