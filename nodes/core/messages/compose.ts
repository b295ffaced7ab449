import type { Money } from '../contracts/money';
import { moneyText } from '../format/money-text';
import type { DeclineSummary } from './decline-rate';

/** The wording of each template's message. Pure: every number arrives already counted, every amount as Money. */
export interface Wording {
  shopName: string;
  locale: string;
}

const firstName = (name: string | undefined) => name?.trim().split(/\s+/)[0] || undefined;
const hello = (name: string | undefined) => (firstName(name) ? `Hi ${firstName(name)},` : 'Hello,');
const at = (w: Wording, location: string | undefined) => `${w.shopName}${location ? ` (${location})` : ''}`;
const count = (n: number, w: Wording) => new Intl.NumberFormat(w.locale).format(n);

export function thankYouText(w: Wording, p: { name?: string; amount: Money; location?: string }) {
  const amountText = moneyText(p.amount, w);
  return {
    amountText,
    subject: `Thank you for your visit to ${w.shopName}`,
    text: `${hello(p.name)} thank you for your payment of ${amountText} at ${at(w, p.location)}. We look forward to seeing you again.`,
  };
}

export interface RecentPayment {
  occurredAt: string;
  amount: Money;
  refunded: Money;
}

export function highValueAlertText(
  w: Wording,
  p: { name: string; amount: Money; location?: string; segment: string | null; lifetime: Money; payments: number; recent: readonly RecentPayment[] },
) {
  const amountText = moneyText(p.amount, w);
  const recent = p.recent.map(
    (r) => `- ${r.occurredAt.slice(0, 10)}: ${moneyText(r.amount, w)}${r.refunded.minor > 0 ? ` (${moneyText(r.refunded, w)} refunded)` : ''}`,
  );
  const lines = [
    `High-value customer ${p.name} just paid ${amountText} at ${at(w, p.location)}.`,
    `Segment: ${p.segment ?? 'not ranked yet'}. Lifetime value: ${moneyText(p.lifetime, w)} over ${count(p.payments, w)} payment(s).`,
    ...(recent.length ? ['Recent payments:', ...recent] : []),
  ];
  return { amountText, subject: `High-value customer: ${p.name} paid ${amountText}`, text: lines.join('\n') };
}

export type MembershipChange = { type: 'enrolled' } | { type: 'tier-changed'; to: string | null; direction: 'upgrade' | 'downgrade' };

export function loyaltyText(w: Wording, p: { name?: string; change: MembershipChange; tier: string | null; points: number }) {
  const points = `${count(p.points, w)} point${p.points === 1 ? '' : 's'}`;
  if (p.change.type === 'enrolled') {
    return {
      subject: `Welcome to the ${w.shopName} loyalty program`,
      text: `${hello(p.name)} welcome to the ${w.shopName} loyalty program! You have ${points}${p.tier ? ` and you are a ${p.tier} member` : ''}.`,
    };
  }
  if (p.change.direction === 'upgrade') {
    return {
      subject: `You are now a ${p.change.to ?? 'member'} at ${w.shopName}`,
      text: `${hello(p.name)} congratulations: you are now a ${p.change.to ?? 'member'} member of the ${w.shopName} loyalty program, with ${points}.`,
    };
  }
  return {
    subject: `Your ${w.shopName} membership`,
    text: `${hello(p.name)} your ${w.shopName} membership tier is now ${p.change.to ?? 'the base level'}. You have ${points}.`,
  };
}

export function refundText(w: Wording, p: { name?: string; refunded: Money; payment: Money | null; location?: string; pointsTakenBack: number; pointsBalance: number | null; toCard: boolean }) {
  const amountText = moneyText(p.refunded, w);
  const of = p.payment ? ` of your ${moneyText(p.payment, w)} payment` : '';
  const points =
    p.pointsTakenBack > 0
      ? ` The ${count(p.pointsTakenBack, w)} point${p.pointsTakenBack === 1 ? '' : 's'} it earned ${p.pointsTakenBack === 1 ? 'was' : 'were'} taken back${p.pointsBalance !== null ? `; your balance is ${count(p.pointsBalance, w)} points` : ''}.`
      : '';
  return {
    amountText,
    subject: `Your refund from ${w.shopName}`,
    text: `${hello(p.name)} ${amountText}${of} at ${at(w, p.location)} has been refunded${p.toCard ? ' to your card' : ''}.${points}`,
  };
}

export function failedPaymentsText(w: Wording, p: { where: string; windowMinutes: number; summary: DeclineSummary }) {
  const s = p.summary;
  const rate = new Intl.NumberFormat(w.locale, { style: 'percent' }).format(s.rate);
  return {
    subject: `${w.shopName}: ${s.declines} declined payments at ${p.where} in ${p.windowMinutes} minutes`,
    text: [
      `${s.declines} of ${s.attempts} payment attempts (${rate}) at ${p.where} were declined in the last ${p.windowMinutes} minutes.`,
      'Decline reasons:',
      ...s.reasons.map((r) => `- ${r.reason}: ${r.count}`),
    ].join('\n'),
  };
}
