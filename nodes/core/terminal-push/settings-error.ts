import { InputError, type EditorPlace } from '../errors';

/** Where a face keeps a vendor's push settings: an n8n credential, a Node-RED config node. */
export type SettingsPlace = EditorPlace;

/**
 * A push settings error from parsePushSettings, re-addressed to the place the operator edits: "Stripe account →
 * Secret key" rather than the settings field "secretKey". Anything else passes through untouched.
 */
export function inPlaceTerms(e: unknown, place: SettingsPlace): unknown {
  if (!(e instanceof InputError)) return e;
  const label = place.labels[e.field] ?? e.field;
  const problem = e.message.slice(e.field.length + 2).replace(/\. Fix: [\s\S]*$/, '');
  return new InputError(`${place.name} → ${label}`, problem, place.fix(label));
}
