import type { Client } from '@temporalio/client';
import type { PaymentEvent } from '../../nodes/core/contracts/payment-event';
import { InputError } from '../../nodes/core/errors';
import { paymentSagaWorkflowId, startPaymentSaga, startPaymentSagaEagerly } from './start-payment-saga';
import { paymentWorkflowId, startPaymentWorkflow } from './start-payment-workflow';

/** Which workflow the webhook entry and the redrive loop hand an event to. */
export const PAYMENT_WORKFLOW_ENV = 'TERMINAL_CRM_PAYMENT_WORKFLOW';
export const PAYMENT_WORKFLOWS = ['classic', 'saga'] as const;
export type PaymentWorkflowKind = (typeof PAYMENT_WORKFLOWS)[number];

/**
 * "saga" (paymentSaga, one run per payment: refunds and disputes queued behind their sale, compensations and an
 * alert when an event fails for good, reviews waited for) is the default. "classic" (paymentToCrm, one run per
 * event, ids payment-<event id>) stays for workers whose dashboards and tooling know those ids; both are registered
 * on every worker, so runs of either finish whatever the setting.
 */
export const DEFAULT_PAYMENT_WORKFLOW: PaymentWorkflowKind = 'saga';

export function paymentWorkflowKind(value: string | undefined, field = PAYMENT_WORKFLOW_ENV): PaymentWorkflowKind {
  const v = value?.trim().toLowerCase();
  if (!v) return DEFAULT_PAYMENT_WORKFLOW;
  if (v === 'paymenttocrm') return 'classic';
  if (v === 'paymentsaga') return 'saga';
  if ((PAYMENT_WORKFLOWS as readonly string[]).includes(v)) return v as PaymentWorkflowKind;
  throw new InputError(field, `"${value}" is not a payment workflow`, `set it to saga (paymentSaga, one run per payment) or classic (paymentToCrm, one run per event), or leave it unset for ${DEFAULT_PAYMENT_WORKFLOW}`);
}

export const paymentWorkflowKindFromEnv = (env: NodeJS.ProcessEnv = process.env) => paymentWorkflowKind(env[PAYMENT_WORKFLOW_ENV]);

/** The id of the run that takes this event: the payment's saga, or the event's own paymentToCrm run. */
export const paymentWorkflowIdOfKind = (event: Pick<PaymentEvent, 'id' | 'source' | 'paymentId'>, kind: PaymentWorkflowKind = DEFAULT_PAYMENT_WORKFLOW): string =>
  kind === 'saga' ? paymentSagaWorkflowId(event) : paymentWorkflowId(event.id);

/**
 * Hands one event to the chosen workflow; either way a redelivery joins the run that has it. Returns its id.
 * `eager`: the client shares a local worker's connection, so a new saga may start eagerly on that worker.
 */
export async function startPaymentWorkflowOfKind(client: Client, event: PaymentEvent, kind: PaymentWorkflowKind, options: { taskQueue?: string; eager?: boolean } = {}): Promise<string> {
  if (kind === 'saga' && options.eager) return startPaymentSagaEagerly(client, event, { taskQueue: options.taskQueue });
  const handle = kind === 'saga' ? await startPaymentSaga(client, event, options) : await startPaymentWorkflow(client, event, options);
  return handle.workflowId;
}
