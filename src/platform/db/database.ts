import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { mkdirSync } from 'node:fs';
import type { Database } from './schema';
import { PGlitePool } from './pglite-pool';
import { parseInt8 } from './types';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

/** Who a unit of work runs for. Row-level security sees exactly this, whatever the query forgets. */
export interface TenantScope {
  tenantId: string;
  /** When set, enterprise-owned rows of other enterprises are invisible too. */
  enterpriseId?: string | null;
}

/** The role tenant work runs as: no BYPASSRLS, so every policy applies (see migrations/0001). */
export const APP_ROLE = 'cmp_app';

export interface DatabaseOptions {
  url?: string;
  dataDir?: string;
  poolSize?: number;
  /** Embedded database in memory (tests). */
  memory?: boolean;
  /** Told when the server drops an idle pooled connection (it is replaced on demand). */
  onIdleError?: (err: Error) => void;
}

/**
 * The one database access layer. `system` work (migrations, workers, host administration) runs as the
 * connection's owner role; `tenant` work runs as cmp_app inside a transaction whose tenant and enterprise are
 * set with set_config(..., true), so they vanish at commit and can never leak into the next transaction.
 */
export class DatabaseService {
  readonly kind: 'postgres' | 'pglite';

  private constructor(
    readonly db: Db,
    private readonly execScript: (script: string) => Promise<void>,
    kind: 'postgres' | 'pglite',
    private readonly closeFn: () => Promise<void>,
  ) {
    this.kind = kind;
  }

  static async open(opts: DatabaseOptions): Promise<DatabaseService> {
    if (opts.url) {
      pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);
      const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
      // An idle connection the server closes (restart, failover, admin termination) must not crash the
      // process: the pool drops it and opens a new one on the next query.
      pool.on('error', (err) => opts.onIdleError?.(err));
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      const exec = async (script: string) => {
        const client = await pool.connect();
        try {
          await client.query(script);
        } finally {
          client.release();
        }
      };
      return new DatabaseService(db, exec, 'postgres', () => db.destroy());
    }
    let dataDir: string | undefined;
    if (!opts.memory) {
      dataDir = opts.dataDir ?? './data/pglite';
      mkdirSync(dataDir, { recursive: true });
    }
    const pool = await PGlitePool.open(dataDir);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return new DatabaseService(db, (s) => pool.exec(s), 'pglite', () => db.destroy());
  }

  /** Runs a multi-statement SQL script (migrations). */
  exec(script: string): Promise<void> {
    return this.execScript(script);
  }

  /** A transaction as the platform itself: RLS is bypassed by the owner role. Workers and host admin only. */
  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /** A transaction inside one tenant (and optionally one enterprise), with row-level security enforced. */
  tenant<T>(scope: TenantScope, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (tx) => {
      await enterScope(tx, scope);
      return fn(tx);
    });
  }

  close(): Promise<void> {
    return this.closeFn();
  }
}

/** Switches a running transaction into a tenant scope (one round trip). */
export async function enterScope(tx: Tx, scope: TenantScope): Promise<void> {
  await sql`select set_config('role', ${APP_ROLE}, true),
                   set_config('cmp.tenant_id', ${scope.tenantId}, true),
                   set_config('cmp.enterprise_id', ${scope.enterpriseId ?? ''}, true)`.execute(tx);
}
