import { InputError } from '../errors';
import type { HttpTransport } from '../http/http-transport';
import { adyenTerminalPush, type AdyenPushOptions } from './adyen-terminal-push';
import { parsePushSettings } from './push-settings';
import { squareTerminalPush } from './square-terminal-push';
import { stripeTerminalPush } from './stripe-terminal-push';
import { TERMINAL_VENDORS, type TerminalPush, type TerminalVendor } from './terminal-push';

export interface CreateTerminalPushOptions {
  /** The face's HTTP: n8n's helpers, axios elsewhere. */
  http: HttpTransport;
  /** The vendor's settings record as the face holds it; parsed and checked here. */
  settings: unknown;
  /** Square: when "now" is (to tell a replayed checkout); Adyen: time stamps and ServiceIDs. For tests. */
  clock?: () => Date;
  serviceId?: AdyenPushOptions['serviceId'];
}

/** The TerminalPush for `vendor`, or an InputError naming the vendor or the setting to fix. */
export function createTerminalPush(vendor: string, options: CreateTerminalPushOptions): TerminalPush {
  if (!(TERMINAL_VENDORS as readonly string[]).includes(vendor)) {
    throw new InputError('vendor', `"${vendor}" is not a terminal this pack can push sales to`, `use one of: ${TERMINAL_VENDORS.join(', ')}`);
  }
  const v = vendor as TerminalVendor;
  switch (v) {
    case 'stripe':
      return stripeTerminalPush(options.http, parsePushSettings('stripe', options.settings));
    case 'square':
      return squareTerminalPush(options.http, parsePushSettings('square', options.settings), options.clock ? () => options.clock!().getTime() : undefined);
    case 'adyen':
      return adyenTerminalPush(options.http, parsePushSettings('adyen', options.settings), { clock: options.clock, serviceId: options.serviceId });
  }
}
