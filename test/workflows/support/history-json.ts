import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const { History } = temporal.api.history.v1;

/**
 * A history as JSON (the proto's camelCase fields, 64-bit numbers and enum names as strings, bytes in base64,
 * timestamps as seconds and nanos), and back. Not `historyToJSON` / `historyFromJSON` from @temporalio/common: with two copies of
 * protobufjs installed (@temporalio/common and @temporalio/proto each bring their own) they fail with "type must
 * be a Type"; the History class's own toObject / fromObject need only one.
 */
export function historyToJson(history: History): string {
  const plain = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  return `${JSON.stringify(plain, null, 2)}\n`;
}

/** The history class the replay worker takes as it is (64-bit numbers as Long, not strings). */
export function historyFromJson(json: unknown): temporal.api.history.v1.History {
  return History.fromObject(json as Record<string, unknown>);
}
