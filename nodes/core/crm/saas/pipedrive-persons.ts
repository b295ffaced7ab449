import type { CustomerProfile } from '../../contracts/customer';
import type { CrmCustomer, CrmRemoteCustomer } from './crm-adapter';
import { envelopeOf, isOk, searchExact, type PipedriveCall, type PipedrivePerson } from './pipedrive-api';
import { trimmedStr } from '../../json/json-values';
import type { PipedriveSettings } from './pipedrive-settings';

/** The person's name as a salesperson would write it; a walk-in with a tapped card has none. */
export function displayName(p: CustomerProfile): string | undefined {
  const full = [p.givenName, p.familyName].map((s) => s?.trim()).filter(Boolean).join(' ');
  return full || p.name?.trim() || undefined;
}

/**
 * Body of POST/PATCH /api/v2/persons (SDK: AddPersonRequest). Pipedrive requires a name, so a new person without
 * one is named after their email, or after the pack's id, which the operator can search for. An update never
 * replaces a real name with that stand-in, and leaves emails and phones alone when the pack has none (and joins
 * the person's own lists when it has some: keepingTheirs).
 * Address and birthday are left out: Pipedrive only takes them with Contact Sync on, and answers 403 otherwise.
 */
export function personBody(c: CrmCustomer, settings: PipedriveSettings, creating: boolean): Record<string, unknown> {
  const p = c.profile;
  const email = trimmedStr(p.email);
  const phone = trimmedStr(p.phone);
  const name = displayName(p) ?? (creating ? (email ?? nameStandIn(c.externalId)) : undefined);
  return {
    ...(name ? { name } : {}),
    ...(email ? { emails: [{ value: email, primary: true, label: 'work' }] } : {}),
    ...(phone ? { phones: [{ value: phone, primary: true, label: 'mobile' }] } : {}),
    custom_fields: { [settings.customerIdField]: c.externalId },
  };
}

const nameStandIn = (externalId: string): string => `Card customer ${externalId}`;

type ContactEntry = NonNullable<PipedrivePerson['emails']>[number];
const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const samePhone = (a: string, b: string) => a.replace(/\D/g, '') === b.replace(/\D/g, '');

/**
 * An update body that keeps what the person has: a PATCH sets the whole email or phone list, so the pack's value
 * joins the person's list (a salesperson's second address and its label stay, and the primary stays theirs), and
 * when the person has it already the list is not sent at all.
 */
export function keepingTheirs(body: Record<string, unknown>, current: PipedrivePerson | null | undefined): Record<string, unknown> {
  const out = { ...body };
  for (const [key, same] of [['emails', sameEmail], ['phones', samePhone]] as const) {
    const ours = (out[key] as ContactEntry[] | undefined)?.[0];
    const theirs = (current?.[key] ?? []).filter((e): e is ContactEntry & { value: string } => typeof e?.value === 'string' && e.value !== '');
    if (!ours?.value || theirs.length === 0) continue;
    if (theirs.some((e) => same(e.value, ours.value!))) delete out[key];
    else out[key] = [...theirs, { ...ours, primary: false }];
  }
  return out;
}

export type Found = { id: string } | { ambiguous: string[] } | undefined;

/**
 * The person carrying this customer id; failing that, the one person with this email whose id field is empty (a
 * contact a salesperson typed in before the first payment). Several people with the id, or with the email, are for
 * a person to tell apart — the adapter never picks one.
 */
export async function findPerson(call: PipedriveCall, settings: PipedriveSettings, externalId: string, email?: string): Promise<Found> {
  const byId = await searchExact(call, 'persons', { field: 'custom_fields', key: settings.customerIdField }, externalId);
  if (byId.length === 1) return { id: String(byId[0]) };
  if (byId.length > 1) return { ambiguous: byId.map(String) };
  if (!email) return undefined;
  const byEmail = await searchExact(call, 'persons', { field: 'email' }, email);
  if (byEmail.length > 1) return { ambiguous: byEmail.map(String) };
  if (byEmail.length === 0) return undefined;
  // The email's owner may already be another customer of the pack: then this one is a different person.
  const res = await call({ method: 'GET', url: `/api/v2/persons/${byEmail[0]}`, qs: { custom_fields: settings.customerIdField } });
  if (!isOk(res)) return undefined;
  const held = envelopeOf<PipedrivePerson>(res).data?.custom_fields?.[settings.customerIdField];
  return held === undefined || held === null || held === '' || held === externalId ? { id: String(byEmail[0]) } : undefined;
}

/** A person as the match index wants it. */
export function remoteCustomer(p: PipedrivePerson, settings: PipedriveSettings): CrmRemoteCustomer {
  const pick = (list: PipedrivePerson['emails']) => (list ?? []).find((e) => e.primary)?.value ?? list?.[0]?.value ?? undefined;
  const externalId = p.custom_fields?.[settings.customerIdField];
  const profile: CustomerProfile = {};
  // The name a nameless person was created under (personBody: its email, or the pack's id), which Pipedrive also
  // split into first and last names, is no name to match on.
  const standIn = !!p.name && ((typeof externalId === 'string' && p.name === nameStandIn(externalId)) || (p.emails ?? []).some((e) => typeof e?.value === 'string' && sameEmail(e.value, p.name!)));
  if (!standIn) {
    if (p.name) profile.name = p.name;
    if (p.first_name) profile.givenName = p.first_name;
    if (p.last_name) profile.familyName = p.last_name;
  }
  const email = pick(p.emails);
  const phone = pick(p.phones);
  if (email) profile.email = email;
  if (phone) profile.phone = phone;
  return {
    crmId: String(p.id),
    ...(typeof externalId === 'string' && externalId ? { externalId } : {}),
    profile,
    updatedAt: p.update_time ?? p.add_time ?? '',
  };
}
