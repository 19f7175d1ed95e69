import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { iotPlan, roamingPack } from '../../src/modules/catalog/catalog.fixtures';
import { caller, createZones, TMF } from './helpers';

// TMF620 Product Catalog Management v4 conventions over the catalog.
let t: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  t = await startTestPlatform();
  call = caller(t);
  a = await createTenantFixture(t.platform);
  b = await createTenantFixture(t.platform);
  await createZones(t, a.headers.tenantAdmin);
});
afterAll(async () => t.close());

describe('productOffering', () => {
  let id: string;
  it('POST answers 201 with href, id, lastUpdate, lifecycleStatus and name', async () => {
    const { name, ...spec } = iotPlan();
    const r = await call('POST', `${TMF}/productOffering`, a.headers.tenantAdmin, {
      name: 'IoT Basic', description: 'Entry plan', code: 'TMF-BASIC', offerKind: 'PRIMARY', '@type': 'ProductOffering',
      validFor: { startDateTime: '2025-01-01T00:00:00Z' }, specification: spec,
    });
    void name;
    expect(r.statusCode).toBe(201);
    const body = r.json();
    id = body.id;
    expect(body).toMatchObject({ href: `${TMF}/productOffering/${id}`, name: 'IoT Basic', description: 'Entry plan', lifecycleStatus: 'In design', isBundle: false, '@type': 'ProductOffering', code: 'TMF-BASIC', validFor: { startDateTime: '2025-01-01T00:00:00Z' } });
    expect(Date.parse(body.lastUpdate)).not.toBeNaN();
    expect(r.headers.location).toBe(body.href);
    expect(body.productOfferingPrice.map((p: { name: string }) => p.name)).toEqual(['MRC', 'ACT', 'SIM', 'DATA HOME', 'DATA EU', 'SMS_MO every zone']);
  });

  it('POST with lifecycleStatus Active launches the offer at once; bad bodies name the field', async () => {
    const r = await call('POST', `${TMF}/productOffering`, a.headers.tenantAdmin, { name: 'Roam', code: 'TMF-ROAM', offerKind: 'SUPPLEMENTARY', lifecycleStatus: 'Active', specification: roamingPack() });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ lifecycleStatus: 'Active', version: '1' });
    const bad = await call('POST', `${TMF}/productOffering`, a.headers.tenantAdmin, { name: 'No currency', specification: { usageTypes: [] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'specification.currency', reason: expect.any(String) }]);
    expect((await call('POST', `${TMF}/productOffering`, a.headers.tenantAdmin, { description: 'no name' })).json().errors[0].field).toBe('body.name');
  });

  it('GET lists with ?fields= and attribute filters, and counts the total', async () => {
    const all = await call('GET', `${TMF}/productOffering`, a.headers.enterpriseUser);
    expect(all.statusCode).toBe(200);
    expect(all.headers['x-total-count']).toBe('2');
    const active = await call('GET', `${TMF}/productOffering?lifecycleStatus=Active&fields=name,lifecycleStatus`, a.headers.enterpriseUser);
    expect(active.json()).toEqual([{ id: expect.any(String), href: expect.any(String), '@type': 'ProductOffering', name: 'Roam', lifecycleStatus: 'Active' }]);
    const byKind = await call('GET', `${TMF}/productOffering?offerKind=PRIMARY,ACCOUNT&fields=code`, a.headers.enterpriseUser);
    expect(byKind.json().map((o: { code: string }) => o.code)).toEqual(['TMF-BASIC']);
    const nested = await call('GET', `${TMF}/productOffering?validFor.startDateTime=2025-01-01T00:00:00Z&fields=name`, a.headers.enterpriseUser);
    expect(nested.json().map((o: { name: string }) => o.name)).toEqual(['IoT Basic']);
    const page = await call('GET', `${TMF}/productOffering?offset=1&limit=1`, a.headers.enterpriseUser);
    expect(page.json()).toHaveLength(1);
    expect(page.headers['x-result-count']).toBe('1');
    expect((await call('GET', `${TMF}/productOffering`, b.headers.tenantAdmin)).json()).toEqual([]);
  });

  it('PATCH merges into the draft, launches and retires it', async () => {
    const p = await call('PATCH', `${TMF}/productOffering/${id}`, a.headers.tenantAdmin, { description: 'Entry plan, revised' });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({ description: 'Entry plan, revised', name: 'IoT Basic', lifecycleStatus: 'In design' });
    const launched = await call('PATCH', `${TMF}/productOffering/${id}`, a.headers.tenantAdmin, { lifecycleStatus: 'Launched' });
    expect(launched.json()).toMatchObject({ lifecycleStatus: 'Active', version: '1' });
    // A change to the launched offer makes version 2; what is shown stays the version in force.
    const changed = await call('PATCH', `${TMF}/productOffering/${id}`, a.headers.tenantAdmin, { name: 'IoT Basic 2' });
    expect(changed.json()).toMatchObject({ name: 'IoT Basic', version: '1' });
    const detail = await call('GET', `/api/v1/catalog/offers/${id}`, a.headers.tenantAdmin);
    expect(detail.json()).toMatchObject({ latestVersion: 2, latestStatus: 'DRAFT' });
    expect(detail.json().latest.spec.name).toBe('IoT Basic 2');
    const retired = await call('PATCH', `${TMF}/productOffering/${id}`, a.headers.tenantAdmin, { lifecycleStatus: 'Retired' });
    expect(retired.json()).toMatchObject({ lifecycleStatus: 'Retired', isSellable: false });
  });

  it('GET by id with fields; unknown id -> 404; DELETE -> 204; needs catalog:write', async () => {
    const one = await call('GET', `${TMF}/productOffering/${id}?fields=name`, a.headers.tenantAdmin);
    expect(one.json()).toEqual({ id, href: `${TMF}/productOffering/${id}`, '@type': 'ProductOffering', name: 'IoT Basic' });
    expect((await call('GET', `${TMF}/productOffering/00000000-0000-4000-8000-000000000000`, a.headers.tenantAdmin)).statusCode).toBe(404);
    expect((await call('GET', `${TMF}/productOffering/not-an-id`, a.headers.tenantAdmin)).statusCode).toBe(404);
    expect((await call('GET', `${TMF}/productOffering/${id}`, b.headers.tenantAdmin)).statusCode).toBe(404);
    expect((await call('DELETE', `${TMF}/productOffering/${id}`, a.headers.enterpriseAdmin)).statusCode).toBe(403);
    expect((await call('GET', `${TMF}/productOffering`, {})).statusCode).toBe(401);
    expect((await call('DELETE', `${TMF}/productOffering/${id}`, a.headers.tenantAdmin)).statusCode).toBe(204);
    expect((await call('GET', `${TMF}/productOffering/${id}`, a.headers.tenantAdmin)).statusCode).toBe(404);
  });
});

