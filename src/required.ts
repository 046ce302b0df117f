/**
 * A value the code's own checks guarantee (a regex group that always takes part in the match, an
 * entry put in a map just before, an attribute validation already required). TypeScript cannot
 * see those guarantees; `required` states them and, should one ever fail, throws at that line
 * instead of letting `undefined` travel on (a 500, never a wrong answer).
 */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Internal error: ${what} is missing`);
  return value;
}
