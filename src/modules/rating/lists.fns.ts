/**
 * Lists built on the hot path: a list grown by push gets room for 16 items at the first push, which is most
 * of what rating one usage allocated; `new Array(n)` filled to n is as cheap as a literal. Items are first
 * gathered in a scratch list the caller owns (module-level, reused; JavaScript runs one rating at a time).
 */
export function exactList<T>(scratch: readonly T[], n: number): T[] {
  const list = new Array<T>(n);
  for (let i = 0; i < n; i++) list[i] = scratch[i];
  return list;
}
