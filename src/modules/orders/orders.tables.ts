import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type OrderState = 'AWAITING_APPROVAL' | 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface DeliveryAddress {
  name: string;
  street: string;
  postcode: string;
  city: string;
  country: string;
  phone?: string;
}

export interface OrderSettingsTable {
  tenant_id: string;
  require_approval: Generated<boolean>;
  initial_sim_state: Generated<'WARM' | 'READY'>;
  assign_msisdns: Generated<boolean>;
  updated_at: Timestamp;
}

export interface SimOrdersTable {
  tenant_id: string;
  id: Generated<string>;
  enterprise_id: string;
  business_unit_id: string;
  sim_product_id: string;
  esim: boolean;
  quantity: number;
  offer_id: string | null;
  apn_ids: ColumnType<string[], string[] | undefined, string[]>;
  delivery_address: Json<DeliveryAddress | null>;
  external_id: string | null;
  note: string | null;
  state: OrderState;
  state_reason: string | null;
  placed_by: Json<{ type: string; id: string | null; name?: string | null }>;
  tracking_ref: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Date | null;
}

export interface SimOrderHistoryTable {
  tenant_id: string;
  order_id: string;
  seq: number;
  enterprise_id: string;
  from_state: OrderState | null;
  to_state: OrderState;
  reason: string | null;
  actor: Json<unknown> | null;
  at: Timestamp;
}

declare module '../../platform/db/schema' {
  interface Database {
    order_settings: OrderSettingsTable;
    sim_orders: SimOrdersTable;
    sim_order_history: SimOrderHistoryTable;
  }
}
