import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SimsTable {
  tenant_id: string;
  id: Generated<string>;
  iccid: string;
  imsi: string;
  msisdn: string | null;
  sim_product_id: string | null;
  eid: string | null;
  matching_id: string | null;
  ki_enc: Buffer;
  opc_enc: Buffer | null;
  key_id: string;
  puk1: string | null;
  puk2: string | null;
  pin1: string | null;
  batch_id: string | null;
  stock_state: Generated<'AVAILABLE' | 'ALLOCATED' | 'RETIRED'>;
  enterprise_id: string | null;
  business_unit_id: string | null;
  order_id: string | null;
  state: Generated<SimState>;
  pending_state: string | null;
  state_changed_at: Timestamp;
  plan_offer_id: string | null;
  apn_ids: ColumnType<string[], string[] | undefined, string[]>;
  imei: string | null;
  imei_lock: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type SimState = 'WARM' | 'READY' | 'TEST_ACTIVE' | 'ACTIVE' | 'SUSPEND' | 'TERMINATE';

export interface SimProductColumns {
  id: Generated<string>;
  name: string;
  form_factor: FormFactor;
  vendor: string;
  profile_type: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export type FormFactor = '2FF' | '3FF' | '4FF' | 'MFF2' | 'ESIM';
export type HostSimProductsTable = SimProductColumns;
export interface SimProductsTable extends SimProductColumns {
  tenant_id: string;
}

export interface ApnsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  type: 'PUBLIC' | 'PRIVATE';
  ip_allocation: 'DYNAMIC' | 'STATIC';
  enterprise_ids: ColumnType<string[], string[] | undefined, string[]>;
  offer_ids: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SimLoadsTable {
  tenant_id: string;
  id: Generated<string>;
  sim_product_id: string;
  file_name: string | null;
  status: Generated<'LOADING' | 'LOADED' | 'REJECTED' | 'FAILED'>;
  total_rows: Generated<number>;
  loaded_rows: Generated<number>;
  error_count: Generated<number>;
  detail: string | null;
  created_by: string | null;
  created_at: Timestamp;
  finished_at: Date | null;
}

export interface SimLoadErrorsTable {
  tenant_id: string;
  load_id: string;
  line: number;
  field: string;
  reason: string;
}

export interface MsisdnPoolsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  quarantine_days: Generated<number>;
  created_at: Timestamp;
}

export interface MsisdnsTable {
  tenant_id: string;
  msisdn: string;
  pool_id: string;
  state: Generated<'FREE' | 'RESERVED' | 'ASSIGNED' | 'QUARANTINED'>;
  sim_id: string | null;
  order_id: string | null;
  quarantine_until: Date | null;
  updated_at: Timestamp;
}

export interface StockReportTargetsTable {
  tenant_id: string;
  host: string;
  port: number;
  username: string;
  private_key_enc: Buffer;
  key_id: string;
  remote_dir: string;
  host_key_sha256: string | null;
  enabled: Generated<boolean>;
  last_delivered_at: Date | null;
  last_file: string | null;
  last_error: string | null;
  updated_at: Timestamp;
}

declare module '../../platform/db/schema' {
  interface Database {
    sims: SimsTable;
    host_sim_products: HostSimProductsTable;
    sim_products: SimProductsTable;
    apns: ApnsTable;
    sim_loads: SimLoadsTable;
    sim_load_errors: SimLoadErrorsTable;
    msisdn_pools: MsisdnPoolsTable;
    msisdns: MsisdnsTable;
    stock_report_targets: StockReportTargetsTable;
  }
}
