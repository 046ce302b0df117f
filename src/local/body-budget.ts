import { SpekeHttpError } from '../errors.js';

/** 503: the bytes of request bodies being read at once reached the server's budget; retry later. */
export class BodyBudgetExceededError extends SpekeHttpError {
  override readonly name = 'BodyBudgetExceededError';
  readonly status = 503;
  readonly reason = 'body-budget-exceeded';
  constructor() {
    super('Server busy: too many request bodies in flight, retry shortly');
  }
}

/**
 * A global budget of request-body bytes held in memory at once (SPEKE_BODY_BUDGET_BYTES). Each
 * body reserves what it has received (its Content-Length up front, when sent) and releases it when
 * its request is over, so many slow uploads cannot grow the process without bound: past the budget
 * a request gets 503 at once instead of memory.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Reserves `bytes`; false (nothing reserved) when that would pass the limit. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get inFlight(): number {
    return this.used;
  }
}
