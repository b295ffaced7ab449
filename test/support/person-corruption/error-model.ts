/**
 * How duplicates are corrupted, and where each rate comes from.
 *
 * The model is FEBRL's data generator (Christen, "Probabilistic data generation for deduplication and data
 * linkage", IDEAL 2005; Febrl 0.4.2 `dsgen/generate.py`): each duplicate gets 1..maxPerRecord modifications
 * (uniform), each modification picks a field with the field's `select_prob` and then one kind of error with the
 * field's per-kind probabilities; a field takes at most maxPerField modifications. The per-field numbers below
 * are the field dictionaries of that generate.py; `phonetic` and `ocr` are the `pho_prob` and `ocr_prob` of
 * the later FEBRL generator (Christen & Pudjijono, "Accurate synthetic generation of realistic personal
 * information", PAKDD 2009), whose OCR model also misreads each further confusable character with
 * `ocr_fail_prob` 0.05. `variant` is FEBRL's `misspell_prob` (a replacement from a look-up table): for given names
 * our table is of nicknames, for other fields it falls back to a phonetic respelling. The swaps between fields
 * are FEBRL's `field_swap_prob`. FEBRL has no e-mail field: e-mail uses address_1's mix of typing errors, with
 * FEBRL phone's 0.15 for a new value (a changed mailbox). A `valueSwap` of the street is a move: the whole
 * address (number, street, suburb, postcode, state) is replaced by another.
 *
 * Weights within a field need not sum to 1 (FEBRL's do not once pho/ocr are added); they are normalised.
 */
export const FIELD_KEYS = ['given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'phone_number', 'email'] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];

export const ERROR_KINDS = [
  'insert', 'delete', 'substitute', 'transpose', 'valueSwap', 'wordSwap', 'spaceInsert', 'spaceDelete', 'missing', 'variant', 'phonetic', 'ocr',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface FieldModel {
  /** FEBRL select_prob: how likely a modification lands on this field. */
  select: number;
  kinds: Partial<Record<ErrorKind, number>>;
}

export const FIELD_MODELS: Readonly<Record<FieldKey, FieldModel>> = {
  given_name: { select: 0.10, kinds: { insert: 0.05, delete: 0.15, substitute: 0.35, transpose: 0.05, valueSwap: 0.02, wordSwap: 0.02, spaceInsert: 0.01, spaceDelete: 0.01, missing: 0.02, variant: 0.30, phonetic: 0.30, ocr: 0.01 } },
  surname: { select: 0.15, kinds: { insert: 0.10, delete: 0.10, substitute: 0.35, transpose: 0.04, valueSwap: 0.02, wordSwap: 0.02, spaceInsert: 0.01, spaceDelete: 0.02, missing: 0.02, variant: 0.30, phonetic: 0.30, ocr: 0.01 } },
  street_number: { select: 0.10, kinds: { insert: 0.10, delete: 0.15, substitute: 0.60, transpose: 0.05, valueSwap: 0.05, missing: 0.02, ocr: 0.01 } },
  address_1: { select: 0.10, kinds: { insert: 0.10, delete: 0.15, substitute: 0.55, transpose: 0.05, valueSwap: 0.02, wordSwap: 0.03, spaceInsert: 0.02, spaceDelete: 0.03, missing: 0.04, phonetic: 0.20, ocr: 0.01 } },
  address_2: { select: 0.10, kinds: { insert: 0.04, delete: 0.04, substitute: 0.10, transpose: 0.02, valueSwap: 0.03, wordSwap: 0.04, spaceInsert: 0.02, spaceDelete: 0.01, missing: 0.60, phonetic: 0.20, ocr: 0.01 } },
  suburb: { select: 0.10, kinds: { insert: 0.10, delete: 0.15, substitute: 0.22, transpose: 0.04, valueSwap: 0.01, wordSwap: 0.02, spaceInsert: 0.02, spaceDelete: 0.02, missing: 0.01, variant: 0.40, phonetic: 0.25, ocr: 0.01 } },
  postcode: { select: 0.05, kinds: { substitute: 0.35, transpose: 0.60, valueSwap: 0.03, missing: 0.01, ocr: 0.01 } },
  state: { select: 0.05, kinds: { insert: 0.10, delete: 0.10, substitute: 0.55, transpose: 0.02, valueSwap: 0.03, missing: 0.10, phonetic: 0.10, ocr: 0.01 } },
  // transpose on a date is the day/month swap where the swapped date exists, else two digits swapped
  date_of_birth: { select: 0.10, kinds: { substitute: 0.50, transpose: 0.30, valueSwap: 0.05, missing: 0.10 } },
  phone_number: { select: 0.05, kinds: { substitute: 0.40, transpose: 0.30, valueSwap: 0.15, missing: 0.05 } },
  // FEBRL's soc_sec_id (0.05) and age (0.05) selections, which this population does not have, go to e-mail
  email: { select: 0.10, kinds: { insert: 0.10, delete: 0.15, substitute: 0.55, transpose: 0.05, valueSwap: 0.15, missing: 0.05 } },
};

/** FEBRL field_swap_prob: per duplicate, the two fields' values exchanged. */
export const FIELD_SWAPS: readonly (readonly [FieldKey, FieldKey, number])[] = [
  ['given_name', 'surname', 0.05],
  ['address_1', 'address_2', 0.02],
  ['postcode', 'suburb', 0.01],
];

export interface CorruptionLimits {
  /** FEBRL max_modification_per_record: each duplicate gets uniform 1..this many modifications. */
  maxPerRecord: number;
  /** FEBRL max_modification_per_field. */
  maxPerField: number;
}

/**
 * The two limits are generate.py's command-line arguments, not fixed by the paper: 2 per field and 4 per record
 * are our choice (the same order as the example runs in FEBRL's documentation), stated here so a reader can
 * vary them.
 */
export const DEFAULT_LIMITS: CorruptionLimits = { maxPerRecord: 4, maxPerField: 2 };

/**
 * How complete the originals are. Not from FEBRL (whose originals have every field but address_2): a customer
 * file without a phone or e-mail for some people is the usual case, so these are our choice and stated here.
 */
export const ORIGINAL_PRESENCE = { address_2: 0.15, email: 0.8, phone_number: 0.9 };

/** Share of originals living with an earlier person (same surname and address): our choice, about 1 in 12. */
export const HOUSEHOLD_SHARE = 0.08;
