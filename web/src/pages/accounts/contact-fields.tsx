import { FieldRow, TextField, rules, type FormErrors, type FormState } from '../../components/Form';
import type { Address, Contact } from './types';

/**
 * The primary contact and main address of an enterprise or business unit, as form fields named by their API
 * path (`contacts.0.email`, `addresses.0.city`), so a server reason for `body.contacts.0.email` lands on the
 * right input. Other contacts and addresses are kept as they are: the API replaces whole lists.
 */
export type ContactAddressValues = {
  'contacts.0.name': string; 'contacts.0.email': string; 'contacts.0.phone': string;
  'addresses.0.lines.0': string; 'addresses.0.lines.1': string; 'addresses.0.city': string;
  'addresses.0.postcode': string; 'addresses.0.country': string;
};

export function contactAddressInitial(owner?: { contacts: Contact[]; addresses: Address[] }): ContactAddressValues {
  const c = owner?.contacts.find((x) => x.role === 'primary');
  const a = owner?.addresses.find((x) => x.kind === 'main');
  return {
    'contacts.0.name': c?.name ?? '', 'contacts.0.email': c?.email ?? '', 'contacts.0.phone': c?.phone ?? '',
    'addresses.0.lines.0': a?.lines[0] ?? '', 'addresses.0.lines.1': a?.lines[1] ?? '', 'addresses.0.city': a?.city ?? '',
    'addresses.0.postcode': a?.postcode ?? '', 'addresses.0.country': a?.country ?? '',
  };
}

const filled = (...v: string[]) => v.some((x) => x.trim() !== '');

export function validateContactAddress(v: ContactAddressValues): FormErrors {
  const contact = filled(v['contacts.0.name'], v['contacts.0.email'], v['contacts.0.phone']);
  const address = filled(v['addresses.0.lines.0'], v['addresses.0.lines.1'], v['addresses.0.city'], v['addresses.0.postcode'], v['addresses.0.country']);
  return {
    'contacts.0.name': contact ? rules.required(v['contacts.0.name']) : undefined,
    'contacts.0.email': rules.email(v['contacts.0.email'].trim()),
    'contacts.0.phone': rules.pattern(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number such as +4930123456')(v['contacts.0.phone'].trim()),
    'addresses.0.lines.0': address ? rules.required(v['addresses.0.lines.0']) : undefined,
    'addresses.0.city': address ? rules.required(v['addresses.0.city']) : undefined,
    'addresses.0.country': address
      ? rules.required(v['addresses.0.country']) ?? rules.pattern(/^[A-Z]{2}$/, 'must be a two-letter country code such as DE')(v['addresses.0.country'].trim())
      : undefined,
  };
}

/** The contacts and addresses lists to send: the edited primary/main first, the owner's others after. */
export function contactAddressBody(v: ContactAddressValues, owner?: { contacts: Contact[]; addresses: Address[] }) {
  const t = (k: keyof ContactAddressValues) => v[k].trim();
  const contacts: Record<string, unknown>[] = [];
  if (t('contacts.0.name')) {
    contacts.push({ role: 'primary', name: t('contacts.0.name'), ...(t('contacts.0.email') ? { email: t('contacts.0.email') } : {}), ...(t('contacts.0.phone') ? { phone: t('contacts.0.phone') } : {}) });
  }
  for (const c of owner?.contacts ?? []) {
    if (c.role !== 'primary') contacts.push({ role: c.role, name: c.name, ...(c.email ? { email: c.email } : {}), ...(c.phone ? { phone: c.phone } : {}) });
  }
  const addresses: Record<string, unknown>[] = [];
  if (t('addresses.0.lines.0') || t('addresses.0.city')) {
    addresses.push({
      kind: 'main', lines: [t('addresses.0.lines.0'), t('addresses.0.lines.1')].filter(Boolean), city: t('addresses.0.city'),
      ...(t('addresses.0.postcode') ? { postcode: t('addresses.0.postcode') } : {}), country: t('addresses.0.country').toUpperCase(),
    });
  }
  for (const a of owner?.addresses ?? []) {
    if (a.kind !== 'main') addresses.push({ kind: a.kind, lines: a.lines, city: a.city, country: a.country, ...(a.postcode ? { postcode: a.postcode } : {}), ...(a.region ? { region: a.region } : {}) });
  }
  return { contacts, addresses };
}

export function ContactAddressFields<V extends ContactAddressValues>({ form }: { form: FormState<V> }) {
  const f = (k: keyof ContactAddressValues) => form.field(k as keyof V & string);
  return (
    <>
      <fieldset className="fieldset">
        <legend>Primary contact</legend>
        <FieldRow>
          <TextField field={f('contacts.0.name')} label="Name" />
          <TextField field={f('contacts.0.email')} label="E-mail" type="email" />
          <TextField field={f('contacts.0.phone')} label="Phone" type="tel" placeholder="+4930123456" />
        </FieldRow>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Main address</legend>
        <FieldRow>
          <TextField field={f('addresses.0.lines.0')} label="Street" />
          <TextField field={f('addresses.0.lines.1')} label="Address line 2" />
        </FieldRow>
        <FieldRow>
          <TextField field={f('addresses.0.postcode')} label="Postcode" />
          <TextField field={f('addresses.0.city')} label="City" />
          <TextField field={f('addresses.0.country')} label="Country" placeholder="DE" />
        </FieldRow>
      </fieldset>
    </>
  );
}

export function ContactsAndAddresses({ contacts, addresses }: { contacts: Contact[]; addresses: Address[] }) {
  return (
    <div className="two-col">
      <div>
        <h3>Contacts</h3>
        {contacts.length === 0 ? <p className="muted">None.</p> : (
          <ul className="plain">
            {contacts.map((c, i) => (
              <li key={i}><strong>{c.name}</strong> <span className="muted">({c.role})</span><br />
                {[c.email, c.phone].filter(Boolean).join(' · ') || <span className="muted">no e-mail or phone</span>}</li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <h3>Addresses</h3>
        {addresses.length === 0 ? <p className="muted">None.</p> : (
          <ul className="plain">
            {addresses.map((a, i) => (
              <li key={i}><span className="muted">{a.kind}</span><br />{a.lines.join(', ')}<br />
                {[a.postcode, a.city, a.region].filter(Boolean).join(' ')}, {a.country}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
