import { PGlite, types } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { parseInt8 } from './types';

/**
 * Presents one embedded PGlite instance as a pg-style pool so the same Kysely PostgresDialect serves both
 * back ends. PGlite has a single session, so the "pool" hands out that session to one holder at a time:
 * a transaction keeps it until it commits, and everyone else queues (as on a pool of size 1).
 */
export class PGlitePool implements PostgresPool {
  private queue: Array<() => void> = [];
  private busy = false;

  constructor(readonly pglite: PGlite) {}

  static async open(dataDir: string | undefined): Promise<PGlitePool> {
    const pglite = await PGlite.create(dataDir ? { dataDir } : {}, );
    // int8 as a JS number (money is integer micro-units, always inside 2^53); matches the pg driver setup.
    (pglite as unknown as { parsers: Record<number, (v: string) => unknown> }).parsers[types.INT8] = parseInt8;
    return new PGlitePool(pglite);
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.busy) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.busy = true;
    const pglite = this.pglite;
    let released = false;
    const client = {
      query: async <R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
        // Like pg: without parameters the simple protocol runs, which accepts several statements.
        const res = parameters.length
          ? await pglite.query<R>(sql, parameters as unknown[])
          : ((await pglite.exec(sql)).at(-1) as { rows: R[]; affectedRows?: number } | undefined) ?? { rows: [] };
        return { command: commandOf(sql), rowCount: res.affectedRows ?? res.rows.length, rows: res.rows };
      },
      release: () => {
        if (released) return;
        released = true;
        const next = this.queue.shift();
        if (next) next();
        else this.busy = false;
      },
    };
    return client as PostgresPoolClient; // cursors are not supported on the embedded database
  }

  /** Runs a multi-statement script (migrations) while holding the session. */
  async exec(script: string): Promise<void> {
    const client = await this.connect();
    try {
      await this.pglite.exec(script);
    } finally {
      client.release();
    }
  }

  async end(): Promise<void> {
    await this.pglite.close();
  }
}

function commandOf(sql: string): 'UPDATE' | 'DELETE' | 'INSERT' | 'SELECT' | 'MERGE' {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  return word === 'UPDATE' || word === 'DELETE' || word === 'INSERT' || word === 'MERGE' ? word : 'SELECT';
}
