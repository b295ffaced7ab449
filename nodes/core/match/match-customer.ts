import { MatchFieldSchema, type FieldEvidence, type MatchField, type MatchKey, type MatchKeyKind, type MatchResult } from '../contracts/customer';
import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import type { Crm } from '../contracts/crm';
import { attributionFrom } from '../terminal-push/push-metadata';
import { CustomerIndex } from './customer-index';
import { decide } from './decide';
import { EXACT_KEY_CONFIDENCE } from './exact-confidence';
import { matchExact } from './exact-match';
import { makesCustomer, newCustomerId } from './new-customer';
import { DEFAULT_MATCH_CONFIG, resolveMatchConfig, type MatchConfig, type ResolvedMatchConfig } from './match-config';
import type { CustomerChangeSource } from '../contracts/match-record';
import { keysOfEvent } from './normalize-keys';
import { normalizeRecord, recordOfEvent, type NormalizedRecord } from './normalized-record';
import { loadMatchWeights, storeOf, type StoredWeights } from './stored-weights';

export interface MatchDeps {
  /** Answers payment-id lookups; when it can list its changes, it also feeds the match index. */
  crm?: Crm;
  /** Feeds the match index when it is not the CRM itself (a CRM adapter's contact export, a file). */
  source?: CustomerChangeSource;
  /** An index to use as it is (tests, benchmarks, the link command); otherwise one is kept per source. */
  index?: CustomerIndex;
}

const indexes = new WeakMap<object, Map<string, CustomerIndex>>();

/** The one index per data source and normalization in this process, loaded on first use. */
export function indexFor(source: CustomerChangeSource, config: MatchConfig | ResolvedMatchConfig = {}): CustomerIndex {
  const cfg = 'indexSignature' in config ? config : resolveMatchConfig(config);
  const scope = source.indexScope ?? source;
  let byConfig = indexes.get(scope);
  if (!byConfig) indexes.set(scope, (byConfig = new Map()));
  let index = byConfig.get(cfg.indexSignature);
  if (!index) {
    index = new CustomerIndex({ maxBlockSize: cfg.maxBlockSize, normalize: cfg.normalize });
    byConfig.set(cfg.indexSignature, index);
  }
  return index;
}

/**
 * Who paid: the customer a sale pushed by Send to Terminal names in its metadata, when they exist; otherwise exact
 * keys (the same payment, the processor's customer id, email, phone, card token), then, when none decides, a
 * field-by-field comparison with the customers that share a block with the payment.
 * Returns the decision (link, review, create), a confidence, what it matched on, and why.
 */
export async function matchCustomer(event: TokenizedPaymentEvent, deps: MatchDeps, config: MatchConfig = DEFAULT_MATCH_CONFIG): Promise<MatchResult> {
  return new PaymentsMatcher([event], deps, config).match(0);
}

/** A customer merged into another while a batch was matched (Match Customer's automatic merges). */
export interface MergedAway {
  from: string;
  into: string;
}

/**
 * Several payments matched in their order, each decided as matchCustomer decides one, with one payment-id lookup
 * and one index refresh for the whole batch instead of one of each per payment: an n8n execution's items cost two
 * store round trips, not two per payment. Nothing else writes between the decisions of one batch except the merges
 * Match Customer makes, which it reports through `merged` so the next decisions see them. A change another process
 * makes meanwhile is seen by the next batch, as a refresh interval would. What a batch cannot find in the store is
 * an earlier payment of the same batch: a payment's later events go where its first goes, as they would once it is
 * recorded, so a batch never splits a payment between customers. Nor can it find a customer an earlier payment of
 * the batch makes: a later payment carrying one of that customer's exact keys (email, phone, card, the processor's
 * customer id) goes to them, as it would once they are written, so one new person's two sales make one customer.
 */
