import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the tables the lifecycle module owns (migrations 0600–0699). */
type Stamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string | null, string | null>;

export type ChangeKind = 'STATE' | 'PLAN' | 'APN' | 'MSISDN' | 'IMEI_LOCK' | 'HOLD';
export type ChangeStatus = 'SCHEDULED' | 'PENDING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface SimChangesTable {
  tenant_id: string;
  id: Generated<string>;
  sim_id: string;
  enterprise_id: string | null;
  kind: ChangeKind;
  action: string;
  from_state: string | null;
  to_state: string | null;
  from_value: Json<unknown>;
  to_value: Json<unknown>;
  party: string | null;
  status: ChangeStatus;
  scheduled_for: Date | null;
  requested_at: Stamp;
  applied_at: Date | null;
  settled_at: Date | null;
  requested_by: Json<{ type: string; id: string | null; name?: string | null } | null>;
  reason: string | null;
  outcome: string | null;
  bulk_job_id: string | null;
}

export interface SimHoldsTable {
  tenant_id: string;
  sim_id: string;
  party: string;
  enterprise_id: string | null;
  reason: string | null;
  change_id: string | null;
  placed_at: Stamp;
  placed_by: Json<unknown>;
}

export interface SimTestLimitsTable {
  tenant_id: string;
  sim_id: string;
  enterprise_id: string | null;
  data_bytes_limit: number | null;
  sms_limit: number | null;
  days_limit: number | null;
  started_at: Stamp;
  ends_at: Date | null;
  data_bytes_used: Generated<number>;
  sms_used: Generated<number>;
  ended_at: Date | null;
  end_reason: string | null;
}

export interface AccountSuspensionsTable {
  tenant_id: string;
  enterprise_id: string;
  party: Generated<string>;
  reason: string | null;
  since: Stamp;
}

export interface BulkJobsTable {
  tenant_id: string;
  id: Generated<string>;
  enterprise_id: string | null;
  action: string;
  params: Json<Record<string, unknown>>;
  source: 'LIST' | 'CSV' | 'FILTER';
  status: Generated<'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED'>;
  total: Generated<number>;
  processed: Generated<number>;
  succeeded: Generated<number>;
  failed: Generated<number>;
  scheduled_for: Date | null;
  created_by: Json<unknown>;
  created_at: Stamp;
  started_at: Date | null;
  finished_at: Date | null;
  detail: string | null;
}

export interface BulkJobItemsTable {
  tenant_id: string;
  job_id: string;
  seq: number;
  enterprise_id: string | null;
  identifier: string;
  sim_id: string | null;
  outcome: Generated<'QUEUED' | 'ACCEPTED' | 'REFUSED'>;
  change_id: string | null;
  error: string | null;
}

declare module '../../platform/db/schema' {
  interface Database {
    sim_changes: SimChangesTable;
    sim_holds: SimHoldsTable;
    sim_test_limits: SimTestLimitsTable;
    account_suspensions: AccountSuspensionsTable;
    bulk_jobs: BulkJobsTable;
    bulk_job_items: BulkJobItemsTable;
  }
}