describe('bundles as productOffering', () => {
  it('lists a bundle with isBundle and its bundled offerings', async () => {
    const roam = (await call('GET', `${TMF}/productOffering?code=TMF-ROAM&fields=code`, a.headers.tenantAdmin)).json()[0];
    const plan = await call('POST', `${TMF}/productOffering`, a.headers.tenantAdmin, { name: 'Plan', code: 'TMF-PLAN', offerKind: 'PRIMARY', specification: iotPlan() });
    const created = await call('POST', '/api/v1/catalog/bundles', a.headers.tenantAdmin, { code: 'TMF-BUNDLE', level: 'SUBSCRIBER', spec: {
      name: 'Plan + roaming', currency: 'EUR', price: { recurring: '6.00' }, members: [{ offerId: plan.json().id, kind: 'MANDATORY' }, { offerId: roam.id, kind: 'OPTIONAL' }] } });
    expect(created.statusCode).toBe(201);
    const bundles = await call('GET', `${TMF}/productOffering?isBundle=true`, a.headers.enterpriseUser);
    expect(bundles.json()).toHaveLength(1);
    expect(bundles.json()[0]).toMatchObject({ id: created.json().id, name: 'Plan + roaming', isBundle: true, lifecycleStatus: 'Active',
      bundledProductOffering: [{ id: plan.json().id, memberKind: 'MANDATORY' }, { id: roam.id, memberKind: 'OPTIONAL' }],
      price: { recurring: { unit: 'EUR', amount: '6.00' } } });
    const one = await call('GET', `${TMF}/productOffering/${created.json().id}?fields=isBundle`, a.headers.enterpriseUser);
    expect(one.json()).toEqual({ id: created.json().id, href: `${TMF}/productOffering/${created.json().id}`, '@type': 'ProductOffering', isBundle: true });
  });
});

