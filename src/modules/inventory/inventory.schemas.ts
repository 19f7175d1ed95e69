import { z } from 'zod';
import { pageOf } from '../../platform/http';

export const formFactor = z.enum(['2FF', '3FF', '4FF', 'MFF2', 'ESIM']);
export const simState = z.enum(['WARM', 'READY', 'TEST_ACTIVE', 'ACTIVE', 'SUSPEND', 'TERMINATE']);

export const simProduct = z.object({
  id: z.string().uuid(),
  scope: z.enum(['HOST', 'TENANT']).describe('HOST: offered to every tenant; TENANT: this tenant only'),
  name: z.string(),
  formFactor,
  vendor: z.string(),
  profileType: z.string(),
  active: z.boolean(),
});
export const createSimProduct = z.object({
  name: z.string().trim().min(1).max(100),
  formFactor,
  vendor: z.string().trim().min(1).max(100),
  profileType: z.string().trim().min(1).max(100).describe('the vendor profile / card type, e.g. "M2M industrial -40..105°C"'),
});

export const updateSimProduct = createSimProduct.omit({ formFactor: true }).partial().extend({ active: z.boolean().optional() });

export const apn = z.object({
  id: z.string().uuid(),
  name: z.string(),
  type: z.enum(['PUBLIC', 'PRIVATE']),
  ipAllocation: z.enum(['DYNAMIC', 'STATIC']),
  enterpriseIds: z.array(z.string().uuid()).describe('enterprises that may use it; empty: all'),
  offerIds: z.array(z.string().uuid()).describe('plans (catalog offers) it belongs to; empty: all'),
});
export const createApn = z.object({
  name: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be an APN name (letters, digits, dots, dashes)'),
  type: z.enum(['PUBLIC', 'PRIVATE']),
  ipAllocation: z.enum(['DYNAMIC', 'STATIC']).default('DYNAMIC'),
  enterpriseIds: z.array(z.string().uuid()).default([]),
  offerIds: z.array(z.string().uuid()).default([]),
});
export const updateApn = createApn.partial();

export const rowError = z.object({ line: z.number().int(), field: z.string(), reason: z.string() });
export const loadReport = z.object({
  id: z.string().uuid(),
  simProductId: z.string().uuid(),
  fileName: z.string().nullable(),
  status: z.enum(['LOADING', 'LOADED', 'REJECTED', 'FAILED']),
  totalRows: z.number().int(),
  loadedRows: z.number().int(),
  errorCount: z.number().int(),
  detail: z.string().nullable(),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
  progress: z.object({ rows: z.number().int(), bytes: z.number().int() }).optional().describe('while the load runs'),
});
export const loadReportWithErrors = loadReport.extend({ errors: z.array(rowError).describe('the first 1000 bad rows; all of them at /errors.csv') });
export const loadQuery = z.object({
  simProductId: z.string().uuid().describe('the SIM product every SIM of the file belongs to'),
  fileName: z.string().max(255).optional(),
});

export const sim = z.object({
  id: z.string().uuid(),
  iccid: z.string(),
  imsi: z.string(),
  msisdn: z.string().nullable(),
  simProductId: z.string().uuid().nullable(),
  eid: z.string().nullable(),
  matchingId: z.string().nullable(),
  batchId: z.string().uuid().nullable(),
  stockState: z.enum(['AVAILABLE', 'ALLOCATED', 'RETIRED']),
  enterpriseId: z.string().uuid().nullable(),
  businessUnitId: z.string().uuid().nullable(),
  orderId: z.string().uuid().nullable(),
  state: simState,
  pendingState: z.string().nullable(),
  stateChangedAt: z.date(),
  planOfferId: z.string().uuid().nullable(),
  apnIds: z.array(z.string().uuid()),
  imei: z.string().nullable(),
  imeiLock: z.boolean(),
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const simPage = pageOf(sim);
export const simListQuery = z.object({
  state: simState.optional(),
  stockState: z.enum(['AVAILABLE', 'ALLOCATED', 'RETIRED']).optional(),
  simProductId: z.string().uuid().optional(),
  orderId: z.string().uuid().optional(),
  q: z.string().regex(/^[0-9]{1,20}$/, 'must be the digits an ICCID, IMSI or MSISDN starts with').optional(),
});

export const msisdnPool = z.object({
  id: z.string().uuid(),
  name: z.string(),
  quarantineDays: z.number().int(),
  counts: z.record(z.string(), z.number().int()).optional(),
});
export const createMsisdnPool = z.object({
  name: z.string().trim().min(1).max(100),
  quarantineDays: z.number().int().min(0).max(3650).default(90).describe('how long a released number rests before reuse'),
});
export const loadMsisdns = z.object({
  ranges: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
  list: z.array(z.string()).optional(),
});

export const stockTarget = z.object({
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  remoteDir: z.string(),
  hostKeySha256: z.string().nullable(),
  enabled: z.boolean(),
  lastDeliveredAt: z.date().nullable(),
  lastFile: z.string().nullable(),
  lastError: z.string().nullable(),
});
export const putStockTarget = z.object({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().trim().min(1).max(100),
  privateKey: z.string().min(1).optional().describe('OpenSSH private key (PEM); sealed at rest, never returned; omit to keep the stored one'),
  remoteDir: z.string().min(1).max(500).default('.'),
  hostKeySha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the host key').nullable().optional(),
  enabled: z.boolean().default(true),
});
