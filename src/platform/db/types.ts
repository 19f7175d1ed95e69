/** int8 (bigint) columns arrive as JS numbers: money is integer micro-units and stays far below 2^53. */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is outside the safe integer range`);
  return n;
}
