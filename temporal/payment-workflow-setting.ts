import type { Client } from '@temporalio/client';
import type { PaymentEvent } from '../nodes/core/contracts/payment-event';
import { InputError } from '../nodes/core/errors';
import { startPaymentSaga, startPaymentSagaEagerly } from './start-payment-saga';
import { startPaymentWorkflow } from './start-payment-workflow';

/** Which workflow the webhook entry and the redrive loop hand an event to. */
export const PAYMENT_WORKFLOW_ENV = 'TERMINAL_CRM_PAYMENT_WORKFLOW';
export const PAYMENT_WORKFLOWS = ['classic', 'saga'] as const;
export type PaymentWorkflowKind = (typeof PAYMENT_WORKFLOWS)[number];

/**
 * "classic" (paymentToCrm, one run per event) stays the default: its ids (payment-<event id>) and results are what
 * deployed workers, dashboards and recorded histories know. "saga" (paymentSaga, one run per payment, refunds queued
 * behind their sale, compensations) is opted into per worker.
 */
export const DEFAULT_PAYMENT_WORKFLOW: PaymentWorkflowKind = 'classic';

export function paymentWorkflowKind(value: string | undefined, field = PAYMENT_WORKFLOW_ENV): PaymentWorkflowKind {
  const v = value?.trim().toLowerCase();
  if (!v) return DEFAULT_PAYMENT_WORKFLOW;
  if (v === 'paymenttocrm') return 'classic';
  if (v === 'paymentsaga') return 'saga';
  if ((PAYMENT_WORKFLOWS as readonly string[]).includes(v)) return v as PaymentWorkflowKind;
  throw new InputError(field, `"${value}" is not a payment workflow`, `set it to saga (paymentSaga, one run per payment) or classic (paymentToCrm, one run per event), or leave it unset for ${DEFAULT_PAYMENT_WORKFLOW}`);
}

export const paymentWorkflowKindFromEnv = (env: NodeJS.ProcessEnv = process.env) => paymentWorkflowKind(env[PAYMENT_WORKFLOW_ENV]);

/**
 * Hands one event to the chosen workflow; either way a redelivery joins the run that has it. Returns its id.
 * `eager`: the client shares a local worker's connection, so a new saga may start eagerly on that worker.
 */
export async function startPaymentWorkflowOfKind(client: Client, event: PaymentEvent, kind: PaymentWorkflowKind, options: { taskQueue?: string; eager?: boolean } = {}): Promise<string> {
  if (kind === 'saga' && options.eager) return startPaymentSagaEagerly(client, event, { taskQueue: options.taskQueue });
  const handle = kind === 'saga' ? await startPaymentSaga(client, event, options) : await startPaymentWorkflow(client, event, options);
  return handle.workflowId;
}