export class PaymentsMatcher {
  private readonly cfg: ResolvedMatchConfig;
  private readonly source?: CustomerChangeSource;
  private readonly index?: CustomerIndex;
  /** Each payment's keys, or why they could not be worked out (that payment fails alone). */
  private readonly keys: (MatchKey[] | Error)[];
  /** The one payment-id lookup and index refresh, begun when the first payment needs them. */
  private known?: Promise<Map<string, string>>;
  private refreshed?: Promise<void>;
  private begun = false;
  private indexStale = false;
  private readonly movedTo = new Map<string, string>();
  /** The customer each payment decided earlier in this batch goes to (found, or to be made for it). */
  private readonly decided = new Map<string, string>();
  /** The customers this batch makes, not written yet, on what their payments carry: matched on exact keys only. */
  private made?: CustomerIndex;
  /** The last payment compared field by field, kept for what the batch makes of it. */
  private probe?: { i: number; rec: NormalizedRecord };
  /** The scoring configuration with the field comparison off, made once per configuration the batch scores with. */
  private exactOnly?: { of: ResolvedMatchConfig; cfg: ResolvedMatchConfig };

  constructor(private readonly events: readonly TokenizedPaymentEvent[], private readonly deps: MatchDeps, private readonly config: MatchConfig = DEFAULT_MATCH_CONFIG) {
    this.cfg = resolveMatchConfig(config);
    ({ source: this.source, index: this.index } = indexOf(deps, this.cfg));
    this.keys = events.map((e) => {
      try {
        return keysOfEvent(e, this.cfg.normalize.defaultRegion, this.cfg.emailRules).attach;
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
  }

  /**
   * The index is brought up to date beside the payment-id lookup, not after it: on Postgres each is a round trip,
   * and most payments need both. A payment found by its id does not need the index, nor a refresh that failed.
   */
  private begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.refreshed = this.source && this.index ? this.index.refreshIfDue(this.source, this.cfg.refreshIntervalMs) : undefined;
    this.refreshed?.catch(() => undefined);
    const paymentKeys = uniqueKeys(this.keys.flatMap((k) => (k instanceof Error ? [] : [k[0]!])));
    if (this.deps.crm && paymentKeys.length) {
      this.known = this.deps.crm.findByKeys(paymentKeys).then((hits) => new Map(hits.map((h) => [keyText(h), h.customerId])));
      this.known.catch(() => undefined);
    }
  }

  /** The i-th payment's decision; a failure (its keys, the store) is that payment's alone. */
  async match(i: number): Promise<MatchResult> {
    const event = this.events[i]!;
    const pushed = await pushedCustomer(event, this.deps, this.config);
    const result = pushed && 'link' in pushed ? pushed.link : await this.onKeysAndFields(i);
    // A later event of this payment in the batch goes where this one goes, as it would once this one is recorded.
    const goesTo = result.customerId ?? (makesCustomer(event, result.keys) ? newCustomerId(event) : undefined);
    const attach = this.keys[i];
    if (goesTo && Array.isArray(attach)) {
      const payment = keyText(attach[0]!);
      if (!this.decided.has(payment)) this.decided.set(payment, goesTo);
    }
    // What CRM Upsert will write for a customer this batch makes: the payment's details join theirs.
    const rec = this.probe?.i === i ? this.probe.rec : undefined;
    if (goesTo && rec && this.index && (result.customerId === null || this.made?.get(goesTo))) {
      this.made ??= new CustomerIndex(this.index.options);
      this.made.absorb(goesTo, rec);
    }
    return pushed && 'note' in pushed ? { ...result, explanation: `${pushed.note} ${result.explanation}` } : result;
  }

  /**
   * Merges were tried (those made are given) since the batch began: payments found by id follow them, and the
   * index is read again before the next decision.
   */
  merged(merges: readonly MergedAway[]): void {
    for (const m of merges) this.movedTo.set(m.from, m.into);
    this.indexStale = true;
  }

  private async onKeysAndFields(i: number): Promise<MatchResult> {
    const event = this.events[i]!;
    const attach = this.keys[i]!;
    if (attach instanceof Error) throw attach;
    const paymentKey = attach[0]!;
    this.begin();
    if (this.known) {
      const known = await this.known.catch(async (e: unknown) => {
        await this.refreshed?.catch(() => undefined);
        throw e;
      });
      const owner = known.get(keyText(paymentKey));
      if (owner) {
        await this.refreshed?.catch(() => undefined);
        return linkedByPayment(this.followMerges(owner), attach, 'another event of this payment is already recorded for them');
      }
    }
    const earlier = this.decided.get(keyText(paymentKey));
    if (earlier) return linkedByPayment(this.followMerges(earlier), attach, 'another event of this payment, earlier in this batch, is for them');
    if (!this.index) {
      if (!this.deps.crm) throw new Error('matchCustomer needs a CRM, a customer source or an index');
      return matchExact(event, this.deps.crm, { defaultRegion: this.cfg.normalize.defaultRegion, emailRules: this.cfg.emailRules });
    }
    await this.upToDateIndex();
    const { source, index, cfg, config } = this;
    const scored = source && !config.weights ? await withStoredWeights(config, cfg, source, index) : cfg;
    const probe = normalizeRecord(recordOfEvent(event), cfg.normalize);
    this.probe = { i, rec: probe };
    const stored = decide(probe, index, scored);
    const d = stored.tier === 'exact' ? stored : (this.madeInBatch(probe, scored) ?? stored);
    return {
      customerId: d.customerId,
      confidence: d.confidence,
      matchedOn: d.matchedOn.filter(inContract),
      decision: d.decision,
      explanation: d.explanation,
      keys: attach,
      ...(d.tier ? { tier: d.tier } : {}),
      ...(d.candidateId && d.decision !== 'link' ? { candidateId: d.candidateId } : {}),
      ...(d.evidence.length ? { evidence: d.evidence.filter((e): e is FieldEvidence => inContract(e.field)) } : {}),
      ...(d.merges.length ? { merges: d.merges } : {}),
    };
  }

  /**
   * A payment no stored customer's exact key decides, carrying an exact key of a customer an earlier payment of
   * this batch makes: linked to them, as it would be once they are written (an exact key outranks a comparison of
   * fields). Only exact keys are tried on them: the index's frequencies and prior are the store's, not the batch's.
   */
  private madeInBatch(probe: NormalizedRecord, cfg: ResolvedMatchConfig): ReturnType<typeof decide> | undefined {
    if (!this.made?.size) return undefined;
    if (this.exactOnly?.of !== cfg) this.exactOnly = { of: cfg, cfg: { ...cfg, probabilistic: false } };
    const d = decide(probe, this.made, this.exactOnly.cfg);
    if (d.decision !== 'link') return undefined;
    return { ...d, merges: [], explanation: `${d.explanation} ${d.customerId} is made for an earlier payment of this batch.` };
  }

  /** A refresh that failed is tried again by the next payment that needs the index. */
  private async upToDateIndex(): Promise<void> {
    if (this.indexStale && this.source) {
      this.indexStale = false;
      this.refreshed = this.index!.refreshIfDue(this.source, this.cfg.refreshIntervalMs);
    }
    try {
      await this.refreshed;
    } catch (e) {
      this.indexStale = true;
      throw e;
    }
  }

  private followMerges(customerId: string): string {
    let id = customerId;
    for (let hops = 0; this.movedTo.has(id) && hops < this.movedTo.size; hops++) id = this.movedTo.get(id)!;
    return id;
  }
}

/** The payment's own customer: events of one payment (a PaymentIntent and its charge, a refund months later) belong together. */
function linkedByPayment(customerId: string, keys: MatchKey[], why: string): MatchResult {
  return {
    customerId, confidence: EXACT_KEY_CONFIDENCE.paymentId, matchedOn: ['paymentId'], decision: 'link',
    explanation: `Matched ${customerId} on paymentId: ${why}.`, keys, tier: 'exact',
  };
}

const keyText = (k: { kind: string; value: string }) => `${k.kind}\u0000${k.value}`;
function uniqueKeys(keys: readonly MatchKey[]): MatchKey[] {
  const seen = new Map<string, MatchKey>();
  for (const k of keys) seen.set(keyText(k), k);
  return [...seen.values()];
}

/**
 * A sale pushed by Send to Terminal carries the pack's customer id in the payment (terminal-push/push-metadata.ts):
 * the payment is that customer's, as surely as a second event of a recorded payment. An id that names nobody
 * (deleted, merged away, mistyped in a flow) is not trusted to make a customer: the payment is matched as any
 * other, and the explanation says why.
 */
async function pushedCustomer(event: TokenizedPaymentEvent, deps: MatchDeps, config: MatchConfig): Promise<{ link: MatchResult } | { note: string } | undefined> {
  const named = attributionFrom({ metadata: event.metadata, note: event.metadata.note });
  if (!named) return undefined;
  const cfg = resolveMatchConfig(config);
  const { source, index } = indexOf(deps, cfg);
  if (!index) return { note: `The payment names customer ${named.customerId} (Send to Terminal), whom this CRM cannot look up; matched as any other payment.` };
  if (source) await index.refreshIfDue(source, cfg.refreshIntervalMs);
  // The CRM record's customer may have been made since the last refresh: read the changes once before giving up.
  if (!index.get(named.customerId) && source) await index.refresh(source);
  if (!index.get(named.customerId)) return { note: `The payment names customer ${named.customerId} (Send to Terminal), who is not a known customer (deleted, merged into another or mistyped); matched as any other payment.` };
  const about = [named.crmRecordId && `, CRM record ${named.crmRecordId}`, named.reference && `, reference ${named.reference}`].filter(Boolean).join('');
  return {
    link: {
      customerId: named.customerId, confidence: EXACT_KEY_CONFIDENCE.paymentId, matchedOn: [], decision: 'link', tier: 'exact',
      explanation: `Matched ${named.customerId} by the payment itself: Send to Terminal sent it to the reader for them${about}.`,
      keys: keysOfEvent(event, cfg.normalize.defaultRegion, cfg.emailRules).attach,
    },
  };
}

function indexOf(deps: MatchDeps, cfg: ResolvedMatchConfig): { source?: CustomerChangeSource; index?: CustomerIndex } {
  const source = deps.source ?? (deps.crm?.customerChanges ? (deps.crm as CustomerChangeSource) : undefined);
  return { source, index: deps.index ?? (source ? indexFor(source, cfg) : undefined) };
}

const CONTRACT_FIELDS: readonly string[] = MatchFieldSchema.options;
/** A payment carries no identifier (a file's idNumber), so its result holds only the fields the contract names. */
const inContract = (f: string): f is MatchKeyKind | MatchField => f !== 'idNumber' || CONTRACT_FIELDS.includes(f);

/** How often Match Customer looks for newly learnt weights in the store. */
const WEIGHTS_RELOAD_MS = 60_000;

interface WeightsState {
  checkedAt: number;
  stored?: StoredWeights;
  loading?: Promise<void>;
  resolved: WeakMap<MatchConfig, ResolvedMatchConfig>;
}
const storedByIndex = new WeakMap<CustomerIndex, WeightsState>();

/**
 * The configuration with the weights learnt from the store (`terminal-crm link --against store --learn`), when
 * there are some and the operator set none: `link` and Match Customer then score with the same weights. Read
 * at most once a minute, so a payment never waits for it.
 */
async function withStoredWeights(config: MatchConfig, cfg: ResolvedMatchConfig, source: CustomerChangeSource, index: CustomerIndex): Promise<ResolvedMatchConfig> {
  const db = storeOf(source.indexScope);
  if (!db) return cfg;
  let state = storedByIndex.get(index);
  if (!state) storedByIndex.set(index, (state = { checkedAt: 0, resolved: new WeakMap() }));
  const s = state;
  if (Date.now() - s.checkedAt >= WEIGHTS_RELOAD_MS) {
    s.checkedAt = Date.now();
    s.loading = loadMatchWeights(db).then((w) => {
      if (w?.learntAt !== s.stored?.learntAt) s.resolved = new WeakMap();
      s.stored = w;
    });
  }
  await s.loading;
  if (!s.stored) return cfg;
  let r = s.resolved.get(config);
  if (!r) s.resolved.set(config, (r = resolveMatchConfig({ ...config, weights: s.stored.weights })));
  return r;
}

/**
 * Loads the match index before the first payment arrives (a face calls it when its node starts), so that
 * payment does not wait for a large CRM to be read. Resolves with the number of customers indexed.
 */
export async function warmMatchIndex(crm: Crm, config: MatchConfig = {}): Promise<number> {
  if (!crm.customerChanges) return 0;
  const source = crm as CustomerChangeSource;
  const index = indexFor(source, config);
  await index.refresh(source);
  return index.size;
}
