import { api } from '../../api';
import type { Option } from '../../components/Form';

/** Enterprises as select options (first 500 by name), for forms that bind something to one enterprise. */
export async function enterpriseOptions(signal?: AbortSignal): Promise<Option[]> {
  const page = await api.list<{ id: string; name: string; customerId: string }>('enterprises', { limit: 500, sort: 'name' }, signal);
  return page.items.map((e) => ({ value: e.id, label: `${e.name} (${e.customerId})` }));
}