describe('productOfferingPrice', () => {
  it('shows each price of an offering, read-only', async () => {
    const list = await call('GET', `${TMF}/productOfferingPrice?priceType=recurring`, a.headers.tenantAdmin);
    expect(list.statusCode).toBe(200);
    expect(list.json().map((p: { name: string; price: { amount: string } }) => [p.name, p.price.amount])).toEqual([['MRC', '2.50']]);
    const usage = await call('GET', `${TMF}/productOfferingPrice?priceType=usage&tariffPlan=eu`, a.headers.tenantAdmin);
    const [price] = usage.json();
    expect(price).toMatchObject({ priceType: 'usage', usageType: 'DATA', zone: 'EU', price: { unit: 'EUR', value: 1, amount: '1.00' }, unitOfMeasure: { units: 'OCTET', amount: 1048576 } });
    expect((await call('GET', `${TMF}/productOfferingPrice/${price.id}`, a.headers.tenantAdmin)).json().id).toBe(price.id);
    expect((await call('GET', `${TMF}/productOfferingPrice/${price.id}x`, a.headers.tenantAdmin)).statusCode).toBe(404);
    expect((await call('POST', `${TMF}/productOfferingPrice`, a.headers.tenantAdmin, { name: 'x' })).statusCode).toBe(405);
  });
});

describe('category, catalog and productSpecification', () => {
  for (const kind of ['category', 'catalog', 'productSpecification']) {
    it(`${kind}: create, list with filters, patch, delete`, async () => {
      const r = await call('POST', `${TMF}/${kind}`, a.headers.tenantAdmin, { name: `My ${kind}`, description: 'first', isRoot: true });
      expect(r.statusCode).toBe(201);
      const body = r.json();
      expect(body).toMatchObject({ href: `${TMF}/${kind}/${body.id}`, name: `My ${kind}`, lifecycleStatus: 'In design', description: 'first', isRoot: true });
      expect(body.lastUpdate).toEqual(expect.any(String));
      await call('POST', `${TMF}/${kind}`, a.headers.tenantAdmin, { name: `Other ${kind}` });
      const filtered = await call('GET', `${TMF}/${kind}?name=My ${kind}&fields=name`, a.headers.tenantAdmin);
      expect(filtered.json()).toEqual([{ id: body.id, href: body.href, '@type': expect.any(String), name: `My ${kind}` }]);
      const patched = await call('PATCH', `${TMF}/${kind}/${body.id}`, a.headers.tenantAdmin, { description: 'second', lifecycleStatus: 'Active' });
      expect(patched.json()).toMatchObject({ name: `My ${kind}`, description: 'second', isRoot: true, lifecycleStatus: 'Active' });
      expect((await call('GET', `${TMF}/${kind}/${body.id}`, b.headers.tenantAdmin)).statusCode).toBe(404);
      expect((await call('DELETE', `${TMF}/${kind}/${body.id}`, a.headers.tenantAdmin)).statusCode).toBe(204);
      expect((await call('GET', `${TMF}/${kind}/${body.id}`, a.headers.tenantAdmin)).statusCode).toBe(404);
      expect((await call('PATCH', `${TMF}/${kind}/${body.id}`, a.headers.tenantAdmin, { name: 'x' })).statusCode).toBe(404);
    });
  }
});
