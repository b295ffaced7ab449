/** A count with its noun in the form the count takes: "1 attempt", "3 attempts". */
export const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
