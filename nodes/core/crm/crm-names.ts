import { InputError } from '../errors';

/** The CRMs a face may offer in its CRM selector. Only the pack's own SQL store in this version. */
export const CRM_NAMES = ['local'] as const;
export type CrmName = (typeof CRM_NAMES)[number];

/** A blank choice means the default; anything unknown is refused rather than silently written somewhere else. */
export function parseCrmName(value: string | undefined, field = 'crm'): CrmName {
  const name = (value ?? '').trim() || 'local';
  if (!(CRM_NAMES as readonly string[]).includes(name)) {
    throw new InputError(field, `"${name}" is not a CRM this version can write to`, `choose one of: ${CRM_NAMES.join(', ')}`);
  }
  return name as CrmName;
}
