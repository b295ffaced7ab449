/**
 * Store schema version 23: each counted payment keeps the product categories its line items added to the
 * preference counters (`[[category, quantity, amount minor], …]` as JSON), so a sale the processor voids takes
 * them back, and a capture after the void gives them back, as it already did its weekday, hour, month, method and
 * place. A sale void when first seen keeps them too, uncounted, for the capture that may follow. Payments counted
 * before this version have none (NULL): what their line items added stays, as it did.
 */
export const SEGMENT_SALE_CATEGORIES_MIGRATION = {
  version: 23,
  name: 'segment: a void sale takes back its product categories',
  sql: 'ALTER TABLE segment_payments ADD COLUMN categories TEXT',
} as const;
