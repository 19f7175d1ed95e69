import { sql } from 'kysely';
import type { Tx } from '../../platform/db';
import type { RowError } from './inventory.fns';

/**
 * SQL of an inventory load, all inside the load's one transaction. Each batch of good rows goes into `sims` at once
 * (so the database writes while the process parses the next batch) and its identifiers into a temporary stage,
 * where duplicates are found at the end (flat memory in the process). If the file turns out to have any bad row,
 * the SIMs of this load are deleted again before commit: nobody ever sees a half-loaded file.
 */

export async function createStage(tx: Tx): Promise<void> {
  await sql`create temporary table sim_stage (line int not null, id uuid not null, iccid text not null, imsi text not null) on commit drop`.execute(tx);
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

/**
 * Stages a batch and, unless the load already has bad rows, inserts it into `sims` in the same statement (one
 * round trip, arrays instead of one parameter per value). Rows whose ICCID/IMSI exist already are skipped here
 * and reported by recordDuplicates. Returns how many went into `sims`.
 */
export async function writeBatch(tx: Tx, rows: StagedRow[], into: { tenantId: string; loadId: string; productId: string; keyId: string } | null): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <K extends keyof StagedRow>(k: K) => rows.map((r) => r[k]);
  const v = sql`unnest(${col('line')}::int[], ${col('id')}::uuid[], ${col('iccid')}::text[], ${col('imsi')}::text[],
                       ${col('kiEnc')}::bytea[], ${col('opcEnc')}::bytea[], ${col('puk1')}::text[], ${col('puk2')}::text[],
                       ${col('pin1')}::text[], ${col('eid')}::text[], ${col('matchingId')}::text[])
                as v(line, id, iccid, imsi, ki_enc, opc_enc, puk1, puk2, pin1, eid, matching_id)`;
  if (!into) {
    await sql`insert into sim_stage (line, id, iccid, imsi) select line, id, iccid, imsi from ${v}`.execute(tx);
    return 0;
  }
  // The count comes back as a row: drivers differ in what they report as affected rows for a CTE statement.
  const r = await sql<{ n: number }>`
    with v as (select * from ${v}),
         staged as (insert into sim_stage (line, id, iccid, imsi) select line, id, iccid, imsi from v),
         inserted as (
           insert into sims (tenant_id, id, iccid, imsi, sim_product_id, eid, matching_id, ki_enc, opc_enc, key_id, puk1, puk2, pin1, batch_id)
           select ${into.tenantId}::uuid, id, iccid, imsi, ${into.productId}::uuid, eid, matching_id, ki_enc, opc_enc, ${into.keyId},
                  puk1, puk2, pin1, ${into.loadId}::uuid
             from v
           on conflict do nothing
           returning 1)
    select count(*)::int as n from inserted`.execute(tx);
  return r.rows[0].n;
}

/** Takes back the SIMs this load inserted (the file was refused); same transaction, so never visible. */
export async function undoLoad(tx: Tx, tenantId: string, loadId: string): Promise<void> {
  await sql`delete from sims s using sim_stage st
             where s.tenant_id = ${tenantId}::uuid and s.id = st.id and s.batch_id = ${loadId}::uuid`.execute(tx);
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
 * tenant's inventory.
 */
export async function recordDuplicates(tx: Tx, tenantId: string, loadId: string): Promise<void> {
  for (const field of ['iccid', 'imsi'] as const) {
    const f = sql.ref(field);
    await sql`
      insert into sim_load_errors (tenant_id, load_id, line, field, reason)
      select ${tenantId}::uuid, ${loadId}::uuid, s.line, ${field}, 'duplicates line ' || d.first_line || ' of this file'
        from sim_stage s
        join (select ${f} as v, min(line) as first_line from sim_stage group by ${f} having count(*) > 1) d on d.v = s.${f}
       where s.line <> d.first_line
      on conflict do nothing`.execute(tx);
    await sql`
      insert into sim_load_errors (tenant_id, load_id, line, field, reason)
      select ${tenantId}::uuid, ${loadId}::uuid, s.line, ${field}, 'is already in the inventory'
        from sim_stage s join sims x on x.tenant_id = ${tenantId}::uuid and x.${f} = s.${f}
       where x.batch_id is distinct from ${loadId}::uuid
      on conflict do nothing`.execute(tx);
  }
}

/** How many problems the load's report holds. */
export async function countErrors(tx: Tx, loadId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from sim_load_errors where load_id = ${loadId}::uuid`.execute(tx);
  return r.rows[0].n;
}

