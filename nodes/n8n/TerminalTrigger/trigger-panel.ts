import type { TriggerPanelDefinition } from 'n8n-workflow';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../core/sources/stripe-terminal';

// Texts n8n renders as HTML: line breaks are <br>, never "\n" (which would run sentences together).

// A notice keeps only links and lists (n8n 2.x drops <code>, <b> and <br>); the trigger panel keeps those too.
const quotedList = (types: readonly string[]): string => types.map((t) => `"${t}"`).join(', ');

/** The Stripe setup notice names every event the trigger subscribes to, from the source itself, so it cannot drift. */
export const STRIPE_SETUP_NOTICE =
  'Use the Production URL above as the endpoint URL in Stripe (Dashboard → Developers → Webhooks → Add endpoint) with the events ' +
  `${quotedList(STRIPE_HANDLED_EVENT_TYPES)}. ` +
  'If the credential has a secret API key, the trigger adds that endpoint in Stripe by itself when you publish the workflow and removes it when you unpublish.';

// The sandbox's simulator posts to Production URLs only, and `stripe trigger` makes online (not card-present)
// payments the trigger drops: say both, and what does work, where the operator presses the button.
const HOW_TO_TEST =
  '<b>Test this trigger listens on the Test URL</b>, and only while it is waiting. To send it a test event:<br>' +
  '• <b>Stripe</b>: <code>stripe listen --forward-to &lt;Test URL&gt;</code> (Stripe CLI), put the <code>whsec_…</code> it prints in the credential as the signing secret, then take a test payment on a simulated reader (test mode, Terminal). <code>stripe trigger</code> makes online payments, which this trigger drops: it passes on card-present payments only.<br>' +
  '• <b>terminal-crm sandbox</b>: its simulator posts to the <b>Production URL</b> of the workflow it imported, never to a Test URL. Publish the workflow and watch its executions list instead.<br>' +
  '• <b>Other processors</b>: point a test webhook of your processor at the Test URL for the time of the test.';

export const TRIGGER_PANEL: TriggerPanelDefinition = {
  header: 'Waiting for a card-terminal event',
  executionsHelp: {
    inactive: `${HOW_TO_TEST}<br><br><b>Publish the workflow</b> to run it for every event sent to the Production URL; those executions show in the executions list, not in the editor.`,
    active: `${HOW_TO_TEST}<br><br>The workflow is published: events sent to the Production URL run it and show in the <a data-key="executions">executions list</a>, not in the editor.`,
  },
  activationHint: 'Once the workflow is built, publish it: the processor then calls the Production URL and every event runs it.',
};
