import type { BgNbdParams } from '../../../../nodes/core/segment/clv/bg-nbd';
import type { GammaGammaParams } from '../../../../nodes/core/segment/clv/gamma-gamma';
import { Random } from './random';

export interface SimulatedCustomer {
  frequency: number;
  recency: number;
  T: number;
  monetary: number;
  /** Purchase times (first at 0) and values, for tests that start from transactions. */
  times: number[];
  values: number[];
}

/**
 * Customers drawn from exactly the processes the models assume: a first purchase at 0, then Poisson purchases at
 * rate λ ~ Gamma(r, α) until a dropout that follows each repeat purchase with probability p ~ Beta(a, b); each
 * purchase worth Gamma(p, ν) with ν ~ Gamma(q, γ). Ages T are uniform between minT and maxT.
 */
export function simulatePopulation(
  n: number,
  purchase: BgNbdParams,
  spend: GammaGammaParams,
  options: { seed: number; minT: number; maxT: number },
): SimulatedCustomer[] {
  const rnd = new Random(options.seed);
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const T = options.minT + rnd.next() * (options.maxT - options.minT);
    const lambda = rnd.gamma(purchase.r, purchase.alpha);
    const dropout = rnd.beta(purchase.a, purchase.b);
    const nu = rnd.gamma(spend.q, spend.gamma);
    const times = [0];
    const values = [rnd.gamma(spend.p, nu)];
    let t = 0;
    for (;;) {
      t += rnd.exponential(lambda);
      if (t > T) break;
      times.push(t);
      values.push(rnd.gamma(spend.p, nu));
      if (rnd.next() < dropout) break;
    }
    const repeats = values.slice(1);
    out.push({
      frequency: times.length - 1,
      recency: times[times.length - 1]!,
      T,
      monetary: repeats.length ? repeats.reduce((s, v) => s + v, 0) / repeats.length : 0,
      times,
      values,
    });
  }
  return out;
}
