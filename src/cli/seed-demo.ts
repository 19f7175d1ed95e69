import type { Platform } from '../app';
import { systemContext, type Role } from '../platform/auth';

/** The one password every demo user shares; a demo is for looking around, never for production data. */
export const DEMO_PASSWORD = 'opencmp-demo-2026';

export const DEMO_USERS: { email: string; name: string; role: Role; level: 'host' | 'tenant' | 'enterprise' }[] = [
  { email: 'admin@opencmp.local', name: 'Host Admin', role: 'host_admin', level: 'host' },
  { email: 'admin@demo-telecom.local', name: 'Tina Tenant-Admin', role: 'tenant_admin', level: 'tenant' },
  { email: 'csr@demo-telecom.local', name: 'Carl CSR', role: 'tenant_csr', level: 'tenant' },
  { email: 'finance@demo-telecom.local', name: 'Fiona Finance', role: 'tenant_finance', level: 'tenant' },
  { email: 'admin@acme.local', name: 'Ada Acme-Admin', role: 'enterprise_admin', level: 'enterprise' },
  { email: 'viewer@acme.local', name: 'Victor Viewer', role: 'enterprise_user', level: 'enterprise' },
];

/**
 * Creates the demo deployment if it is missing: the tenant "Demo Telecom", the enterprise "Acme Logistics"
 * with the business units Fleet and Warehouses and a billing profile, and one user of each role. Every step
 * looks for its object first (by tenant code, customer id, unit id, billing account number, e-mail), so running
 * it again changes nothing. Each object is created through its module's service, so audit and events exist.
 */
export async function seedDemo(platform: Platform, print: (line: string) => void): Promise<void> {
  const { accounts, identity } = platform.modules;
  const host = systemContext(null, null, 'seed-demo');

  const tenant = (await accounts.findTenantByCode(host, 'demo'))
    ?? (await accounts.createTenant(host, { code: 'demo', name: 'Demo Telecom', plmns: ['00101', '00102'], currency: 'EUR', timeZone: 'Europe/Berlin' }));
  const ctx = systemContext(tenant.id, null, 'seed-demo');

  const acme = (await accounts.findEnterpriseByCustomerId(ctx, 'ACME'))
    ?? (await accounts.createEnterprise(ctx, {
      customerId: 'ACME', name: 'Acme Logistics', phone: '+4930555010',
      contacts: [
        { role: 'primary', name: 'Ada Lovelace', email: 'admin@acme.local', phone: '+4915155501001' },
        { role: 'billing', name: 'Bob Ledger', email: 'billing@acme.local' },
      ],
      addresses: [{ kind: 'main', lines: ['Logistikallee 1'], city: 'Berlin', postcode: '10115', country: 'DE' }],
    }));
  for (const [unitId, name] of [['ACME-FLEET', 'Fleet'], ['ACME-WAREHOUSES', 'Warehouses']]) {
    if (!(await accounts.findBusinessUnitByUnitId(ctx, unitId))) await accounts.createBusinessUnit(ctx, acme.id, { unitId, name });
  }
  if (!(await accounts.findBillingProfileByNumber(ctx, 'ACME-0001'))) {
    await accounts.createBillingProfile(ctx, acme.id, {
      billingAccountNumber: 'ACME-0001', name: 'Acme Logistics main account', billCycleDay: 1, currency: 'EUR', timeZone: 'Europe/Berlin',
      paymentTermsDays: 30, creditLimit: '5000.00',
    });
  }

  for (const u of DEMO_USERS) {
    await identity.ensureUser({
      email: u.email, password: DEMO_PASSWORD, name: u.name, role: u.role,
      tenantId: u.level === 'host' ? null : tenant.id, enterpriseId: u.level === 'enterprise' ? acme.id : null,
    });
  }

  const { config } = platform.core;
  const url = config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  print(`Demo data ready: tenant "${tenant.name}" (code ${tenant.code}), enterprise "${acme.name}" with business units Fleet and Warehouses.`);
  print(`Log in at ${url}/ with password "${DEMO_PASSWORD}" (the first log-in enrols an authenticator app for TOTP):`);
  for (const u of DEMO_USERS) print(`  ${u.email.padEnd(28)} ${u.role}`);
}
