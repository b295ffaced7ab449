/** Small seeded generators: the benchmark must produce the same population on every machine. */

/** splitmix32: turns (seed, index) into a well-mixed 32-bit value; used to seed per-person generators. */
export function mix(a: number, b = 0): number {
  let z = (a + Math.imul(b, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    this.a = mix(seed, stream);
    this.b = mix(this.a, 1);
    this.c = mix(this.b, 2);
    this.d = mix(this.c, 3) | 1;
    for (let i = 0; i < 8; i++) this.next();
  }

  /** sfc32: uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  /** Index into a list whose first entries are the most common (Zipf-like with exponent `s`). */
  zipf(n: number, s = 1): number {
    // inverse-CDF approximation of a continuous power law, good enough for name frequencies
    const u = this.next();
    if (s === 1) return Math.min(n - 1, Math.floor(Math.exp(u * Math.log(n + 1)) - 1));
    const e = 1 - s;
    return Math.min(n - 1, Math.floor((((n + 1) ** e - 1) * u + 1) ** (1 / e) - 1));
  }

  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }
}
