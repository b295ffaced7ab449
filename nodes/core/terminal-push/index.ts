export * from './terminal-push';
export { createTerminalPush, type CreateTerminalPushOptions } from './create-terminal-push';
export { attributionFrom, ADYEN_METADATA_KEYS, STRIPE_METADATA_KEYS, type PushAttribution } from './push-metadata';
export { parsePushSettings, pushSettingsFromEnv, PUSH_ENV, type PushSettingsByVendor } from './push-settings';
export { stripeTerminalPush } from './stripe-terminal-push';
export { squareTerminalPush } from './square-terminal-push';
export { adyenTerminalPush } from './adyen-terminal-push';
