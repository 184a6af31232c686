/**
 * Errors named by what should happen next (STYLE P5). A processor maps what it catches to
 * one of these; anything else is rethrown and retried per the job's options.
 */

/** The input can never succeed (bad payload, invalid document): fail now, no retry. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** A passing infrastructure problem (network, DB restart): retry with backoff. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** The upstream asked us to slow down: delay the job without burning an attempt. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** Nothing to do (already done, cycle closed): finish without error and record why. */
export class SkipError extends Error {
  override readonly name = 'SkipError';
}
