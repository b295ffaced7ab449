import { startMailCatcher, type CaughtMail } from '../../sandbox/run/shared/mail-catcher';

export type { CaughtMail };

/**
 * The sandbox's mail catcher (a real SMTP server on loopback, no TLS, any login) as the template tests use it:
 * mail to one address in the order it arrived, and a wait with a deadline that shows what did arrive.
 */
export async function startSmtpCatcher(): Promise<{
  host: string;
  port: number;
  to(address: string): CaughtMail[];
  waitFor(what: string, probe: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}> {
  const catcher = await startMailCatcher();
  // The catcher lists newest first (for the operator's page); tests read mail in the order it came.
  const arrived = () => [...catcher.mails].reverse();
  return {
    host: catcher.host,
    port: catcher.smtpPort,
    to: (address) => arrived().filter((m) => m.to.includes(address)),
    async waitFor(what, probe, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!probe()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the SMTP server got: ${JSON.stringify(arrived(), null, 1)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => catcher.close(),
  };
}
