import { sql } from 'kysely';
import type { Tx } from '../../platform/db';
import type { RowError } from './inventory.fns';

/**
 * SQL of an inventory load. Rows are staged in a temporary table of the load's transaction; duplicates are found
 * there by the database (flat memory in the process), and the stage moves into `sims` in one statement only
 * when the whole file is clean.
 */

export async function createStage(tx: Tx): Promise<void> {
  await sql`create temporary table sim_stage (
      line int not null, id uuid not null, iccid text not null, imsi text not null, ki_enc bytea not null,
      opc_enc bytea, puk1 text, puk2 text, pin1 text, eid text, matching_id text
    ) on commit drop`.execute(tx);
}

export interface StagedRow {
  line: number;
  id: string;
  iccid: string;
  imsi: string;
  kiEnc: Buffer;
  opcEnc: Buffer | null;
  puk1: string | null;
  puk2: string | null;
  pin1: string | null;
  eid: string | null;
  matchingId: string | null;
}

/** One multi-row insert per batch: ten arrays, whatever the batch size. */
export async function stageRows(tx: Tx, rows: StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof StagedRow>(k: K) => rows.map((r) => r[k]);
  await sql`insert into sim_stage (line, id, iccid, imsi, ki_enc, opc_enc, puk1, puk2, pin1, eid, matching_id)
    select * from unnest(${col('line')}::int[], ${col('id')}::uuid[], ${col('iccid')}::text[], ${col('imsi')}::text[],
                         ${col('kiEnc')}::bytea[], ${col('opcEnc')}::bytea[], ${col('puk1')}::text[], ${col('puk2')}::text[],
                         ${col('pin1')}::text[], ${col('eid')}::text[], ${col('matchingId')}::text[])`.execute(tx);
}

export async function insertErrors(tx: Tx, tenantId: string, loadId: string, errors: RowError[]): Promise<void> {
  if (errors.length === 0) return;
  await sql`insert into sim_load_errors (tenant_id, load_id, line, field, reason)
    select ${tenantId}::uuid, ${loadId}::uuid, * from unnest(${errors.map((e) => e.line)}::int[],
      ${errors.map((e) => e.field)}::text[], ${errors.map((e) => e.reason)}::text[])
    on conflict do nothing`.execute(tx);
}

/**
 * Records a duplicate error for every staged row whose ICCID or IMSI appears earlier in the file or already in the
 * tenant's inventory. Returns how many errors it added.
 */
export async function recordDuplicates(tx: Tx, tenantId: string, loadId: string): Promise<number> {
  let added = 0;
  for (const field of ['iccid', 'imsi'] as const) {
    const f = sql.ref(field);
    const inFile = await sql`
      insert into sim_load_errors (tenant_id, load_id, line, field, reason)
      select ${tenantId}::uuid, ${loadId}::uuid, s.line, ${field}, 'duplicates line ' || d.first_line || ' of this file'
        from sim_stage s
        join (select ${f} as v, min(line) as first_line from sim_stage group by ${f} having count(*) > 1) d on d.v = s.${f}
       where s.line <> d.first_line
      on conflict do nothing`.execute(tx);
    const inStock = await sql`
      insert into sim_load_errors (tenant_id, load_id, line, field, reason)
      select ${tenantId}::uuid, ${loadId}::uuid, s.line, ${field}, 'is already in the inventory'
        from sim_stage s join sims x on x.tenant_id = ${tenantId}::uuid and x.${f} = s.${f}
      on conflict do nothing`.execute(tx);
    added += Number(inFile.numAffectedRows ?? 0) + Number(inStock.numAffectedRows ?? 0);
  }
  return added;
}

/** Moves the clean stage into the inventory. */
export async function moveStageIntoSims(tx: Tx, tenantId: string, loadId: string, productId: string, keyId: string): Promise<number> {
  const r = await sql`
    insert into sims (tenant_id, id, iccid, imsi, sim_product_id, eid, matching_id, ki_enc, opc_enc, key_id, puk1, puk2, pin1, batch_id)
    select ${tenantId}::uuid, id, iccid, imsi, ${productId}::uuid, eid, matching_id, ki_enc, opc_enc, ${keyId}, puk1, puk2, pin1, ${loadId}::uuid
      from sim_stage`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}
