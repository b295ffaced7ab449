/**
 * How a Node-RED node names itself to the store's once-per-consumer records (the inbox, terminal loyalty enroll):
 * each deployed node is its own consumer, so two flows on one store each get an event once.
 */
export function nodeRedConsumer(def: { id: string }): string {
  return `node-red:${def.id}`;
}
